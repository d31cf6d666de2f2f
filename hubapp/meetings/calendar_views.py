"""Calendar routes on the meetings blueprint: a meeting's .ics download, the hub's subscription feeds
(made and revoked by the hub's editors) and the feed itself, read by calendars with its secret token.

Their URLs are listed in ``routes.py``.
"""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.downloads import content_disposition
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, public, roles_required
from hubapp.extensions import db
from hubapp.hubs import services as hubs
from hubapp.meetings import feeds, ical, services
from hubapp.meetings.forms import FeedForm
from hubapp.meetings.views import _hub

ICS_MIMETYPE = "text/calendar; charset=utf-8"
#: Calendars poll; five minutes of private caching spares the database without delaying changes much.
FEED_CACHE_CONTROL = "private, max-age=300"
LABEL_MAX = 120


def _ics_response(data: bytes, filename: str | None = None, fallback: str = "meeting.ics") -> Response:
    response = Response(data, content_type=ICS_MIMETYPE)
    if filename:
        response.headers["Content-Disposition"] = content_disposition(filename, fallback)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def feed_name(hub_name: str) -> str:
    """The calendar's name in the subscriber's list (Japanese, like the events in it)."""
    return f"{hub_name} 会議・研修"


@roles_required(*ALL_ROLES)
def ics(meeting_id: int):
    """The meeting for one's own calendar: PUBLISH, without the attendees' names and addresses."""
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    return _ics_response(
        ical.meeting_calendar(meeting, "PUBLISH"), f"{meeting.title[:80]}.ics", f"meeting-{meeting.id}.ics"
    )


@roles_required(*HUB_EDITORS)
def feeds_page():
    """The hub's active feeds; POST makes one and shows its URL this once."""
    hub = _hub()
    new_url = None
    form = FeedForm()
    if form.is_submitted():
        label = (form.label.data or "").strip()
        if len(label) > LABEL_MAX:
            flash(_("名前は%(n)d文字以内で入力してください。", n=LABEL_MAX), "error")
        else:
            feed, token = feeds.create_feed(hub.id, current_user.id, label)
            db.session.commit()
            new_url = url_for("meetings.feed", token=token, _external=True)
    response = Response(
        render_template(
            "meetings/feeds.html",
            feeds=feeds.active_feeds(hub.id),
            new_url=new_url,
            new_webcal_url=new_url and "webcal://" + new_url.split("://", 1)[1],
            label_max=LABEL_MAX,
        )
    )
    # The URL is shown once: nothing may keep a copy of the page.
    response.headers["Cache-Control"] = "no-store"
    return response


@roles_required(*HUB_EDITORS)
def feed_revoke(feed_id: int):
    feed = hub_object_or_404(feeds.get_feed, feed_id)
    feeds.revoke(feed)
    db.session.commit()
    flash(_("購読URLを無効にしました。このURLのカレンダーは更新されなくなります。"), "info")
    return redirect(url_for("meetings.feeds"))


@public
def feed(token: str):
    """The hub's meetings for subscribed calendars; 404 for an unknown or revoked token."""
    found = found_or_404(feeds.feed_for_token(token))
    hub = found_or_404(hubs.get_hub(found.hub_id))
    data = ical.feed_calendar(feeds.feed_meetings(hub.id), feed_name(hub.name))
    db.session.commit()  # last_used_at
    response = _ics_response(data, "meetings.ics")
    response.headers["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["X-Robots-Tag"] = "noindex"
    return response
