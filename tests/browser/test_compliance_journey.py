"""実績・要件 in a real Chromium: the coordinator sees an unmet item, records the missing meeting, sees it
turn 達成 and downloads the evidence ZIP; the prefecture officer sees every hub in one table and cannot edit;
the printable report rendered to PDF by Chromium holds the Japanese text."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.extensions import db
from tests.support.browser import log_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_an_unmet_item_turns_met_and_the_pack_downloads(app, new_page, hub, create_user, artifacts):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    create_user("officer", Role.PREFECTURE, prefecture_code=hub.prefecture_code)
    with app.app_context():
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=FiscalYear.of(today()).year, program_code="C"))
        db.session.commit()

    page = new_page()
    page.goto("/login")
    log_in(page, "coordinator-sato")
    page.get_by_role("link", name="実績・要件").first.click()
    item = page.get_by_test_id("item-C-C-1-c")  # 災害時対応を含む課題の検討
    assert "未達成" in item.locator("summary").inner_text()
    item.locator("summary").click()
    assert "不足" in item.inner_text()

    page.goto("/meetings/new")
    page.select_option("select[name=kind]", "multidisciplinary")
    page.fill("input[name=title]", "災害時の連携を考える会議")
    page.fill("input[name=day]", today().isoformat())
    page.fill("input[name=start_time]", "00:00")  # started already, whatever the hour the test runs at
    page.fill("input[name=end_time]", "00:30")
    page.check("input[name=topics][value=disaster]")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()

    page.goto("/compliance/")
    item = page.get_by_test_id("item-C-C-1-c")
    assert "達成" in item.locator("summary").inner_text() and "未達成" not in item.locator("summary").inner_text()
    page.screenshot(path=artifacts / "compliance-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_download() as download:
        page.get_by_test_id("pack").click()
    archive = zipfile.ZipFile(download.value.path())
    manifest = json.loads(archive.read("manifest.json"))
    assert "証拠書類.xlsx" in [f["path"] for f in manifest["files"]]

    page.goto("/compliance/report")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    (artifacts / "compliance-report.pdf").write_bytes(pdf)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    squeezed = re.sub(r"\s+", "", text)
    for expected in ("在宅医療連携拠点事業報告書", hub.name.replace(" ", ""), "災害時の連携を考える会議", "地域の概要"):
        assert expected in squeezed, expected

    officer = new_page()
    officer.goto("/login")
    log_in(officer, "officer")
    officer.goto("/compliance/prefecture")
    assert hub.name in officer.get_by_test_id(f"hub-{hub.id}").inner_text()
    with officer.expect_navigation():
        officer.get_by_role("button", name="この拠点の実績を見る").click()
    assert officer.get_by_test_id("item-C-C-1-c").count() == 1
    assert officer.get_by_role("button", name="記録を保存").count() == 0
    assert officer.get_by_role("button", name="紐づける").count() == 0
    refused = officer.request.post("/compliance/enrol", form={"programs": "A"})
    assert refused.status in (400, 403)  # no CSRF token and no right: nothing changes either way
    with app.app_context():
        assert [e.program_code for e in db.session.query(Enrollment).all()] == ["C"]


def test_the_report_names_fonts_for_every_platform():
    css = (ROOT / "static" / "css" / "report.css").read_text(encoding="utf-8")
    stack = re.search(r"font-family:([^;]+);", css).group(1)
    for font in ("Yu Gothic", "Meiryo", "Hiragino", "Noto Sans CJK JP"):  # Windows, macOS/iOS, Android
        assert font in stack
