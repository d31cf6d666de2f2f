"""Crash safety: the server (gunicorn, master and workers together) is killed with SIGKILL in the middle of
a directory import and in the middle of a stream of bed requests, then started again. No import is half
there, no request answered "held" is lost, no bed is held twice, the database passes its integrity check
and the restarted server serves — on SQLite here, on PostgreSQL when HUBAPP_TEST_DATABASE_URL names one.

"In the middle" is observed rather than guessed, and nothing in the app is slowed down for it: the test
watches the database from outside for the server's open write transaction (SQLite: the write lock is
taken; PostgreSQL: one of the server's backends holds a transaction id) and kills the server while that
transaction is open and the request has not been answered.

A SIGKILL is a crash of the processes, not of the machine: what a process had handed to the operating
system survives it, so this checks atomicity and recovery of the database (SQLite's WAL, PostgreSQL's
rollback of a dead client's transaction), not durability against a power cut.
"""

import http.client
import re
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.beds import services as beds_services
from hubapp.beds.models import BedAvailability, BedRequest, RequestStatus
from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.directory.models import Organisation, OrganisationType
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD, _driver_url
from tests.servers import Browser, kill_server, start_server, stop_server, token
from tests.support.directory import cp932_file, medical_row

#: Rows of the imported file: enough for the commit request to write for a second or more.
ROWS = 4000
#: How long after the import's write transaction is seen open the server is killed.
KILL_DELAY = 0.3
#: Beds of the agreement the bed requests go to (the most an agreement secures): more than are asked for
#: before the kill.
BEDS = 99
#: Requests answered "held" before the server is killed; parallel requesters.
HELD_BEFORE_KILL = 30
REQUESTERS = 16
#: The second factor the app asks of coordinators is beside the point here: a password login suffices.
SERVER_ENV = {"HUBAPP_TOTP_REQUIRED_ROLES": "[]"}
#: On PostgreSQL the server's connections carry this name, so that the test can watch them.
APPLICATION_NAME = "hubapp-crash-test"
NO_ANSWER = (OSError, http.client.HTTPException)


@pytest.fixture
def app_config(app_config):
    return app_config | {"TOTP_REQUIRED_ROLES": ()}


