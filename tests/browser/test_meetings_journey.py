"""A coordinator's meeting, in a real Chromium on a phone: a 多職種連携会議 held today, invite two
organisations, download its .ics, mark attendance for three people and a walk-in, upload the minutes as a
PDF, record an issue with a countermeasure, and see the meeting counted and attendance by profession."""

from urllib.parse import urlsplit

import pytest

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.models import Profession
from tests.support.browser import log_in

pytestmark = pytest.mark.browser

MINUTES_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def directory(create_organisation, create_person):
    station = create_organisation(
        "訪問看護ステーションかとり", T.VISITING_NURSING, name_kana="ホウモンカンゴステーションカトリ"
    )
    clinic = create_organisation("やまぶき在宅クリニック", T.HOME_CARE_CLINIC, name_kana="ヤマブキザイタククリニック")
    create_person(
        "加藤 真由美", Profession.NURSE, organisation_id=station.id, name_kana="カトウ マユミ", email="kato@example.jp"
    )
    create_person("吉田 美和", Profession.NURSE, organisation_id=station.id, name_kana="ヨシダ ミワ")
    create_person("山吹 さやか", Profession.PHYSICIAN, organisation_id=clinic.id, name_kana="ヤマブキ サヤカ")
    return station, clinic


def test_coordinator_runs_a_meeting_from_a_phone(page, create_user, hub, directory, tmp_path, artifacts):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    page.goto("/login")
    log_in(page, "coordinator-sato")

    day = today()  # held: it began at 00:00 (tests/browser/test_held_only_journey.py plans one ahead)
    page.goto("/meetings/new")
    page.select_option("select[name=kind]", "multidisciplinary")
    page.fill("input[name=title]", "第3回 多職種連携会議")
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=start_time]", "00:00")
    page.fill("input[name=end_time]", "00:30")
    page.fill("input[name=place]", "香取市役所 大会議室")
    page.check("input[name=topics][value=issue_extraction]")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.locator("h1").inner_text() == "第3回 多職種連携会議"
    meeting_path = urlsplit(page.url).path

    page.get_by_role("link", name="招待する").click()
    page.get_by_label("訪問看護ステーションかとり", exact=True).check()
    page.get_by_label("やまぶき在宅クリニック", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="招待する").click()
    assert "3人を招待しました" in page.locator(".flash").inner_text()

    with page.expect_download() as download:
        page.get_by_test_id("ics-link").click()
    ics = tmp_path / "meeting.ics"
    download.value.save_as(ics)
    text = ics.read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in text and "TZID=Asia/Tokyo" in text and "UID:" in text

    page.goto(meeting_path + "/attendance")
    for name in ("加藤 真由美", "吉田 美和", "山吹 さやか"):
        row = page.get_by_test_id("participant").filter(has_text=name)
        with page.expect_navigation():
            row.get_by_role("button", name="出席", exact=True).click()
    page.fill("input[name=walkin-name]", "飛び入り 太郎")
    page.select_option("select[name=walkin-profession]", "pharmacist")
    page.fill("input[name=walkin-organisation_name]", "たこ薬局")
    with page.expect_navigation():
        page.get_by_role("button", name="追加").click()
    assert page.get_by_test_id("attendance-summary").inner_text().startswith("出席 4")
    page.screenshot(path=artifacts / "meeting-attendance-phone.png", full_page=True)
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert wide == [], wide

    page.goto(meeting_path)
    minutes = tmp_path / "議事要旨_第3回.pdf"
    minutes.write_bytes(MINUTES_PDF)
    page.select_option("select[name=kind]", "minutes")
    page.set_input_files("input[name=file]", str(minutes))
    with page.expect_navigation():
        page.get_by_role("button", name="登録する").click()
    assert page.get_by_role("link", name="議事要旨_第3回.pdf").is_visible()

    page.get_by_role("link", name="課題を記録").click()
    page.fill("input[name=title]", "夜間の連絡体制が分からない")
    page.fill("input[name=owner]", "事務局")
    page.fill("textarea[name=countermeasure]", "夜間連絡先の一覧を作る")
    with page.expect_navigation():
        page.get_by_role("button", name="記録する").click()
    assert "夜間連絡先の一覧を作る" in page.locator("main").inner_text()

    fy = FiscalYear.of(day)
    page.goto(f"/meetings/year?fy={fy.year}")
    assert "1回（目標4回以上）" in page.get_by_test_id("target").first.inner_text()
    matrix = page.get_by_test_id("matrix").inner_text()
    assert "看護師" in matrix and "医師" in matrix and "薬剤師" in matrix
    nurse_row = page.get_by_test_id("matrix").locator("tr", has_text="看護師")
    assert nurse_row.locator("td").last.inner_text() == "2"
    page.screenshot(path=artifacts / "meeting-year-phone.png", full_page=True)
