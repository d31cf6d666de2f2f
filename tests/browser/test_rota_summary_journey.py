"""Coverage measured from when it began, on a phone in real Chromium (issue 14 point 2): the coordinator sets
the group's 運用開始日 to 令和7年12月1日, enters April and May of 令和7年度 from the old Excel rota with that
rota attached, and /compliance/ for 令和7年度 counts them as 「手入力の集計（資料あり）」 with a link to the
document. (A wholly past 年度, so nothing depends on today's date.)"""

import io
from pathlib import Path

import openpyxl
import pytest

from hubapp.common.roles import Role
from hubapp.compliance.models import Enrollment
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import services
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


def _old_rota(path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["日付", "シフト", "主", "副"])
    workbook.active.append(["2025-04-01", "平日夜間", "髙橋 健一", "山吹 さやか"])
    workbook.save(path)


def test_months_before_the_start_of_use_count_with_their_evidence(app, page, hub, create_person, create_user, tmp_path):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    people = [create_person(n, Profession.PHYSICIAN) for n in ("髙橋 健一", "山吹 さやか", "鈴木 一郎")]
    with app.app_context():
        group = services.create_group(hub.id, "北総かとり在宅医グループ")
        for p in people:
            services.add_member(group, db.session.get(Person, p.id))
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=2025, program_code="C"))
        db.session.commit()
        group_id = group.id
    workbook = tmp_path / "当番表_令和7年4月〜5月.xlsx"
    _old_rota(workbook)

    page.goto("/login")
    log_in(page, "coordinator-sato")
    page.goto(f"/rota/groups/{group_id}")
    section = page.locator("#summaries")
    assert "運用開始日を年度の途中に設定すると" in section.inner_text()
    page.fill("#started_on", "2025-12-01")
    with page.expect_navigation():
        page.locator("#settings").get_by_role("button", name="保存").click()

    months = page.get_by_test_id("summary-months")
    assert months.locator("tbody tr").count() == 8  # 4月〜11月
    page.get_by_label("4月の主・副のそろった枠").fill("35")  # 枠の数 left blank: the current shifts' count
    page.get_by_label("5月の夜間・休日の枠").fill("40")
    page.get_by_label("5月の主・副のそろった枠").fill("41")  # more than the slots: refused, nothing kept
    page.set_input_files("#summary-file", str(workbook))
    with page.expect_navigation():
        page.get_by_role("button", name="集計と資料を登録").click()
    assert "5月: 主・副のそろった枠は0〜40の整数" in page.locator(".flash--error").inner_text()
    assert page.locator("[data-testid^=summary-document-]").count() == 0

    page.get_by_label("4月の主・副のそろった枠").fill("35")
    page.get_by_label("5月の夜間・休日の枠").fill("40")
    page.get_by_label("5月の主・副のそろった枠").fill("40")
    page.set_input_files("#summary-file", str(workbook))
    with page.expect_navigation():
        page.get_by_role("button", name="集計と資料を登録").click()
    assert "手入力の集計を資料とともに登録しました" in page.locator(".flash--success").inner_text()
    document = page.locator("[data-testid^=summary-document-]")
    assert "当番表_令和7年4月〜5月.xlsx" in document.inner_text() and "40/40枠" in document.inner_text()
    assert page.get_by_test_id("summary-months").locator("tbody tr").count() == 6  # 6月〜11月 remain

    page.goto("/compliance/?year=2025")
    item = page.get_by_test_id("item-C-C-3-c")
    figure = item.locator(".compliance-figure").inner_text()
    assert "令和7年4月〜5月は手入力の集計（資料あり） 75/" in figure, figure
    item.locator("summary").click()
    link = item.get_by_role("link", name="手入力の集計の資料: 当番表_令和7年4月〜5月.xlsx")
    with page.expect_download() as download:
        link.click()
    data = Path(download.value.path()).read_bytes()
    assert openpyxl.load_workbook(io.BytesIO(data)).active["C2"].value == "髙橋 健一"  # the rota as uploaded
