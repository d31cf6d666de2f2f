"""The rota in a real Chromium on a phone: a physician enters unavailability; the coordinator generates next
month, moves one duty by hand and publishes; the physician sees the duty in their list and in their
calendar feed; a swap is requested, accepted, approved and shows up for both physicians."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.models import Duty, GroupMember, Unavailability
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def rota(app, hub, create_person, create_user):
    """A group of six physicians; 髙橋 (user physician-a) and 山吹 (user physician-b) can log in."""
    a = create_user("physician-a", Role.PHYSICIAN, hubs=(hub,))
    b = create_user("physician-b", Role.PHYSICIAN, hubs=(hub,))
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    names = ["髙橋 健一", "山吹 さやか", "鈴木 一郎", "小川 正", "大野 里美", "西村 拓"]
    people = [create_person(n, Profession.PHYSICIAN, phone=f"090-1234-000{i}") for i, n in enumerate(names)]
    with app.app_context():
        group = services.create_group(hub.id, "北総かとり在宅医グループ")
        members = [services.add_member(group, db.session.get(Person, p.id)) for p in people]
        members[0].user_id, members[1].user_id = a.id, b.id
        db.session.commit()
        return {"group": group.id, "a": members[0].id, "b": members[1].id}


def month_after(day):
    first = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def test_rota_from_unavailability_to_a_swap(app, new_page, rota, artifacts):
    first, last = month_after(today())
    away = first + timedelta(days=9)

    physician = new_page()
    physician.goto("/login")
    log_in(physician, "physician-a")
    physician.get_by_role("link", name="自分の当番").first.click()
    physician.fill("input[name=first_day]", away.isoformat())
    physician.fill("input[name=last_day]", away.isoformat())
    physician.fill("input[name=note]", "学会")
    with physician.expect_navigation():
        physician.get_by_role("button", name="登録", exact=True).click()
    assert "学会" in physician.locator("main").inner_text()
    with app.app_context():
        assert db.session.scalars(sa.select(Unavailability)).one().first_day == away

    coordinator = new_page()
    coordinator.goto("/login")
    log_in(coordinator, "coordinator-sato")
    month = first.strftime("%Y-%m")
    coordinator.goto(f"/rota/?group={rota['group']}&month={month}")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="自動作成").click()
    assert "自動作成しました" in coordinator.locator(".flash").inner_text()
    with app.app_context():
        duties = list(db.session.scalars(sa.select(Duty).where(Duty.day >= first, Duty.day <= last)))
        assert duties and not [d for d in duties if d.day == away and rota["a"] in (d.primary_id, d.secondary_id)]
        busy = {(m, d.day) for d in duties for m in (d.primary_id, d.secondary_id)}
        # a duty on a day when neither physician-a nor physician-b is on duty: move its secondary to physician-a
        target = next(
            d for d in duties if d.day != away and (rota["a"], d.day) not in busy and (rota["b"], d.day) not in busy
        )
        target_id, target_day = target.id, target.day
    coordinator.goto(f"/rota/duties/{target_id}")
    coordinator.select_option("select[name=secondary]", str(rota["a"]))
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="確認して保存").click()
    assert "当番を変更しました" in coordinator.locator(".flash").inner_text()
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="公開する").click()
    assert "公開しました" in coordinator.locator(".flash").inner_text()

    physician.goto("/rota/mine")
    day_label = f"{target_day.month}月{target_day.day}日"
    assert day_label in physician.get_by_test_id("my-duties").inner_text()
    physician.screenshot(path=artifacts / "rota-mine-phone.png", full_page=True)
    physician.get_by_test_id("feed-link").click()
    with physician.expect_navigation():
        physician.get_by_role("button", name="自分の当番の購読URLを作成").click()
    feed_url = physician.locator("#feed-url").input_value()
    feed = physician.request.get(feed_url)
    assert feed.status == 200 and f"UID:duty-{target_id}@hubapp" in feed.text()
    again = physician.request.get(feed_url, headers={"If-None-Match": feed.headers["etag"]})
    assert again.status == 304

    physician.goto("/rota/swaps")
    item = physician.get_by_test_id("swap-duties").locator("li", has_text=day_label).first
    item.locator("select[name=target]").select_option(str(rota["b"]))
    with physician.expect_navigation():
        item.get_by_role("button", name="交代を依頼").click()
    assert "交代を依頼しました" in physician.locator(".flash").inner_text()

    colleague = new_page()
    colleague.goto("/login")
    log_in(colleague, "physician-b")
    colleague.goto("/rota/swaps")
    with colleague.expect_navigation():
        colleague.get_by_role("button", name="引き受ける").first.click()
    assert "引き受けました" in colleague.locator(".flash").inner_text()

    coordinator.goto("/rota/swaps")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="承認する").first.click()
    assert "承認" in coordinator.locator(".flash").inner_text()

    colleague.goto("/rota/mine")
    assert day_label in colleague.get_by_test_id("my-duties").inner_text()
    physician.goto("/rota/mine")
    with app.app_context():
        moved = db.session.get(Duty, target_id)
        assert moved.secondary_id == rota["b"]
        mine = db.session.scalars(sa.select(GroupMember).where(GroupMember.id == rota["a"])).one()
        assert mine.id not in (moved.primary_id, moved.secondary_id)
    assert physician.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
