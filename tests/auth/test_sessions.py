"""Sessions (issue 8 point 4): 30 idle minutes, 12 hours at most, a fresh session at login, and logout or
disabling a user ends that user's sessions on the server side — a cookie captured before logout no longer
works. Cookies are HttpOnly and SameSite=Lax, and Secure wherever HTTPS is forced."""

from datetime import timedelta

import pytest

from hubapp.auth import login as sessions
from hubapp.auth.models import User
from hubapp.common.roles import Role
from hubapp.db import utcnow
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def nurse(create_user, hub):
    return create_user("nurse-sessions", Role.MEMBER, hubs=(hub,))


def _log_in(client):
    response = client.post("/login", data={"username": "nurse-sessions", "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def _in(client) -> bool:
    """Whether the client is still logged in (the dashboard, not a redirect to /login)."""
    response = client.get("/")
    response.close()
    return response.status_code == 200


def _later(monkeypatch, delta: timedelta):
    moment = utcnow() + delta
    monkeypatch.setattr(sessions, "utcnow", lambda: moment)


def test_idle_for_30_minutes_ends_the_session(app, client, nurse, monkeypatch):
    _log_in(client)
    _later(monkeypatch, timedelta(minutes=29))
    assert _in(client)
    _later(monkeypatch, timedelta(minutes=29 + 31))
    assert not _in(client)


def test_twelve_hours_end_it_however_busy(app, client, nurse, monkeypatch):
    _log_in(client)
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes
        _later(monkeypatch, timedelta(minutes=minutes))
        assert _in(client), minutes
    _later(monkeypatch, timedelta(hours=12, minutes=5))
    assert not _in(client)


def test_a_cookie_captured_before_logout_no_longer_works(app, client, nurse):
    _log_in(client)
    captured = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert _in(thief)
    client.post("/logout")
    assert not _in(client)
    assert not _in(thief)


def test_disabling_a_user_ends_their_session(app, client, nurse):
    _log_in(client)
    assert _in(client)
    with app.app_context():
        db.session.get(User, nurse.id).is_active = False
        db.session.commit()
    assert not _in(client)


def test_login_starts_a_fresh_session(app, client, nurse):
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    old = client.get_cookie("session").value
    _log_in(client)
    with client.session_transaction() as after:
        assert "planted" not in after and "_since" in after
    assert client.get_cookie("session").value != old


@pytest.mark.parametrize("force_https", [False, True])
def test_cookie_flags(database_url, make_app, nurse, force_https):
    app = make_app(database_url, FORCE_HTTPS=force_https)
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "nurse-sessions", "password": TEST_PASSWORD}, base_url="https://hub.example.jp"
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) == force_https
