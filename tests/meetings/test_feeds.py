"""Calendar subscriptions: tokens kept as hashes only, revocable; the feed's meetings; the routes of
hubapp/meetings/calendar_views.py (the .ics download, the feeds page, the public feed)."""

import hashlib
import re
from datetime import date, time

import pytest
import sqlalchemy as sa
import vobject

from hubapp.audit.models import AuditLog
from hubapp.extensions import db
from hubapp.meetings import feeds, services
from hubapp.meetings.models import CalendarFeed
from tests.support.meetings import TITLE, invite, new_meeting

# --- services -------------------------------------------------------------------------------------


def test_token_is_stored_as_its_hash_only(app_ctx, hub):
    feed, token = feeds.create_feed(hub.id, None, "事務局の共有カレンダー")
    db.session.commit()

    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(sa.select(CalendarFeed.__table__).where(CalendarFeed.id == feed.id)).one()
    assert all(token not in str(value) for value in row)
    trail = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "calendar_feeds")).all()
    assert trail and all(token not in str(entry.changes) and feed.token_hash not in str(entry.changes)
                         for entry in trail)


def test_lookup_stamps_last_used_and_revoke_ends_it(app_ctx, hub):
    feed, token = feeds.create_feed(hub.id, None, "")
    other, _other_token = feeds.create_feed(hub.id, None, "院内の共有カレンダー")
    db.session.commit()
    assert feed.last_used_at is None

    found = feeds.feed_for_token(token)
    db.session.commit()
    assert found is not None and found.id == feed.id
    db.session.expire_all()
    assert db.session.get(CalendarFeed, feed.id).last_used_at is not None
    assert feeds.feed_for_token(token + "x") is None
    assert feeds.feed_for_token("") is None
    assert feeds.feed_for_token("a" * 1000) is None

    feeds.revoke(feed)
    db.session.commit()
    assert feeds.feed_for_token(token) is None
    assert [f.id for f in feeds.active_feeds(hub.id)] == [other.id]


def test_feed_lookup_leaves_no_audit_entry(app_ctx, hub):
    _feed, token = feeds.create_feed(hub.id, None, "")
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditLog.id)))
    feeds.feed_for_token(token)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == before


def test_feeds_belong_to_their_hub(app_ctx, hub, create_hub):
    elsewhere = create_hub()
    feed, _token = feeds.create_feed(elsewhere.id, None, "")
    assert feeds.get_feed(hub.id, feed.id) is None
    assert feeds.get_feed(elsewhere.id, feed.id) is feed
    assert feeds.active_feeds(hub.id) == []


def _at(day: date, title: str, hub_id: int):
    return new_meeting(
        hub_id, title=title, starts_at=services.jst_datetime(day, time(18, 0)),
        ends_at=services.jst_datetime(day, time(19, 0)),
    )


def test_feed_meetings_span_the_past_year_this_and_next_fiscal_year(app_ctx, hub, create_hub):
    elsewhere = create_hub()  # first: its own app context commits while this one has no transaction open
    today = date(2026, 11, 23)  # 令和8年度
    too_old = _at(date(2025, 11, 22), "13か月前", hub.id)
    last_year = _at(date(2025, 11, 23), "12か月前", hub.id)
    cancelled = _at(date(2026, 12, 1), "中止した会", hub.id)
    services.cancel_meeting(cancelled)
    next_fy_end = _at(date(2028, 3, 31), "翌年度末", hub.id)
    too_far = _at(date(2028, 4, 1), "翌々年度", hub.id)
    other_hub = _at(date(2026, 12, 2), "別の拠点", elsewhere.id)

    ids = [m.id for m in feeds.feed_meetings(hub.id, today)]

    assert ids == [last_year.id, cancelled.id, next_fy_end.id]
    assert too_old.id not in ids and too_far.id not in ids and other_hub.id not in ids


# --- routes -----------------------------------------------------------------------------------------


@pytest.fixture
def routes(app):
    """The routes live in hubapp/meetings/calendar_views.py, registered by register_blueprints."""
    assert "meetings.feed" in app.view_functions, "hubapp.meetings.calendar_views must be registered"


@pytest.fixture
def meeting_id(app, hub, create_person):
    person = create_person("山田 花子", email="hanako.yamada@example.jp")
    with app.app_context():
        meeting = new_meeting(hub.id)
        invite(meeting, person.id)
        db.session.commit()
        return meeting.id


