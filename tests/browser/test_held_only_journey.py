"""Only what happened counts, in a real Chromium (issue 14): the coordinator plans a meeting for next week,
records RSVPs, sees the target line say 「予定」, downloads the evidence pack and finds the meeting there
only as 予定; the printable report, rendered to PDF, carries the same figures as the page."""

import io
import re
import unicodedata
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.models import Profession
from hubapp.extensions import db
from tests.support.browser import log_in

pytestmark = pytest.mark.browser
TITLE = "来週の多職種連携会議"


def _squeeze(text: str) -> str:
    """Spaces out; NFKC and one 中黒, since the PDF's text layer holds Kangxi radicals (⽬) for some ideographs
    (目) and U+2027 for ・."""
    text = unicodedata.normalize("NFKC", text).translate({0x2027: "・", 0xFF65: "・", 0x30FB: "・"})
    return re.sub(r"\s+", "", text)


def test_a_planned_meeting_is_a_plan_everywhere(app, new_page, hub, create_user, create_organisation, create_person):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    station = create_organisation("訪問看護ステーションかとり", T.VISITING_NURSING, name_kana="ホウモンカンゴ")
    create_person("加藤 真由美", Profession.NURSE, organisation_id=station.id, name_kana="カトウ マユミ")
    create_person("吉田 美和", Profession.NURSE, organisation_id=station.id, name_kana="ヨシダ ミワ")
    fy = FiscalYear.of(today())
    with app.app_context():
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=fy.year, program_code="C"))
        db.session.commit()
    day = min(today() + timedelta(days=7), fy.end)  # next week, in this 年度

    page = new_page()
    page.goto("/login")
    log_in(page, "coordinator-sato")
    page.goto("/meetings/new")
    page.select_option("select[name=kind]", "multidisciplinary")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=start_time]", "23:00")
    page.fill("input[name=end_time]", "23:30")
    page.check("input[name=topics][value=issue_extraction]")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    meeting_path = page.url.split("?")[0]
    page.get_by_role("link", name="招待する").click()
    page.get_by_label("訪問看護ステーションかとり", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="招待する").click()

    page.goto(meeting_path + "/attendance")
    assert "まだ開催前" in page.get_by_test_id("not-held").inner_text()
    rows = page.get_by_test_id("participant")
    assert rows.first.get_by_role("button", name="出席", exact=True).count() == 0  # no attendance yet
    with page.expect_navigation():
        rows.filter(has_text="加藤 真由美").get_by_role("button", name="出席予定").click()
    with page.expect_navigation():
        rows.filter(has_text="吉田 美和").get_by_role("button", name="欠席予定").click()
    assert page.get_by_test_id("attendance-summary").inner_text() == "出席予定 1・欠席予定 1・未回答 0"

    page.goto("/meetings/")
    target = page.get_by_test_id("target").first.inner_text()
    assert "0回開催・1回予定（目標4回以上）" in target, target

    page.goto("/compliance/")
    item = page.get_by_test_id("item-C-C-1")
    assert "1回予定" in item.locator(".compliance-figure").inner_text()
    item.locator("summary").click()
    planned_row = item.get_by_test_id("not-counted").filter(has_text=TITLE)
    assert "予定" in planned_row.inner_text()
    figures = {
        code: page.get_by_test_id(f"item-C-{code}").locator(".compliance-figure").inner_text()
        for code in ("C-1", "C-1-b", "C-4", "C-5")
    }

    with page.expect_download() as download:
        page.get_by_test_id("pack").click()
    archive = zipfile.ZipFile(download.value.path())
    book = load_workbook(io.BytesIO(archive.read("証拠書類.xlsx")), read_only=True)
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts = [str(v) for v in row if v is not None]
            if any(TITLE in t for t in texts):
                seen.append((sheet.title, texts))
    assert seen, "the planned meeting is listed (as 予定) on the item's sheet"
    for sheet_title, texts in seen:
        assert any("予定" in t for t in texts), (sheet_title, texts)
        assert not any(t in ("数える", "出席", "代理出席") for t in texts), (sheet_title, texts)

    page.goto("/compliance/report")
    page.emulate_media(media="print")
    text = _squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages))
    for code, figure in figures.items():
        assert _squeeze(figure) in text, (code, figure)
    planned_at = text.index(TITLE)
    assert "予定" in text[planned_at : planned_at + len(TITLE) + 6]
