"""Rota pages: 自動作成 and publishing by the coordinator, 今夜の当番 for everyone, a physician's own page."""

from datetime import timedelta

import sqlalchemy as sa

from hubapp.core.services import today
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.models import Duty, GroupMember, Unavailability


def test_coordinator_generates_and_publishes_this_month_and_everyone_sees_tonight(app, client, login_as, group_id):
    login_as("coordinator")
    month = today().strftime("%Y-%m")
    response = client.post(f"/rota/{group_id}/generate?month={month}")
    assert response.status_code == 302
    page = client.get(f"/rota/?group={group_id}&month={month}").data.decode()
    assert "下書き" in page and "公開する" in page
    client.post(f"/rota/{group_id}/publish?month={month}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Duty).where(Duty.published_at.is_(None))) == 0
    client.post("/logout")
    login_as("member")
    now = client.get("/rota/now").data.decode()
    assert "この先7日間" in now and "tel:090-1111-000" in now


def test_members_cannot_generate(client, login_as, group_id):
    login_as("member")
    assert client.post(f"/rota/{group_id}/generate").status_code == 403


def test_physician_enters_unavailability_from_their_page(app, client, login_as, group_id):
    user = login_as("physician")
    with app.app_context():
        member = db.session.scalars(sa.select(GroupMember).where(GroupMember.group_id == group_id)).first()
        member.user_id = user.id
        member_id = member.id
        db.session.commit()
    assert "当番ができない日" in client.get("/rota/mine").data.decode()
    first = (today() + timedelta(days=20)).isoformat()
    client.post(
        "/rota/mine",
        data={"member": member_id, "first_day": first, "last_day": first, "kind": "unavailable", "note": "学会"},
    )
    with app.app_context():
        (entry,) = db.session.scalars(sa.select(Unavailability)).all()
        assert entry.note == "学会" and entry.first_day.isoformat() == first
    bad = client.post("/rota/mine", data={"member": member_id, "first_day": "2026-13-01"}, follow_redirects=True)
    assert "日付を正しく入力してください。" in bad.data.decode()


def test_the_deadline_closes_a_month_for_physicians_only(app, client, login_as, group_id):
    """Deadline day 10: on the 23rd the next month is closed (its deadline was the 10th) and the month after
    is open. Entries go to every group of the physician; the physician may take back an open one."""
    from hubapp.rota.models import PhysicianGroup

    user = login_as("physician")
    with app.app_context():
        group = db.session.get(PhysicianGroup, group_id)
        group.unavailability_deadline_day = 10
        member = group.members[0]
        member.user_id = user.id
        db.session.commit()
        now = today()
        nxt = (now.replace(day=1) + timedelta(days=32)).replace(day=1)
        after = (nxt + timedelta(days=32)).replace(day=1)
        assert services.unavailability_deadline(group, nxt) == now.replace(day=10)
        expected_open = nxt if now.day <= 10 else after
        assert services.first_open_month(group, now) == expected_open
    closed = now + timedelta(days=1) if now.day > 10 else None
    if closed is not None and closed.month == now.month:  # days of this month are always closed once past the 10th
        refused = client.post(
            "/rota/mine", data={"first_day": closed.isoformat(), "kind": "unavailable"}, follow_redirects=True
        )
        assert "締め切りました" in refused.data.decode()
    past = client.post(
        "/rota/mine",
        data={"first_day": (now - timedelta(days=1)).isoformat(), "kind": "unavailable"},
        follow_redirects=True,
    )
    assert "過ぎた日は登録できません。" in past.data.decode()
    target = expected_open + timedelta(days=4)
    client.post("/rota/mine", data={"first_day": target.isoformat(), "kind": "unavailable", "note": "休暇"})
    with app.app_context():
        (entry,) = db.session.scalars(sa.select(Unavailability)).all()
        assert entry.first_day == target and entry.note == "休暇"
        entry_id = entry.id
    page = client.get("/rota/mine").data.decode()
    assert "締切" in page and "休暇" in page
    client.post("/rota/mine", data={"delete": entry_id})
    with app.app_context():
        assert db.session.scalars(sa.select(Unavailability)).all() == []
    assert client.post("/rota/mine", data={"delete": 999999}).status_code == 404
