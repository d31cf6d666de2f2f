"""The first minutes of a coordinator, in a real Chromium: log in through the form (CSRF on), see the
dashboard of the hub with this 年度, read it on a phone without sideways scrolling, switch to English."""


import pytest

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.core.services import today
from tests.browser.conftest import DESKTOP, PHONE
from tests.support.browser import has_no_horizontal_overflow, log_in, path_of

pytestmark = pytest.mark.browser

WRONG_CREDENTIALS = "ユーザー名またはパスワードが正しくありません。"








@pytest.fixture
def coordinator(create_user, hub):
    return create_user(
        "coordinator-kato", Role.COORDINATOR, hubs=(hub,), display_name="加藤 コーディネーター"
    )


def test_coordinator_logs_in_and_sees_the_dashboard(new_page, coordinator, hub, artifacts):
    fiscal_year = FiscalYear.of(today())
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(viewport)
        page.goto("/")
        assert path_of(page) == "/login"
        assert page.locator("main form input[name=csrf_token]").get_attribute("value")

        log_in(page, coordinator.username)

        assert path_of(page) == "/"
        assert page.locator("h1").inner_text() == hub.name
        fiscal = page.get_by_test_id("fiscal-year")
        assert fiscal_year.label_ja in fiscal.inner_text()
        assert "FY" not in fiscal.inner_text()  # 令和 first; the western year only with SHOW_WESTERN_YEAR
        nav = page.locator("nav")
        assert nav.get_by_role("link", name="ダッシュボード", exact=True).is_visible()
        assert nav.get_by_role("link", name="拠点・圏域", exact=True).is_visible()
        page.screenshot(path=artifacts / f"dashboard-{name}.png", full_page=True)


def test_wrong_password_is_refused_in_japanese(page, coordinator, artifacts):
    page.goto("/login")
    log_in(page, coordinator.username, "not-the-password")

    assert path_of(page) == "/login"
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == WRONG_CREDENTIALS
    assert page.locator("input[name=password]").input_value() == ""
    assert page.locator("nav.site-nav").count() == 0
    page.screenshot(path=artifacts / "login-refused-phone.png", full_page=True)


def test_phone_pages_do_not_scroll_sideways(page, coordinator, artifacts):
    page.goto("/login")
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert has_no_horizontal_overflow(page), "the login page is wider than the phone"
    page.screenshot(path=artifacts / "login-phone.png", full_page=True)

    log_in(page, coordinator.username)
    assert path_of(page) == "/"
    assert has_no_horizontal_overflow(page), "the dashboard is wider than the phone"


def test_footer_button_switches_the_page_to_english(page, coordinator):
    page.goto("/login")
    log_in(page, coordinator.username)
    assert page.locator("html").get_attribute("lang") == "ja"

    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="English").click()

    assert path_of(page) == "/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("footer").get_by_role("button", name="日本語").is_visible()
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"


def test_language_chosen_on_the_login_page_applies_before_login(page):
    page.goto("/login")
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="English").click()

    assert path_of(page) == "/login"
    assert page.locator("html").get_attribute("lang") == "en"
