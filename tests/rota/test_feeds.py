"""Rota calendar feeds: tokens kept as hashes only, revocable; the duties of a personal and of a group
feed; the calendar read back by a second parser (vobject); the routes of hubapp/rota/feed_views.py
(the feeds page and the public feed with ETag / Last-Modified and 304)."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import vobject

from hubapp.audit.models import AuditLog
from hubapp.core.services import today as today_in_japan
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import feeds, ical, services
from hubapp.rota.feeds import RotaFeed
from hubapp.rota.models import Duty, GroupMember, PhysicianGroup
from tests.support.rota import add_duty

NAMES = ["髙橋 健一", "鈴木 一郎", "佐藤 次郎"]


@pytest.fixture
def group(app, hub, create_person):
    """A group of three physicians (ids of the group and its members, in NAMES order)."""
    people = [create_person(n, Profession.PHYSICIAN) for n in NAMES]
    with app.app_context():
        created = services.create_group(hub.id, "北総かとり在宅医グループ")
        members = [services.add_member(created, db.session.get(Person, p.id)) for p in people]
        db.session.commit()
        return {"id": created.id, "members": [m.id for m in members]}


@pytest.fixture
def rota(app, group):
    """Duties around today: the first member's two published ones (primary, then secondary), a draft of
    theirs, others' duties, one without a primary, and one too old for the feed (ids by name)."""
    a, b, c = group["members"]
    today = today_in_japan()
    with app.app_context():
        made = {
            "a_primary": add_duty(group["id"], "weekday_night", today + timedelta(days=3), a, b),
            "a_secondary": add_duty(group["id"], "holiday_night", today + timedelta(days=10), b, a),
            "a_draft": add_duty(group["id"], "weekday_night", today + timedelta(days=40), a, c, published=False),
            "others": add_duty(group["id"], "holiday_day", today + timedelta(days=5), b, c),
            "backup": add_duty(group["id"], "weekday_night", today + timedelta(days=6), None, c),
            "too_old": add_duty(group["id"], "weekday_night", today - timedelta(days=100), a, b),
        }
        db.session.commit()
        return {name: duty.id for name, duty in made.items()}


def parse(data: bytes):
    """The calendar as vobject reads it (a parser that shares no code with icalendar)."""
    return vobject.readOne(data.decode("utf-8"))


def _member(member_id: int) -> GroupMember:
    return db.session.get(GroupMember, member_id)


# --- services -------------------------------------------------------------------------------------


def test_token_is_stored_as_its_hash_only(app_ctx, group):
    feed, token = feeds.create_personal_feed(_member(group["members"][0]), None)
    db.session.commit()

    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert feed.is_personal and feed.group_id == group["id"]
    row = db.session.execute(sa.select(RotaFeed.__table__).where(RotaFeed.id == feed.id)).one()
    assert all(token not in str(value) for value in row)
    trail = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "rota_feeds")).all()
    assert trail and all(
        token not in str(entry.changes) and feed.token_hash not in str(entry.changes) for entry in trail
    )


def test_personal_feed_has_exactly_the_members_published_duties_with_their_roles(app_ctx, group, rota):
    member_id = group["members"][0]
    feed, _token = feeds.create_personal_feed(_member(member_id), None)

    duties = feeds.feed_duties(feed, today_in_japan())

    assert [d.id for d in duties] == [rota["a_primary"], rota["a_secondary"]]  # no draft, nothing too old
    data = ical.duties_calendar(duties, feeds.member_names(duties), member_id=member_id, name="当番表")
    calendar = parse(data)
    assert calendar.method.value == "PUBLISH"
    assert "vtimezone" in calendar.contents and calendar.vtimezone.tzid.value == "Asia/Tokyo"
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert set(events) == {f"duty-{rota['a_primary']}@hubapp", f"duty-{rota['a_secondary']}@hubapp"}
    primary = events[f"duty-{rota['a_primary']}@hubapp"]
    assert primary.summary.value == "当番（主）平日夜間"
    assert "鈴木 一郎" in primary.description.value
    start = primary.dtstart.value
    assert (start.hour, start.minute) == (18, 0) and start.utcoffset() == timedelta(hours=9)
    assert b"DTSTART;TZID=Asia/Tokyo:" in data
    assert events[f"duty-{rota['a_secondary']}@hubapp"].summary.value == "副・バックアップ 休日夜間"