def _uid(app, meeting_id: int) -> str:
    from hubapp.meetings.models import Meeting

    with app.app_context():
        return db.session.get(Meeting, meeting_id).ical_uid


def test_member_downloads_a_meeting_ics_without_attendees(routes, app, client, login_as, meeting_id):
    login_as("member")
    response = client.get(f"/meetings/{meeting_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    calendar = vobject.readOne(response.data.decode("utf-8"))
    assert calendar.method.value == "PUBLISH"
    assert calendar.vevent.uid.value == _uid(app, meeting_id)
    assert calendar.vevent.summary.value == TITLE
    assert "attendee" not in calendar.vevent.contents
    assert b"hanako.yamada" not in response.data


def test_another_hubs_meeting_ics_is_not_found(routes, app, client, login_as, create_hub):
    elsewhere = create_hub()
    with app.app_context():
        other_id = new_meeting(elsewhere.id).id
        db.session.commit()
    login_as("coordinator")
    assert client.get(f"/meetings/{other_id}.ics").status_code == 404
    assert client.get("/meetings/999999.ics").status_code == 404


def test_ics_needs_a_login(routes, app, meeting_id):
    response = app.test_client().get(f"/meetings/{meeting_id}.ics")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_subscribe_then_revoke(routes, app, hub, client, login_as, meeting_id):
    login_as("coordinator")
    page = client.get("/meetings/feeds")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.data.decode()

    created = client.post("/meetings/feeds", data={"label": "事務局の共有カレンダー"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    html = created.data.decode()
    url = re.search(r'value="(http://localhost/meetings/feed/[A-Za-z0-9_-]+\.ics)"', html).group(1)
    assert f'href="webcal://{url.removeprefix("http://")}"' in html
    assert "事務局の共有カレンダー" in html
    path = url.removeprefix("http://localhost")
    # Shown once: the list no longer carries it.
    assert path not in client.get("/meetings/feeds").data.decode()

    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert feed.headers["Cache-Control"] == "private, max-age=300"
    calendar = vobject.readOne(feed.data.decode("utf-8"))
    assert calendar.method.value == "PUBLISH"
    assert [e.uid.value for e in calendar.vevent_list] == [_uid(app, meeting_id)]
    assert "北総テスト在宅医療連携センター" in calendar.contents["x-wr-calname"][0].value
    assert b"hanako.yamada" not in feed.data

    with app.app_context():
        [row] = feeds.active_feeds(hub.id)
        assert row.last_used_at is not None
        feed_id = row.id
    revoked = client.post(f"/meetings/feeds/{feed_id}/revoke")
    assert revoked.status_code == 302
    assert anonymous.get(path).status_code == 404
    with app.app_context():
        assert feeds.active_feeds(hub.id) == []


def test_cancelled_meeting_stays_in_the_feed_as_cancelled(routes, app, hub, meeting_id):
    from hubapp.meetings.models import Meeting

    with app.app_context():
        services.cancel_meeting(db.session.get(Meeting, meeting_id))
        _feed, token = feeds.create_feed(hub.id, None, "")
        db.session.commit()
    response = app.test_client().get(f"/meetings/feed/{token}.ics")
    assert response.status_code == 200
    assert vobject.readOne(response.data.decode()).vevent.status.value == "CANCELLED"


def test_unknown_token_is_not_found(routes, app):
    assert app.test_client().get("/meetings/feed/not-a-token.ics").status_code == 404


def test_members_cannot_manage_feeds(routes, client, login_as):
    login_as("member")
    assert client.get("/meetings/feeds").status_code == 403
    assert client.post("/meetings/feeds", data={"label": "x"}).status_code == 403


def test_another_hubs_feed_cannot_be_revoked(routes, app, client, login_as, create_hub):
    elsewhere = create_hub()
    with app.app_context():
        feed, token = feeds.create_feed(elsewhere.id, None, "")
        db.session.commit()
        feed_id = feed.id
    login_as("coordinator")
    assert client.post(f"/meetings/feeds/{feed_id}/revoke").status_code == 404
    assert app.test_client().get(f"/meetings/feed/{token}.ics").status_code == 200
