"""No password, TOTP code, cookie or consultation entry ever reaches the application log (issue 8 point 10),
not even through a database error's message."""

import logging

import pytest
import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.twofactor import next_code

WRONG_PASSWORD = "correct horse battery staple 42"
PSEUDONYM = "秘匿ＸＹ"


def test_secrets_never_reach_the_log(app, client, create_user, hub, caplog):
    caplog.set_level(logging.DEBUG)  # everything every logger says, werkzeug's request lines included
    user = create_user("sato", Role.CONSULTANT, hubs=(hub,))
    client.post("/login", data={"username": "sato", "password": WRONG_PASSWORD})
    client.post("/login", data={"username": "sato", "password": TEST_PASSWORD})
    code = next_code(app, "sato")
    client.post("/login/2fa", data={"code": "000000"})
    client.post("/login/2fa", data={"code": code})
    response = client.post(
        "/consultations/new",
        data={
            "received_date": today().isoformat(), "received_time": "00:00", "channel": "phone",
            "requester": "family", "requester_organisation_id": "0", "scene": "daily_care",
            "topics": ["home_physician"], "responses": ["information"], "minutes_spent": "10", "status": "open",
            "subject_pseudonym": PSEUDONYM, "subject_age_band": "85_plus", "subject_municipality_code": "",
            "subject_care_level": "care_2", "staff_id": str(user.id),
        },
    )  # fmt: skip
    assert response.status_code == 302, response.data.decode()
    client.get("/consultations/")
    cookie = client.get_cookie("session").value
    client.get("/no-such-page")
    logged = caplog.text
    assert logged  # the log did record things
    for secret in (TEST_PASSWORD, WRONG_PASSWORD, code, PSEUDONYM, cookie):
        assert secret not in logged


@pytest.mark.parametrize("failing", ["duplicate"])
def test_a_database_error_shows_no_values(app_ctx, failing, caplog):
    statement = sa.text("INSERT INTO audit_chain (id, last_seq, last_hash) VALUES (:id, :seq, :hash)")
    with pytest.raises(sa.exc.IntegrityError) as raised:
        db.session.execute(statement, {"id": 1, "seq": 5, "hash": "SECRET-VALUE-" + PSEUDONYM})
    db.session.rollback()
    assert "SECRET-VALUE" not in str(raised.value)
    assert "hidden due to hide_parameters" in str(raised.value)
