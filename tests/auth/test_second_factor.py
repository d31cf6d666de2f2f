"""The TOTP second factor (issue 8 point 2): required for admin, coordinator and consultant (configurable),
±1 step, a code never accepted twice, single-use recovery codes stored hashed, QR code from our own server,
and a session that passed only the password reaches nothing but the second-factor page."""

import hashlib
import re
import time

import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.auth import totp
from hubapp.auth.models import RecoveryCode, User
from hubapp.common.roles import Role
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.twofactor import TEST_TOTP_SECRET, code_at, next_code, pages_not_leading_to

#: Pages a half-logged-in session may still reach: the step itself and logout.
STEP_PAGES = {"auth.second_factor", "auth.logout"}


def _password_only(client, username="sato"):
    response = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.CONSULTANT])
def test_roles_that_need_it_go_to_the_second_factor_page(client, create_user, hub, role):
    create_user("sato", role, hubs=(hub,) if role != Role.ADMIN else ())
    assert _password_only(client).location == "/login/2fa"
    assert client.get("/").location == "/login/2fa"


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.BED_MANAGER, Role.MEMBER, Role.PREFECTURE])
def test_other_roles_log_in_with_the_password(client, create_user, hub, role):
    create_user("sato", role, hubs=(hub,) if role != Role.PREFECTURE else ())
    assert _password_only(client).location == "/"
    assert client.get("/").status_code == 200


def test_a_session_with_only_the_password_reaches_nothing_else_on_any_route(app, client, create_user, hub):
    create_user("sato", Role.ADMIN)
    _password_only(client)
    checked, leaks = pages_not_leading_to(app, client, hub, "/login/2fa", STEP_PAGES)
    assert checked > 120
    assert leaks == []


def test_the_right_code_lets_the_user_in_and_is_audited(app, client, create_user, hub):
    user = create_user("sato", Role.COORDINATOR, hubs=(hub,))
    _password_only(client)
    page = client.get("/login/2fa").data.decode()
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page
    response = client.post("/login/2fa", data={"code": next_code(app, "sato")})
    assert response.location == "/"
    assert client.get("/").status_code == 200
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.actor_id == user.id).order_by(AuditLog.id)
        ).all()
    assert actions[:2] == [AuditAction.LOGIN, AuditAction.MFA]


