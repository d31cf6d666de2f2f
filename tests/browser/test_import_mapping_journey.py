"""A city's own list in a real Chromium at phone width (issue 15): the coordinator uploads a cp932 file of
an unknown layout, maps its columns, commits without the one refused row, downloads that row, fixes it
and imports it; then the publisher's next edition imports with the saved mapping, no questions asked."""

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.directory.models import Organisation
from hubapp.directory.models import OrganisationType as T
from hubapp.extensions import db
from tests.support.browser import log_in

pytestmark = pytest.mark.browser
HEADER = "No,施設正式名称,所在地,電話番号,診療科目,備考"


def city_file(rows: list[str]) -> bytes:
    return ("\r\n".join(["香取市 病院・診療所一覧（令和8年4月1日現在）", HEADER, *rows]) + "\r\n").encode("cp932")


def _upload(page, path: Path) -> None:
    page.goto("/directory/import")
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="内容を確認する").click()


def test_a_city_list_is_mapped_on_a_phone_and_its_next_edition_imports_as_is(app, page, create_user, hub, tmp_path):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    first = tmp_path / "byoin_2026-04.csv"
    first.write_bytes(
        city_file(
            [
                "1,髙橋内科医院,香取市佐原イ505,0478-50-0505,内科,",
                "2,,香取市佐原イ506,0478-50-0506,外科,名称の抜けた行",  # refused: no name
                "3,さわら眼科,香取市佐原ロ7,0478-52-0007,眼科,駐車場あり",
            ]
        )
    )
    page.goto("/login")
    log_in(page, "coordinator-sato")
    _upload(page, first)

    assert "/mapping" in page.url
    assert page.get_by_label("施設正式名称", exact=True).input_value() == "name"  # proposed from the header
    assert page.get_by_label("所在地", exact=True).input_value() == "address"
    assert page.get_by_label("No", exact=True).input_value() == ""
    assert "髙橋内科医院" in page.get_by_test_id("mapping").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.select_option("#organisation_type", "clinic")
    page.fill("#mapping_name", "香取市 病院・診療所一覧")
    with page.expect_navigation():
        page.get_by_role("button", name="保存して内容を確認する").click()

    assert "列の対応「香取市 病院・診療所一覧」を保存しました" in page.locator(".flash").first.inner_text()
    assert page.get_by_test_id("count-add").inner_text() == "追加 2件"
    assert page.get_by_test_id("count-error").inner_text() == "取り込めない行 1件"
    assert "施設正式名称が空です" in page.get_by_test_id("issues").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("refused-download").click()
    refused = list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("cp932"), newline="")))
    assert refused[0] == [*HEADER.split(","), "取り込めなかった理由"] and refused[1][0] == "2"
    assert refused[1][-1].startswith("4行目 施設正式名称: 施設正式名称が空です")
    with page.expect_navigation():
        page.get_by_role("button", name="エラーの行を除いて取り込む").click()
    assert "取り込めない1行を除く" in page.locator(".flash").first.inner_text()

    # the coordinator names the refused row in the downloaded file and imports it
    fixed = tmp_path / "byoin_直したもの.csv"
    refused[1][1] = "さわら外科クリニック"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(refused)
    fixed.write_bytes(out.getvalue().encode("cp932"))
    _upload(page, fixed)
    assert page.get_by_test_id("count-add").inner_text() == "追加 1件"
    assert "保存した対応「香取市 病院・診療所一覧」" in page.locator(".import-layout").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="この内容で取り込む").click()

    # the next edition of the city's list: no mapping page, one phone changed
    second = tmp_path / "byoin_2026-10.csv"
    second.write_bytes(
        city_file(
            [
                "1,髙橋内科医院,香取市佐原イ505,0478-50-9999,内科,",
                "2,さわら外科クリニック,香取市佐原イ506,0478-50-0506,外科,",
                "3,さわら眼科,香取市佐原ロ7,0478-52-0007,眼科,駐車場あり",
            ]
        )
    )
    _upload(page, second)
    assert "/mapping" not in page.url
    assert page.get_by_test_id("count-update").inner_text() == "更新 1件"
    assert "電話番号" in page.locator(".changes").first.inner_text()  # the field in Japanese, not phone
    with page.expect_navigation():
        page.get_by_role("button", name="この内容で取り込む").click()
    with app.app_context():
        rows = db.session.execute(sa.select(Organisation.name, Organisation.type, Organisation.phone)).all()
    assert sorted(rows) == sorted(
        [
            ("髙橋内科医院", T.CLINIC, "0478-50-9999"),
            ("さわら外科クリニック", T.CLINIC, "0478-50-0506"),
            ("さわら眼科", T.CLINIC, "0478-52-0007"),
        ]
    )