class Watch:
    """The server's transactions as the test sees them from outside the server."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.sqlite_path = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite") else None
        self.engine = None if self.sqlite_path else sa.create_engine(_driver_url(database_url), poolclass=NullPool)

    def server_url(self) -> str:
        if self.sqlite_path:
            return self.database_url
        return f"{self.database_url}{'&' if '?' in self.database_url else '?'}application_name={APPLICATION_NAME}"

    def writing(self) -> bool:
        """Whether a server transaction that has written something is open right now."""
        if self.sqlite_path:
            # Taking the write lock without waiting fails exactly while another connection holds it.
            with closing(sqlite3.connect(self.sqlite_path, timeout=0, isolation_level=None)) as conn:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as error:
                    assert "locked" in str(error), error
                    return True
                conn.execute("ROLLBACK")
                return False
        with self.engine.connect() as conn:
            return bool(
                conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                        "AND backend_xid IS NOT NULL"
                    ),
                    {"name": APPLICATION_NAME},
                )
            )

    def wait_for_writing(self, still_worth_waiting, timeout: float) -> bool:
        """Poll :meth:`writing` until it is true (returns True), ``still_worth_waiting()`` turns false or
        the timeout passes (returns False)."""
        deadline = time.monotonic() + timeout
        while still_worth_waiting() and time.monotonic() < deadline:
            if self.writing():
                return True
            time.sleep(0.005)
        return False

    def settle(self) -> None:
        """Wait until the killed server's transactions are over. On SQLite they died with the processes;
        a PostgreSQL backend only notices its client is gone at its next read and then rolls back."""
        if self.sqlite_path:
            return
        deadline = time.monotonic() + 30
        query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
        while True:
            with self.engine.connect() as conn:
                if not conn.scalar(query, {"name": APPLICATION_NAME}):
                    return
            assert time.monotonic() < deadline, "the killed server's PostgreSQL backends did not end"
            time.sleep(0.05)

    def check_integrity(self) -> None:
        if self.sqlite_path:
            with closing(sqlite3.connect(self.sqlite_path)) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
                # The FTS5 index of the directory search against its content table (organisations):
                # raises "database disk image is malformed" when they differ.
                conn.execute("INSERT INTO directory_search(directory_search) VALUES ('integrity-check')")
                conn.rollback()
            return
        # PostgreSQL itself was never killed (only its client), so its files are not in question. amcheck (the
        # B-tree checks) is not available: it is a contrib extension a superuser has to create, which a test
        # must not do to a shared database. The sanity set instead: every table is read whole, once
        # sequentially and once with sequential scans off (through its primary key index), and both give
        # the same number of rows.
        with self.engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                conn.execute(sa.text("SET LOCAL enable_seqscan = on"))
                heap = conn.scalar(sa.select(sa.func.count()).select_from(table))
                conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
                indexed = conn.scalar(sa.select(sa.func.count()).select_from(table))
                assert heap == indexed, table.name

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


@pytest.fixture
def watch(database_url):
    watching = Watch(database_url)
    yield watching
    watching.close()


# --- the directory import -------------------------------------------------------------------------------

EXISTING_CODE = "1299999999"


def _directory_file() -> bytes:
    """A 医療機関一覧 in the 自治体標準オープンデータセット layout, cp932 as the municipalities publish it:
    ROWS new clinics and one row that updates a clinic already in the directory."""
    rows = [
        medical_row(
            f"テスト医院{i:05d}",
            f"ﾃｽﾄｲｲﾝ{i:05d}",
            "診療所",
            f"千葉県香取市佐原イ{i}",
            "35.89",
            "140.49",
            f"0478-{i // 10000:02d}-{i % 10000:04d}",
            "",
            f"12{i:08d}",
        )
        for i in range(ROWS)
    ]
    rows.append(
        medical_row(
            "既存内科医院", "ｷｿﾝﾅｲｶｲｲﾝ", "診療所", "千葉県香取市北1", "35.9", "140.5", "0478-99-9999", "", EXISTING_CODE
        )
    )
    return cp932_file(*rows)


def _directory_state(app, hub_id: int) -> tuple[int, str, int]:
    """(organisations of the hub, phone of the clinic the file updates, audit records of organisations
    created): all three move together or not at all."""
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(Organisation).where(Organisation.hub_id == hub_id)
        )
        phone = db.session.scalar(sa.select(Organisation.phone).where(Organisation.medical_code == EXISTING_CODE))
        audited = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity == "organisations", AuditLog.action == AuditAction.CREATE)
        )
        db.session.rollback()
        return count, phone, audited


def test_killed_in_the_middle_of_a_directory_import(app, hub, create_user, create_organisation, watch, tmp_path):
    create_user("coordinator-c", Role.COORDINATOR, hubs=(hub,))
    create_organisation(
        "既存内科医院",
        OrganisationType.CLINIC,
        medical_code=EXISTING_CODE,
        address="千葉県香取市北1",
        phone="0478-00-0000",
    )
    create_organisation("かとり中央薬局", OrganisationType.PHARMACY, address="千葉県香取市佐原ロ1")
    before = _directory_state(app, hub.id)
    imported = (before[0] + ROWS, "0478-99-9999", before[2] + ROWS)
    data = _directory_file()
    instance = tmp_path / "server-instance"  # the upload kept between preview and commit survives the crash here

    log = (tmp_path / "gunicorn.log").open("w+")
    process, base = start_server(
        watch.server_url(), log, SERVER_ENV, instance_path=instance, workers=2, threads=4, preload=True
    )
    answer = {}
    try:
        browser = Browser(base)
        browser.login("coordinator-c", TEST_PASSWORD)
        _status, _url, page = browser.open("/directory/import")
        status, _url, preview = browser.post_file(
            "/directory/import", {"csrf_token": token(page)}, "file", "iryokikan_12.csv", data
        )
        assert status == 200 and f"追加 {ROWS}件" in preview and "更新 1件" in preview, preview[:3000]
        upload = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)

        def commit():
            try:
                answer["response"] = browser.post(
                    "/directory/import/commit",
                    {"csrf_token": token(preview), "token": upload},
                    follow=False,
                    timeout=120,
                )
            except NO_ANSWER as error:
                answer["error"] = error

        committing = threading.Thread(target=commit)
        committing.start()
        try:
            seen_writing = watch.wait_for_writing(committing.is_alive, timeout=60)
            time.sleep(KILL_DELAY)
            still_writing = watch.writing()
        finally:
            kill_server(process)
            committing.join(timeout=60)
    finally:
        kill_server(process)
        log.close()
    assert seen_writing, f"the import never began writing: {answer}"
    assert still_writing, "the import's transaction ended before the kill: make the file larger"
    assert "error" in answer, f"the import was answered before the kill: {answer}"
    watch.settle()
    after_crash = _directory_state(app, hub.id)
    assert after_crash in (before, imported), (before, after_crash, imported)  # never in between

    log = (tmp_path / "gunicorn-restarted.log").open("w+")
    process, base = start_server(
        watch.server_url(), log, SERVER_ENV, instance_path=instance, workers=1, threads=4, preload=True
    )
    try:
        browser = Browser(base)
        browser.login("coordinator-c", TEST_PASSWORD)
        status, _url, listing = browser.open("/directory/?" + urlencode({"q": "既存内科医院"}))
        assert status == 200 and "既存内科医院" in listing
        # The coordinator presses 「この内容で取り込む」 again: the kept upload is still there, and the import
        # ends up wholly there once, whether or not the killed commit had got through.
        _status, _url, page = browser.open("/directory/import")
        status, location, _text = browser.post(
            "/directory/import/commit", {"csrf_token": token(page), "token": upload}, follow=False, timeout=120
        )
        assert status == 302 and location.endswith("/directory/"), (status, location)
        status, _url, listing = browser.open("/directory/?" + urlencode({"q": f"テスト医院{ROWS - 1:05d}"}))
        assert status == 200 and f"テスト医院{ROWS - 1:05d}" in listing
    finally:
        stop_server(process)
        log.close()
    assert _directory_state(app, hub.id) == imported
    watch.check_integrity()
    print(f"import killed while writing; after the crash {'all' if after_crash == imported else 'none'} of it")


# --- bed requests ----------------------------------------------------------------------------------------


def test_killed_in_the_middle_of_bed_requests(app, hub, beds, create_user, create_organisation, watch, tmp_path):
    create_user("physician-c", Role.PHYSICIAN, hubs=(hub,))
    hospital = create_organisation("佐原総合病院", OrganisationType.HOSPITAL, phone="0478-00-0003")
    with app.app_context():
        agreement = beds_services.save_agreement(
            hub.id,
            None,
            hospital_id=hospital.id,
            beds_secured=BEDS,
            all_day=True,
            starts=None,
            ends=None,
            valid_from=date(2026, 4, 1),
            valid_to=None,
            manager_ids=[beds["manager"]],
        )
        posted_at = utcnow() - timedelta(minutes=5)
        beds_services.post_availability(agreement, today(), BEDS, beds["manager"], None, posted_at)
        db.session.commit()
        agreement_id = agreement.id

    outcomes: dict[str, str] = {}  # patient code -> "held", "answered <status>", "cut" (in flight), "not sent"
    held = threading.Semaphore(0)

    log = (tmp_path / "gunicorn.log").open("w+")
    instance = tmp_path / "server-instance"
    process, base = start_server(
        watch.server_url(), log, SERVER_ENV, instance_path=instance, workers=2, threads=8, preload=True
    )
    try:
        browser = Browser(base)
        browser.login("physician-c", TEST_PASSWORD)
        _status, _url, form = browser.open(f"/beds/requests/new?agreement={agreement_id}")
        csrf = token(form)

        def request_beds(n: int) -> None:
            """One physician's tab, asking again and again until the server is gone."""
            for seq in range(10_000):
                code = f"K-{n:02d}{seq:04d}"
                fields = {
                    "csrf_token": csrf,
                    "agreement": agreement_id,
                    "patient_code": code,
                    "age_band": "85_plus",
                    "reason": "呼吸状態の悪化",
                    "urgency": "immediate",
                }
                try:
                    status, _location, _text = browser.post(
                        "/beds/requests/new", fields, follow=False, store_cookies=False
                    )
                except NO_ANSWER as error:
                    refused = isinstance(getattr(error, "reason", error), ConnectionRefusedError)
                    outcomes[code] = "not sent" if refused else "cut"
                    return
                outcomes[code] = "held" if status == 302 else f"answered {status}"
                if status == 302:
                    held.release()

        pool = ThreadPoolExecutor(REQUESTERS)
        try:
            requesters = [pool.submit(request_beds, n) for n in range(REQUESTERS)]
            deadline = time.monotonic() + 20
            for _ in range(HELD_BEFORE_KILL):
                assert held.acquire(timeout=max(0.0, deadline - time.monotonic())), outcomes
            seen_writing = watch.wait_for_writing(lambda: True, timeout=5)
        finally:
            kill_server(process)
            pool.shutdown(wait=True)
        for requester in requesters:
            requester.result()
    finally:
        kill_server(process)
        log.close()
    assert seen_writing, "no request was writing when the server was killed"
    assert "cut" in outcomes.values(), "no request was in the server when it was killed"
    watch.settle()

    with app.app_context():
        stored = db.session.execute(
            sa.select(BedRequest.id, BedRequest.patient_code, BedRequest.status).where(
                BedRequest.agreement_id == agreement_id
            )
        ).all()
        free = db.session.scalar(
            sa.select(BedAvailability.free_beds).where(BedAvailability.agreement_id == agreement_id)
        )
        audited = set(
            db.session.scalars(
                sa.select(AuditLog.entity_id).where(
                    AuditLog.entity == "bed_requests", AuditLog.action == AuditAction.CREATE
                )
            )
        )
        others = db.session.scalar(
            sa.select(sa.func.count()).select_from(BedRequest).where(BedRequest.agreement_id != agreement_id)
        )
        db.session.rollback()
    codes = Counter(row.patient_code for row in stored)
    answered_held = {code for code, outcome in outcomes.items() if outcome == "held"}
    answered_other = {code for code, outcome in outcomes.items() if outcome.startswith("answered")}
    assert len(answered_held) >= HELD_BEFORE_KILL
    assert answered_held <= codes.keys(), answered_held - codes.keys()  # no "held" answer without its row
    assert not answered_other & codes.keys()  # a refused request left nothing behind
    assert codes.keys() <= outcomes.keys() and max(codes.values()) == 1  # each request at most once
    assert {row.status for row in stored} == {RequestStatus.REQUESTED}
    assert free + len(stored) == BEDS, (free, len(stored))  # one bed per request: none held twice, none lost
    assert {row.id for row in stored} <= audited  # and each with its audit record, written in the same commit
    assert others == 0

    log = (tmp_path / "gunicorn-restarted.log").open("w+")
    process, base = start_server(
        watch.server_url(), log, SERVER_ENV, instance_path=instance, workers=1, threads=4, preload=True
    )
    try:
        browser = Browser(base)
        browser.login("physician-c", TEST_PASSWORD)
        status, _url, page = browser.open("/beds/requests")
        assert status == 200 and any(code in page for code in answered_held)
        _status, _url, form = browser.open(f"/beds/requests/new?agreement={agreement_id}")
        status, _location, text = browser.post(
            "/beds/requests/new",
            {
                "csrf_token": token(form),
                "agreement": agreement_id,
                "patient_code": "K-9999",
                "age_band": "75_84",
                "reason": "再起動後の依頼",
                "urgency": "today",
            },
            follow=False,
        )
        assert status == 302, text[:2000]
    finally:
        stop_server(process)
        log.close()
    with app.app_context():
        assert (
            db.session.scalar(sa.select(BedAvailability.free_beds).where(BedAvailability.agreement_id == agreement_id))
            == free - 1
        )
    watch.check_integrity()
    cut = sum(outcome == "cut" for outcome in outcomes.values())
    print(f"{len(answered_held)} held before the kill, {cut} cut in flight, {len(stored)} stored")
