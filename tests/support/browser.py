"""What every browser journey does: log in as a person would (the second factor too), and read the page."""

from urllib.parse import urlsplit

from tests.browser.conftest import served_app
from tests.conftest import TEST_PASSWORD
from tests.twofactor import next_code


def path_of(page) -> str:
    return urlsplit(page.url).path


def log_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Fill the login form and submit it with its button, waiting for the page the post leads to; when that
    is the second-factor page, type the authenticator's code there as a person would."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if path_of(page) == "/login/2fa":
        page.fill("input[name=code]", next_code(served_app(), username))
        with page.expect_navigation():
            page.click("main form button[type=submit]")


def has_no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
