"""The second factor in tests: the secret the test accounts are enrolled with, and the code a person would
type next (a code is accepted once, so a second login in the same 30 seconds needs the next step's code)."""

import time

import pyotp

#: Base32 secret of the test accounts whose role needs a second factor (conftest's ``create_user``).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(step: int, secret: str = TEST_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(step * 30)


def next_code(app, username: str, secret: str = TEST_TOTP_SECRET) -> str:
    """The code of the earliest step the app will still accept for this user: now, or the next step when
    this step's code was used already; when both are used, wait for the clock as a person would."""
    from hubapp.auth import services, totp

    with app.app_context():
        last = services.find_user(username).totp_last_step
    while True:
        now = totp.current_step()
        for step in (now, now + 1):
            if last is None or step > last:
                return code_at(step, secret)
        time.sleep(max(0.0, (now + 1) * 30 - time.time()) + 0.05)


def pages_not_leading_to(app, client, hub, location: str, allowed: set[str]) -> tuple[int, list[str]]:
    """Ask for every non-public rule (all methods, real URL values) with ``client``'s half-finished login;
    returns how many were asked and those that did not redirect to ``location`` (``allowed`` endpoints are
    skipped: the step's own page and logout)."""
    from sqlalchemy.orm import selectinload

    from hubapp.common.roles import PUBLIC, declared_roles
    from hubapp.extensions import db
    from hubapp.hubs.models import Hub
    from tests.support.routes import IGNORED_METHODS, sample_arguments

    with app.app_context():
        values = sample_arguments(db.session.get(Hub, hub.id, options=[selectinload(Hub.municipalities)]))
    asked, leaks = 0, []
    for rule in app.url_map.iter_rules():
        if declared_roles(app.view_functions[rule.endpoint]) == PUBLIC or rule.endpoint in allowed:
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - IGNORED_METHODS):
            response = client.open(url, method=method)
            response.close()
            asked += 1
            if not (response.status_code == 302 and response.location == location):
                leaks.append(f"{method} {url}: {response.status_code} {response.location}")
    return asked, leaks
