"""管内の拠点 on a 360px phone: every hub a card, every item a line with its name and figure, nothing cut
off sideways; sorting by the header links on a desktop without JavaScript; the XLSX downloads."""

import io

import pytest
from openpyxl import load_workbook

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.extensions import db
from tests.browser.conftest import DESKTOP
from tests.support.browser import has_no_horizontal_overflow, log_in

pytestmark = pytest.mark.browser
NARROW = {"width": 360, "height": 740}


@pytest.fixture
def officer_hubs(app, hub, create_hub, create_user):
    aoba = create_hub("青葉在宅医療拠点", name_kana="アオバ")
    create_user("officer", Role.PREFECTURE, prefecture_code=hub.prefecture_code)
    with app.app_context():
        year = FiscalYear.of(today()).year
        for hub_id, code in ((hub.id, "B"), (hub.id, "SUISHIN"), (hub.id, "C"), (aoba.id, "B")):
            db.session.add(Enrollment(hub_id=hub_id, fiscal_year=year, program_code=code))
        db.session.commit()
    return hub, aoba


def test_the_grid_fits_a_360px_phone(new_page, officer_hubs, artifacts):
    hub, aoba = officer_hubs
    page = new_page(NARROW)
    page.goto("/login")
    log_in(page, "officer")
    page.goto("/compliance/prefecture")
    page.screenshot(path=artifacts / "prefecture-360.png", full_page=True)
    assert has_no_horizontal_overflow(page)
    card = page.get_by_test_id(f"hub-{hub.id}")
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]
    cell = page.get_by_test_id(f"cell-{hub.id}-B:B-2")
    assert cell.get_by_text("B-2 事業の専任者を１名以上配置").is_visible()
    assert cell.get_by_text("2人（目標1人以上）").is_visible()
    assert page.get_by_test_id(f"cell-{hub.id}-SUISHIN:ア").get_by_text("ア 地域の医療・介護の資源の把握").is_visible()
    assert card.get_by_text("在宅医療・介護連携推進事業").first.is_visible()
    assert page.get_by_test_id(f"required-{aoba.id}").inner_text().split() == ["必須", "0/8"]
    assert not page.get_by_test_id(f"cell-{aoba.id}-C:C-1").is_visible()  # 対象外: not on the card
    for n, cell in enumerate(page.locator(".prefecture-cell").all()):
        if cell.is_visible():
            cell_box = cell.bounding_box()
            assert cell_box["x"] + cell_box["width"] <= NARROW["width"], n

    # the sort menu works without the (hidden) header
    page.select_option("#prefecture-sort", "-required")
    with page.expect_navigation():
        page.get_by_role("button", name="並べ替える").click()
    assert "sort=-required" in page.url
    order = page.locator("tr.prefecture-hub").evaluate_all("rows => rows.map(r => r.dataset.testid)")
    assert order == [f"hub-{hub.id}", f"hub-{aoba.id}"]
    assert has_no_horizontal_overflow(page)


def test_header_links_sort_without_javascript_and_the_xlsx_downloads(browser, live_server, officer_hubs, artifacts):
    hub, aoba = officer_hubs
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, locale="ja-JP", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login")
        log_in(page, "officer")
        page.goto("/compliance/prefecture")
        page.screenshot(path=artifacts / "prefecture-desktop.png")
        assert page.locator("thead").get_by_text("B-2 事業の専任者を１名以上配置").is_visible()
        rows = page.locator("tr.prefecture-hub")
        assert rows.first.get_attribute("data-testid") == f"hub-{aoba.id}"  # アオバ first: kana order
        with page.expect_navigation():
            page.locator("thead").get_by_role("link", name="必須").click()
        with page.expect_navigation():
            page.locator("thead").get_by_role("link", name="必須").click()  # again: the other way round
        assert "sort=-required" in page.url and f"year={FiscalYear.of(today()).year}" in page.url
        assert rows.first.get_attribute("data-testid") == f"hub-{hub.id}"
        with page.expect_download() as download:
            page.get_by_test_id("prefecture-xlsx").click()
        assert download.value.suggested_filename.startswith("管内の拠点_")
        sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active  # the path has no suffix
        assert [sheet.cell(row=n, column=1).value for n in (4, 5)] == [hub.name, aoba.name]  # the page's order
    finally:
        for opened in context.pages:
            opened.close()
        context.close()