def test_group_feed_names_both_physicians_or_the_backup_hospital(app_ctx, hub, group, rota):
    feed, _token = feeds.create_group_feed(db.session.get(PhysicianGroup, group["id"]), None)
    assert not feed.is_personal and feed.hub_id == hub.id

    duties = feeds.feed_duties(feed, today_in_japan())

    assert {d.id for d in duties} == {rota["a_primary"], rota["a_secondary"], rota["others"], rota["backup"]}
    calendar = parse(ical.duties_calendar(duties, feeds.member_names(duties), name="当番表"))
    summaries = {e.uid.value: e.summary.value for e in calendar.vevent_list}
    assert summaries[f"duty-{rota['a_primary']}@hubapp"] == "平日夜間 主:髙橋 副:鈴木"
    assert summaries[f"duty-{rota['backup']}@hubapp"] == "平日夜間 主:後方支援病院 副:佐藤"


def test_feed_duties_take_a_fixed_number_of_queries(app, group, rota, count_queries):
    with app.app_context():
        feed, _token = feeds.create_group_feed(db.session.get(PhysicianGroup, group["id"]), None)
        db.session.commit()
        feed_id = feed.id
    counts = []
    for extra in (0, 5):
        with app.app_context():
            for n in range(extra):
                add_duty(group["id"], "weekday_night", today_in_japan() + timedelta(days=60 + n), *group["members"][:2])
            db.session.commit()
        with app.app_context():
            loaded = db.session.get(RotaFeed, feed_id)
            with count_queries() as counted:
                duties = feeds.feed_duties(loaded)
                feeds.member_names(duties)
            counts.append((len(duties), counted.n))
    assert counts[1][0] == counts[0][0] + 5
    assert counts[0][1] == counts[1][1] <= 3


def test_a_changed_duty_gets_a_new_sequence_and_last_modified(app_ctx, group, rota):
    duty = db.session.get(Duty, rota["a_primary"])
    before = parse(ical.duties_calendar([duty], {}, name="x")).vevent
    duty.updated_at = duty.created_at + timedelta(minutes=5)
    after = parse(ical.duties_calendar([duty], {}, name="x")).vevent
    assert after.uid.value == before.uid.value
    assert int(after.sequence.value) > int(before.sequence.value)
    assert after.last_modified.value > before.last_modified.value


def test_lookup_stamps_last_used_and_revoke_ends_it(app_ctx, create_user, group):
    from hubapp.common.roles import Role

    user = create_user("dr-takahashi", Role.PHYSICIAN)
    member = _member(group["members"][0])
    member.user_id = user.id
    feed, token = feeds.create_personal_feed(member, user.id)
    other, _other = feeds.create_personal_feed(member, user.id)
    db.session.commit()

    found = feeds.feed_for_token(token)
    db.session.commit()
    assert found is not None and found.id == feed.id and found.last_used_at is not None
    assert feeds.feed_for_token(token + "x") is None
    assert feeds.feed_for_token("") is None
    assert feeds.feed_for_token("a" * 1000) is None
    assert [f.id for f in feeds.feeds_of_user(user.id)] == [feed.id, other.id]

    feeds.revoke(feed)
    db.session.commit()
    assert feeds.feed_for_token(token) is None
    assert [f.id for f in feeds.feeds_of_user(user.id)] == [other.id]


def test_feed_lookup_leaves_no_audit_entry(app_ctx, group):
    _feed, token = feeds.create_group_feed(db.session.get(PhysicianGroup, group["id"]), None)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditLog.id)))
    feeds.feed_for_token(token)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == before


# --- routes ---------------------------------------------------------------------------------------


@pytest.fixture
def routes(app):
    """The routes live in hubapp/rota/feed_views.py, registered by register_blueprints."""
    assert "rota.feed" in app.view_functions, "hubapp.rota.feed_views must be registered"


def _personal_token(app, member_id: int) -> str:
    with app.app_context():
        _feed, token = feeds.create_personal_feed(_member(member_id), None)
        db.session.commit()
        return token


