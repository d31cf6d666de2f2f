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
