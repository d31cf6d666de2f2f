"""Login throttling (issue 8 point 3): after 5 failures in the window for one account or one address the
6th attempt gets 429 — even with the right password — until the window ends, then logins work again; an
unknown user and a wrong password get the same answer; with Redis the count is shared by every gunicorn
worker."""

import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from hubapp.common.roles import Role
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def app_config(app_config):
    app_config["LOGIN_FAILURE_LIMIT"] = "5 per 3 seconds"  # the default window is 10 minutes
    return app_config


def _post(client, username, password, address="192.0.2.1"):
    response = client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )
    response.close()
    return response


def test_five_failures_for_one_account_then_429_then_again(app, client, create_user):
    create_user("nurse-kato", Role.MEMBER)
    statuses = [_post(client, "nurse-kato", "wrong", f"192.0.2.{n}").status_code for n in range(1, 6)]
    assert statuses == [200] * 5
    blocked = client.post(
        "/login", data={"username": "nurse-kato", "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "192.0.2.99"}
    )
    assert blocked.status_code == 429
    assert "しばらく待ってから、もう一度お試しください。" in blocked.get_data(as_text=True)  # the Japanese 429 page
    blocked.close()
    time.sleep(3.2)
    assert _post(client, "nurse-kato", TEST_PASSWORD, "192.0.2.99").status_code == 302  # no permanent lockout


def test_five_failures_from_one_address_block_every_name_from_it(app, client, create_user):
    create_user("doctor-sato", Role.PHYSICIAN)
    for n in range(5):
        assert _post(client, f"guess-{n}", "wrong", "198.51.100.7").status_code == 200
    assert _post(client, "doctor-sato", TEST_PASSWORD, "198.51.100.7").status_code == 429
    assert _post(client, "doctor-sato", TEST_PASSWORD, "198.51.100.8").status_code == 302  # another address


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(app, client, create_user):
    create_user("known-user", Role.MEMBER)
    unknown = client.post("/login", data={"username": "ghost-user", "password": "wrong"})
    wrong = client.post("/login", data={"username": "known-user", "password": "wrong"})
    assert unknown.status_code == wrong.status_code == 200

    def page(response, name: bytes) -> bytes:
        # the CSRF tokens carry the second they were made in: two requests may straddle a second
        return re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*', rb"\1TOKEN", response.get_data().replace(name, b"NAME"))

    assert page(unknown, b"ghost-user") == page(wrong, b"known-user")


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379 (CI machines have one)")
def test_the_count_is_shared_by_gunicorn_workers(app, create_user, tmp_path):
    from tests.servers import start_server as _start_server

    create_user("shared-user", Role.MEMBER)
    log = (tmp_path / "gunicorn.log").open("w+")
    env_extra = {
        "HUBAPP_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "HUBAPP_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # nothing left over from an earlier run
        "HUBAPP_WTF_CSRF_ENABLED": "false",
    }
    process, base = _start_server(app.config["SQLALCHEMY_DATABASE_URI"], log, env_extra)
    try:
        statuses = []
        for _ in range(8):  # a new connection each time: the workers take turns
            body = urllib.parse.urlencode({"username": "shared-user", "password": "wrong"}).encode()
            try:
                statuses.append(urllib.request.urlopen(f"{base}/login", body, timeout=10).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
