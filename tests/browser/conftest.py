"""Fixtures for journeys in a real browser: the app served on a free port, Debian's Chromium driven by
Playwright (never a downloaded browser build), pages in phone and desktop sizes.

Everything opened here is closed here (page, context, browser, Playwright, server socket and threads):
pyproject turns every warning into an error, an unclosed socket included.
"""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: Screenshots for people to look at (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: Milliseconds Playwright waits for a page or an element before failing.
TIMEOUT_MS = 15_000


@pytest.fixture
def app_config(app_config):
    """The journeys post real forms, so CSRF protection is on as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


_served: list = []


def served_app():
    """The app the live server of the running test serves (for reading the database, e.g. a user's last
    accepted second-factor step)."""
    return _served[-1]


@pytest.fixture
def live_server(app):
    """The test's app served over HTTP on 127.0.0.1 and a free port; yields the base URL."""
    _served.append(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        _served.remove(app)
        server.shutdown()  # stops serve_forever
        server.server_close()  # closes the socket and joins the request threads
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run (launching takes about a second); contexts are per test."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium (/usr/bin/chromium) is not installed: browser journey not run")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport)``: a page in a fresh context (own cookies) whose relative URLs go to the
    live server. Closed before the server stops, so no keep-alive connection holds a request thread."""
    contexts = []

    def make(viewport: dict = PHONE):
        context = browser.new_context(base_url=live_server, viewport=viewport, locale="ja-JP")
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        return context.new_page()

    yield make
    for context in contexts:
        for page in context.pages:
            page.close()
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a phone-sized window (390x844), where most of the users read the app."""
    return new_page(PHONE)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
