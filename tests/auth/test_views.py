"""Login and logout through the real form, with and without CSRF."""

import re

import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.auth.models import User
from hubapp.common.roles import Role
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.twofactor import next_code


def test_login_page_is_japanese_and_posts_username_and_password(client):
    page = client.get("/login").data.decode()
    assert '<html lang="ja">' in page
    assert 'name="username"' in page and 'name="password"' in page
    assert "ログイン" in page


def test_login_then_dashboard_then_logout(client, create_user, hub, login):
    create_user("sato", Role.COORDINATOR, hubs=(hub,))
    response = login("sato")
    assert response.status_code == 302 and response.location == "/"
    assert hub.name in client.get("/").data.decode()
    assert client.get("/logout").status_code == 405  # logging out is a POST (CSRF-protected)
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").location.startswith("/login?next=")


def test_wrong_password_and_unknown_user_get_the_same_japanese_message(client, create_user, hub, login):
    create_user("sato", Role.COORDINATOR, hubs=(hub,))
    wrong = login("sato", "not-the-password")
    unknown = login("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    message = "ユーザー名またはパスワードが正しくありません。"
    assert message in wrong.data.decode() and message in unknown.data.decode()
    assert client.get("/").status_code == 302


def test_empty_form_gets_field_messages_in_japanese(client):
    page = client.post("/login", data={}).data.decode()
    assert "ユーザー名を入力してください。" in page and "パスワードを入力してください。" in page


def test_inactive_user_cannot_log_in(app, client, create_user, hub, login):
    user = create_user("gone", Role.MEMBER, hubs=(hub,))
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    assert login("gone").status_code == 200
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive(client, create_user, hub, login):
    create_user("Sato", Role.COORDINATOR, hubs=(hub,))
    assert login("SATO").status_code == 302


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.COORDINATOR])  # without and with a second factor
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_never_leaves_the_site(app, client, create_user, hub, target, role):
    create_user("sato", role, hubs=(hub,))
    response = client.post(f"/login?next={target}", data={"username": "sato", "password": TEST_PASSWORD})
    if role == Role.COORDINATOR:
        assert response.location == "/login/2fa"
        response = client.post("/login/2fa", data={"code": next_code(app, "sato")})
    assert response.location == "/"


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.COORDINATOR])
def test_next_returns_to_the_page_asked_for(app, client, create_user, hub, role):
    create_user("sato", role, hubs=(hub,))
    asked = client.get(f"/hubs/{hub.id}").location
    response = client.post(asked, data={"username": "sato", "password": TEST_PASSWORD})
    if role == Role.COORDINATOR:
        response = client.post("/login/2fa", data={"code": next_code(app, "sato")})
    assert response.location == f"/hubs/{hub.id}"


def test_passwords_are_argon2id_hashes(app, create_user):
    user = create_user("sato", Role.ADMIN)
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_logins_and_failures_are_audited(app, client, create_user, hub, login):
    create_user("sato", Role.COORDINATOR, hubs=(hub,))
    login("sato", "wrong-password")
    login("sato")
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.action.in_([AuditAction.LOGIN, AuditAction.LOGIN_FAILED]))
            .order_by(AuditLog.id)
        ).all()
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN]


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_post_without_token_is_refused_in_japanese_and_logs_nobody_in(self, client, create_user, hub):
        create_user("sato", Role.COORDINATOR, hubs=(hub,))
        response = client.post("/login", data={"username": "sato", "password": TEST_PASSWORD})
        assert response.status_code == 400
        page = response.data.decode()
        assert "フォームの有効期限が切れました" in page and "Traceback" not in page
        assert client.get("/").status_code == 302

    def _log_in(self, app, client, username):
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())
        response = client.post(
            "/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token.group(1)}
        )
        assert response.location == "/login/2fa"
        without = client.post("/login/2fa", data={"code": next_code(app, username)})
        assert without.status_code == 400  # the second-factor form is protected too
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/2fa").data.decode())
        return client.post("/login/2fa", data={"code": next_code(app, username), "csrf_token": token.group(1)})

    def test_post_with_the_token_from_the_form_logs_in(self, app, client, create_user, hub):
        create_user("sato", Role.COORDINATOR, hubs=(hub,))
        response = self._log_in(app, client, "sato")
        assert response.status_code == 302
        assert client.get("/").status_code == 200

    def test_every_form_page_carries_a_token(self, app, client, create_user, hub):
        create_user("sato", Role.COORDINATOR, hubs=(hub,))
        self._log_in(app, client, "sato")
        for url in ["/", f"/hubs/{hub.id}", f"/hubs/{hub.id}/edit", f"/hubs/{hub.id}/municipalities/new"]:
            page = client.get(url).data.decode()
            forms = page.count("<form")
            assert forms > 0 and page.count('name="csrf_token"') >= forms, url
        assert client.post(f"/hubs/{hub.id}/edit", data={"name": "x"}).status_code == 400


def test_create_user_command(app, runner, hub):
    result = runner.invoke(
        args=["create-user", "tanaka", "--role", "physician", "--name", "田中 一郎", "--kana", "タナカ イチロウ",
              "--hub", str(hub.id), "--password", "a-long-password-1"]
    )
    assert result.exit_code == 0, result.output
    assert "tanaka" in result.output
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.username == "tanaka")).one()
        assert user.role == Role.PHYSICIAN and [m.hub_id for m in user.memberships] == [hub.id]
    again = runner.invoke(args=["create-user", "tanaka", "--role", "member", "--password", "a-long-password-1"])
    assert again.exit_code != 0 and "すでに使われています" in again.output
    missing = runner.invoke(args=["create-user", "x", "--role", "member", "--hub", "999", "--password", "abcdefgh1"])
    assert missing.exit_code != 0 and "存在しません" in missing.output