def test_anonymous_calendar_reads_the_feed_and_gets_304_while_unchanged(routes, app, group, rota):
    path = f"/rota/feed/{_personal_token(app, group['members'][0])}.ics"
    anonymous = app.test_client()

    first = anonymous.get(path)
    assert first.status_code == 200
    assert first.mimetype == "text/calendar"
    assert first.headers["Cache-Control"] == "private, max-age=300"
    etag = first.headers["ETag"]
    assert etag and not etag.startswith("W/") and first.headers["Last-Modified"]
    calendar = parse(first.data)
    uids = [e.uid.value for e in calendar.vevent_list]
    assert uids == [f"duty-{rota['a_primary']}@hubapp", f"duty-{rota['a_secondary']}@hubapp"]
    assert "髙橋 健一" in calendar.contents["x-wr-calname"][0].value

    second = anonymous.get(path)
    assert second.status_code == 200 and second.headers["ETag"] == etag
    assert [e.uid.value for e in parse(second.data).vevent_list] == uids  # stable UIDs

    unchanged = anonymous.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    since = anonymous.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_a_swap_changes_the_etag_and_the_role(routes, app, group, rota):
    path = f"/rota/feed/{_personal_token(app, group['members'][0])}.ics"
    anonymous = app.test_client()
    etag = anonymous.get(path).headers["ETag"]

    with app.app_context():
        duty = db.session.get(Duty, rota["a_primary"])
        duty.primary_id, duty.secondary_id = duty.secondary_id, duty.primary_id
        db.session.commit()

    changed = anonymous.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    events = {e.uid.value: e for e in parse(changed.data).vevent_list}
    assert events[f"duty-{rota['a_primary']}@hubapp"].summary.value == "副・バックアップ 平日夜間"


def test_revoked_or_unknown_feed_is_not_found(routes, app, group, rota):
    with app.app_context():
        feed, token = feeds.create_group_feed(db.session.get(PhysicianGroup, group["id"]), None)
        db.session.commit()
        feed_id = feed.id
    anonymous = app.test_client()
    assert anonymous.get(f"/rota/feed/{token}.ics").status_code == 200
    with app.app_context():
        feeds.revoke(db.session.get(RotaFeed, feed_id))
        db.session.commit()
    assert anonymous.get(f"/rota/feed/{token}.ics").status_code == 404
    assert anonymous.get("/rota/feed/not-a-token.ics").status_code == 404


def test_physician_creates_a_personal_feed_then_revokes_it(routes, app, client, login_as, group, rota):
    user = login_as("physician")
    with app.app_context():
        _member(group["members"][0]).user_id = user.id
        db.session.commit()

    page = client.get("/rota/feeds")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.data.decode()
    created = client.post("/rota/feeds", data={"member": group["members"][0]})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    html = created.data.decode()
    url = re.search(r'value="(http://localhost/rota/feed/[A-Za-z0-9_-]+\.ics)"', html).group(1)
    assert f'href="webcal://{url.removeprefix("http://")}"' in html
    path = url.removeprefix("http://localhost")
    assert path not in client.get("/rota/feeds").data.decode()  # shown once

    feed = app.test_client().get(path)
    assert feed.status_code == 200
    summaries = sorted(e.summary.value for e in parse(feed.data).vevent_list)
    assert summaries == ["副・バックアップ 休日夜間", "当番（主）平日夜間"]

    # Someone else's membership is refused.
    assert client.post("/rota/feeds", data={"member": group["members"][1]}).status_code == 404
    with app.app_context():
        [own] = feeds.feeds_of_user(user.id)
        own_id = own.id
    assert client.post(f"/rota/feeds/{own_id}/revoke").status_code == 302
    assert app.test_client().get(path).status_code == 404


def test_physician_cannot_revoke_a_group_feed(routes, app, client, login_as, group):
    with app.app_context():
        feed, token = feeds.create_group_feed(db.session.get(PhysicianGroup, group["id"]), None)
        db.session.commit()
        feed_id = feed.id
    login_as("physician")
    assert client.post(f"/rota/feeds/{feed_id}/revoke").status_code == 404
    assert app.test_client().get(f"/rota/feed/{token}.ics").status_code == 200


def test_coordinator_creates_a_group_feed(routes, app, client, login_as, group, rota):
    login_as("coordinator")
    created = client.post("/rota/feeds", data={"group": group["id"]})
    assert created.status_code == 200
    url = re.search(r'value="(http://localhost/rota/feed/[A-Za-z0-9_-]+\.ics)"', created.data.decode()).group(1)
    calendar = parse(app.test_client().get(url.removeprefix("http://localhost")).data)
    assert len(calendar.vevent_list) == 4
    assert "北総かとり在宅医グループ" in calendar.contents["x-wr-calname"][0].value


def test_members_cannot_manage_rota_feeds(routes, client, login_as):
    login_as("member")
    assert client.get("/rota/feeds").status_code == 403
    assert client.post("/rota/feeds", data={"group": 1}).status_code == 403
