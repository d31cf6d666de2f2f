"""Calendar feed routes on the rota blueprint: the feeds page (physicians make feeds of their own
duties, coordinators and admins feeds of a whole group), revoking, and the feed itself, read by
calendar apps with its secret token and answered with 304 while the rota has not changed.

Their URLs are listed in ``routes.py``.
"""

import hashlib

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.roles import HUB_EDITORS, Role, public, roles_required
from hubapp.extensions import db
from hubapp.rota import feeds, ical, services
from hubapp.rota.forms import FeedForm
from hubapp.rota.models import GroupMember
from hubapp.rota.views import _hub

ICS_MIMETYPE = "text/calendar; charset=utf-8"
#: Calendars poll; five minutes of private caching spares the database without delaying changes much.
FEED_CACHE_CONTROL = "private, max-age=300"
FEED_ROLES = (Role.PHYSICIAN, *sorted(HUB_EDITORS))


def _is_editor() -> bool:
    return current_user.role in HUB_EDITORS


def _memberships(hub_id: int) -> list[GroupMember]:
    """The current user's active memberships in the hub's groups, with their groups."""
    return services.hub_memberships(current_user.id, hub_id)


def feed_name(group_name: str, person_name: str | None = None) -> str:
    """The calendar's name in the subscriber's list (Japanese, like the events in it)."""
    if person_name:
        return f"当番表（{person_name}・{group_name}）"
    return f"{group_name} 当番表"


def _create_feed(form: FeedForm, groups: list, memberships: list[GroupMember]) -> str:
    """A coordinator's feed of one of the hub's groups, or a physician's of one of their memberships
    (the one offered to them: ``groups`` or ``memberships``); its URL, shown this once."""
    if groups:
        group = found_or_404(next((g for g in groups if g.id == form.group.data), None))
        _feed, token = feeds.create_group_feed(group, current_user.id)
    else:
        member = found_or_404(next((m for m in memberships if m.id == form.member.data), None))
        _feed, token = feeds.create_personal_feed(member, current_user.id)
    db.session.commit()
    return url_for("rota.feed", token=token, _external=True)


@roles_required(*FEED_ROLES)
def feeds_page():
    """Active feeds; POST makes one (physicians: of one of their memberships; coordinators and admins:
    of a group) and shows its URL this once."""
    hub = _hub()
    editor = _is_editor()
    memberships = [] if editor else _memberships(hub.id)
    groups = services.groups(hub.id) if editor else []
    new_url = None
    form = FeedForm()
    if form.is_submitted():  # (CSRF is checked for every post by CSRFProtect)
        new_url = _create_feed(form, groups, memberships)
        # the commit expired what was loaded: read the page's choices again rather than from the template
        memberships = [] if editor else _memberships(hub.id)
        groups = services.groups(hub.id) if editor else []
    active = feeds.group_feeds(hub.id) if editor else feeds.feeds_of_user(current_user.id, hub.id)
    response = Response(
        render_template(
            "rota/feeds.html",
            feeds=active,
            group_names=services.group_names(hub.id),
            editor=editor,
            groups=groups,
            memberships=memberships,
            new_url=new_url,
            new_webcal_url=new_url and "webcal://" + new_url.split("://", 1)[1],
        )
    )
    # The URL is shown once: nothing may keep a copy of the page.
    response.headers["Cache-Control"] = "no-store"
    return response


@roles_required(*FEED_ROLES)
def feed_revoke(feed_id: int):
    """Coordinators and admins revoke any feed of the hub; a physician their own feeds."""
    hub = _hub()
    mine = None if _is_editor() else {f.id for f in feeds.feeds_of_user(current_user.id, hub.id)}
    feed = hub_object_or_404(feeds.get_feed, feed_id, lambda f: mine is None or f.id in mine)
    feeds.revoke(feed)
    db.session.commit()
    flash(_("購読URLを無効にしました。このURLのカレンダーは更新されなくなります。"), "info")
    return redirect(url_for("rota.feeds"))


@public
def feed(token: str):
    """The feed's duties for subscribed calendars; 404 for an unknown or revoked token.

    ETag is the SHA-256 of the calendar (whose bytes depend only on the rota), Last-Modified the
    latest change of a duty in it (or the feed's creation): a calendar that sends either back gets
    304 without a body while nothing changed.
    """
    found = found_or_404(feeds.feed_for_token(token))
    group, member = feeds.feed_subject(found)
    if group is None or (found.member_id is not None and member is None):
        abort(404)
    duties = feeds.feed_duties(found)
    names = feeds.member_names(duties)
    person_name = None
    if member is not None:
        person_name = names.get(member.id) or member.person.name
    data = ical.duties_calendar(duties, names, member_id=found.member_id, name=feed_name(group.name, person_name))
    db.session.commit()  # last_used_at
    response = Response(data, content_type=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = 'inline; filename="rota.ics"'
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(hashlib.sha256(data).hexdigest())
    response.last_modified = max([d.updated_at for d in duties if d.updated_at] + [found.created_at])
    response.make_conditional(request)
    if response.status_code == 304:
        response.set_data(b"")
    return response
