"""A new coordinator's first login, in a real Chromium on a phone: the admin adds the account and reads out
the temporary password; the coordinator logs in with it, sets up the authenticator from the QR page (the
secret read off the page, as a person types it into an app), notes the recovery codes, replaces the
temporary password, and only then reaches the dashboard. The next login asks for a code."""

import re

import pytest

from hubapp.common.roles import Role
from tests.browser.conftest import DESKTOP, served_app
from tests.support.browser import has_no_horizontal_overflow, log_in, path_of
from tests.twofactor import next_code

pytestmark = pytest.mark.browser

NEW_PASSWORD = "まいにちの在宅連携 2026"


def test_admin_adds_a_coordinator_who_sets_up_two_factor_and_a_password(new_page, create_user, hub, artifacts):
    create_user("kanri", Role.ADMIN, display_name="管理 花子")
    admin = new_page(DESKTOP)
    admin.goto("/login")
    log_in(admin, "kanri")
    admin.get_by_role("link", name="利用者", exact=True).click()
    admin.get_by_role("link", name="利用者を追加").click()
    admin.fill("input[name=username]", "suzuki")
    admin.fill("input[name=display_name]", "鈴木 彩")
    admin.fill("input[name=display_kana]", "スズキ アヤ")
    admin.select_option("select[name=role]", "coordinator")
    admin.get_by_label(hub.name).check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="追加して仮パスワードを発行").click()
    temporary = admin.locator("#temporary-password").inner_text()
    assert len(temporary) == 16
    admin.screenshot(path=artifacts / "users-temporary-password.png", full_page=True)

    phone = new_page()
    phone.goto("/login")
    log_in(phone, "suzuki", temporary)
    assert path_of(phone) == "/account/2fa"
    assert phone.locator("nav.site-nav").count() == 0  # nothing else to reach yet
    assert phone.locator("figure.qr svg").is_visible()
    assert has_no_horizontal_overflow(phone)
    phone.screenshot(path=artifacts / "totp-setup-phone.png", full_page=True)
    secret = re.sub(r"\s", "", phone.locator("#totp-secret").inner_text())
    phone.fill("input[name=code]", next_code(served_app(), "suzuki", secret))
    with phone.expect_navigation():
        phone.get_by_role("button", name="設定する").click()
    codes = phone.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    with phone.expect_navigation():
        phone.get_by_role("link", name="保管しました。続ける").click()

    assert path_of(phone) == "/account/password"
    phone.goto("/meetings/")
    assert path_of(phone) == "/account/password"  # every page leads back here until changed
    phone.fill("input[name=current_password]", temporary)
    phone.fill("input[name=new_password]", NEW_PASSWORD)
    phone.fill("input[name=confirm]", NEW_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="変更する").click()
    assert path_of(phone) == "/"
    assert phone.get_by_role("status").first.inner_text().startswith("パスワードを変更しました")
    phone.screenshot(path=artifacts / "first-login-done-phone.png", full_page=True)

    again = new_page()
    again.goto("/login")
    again.fill("input[name=username]", "suzuki")
    again.fill("input[name=password]", temporary)
    with again.expect_navigation():
        again.click("main form button[type=submit]")
    assert path_of(again) == "/login"  # the temporary password is spent
    again.fill("input[name=username]", "suzuki")
    again.fill("input[name=password]", NEW_PASSWORD)
    with again.expect_navigation():
        again.click("main form button[type=submit]")
    assert path_of(again) == "/login/2fa"
    again.fill("input[name=code]", next_code(served_app(), "suzuki", secret))
    with again.expect_navigation():
        again.get_by_role("button", name="確認").click()
    assert path_of(again) == "/"
