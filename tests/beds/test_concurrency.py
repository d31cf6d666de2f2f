"""50 simultaneous requests for the last free bed, against a real server (gunicorn, several worker
processes and threads, not the test client), on the test database — SQLite here, PostgreSQL when
HUBAPP_TEST_DATABASE_URL names one: exactly one holds the bed, 49 are refused with a clear message, and
the figure never goes below zero."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from hubapp.beds import services
from hubapp.beds.models import BedAgreement, BedAvailability, BedRequest
from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.servers import NoRedirect as _NoRedirect
from tests.servers import start_server as _start_server
from tests.servers import token as _token

PARALLEL = 50


def test_fifty_requests_for_the_last_bed(app, hub, beds, create_user, database_url, tmp_path):
    create_user("physician-c", Role.PHYSICIAN, hubs=(hub,))
    with app.app_context():
        central = db.session.get(BedAgreement, beds["central"])
        services.post_availability(central, today(), 1, beds["manager"], None, utcnow() - timedelta(minutes=5))
        db.session.commit()
    log = (tmp_path / "gunicorn.log").open("w+")
    process, base = _start_server(app.config["SQLALCHEMY_DATABASE_URI"], log)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_page = opener.open(f"{base}/login").read().decode()
        opener.open(
            f"{base}/login",
            urllib.parse.urlencode(
                {"csrf_token": _token(login_page), "username": "physician-c", "password": TEST_PASSWORD}
            ).encode(),
        )
        form = opener.open(f"{base}/beds/requests/new?agreement={beds['central']}").read().decode()
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        body = urllib.parse.urlencode(
            {
                "csrf_token": _token(form),
                "agreement": beds["central"],
                "patient_code": "K-0042",
                "age_band": "85_plus",
                "reason": "呼吸状態の悪化",
                "urgency": "immediate",
            }
        ).encode()
        no_redirect = urllib.request.build_opener(_NoRedirect)

        def post(_n):
            request = urllib.request.Request(
                f"{base}/beds/requests/new", data=body, headers={"Cookie": cookie}, method="POST"
            )
            try:
                response = no_redirect.open(request, timeout=60)
                return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode() if error.code != 302 else ""

        with ThreadPoolExecutor(PARALLEL) as pool:
            results = list(pool.map(post, range(PARALLEL)))
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    statuses = [status for status, _body in results]
    assert statuses.count(302) == 1, statuses  # held, and sent on to the list of requests
    refused = [text for status, text in results if status == 200]
    assert len(refused) == PARALLEL - 1
    assert all("空きベッドがありません" in text for text in refused)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BedRequest)) == 1
        free = db.session.scalars(
            sa.select(BedAvailability.free_beds).where(BedAvailability.agreement_id == beds["central"])
        ).one()
        assert free == 0
