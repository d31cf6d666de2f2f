"""The consultation log in a real Chromium on a phone (390x844): the consultant logs a phone call from a
care manager in well under a minute of tapping and finds it in this month's statistics; a member cannot
open the entry (403)."""

from urllib.parse import urlsplit

import pytest

from hubapp.common.roles import Role
from hubapp.directory.models import OrganisationType as T
from tests.support.browser import has_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser


def test_consultant_logs_a_consultation_and_sees_it_in_this_months_statistics(
    new_page, create_user, hub, create_organisation, artifacts
):
    create_organisation(
        "居宅介護支援事業所すいごう", T.CARE_MANAGEMENT, name_kana="キョタクカイゴシエンジギョウショスイゴウ"
    )
    create_organisation("やまぶき在宅クリニック", T.HOME_CARE_CLINIC, name_kana="ヤマブキザイタククリニック")
    create_user("consultant", Role.CONSULTANT, hubs=(hub,), display_name="渡辺 真理")
    create_user("member", Role.MEMBER, hubs=(hub,), display_name="中村 あゆみ")

    page = new_page()  # phone
    page.goto("/login")
    log_in(page, "consultant")
    page.locator("nav").get_by_role("link", name="相談支援", exact=True).click()
    page.wait_for_url("**/consultations/")
    with page.expect_navigation():
        page.get_by_role("link", name="相談を記録").click()
    form = page.get_by_test_id("consultation-form")
    # 受付日時・電話・担当者 are filled in already; the rest is a few taps
    form.get_by_label("ケアマネ", exact=True).check()
    form.get_by_label("相談者の所属機関（地域資源から）").select_option(label="居宅介護支援事業所すいごう")
    form.get_by_label("退院支援", exact=True).check()
    form.get_by_label("在宅医紹介", exact=True).check()
    form.get_by_label("紹介先の機関（複数可）").select_option(label="やまぶき在宅クリニック")
    form.get_by_label("対応時間（分）").fill("15")
    form.get_by_label("フォローアップが必要").check()
    form.get_by_label("仮名・イニシャル").fill("K.T.")
    form.get_by_label("85歳以上", exact=True).check()
    assert has_no_horizontal_overflow(page)
    page.screenshot(path=artifacts / "consultation-form-phone.png", full_page=True)
    with page.expect_navigation():
        form.get_by_role("button", name="保存").click()

    assert urlsplit(page.url).path == "/consultations/"
    assert "相談を記録しました" in page.locator(".flash").inner_text()
    follow_ups = page.get_by_test_id("follow-ups")
    assert "未完了のフォローアップ（1件）" in follow_ups.inner_text() and "K.T." in follow_ups.inner_text()
    rows = page.get_by_test_id("consultations").locator(":scope > li")
    assert rows.count() == 1 and "ケアマネ" in rows.first.inner_text()
    with page.expect_navigation():
        rows.first.get_by_role("link").first.click()
    entry_url = urlsplit(page.url).path
    details = page.get_by_test_id("consultation").inner_text()
    assert "居宅介護支援事業所すいごう" in details and "やまぶき在宅クリニック" in details and "紹介" in details

    page.goto("/consultations/stats")
    assert page.get_by_test_id("month-count").inner_text() == "1件"
    channel = page.get_by_test_id("table-channel").locator('tr[data-key="phone"]')
    assert channel.get_by_test_id("month").inner_text() == "1"
    requester = page.get_by_test_id("table-requester").locator('tr[data-key="care_manager"]')
    assert requester.get_by_test_id("month").inner_text() == "1"
    referral = page.get_by_test_id("table-referral_type").locator('tr[data-key="home_care_clinic"]')
    assert referral.get_by_test_id("year").inner_text() == "1"
    assert page.get_by_test_id("chart-months").is_visible()
    assert has_no_horizontal_overflow(page)
    page.screenshot(path=artifacts / "consultation-stats-phone.png", full_page=True)

    member = new_page()
    member.goto("/login")
    log_in(member, "member")
    assert member.locator("nav").get_by_role("link", name="相談支援", exact=True).count() == 0
    response = member.goto(entry_url)
    assert response.status == 403
    assert "権限がありません" in member.locator("main").inner_text()
    assert "K.T." not in member.content()
