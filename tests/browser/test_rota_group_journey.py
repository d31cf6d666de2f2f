"""Setting up a group on a phone: the coordinator adds an extra 休日, a shift, takes a physician off the
rota, enters a late unavailability for them, and generates a whole 年度 quarter that uses all of it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.models import Duty, GroupHoliday, GroupMember, Unavailability
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def group_id(app, hub, create_person, create_user):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    names = ["髙橋 健一", "山吹 さやか", "鈴木 一郎", "小川 正", "大野 里美", "西村 拓"]
    people = [create_person(n, Profession.PHYSICIAN) for n in names]
    with app.app_context():
        group = services.create_group(hub.id, "北総かとり在宅医グループ")
        for p in people:
            services.add_member(group, db.session.get(Person, p.id))
        db.session.commit()
        return group.id


def test_coordinator_sets_up_a_group_and_generates_a_quarter(app, page, group_id, artifacts):
    this_quarter_ends = services.period_of(today(), "quarter")[1]
    first, last = services.period_of(this_quarter_ends + timedelta(days=1), "quarter")  # the next 年度 quarter
    extra = first.replace(day=10)
    page.goto("/login")
    log_in(page, "coordinator-sato")
    page.goto(f"/rota/groups/{group_id}")

    page.fill("#holiday-day", extra.isoformat())
    page.fill("#holiday-name", "地域の祭り")
    with page.expect_navigation():
        page.get_by_role("button", name="休日に加える").click()
    assert "休日に加えました" in page.locator(".flash").inner_text()

    page.get_by_text("シフトを加える").click()
    page.fill("#shift-new-name", "休日午前")
    page.select_option("#shift-new-applies", "holiday")
    page.fill("#shift-new-starts", "08:30")
    page.fill("#shift-new-ends", "12:00")
    page.locator("#shift-new-name").locator("xpath=ancestor::form").get_by_label("夜間").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="加える", exact=True).first.click()
    assert "シフトを保存しました" in page.locator(".flash").inner_text()
    assert "休日午前" in page.get_by_test_id("shifts").inner_text()

    with app.app_context():
        members = list(db.session.scalars(sa.select(GroupMember).order_by(GroupMember.id)))
        resting, away = members[5], members[0]
    details = page.get_by_test_id(f"member-{resting.id}")
    details.locator("summary").click()
    details.get_by_label("当番に入る").uncheck()
    with page.expect_navigation():
        details.get_by_role("button", name="保存").click()
    assert "休止中" in page.get_by_test_id("members").inner_text()

    page.select_option("#u-member", str(away.id))
    page.fill("#u-first", first.isoformat())
    page.fill("#u-last", first.replace(day=7).isoformat())
    page.fill("#u-note", "学会")
    with page.expect_navigation():
        page.locator("#unavailability").get_by_role("button", name="登録").click()
    assert "当番ができない日を登録しました" in page.locator(".flash").inner_text()
    page.screenshot(path=artifacts / "rota-group-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"/rota/?group={group_id}&month={first:%Y-%m}")
    page.get_by_test_id("period").get_by_role("link").click()
    with page.expect_navigation():
        page.get_by_role("button", name="自動作成").click()
    assert "自動作成しました" in page.locator(".flash").inner_text()

    with app.app_context():
        duties = list(db.session.scalars(sa.select(Duty).where(Duty.group_id == group_id)))
        assert {d.day for d in duties} >= {first, last}
        assert not [d for d in duties if resting.id in (d.primary_id, d.secondary_id)]
        assert not [d for d in duties if d.day <= first.replace(day=7) and away.id in (d.primary_id, d.secondary_id)]
        assert {d.shift_type.name for d in duties if d.day == extra} >= {"休日日中", "休日夜間", "休日午前"}
        assert db.session.scalars(sa.select(GroupHoliday)).one().day == extra
        assert db.session.scalars(sa.select(Unavailability)).one().note == "学会"