def test_a_wrong_code_keeps_the_user_out_and_five_get_429(app, client, create_user, hub):
    create_user("sato", Role.COORDINATOR, hubs=(hub,))
    _password_only(client)
    statuses = [client.post("/login/2fa", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/").location == "/login/2fa"
    with app.app_context():
        failures = db.session.scalar(
            sa.select(sa.func.count()).where(AuditLog.action == AuditAction.MFA_FAILED)
        )
    assert failures == 6


@pytest.mark.parametrize("offset, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_either_side_of_now_is_accepted(offset, accepted):
    now = time.time()
    step = totp.current_step(now)
    found = totp.matching_step(TEST_TOTP_SECRET, code_at(step + offset), None, at=now)
    assert (found is not None) is accepted


def test_a_code_is_never_accepted_twice(app, client, create_user, hub):
    create_user("sato", Role.COORDINATOR, hubs=(hub,))
    code = next_code(app, "sato")
    _password_only(client)
    assert client.post("/login/2fa", data={"code": code}).location == "/"
    other = app.test_client()  # somebody who watched the code being typed
    _password_only(other)
    refused = other.post("/login/2fa", data={"code": code})
    assert refused.status_code == 200 and "すでに使われています" in refused.data.decode()
    assert other.get("/").location == "/login/2fa"


def test_an_earlier_code_is_refused_after_a_later_one(app, create_user, hub):
    """Steps only move forward: once the code of step n is used, the code of n-1 (still within the window)
    is refused too."""
    user = create_user("sato", Role.COORDINATOR, hubs=(hub,))
    step = totp.current_step()
    with app.app_context():
        user = db.session.get(User, user.id)
        assert totp.verify(user, code_at(step + 1))
        assert not totp.verify(user, code_at(step))
        assert not totp.verify(user, code_at(step + 1))


def test_not_required_when_the_setting_leaves_the_role_out(make_app, database_url, create_user, hub):
    create_user("sato", Role.COORDINATOR, hubs=(hub,), totp=False)
    app = make_app(database_url, TOTP_REQUIRED_ROLES=["admin"])
    client = app.test_client()
    assert _password_only(client).location == "/"


def _enrol(client):
    page = client.get("/account/2fa").data.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    return page, secret


def test_enrolment_shows_a_qr_code_made_here_and_gives_ten_recovery_codes(app, client, create_user, hub):
    user = create_user("sato", Role.COORDINATOR, hubs=(hub,), totp=False)
    assert _password_only(client).location == "/account/2fa"
    assert client.get("/meetings/").location == "/account/2fa"  # nothing else before enrolling
    page, secret = _enrol(client)
    assert "<svg" in page and "<path" in page
    assert not re.search(r'(src|href)="https?://', page)  # no QR service, no CDN
    wrong = client.post("/account/2fa", data={"code": "123456" if code_at(totp.current_step(), secret) != "123456"
                                              else "654321"})
    assert "一致しません" in wrong.data.decode()
    done = client.post("/account/2fa", data={"code": code_at(totp.current_step(), secret)})
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.data.decode())
    assert len(set(codes)) == 10
    assert client.get("/").status_code == 200
    with app.app_context():
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert db.session.get(User, user.id).totp_secret == secret
    assert len(stored) == 10 and not any(code.replace("-", "") in "".join(stored) for code in codes)
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in stored


def test_a_recovery_code_works_once(app, client, create_user, hub):
    create_user("sato", Role.COORDINATOR, hubs=(hub,), totp=False)
    _password_only(client)
    _page, secret = _enrol(client)
    codes = re.findall(
        r"<code>([a-z2-9-]{14})</code>",
        client.post("/account/2fa", data={"code": code_at(totp.current_step(), secret)}).data.decode(),
    )
    client.post("/logout")
    _password_only(client)
    passed = client.post("/login/2fa", data={"code": codes[3].upper()})
    assert passed.location == "/"
    assert "残りは9個" in client.get("/").data.decode()
    client.post("/logout")
    _password_only(client)
    assert client.post("/login/2fa", data={"code": codes[3]}).status_code == 200
    assert client.get("/").location == "/login/2fa"


def test_a_physician_may_turn_it_on_and_off(app, client, create_user, hub, login):
    create_user("tanaka", Role.PHYSICIAN, hubs=(hub,))
    login("tanaka")
    _page, secret = _enrol(client)
    client.post("/account/2fa", data={"code": code_at(totp.current_step(), secret)})
    client.post("/logout")
    assert _password_only(client, "tanaka").location == "/login/2fa"
    client.post("/login/2fa", data={"code": code_at(totp.current_step() + 1, secret)})
    status = client.get("/account/2fa").data.decode()
    assert 'value="disable"' in status
    client.post("/account/2fa", data={"action": "disable", "code": next_code(app, "tanaka", secret)})
    with app.app_context():
        assert db.session.scalars(sa.select(User).where(User.username == "tanaka")).one().totp_secret is None
    client.post("/logout")
    assert _password_only(client, "tanaka").location == "/"


def test_a_required_role_cannot_turn_it_off(app, client, create_user, hub, login):
    create_user("sato", Role.COORDINATOR, hubs=(hub,))
    login("sato")
    assert 'value="disable"' not in client.get("/account/2fa").data.decode()
    client.post("/account/2fa", data={"action": "disable", "code": next_code(app, "sato")})
    with app.app_context():
        assert db.session.scalars(sa.select(User).where(User.username == "sato")).one().totp_secret is not None


def test_the_secret_never_reaches_the_audit_trail(app, client, create_user, hub):
    create_user("sato", Role.COORDINATOR, hubs=(hub,), totp=False)
    _password_only(client)
    _page, secret = _enrol(client)
    client.post("/account/2fa", data={"code": code_at(totp.current_step(), secret)})
    with app.app_context():
        trail = " ".join(str(row) for row in db.session.scalars(sa.select(AuditLog.changes)))
    assert secret not in trail and "totp_secret" in trail


def test_a_factor_reset_or_enrolled_elsewhere_never_loops(app, client, create_user, hub):
    """Half-way through login the account changes under the session: each page sends it to the one step
    that now applies, never back to itself."""
    user = create_user("sato", Role.PHYSICIAN, hubs=(hub,), totp=True)
    _password_only(client)  # at the second factor
    with app.app_context():
        db.session.get(User, user.id).totp_secret = None  # turned off in another session
        db.session.commit()
    assert client.get("/login/2fa").location == "/"
    assert client.get("/").status_code == 200
    coordinator = create_user("suzuki", Role.COORDINATOR, hubs=(hub,), totp=False)
    other = app.test_client()
    _password_only(other, "suzuki")  # at the enrolment
    with app.app_context():
        db.session.get(User, coordinator.id).totp_secret = TEST_TOTP_SECRET  # enrolled in another session
        db.session.commit()
    assert other.get("/account/2fa").location == "/login/2fa"
    assert other.get("/login/2fa").status_code == 200
    assert other.get("/").location == "/login/2fa"
