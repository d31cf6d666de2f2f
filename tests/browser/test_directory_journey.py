"""The directory in a real Chromium on a phone: a member finds a visiting-nurse station by typing its
reading, opens it and sees phone and FAX; a coordinator imports a cp932 open-data file through the page,
checks the preview, commits, and finds an imported row by its kana."""

from urllib.parse import urlsplit

import pytest

from hubapp.common.roles import Role
from hubapp.directory.models import OrganisationType as T
from tests.support.browser import log_in
from tests.support.directory import GOOD

pytestmark = pytest.mark.browser


@pytest.fixture
def directory(create_organisation):
    create_organisation(
        "訪問看護ステーションかとり",
        T.VISITING_NURSING,
        name_kana="ホウモンカンゴステーションカトリ",
        address="千葉県香取市佐原ロ1500-2",
        phone="0478-50-1502",
        fax="0478-50-1503",
        functions=("24h", "end_of_life"),
    )
    create_organisation("かとり中央薬局", T.PHARMACY, name_kana="カトリチュウオウヤッキョク", phone="0478-50-1010")


def test_member_finds_a_visiting_nurse_station_by_its_reading(page, create_user, hub, directory, artifacts):
    create_user("member-nakamura", Role.MEMBER, hubs=(hub,))
    page.goto("/login")
    log_in(page, "member-nakamura")
    page.get_by_role("link", name="地域資源", exact=True).click()
    page.fill("input[name=q]", "ほうもんかんご")
    with page.expect_navigation():
        page.get_by_role("button", name="検索").click()
    cards = page.locator(".org-card")
    assert cards.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "directory-search-phone.png", full_page=True)
    with page.expect_navigation():
        cards.first.get_by_role("link", name="訪問看護ステーションかとり").click()
    assert page.locator("h1").inner_text() == "訪問看護ステーションかとり"
    phone = page.locator("a.contact--phone")
    assert phone.get_attribute("href") == "tel:0478-50-1502" and phone.is_visible()
    fax = page.locator(".contact--fax")
    assert "0478-50-1503" in fax.inner_text() and fax.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "directory-detail-phone.png", full_page=True)


def test_coordinator_imports_a_cp932_file_through_the_page(page, create_user, hub, tmp_path, artifacts):
    create_user("coordinator-sato", Role.COORDINATOR, hubs=(hub,))
    upload = tmp_path / "iryokikan_katori.csv"
    upload.write_bytes(GOOD)
    page.goto("/login")
    log_in(page, "coordinator-sato")
    page.goto("/directory/import")
    page.set_input_files("input[name=file]", str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="内容を確認する").click()
    assert "cp932" in page.locator("main").inner_text()
    assert page.get_by_test_id("count-add").inner_text() == "追加 2件"
    assert page.get_by_test_id("count-error").inner_text() == "取り込めない行 0件"
    page.screenshot(path=artifacts / "directory-import-preview-phone.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="この内容で取り込む").click()
    assert urlsplit(page.url).path == "/directory/"
    assert "取り込みました" in page.locator(".flash").inner_text()
    page.fill("input[name=q]", "たかはし")
    with page.expect_navigation():
        page.get_by_role("button", name="検索").click()
    assert page.locator(".org-card__name").all_inner_texts() == ["髙橋内科医院"]
