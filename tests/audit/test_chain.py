"""The audit trail's hash chain (issue 8 point 10): ``flask --app hubapp audit verify`` finds any edited or
deleted row, even the newest; the database refuses UPDATE and DELETE in the first place; concurrent writers
keep one gapless chain; a rolled-back change leaves no row."""

import threading

import pytest
import sqlalchemy as sa

from hubapp.audit import chain
from hubapp.audit.models import AuditAction, AuditChain, AuditLog
from hubapp.audit.services import acting_as, record
from hubapp.extensions import db
from hubapp.hubs import services as hubs
from hubapp.hubs.models import OperatorType


def _activity(count: int = 6) -> None:
    with acting_as("cli:test"):
        for n in range(count):
            details = {"page": f"p{n}", "ids": [n, n + 1]}
            record(AuditAction.VIEW, "consultations", n + 1, hub_id=1, details=details)
            db.session.commit()
        hub = hubs.create_hub(
            name="連鎖の拠点", name_kana="レンサ", operator_type=OperatorType.OTHER, prefecture_code="12"
        )
        db.session.commit()
        hubs.update_hub(hub, dedicated_staff_count=3)
        db.session.commit()


def _without_guards(statement: str) -> None:
    """What an intruder with database access would do: switch the append-only triggers off first."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only"))
        db.session.execute(sa.text(statement))
        db.session.execute(sa.text("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_append_only"))
    else:
        db.session.execute(sa.text("DROP TRIGGER audit_logs_no_update"))
        db.session.execute(sa.text("DROP TRIGGER audit_logs_no_delete"))
        db.session.execute(sa.text(statement))
    db.session.commit()


def _verify():
    with db.engine.connect() as connection:
        return chain.verify(connection)


def test_an_untouched_trail_verifies(app, runner):
    with app.app_context():
        _activity()
        rows = db.session.execute(sa.select(AuditLog.seq, AuditLog.row_hash).order_by(AuditLog.seq)).all()
        tip = db.session.get(AuditChain, 1)
    assert [seq for seq, _hash in rows] == list(range(1, len(rows) + 1))
    assert (tip.last_seq, tip.last_hash) == rows[-1]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(rows):,} 行を検証しました" in result.output


@pytest.mark.parametrize(
    "tampering, found",
    [
        ("UPDATE audit_logs SET actor = 'someone-else' WHERE seq = 3", "連番 3"),
        ("UPDATE audit_logs SET changes = '{}' WHERE seq = 2", "連番 2"),
        ("UPDATE audit_logs SET row_hash = NULL WHERE seq = 4", "ハッシュのない行"),
        ("DELETE FROM audit_logs WHERE seq = 4", "連番 4〜4 の行がありません"),
        ("DELETE FROM audit_logs WHERE seq = (SELECT MAX(seq) FROM audit_logs)", "最後の行が削除された"),
    ],
)
def test_any_edited_or_deleted_row_is_found(app, runner, tampering, found):
    with app.app_context():
        _activity()
        assert _verify().intact
        _without_guards(tampering)
        assert not _verify().intact
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert found in result.output


def test_rewriting_the_whole_tail_is_found_by_the_tip(app):
    """Even an intruder who recomputes every hash after an edit must also move the tip, which only goes
    forward: re-hashing a shortened chain leaves the tip pointing past it."""
    with app.app_context():
        _activity()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.update(AuditChain).values(last_seq=1))
            db.session.commit()
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.delete(AuditChain))
            db.session.commit()
        db.session.rollback()
        assert _verify().intact


@pytest.mark.parametrize("statement", ["UPDATE audit_logs SET actor = 'x'", "DELETE FROM audit_logs"])
def test_the_database_refuses_update_and_delete(app, statement):
    with app.app_context():
        _activity(2)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.text(statement))
            db.session.commit()
        db.session.rollback()


def test_nothing_is_chained_for_a_rolled_back_change_or_savepoint(app):
    with app.app_context(), acting_as("cli:test"):
        record(AuditAction.VIEW, "consultations", 1)
        db.session.rollback()
        hub = hubs.create_hub(
            name="残る拠点", name_kana="ノコル", operator_type=OperatorType.OTHER, prefecture_code="12"
        )
        with db.session.begin_nested() as savepoint:
            hubs.update_hub(hub, dedicated_staff_count=9)
            savepoint.rollback()
        db.session.commit()
        logged = db.session.execute(sa.select(AuditLog.action, AuditLog.entity).order_by(AuditLog.seq)).all()
        assert logged == [(AuditAction.CREATE, "hubs")]
        assert _verify().intact


def test_concurrent_writers_keep_one_gapless_chain(app):
    """Eight workers committing at once: the tip's lock serialises the appends."""
    errors = []

    def work(n: int) -> None:
        try:
            with app.app_context(), acting_as(f"cli:worker-{n}"):
                for i in range(10):
                    record(AuditAction.VIEW, "consultations", i, details={"worker": n})
                    db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        verdict = _verify()
        seqs = db.session.scalars(sa.select(AuditLog.seq).order_by(AuditLog.seq)).all()
    assert verdict.intact, verdict.problems
    assert seqs == list(range(1, 81))


def test_rows_say_role_and_outcome(app, client, create_user, login, hub):
    create_user("tanaka", "physician", hubs=(hub,))
    client.post("/login", data={"username": "tanaka", "password": "wrong-password-123"})
    login("tanaka")
    client.get("/audit/")  # a physician may not read the trail
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditLog.action, AuditLog.role, AuditLog.outcome, AuditLog.actor).order_by(AuditLog.seq)
        ).all()
    assert (AuditAction.LOGIN_FAILED, None, "failure", "tanaka") in rows
    assert (AuditAction.LOGIN, None, "success", "anonymous") in rows or any(
        r[0] == AuditAction.LOGIN and r[2] == "success" for r in rows
    )
    assert (AuditAction.ACCESS_DENIED, "physician", "denied", "tanaka") in rows


def _seed_trail(app, create_user, hub):
    create_user("tanaka", "physician", hubs=(hub,))
    create_user("suzuki", "member", hubs=(hub,))
    with app.app_context(), acting_as("cli:test"):
        record(AuditAction.VIEW, "consultations", 7, hub_id=hub.id, details={"page": "detail"})
        db.session.commit()


def test_the_trail_page_filters_by_user_action_and_period(app, client, create_user, login, hub):
    _seed_trail(app, create_user, hub)
    create_user("kanri", "admin")
    client.post("/login", data={"username": "tanaka", "password": "wrong-password-123"})
    login("kanri")
    failures = client.get("/audit/?action=login_failed").data.decode()
    assert "tanaka" in failures and "cli:test" not in failures
    by_user = client.get("/audit/?user=cli:test").data.decode()
    assert "consultations #7" in by_user and "ログイン失敗</td>" not in by_user
    future = client.get("/audit/?from=2099-01-01").data.decode()
    assert "記録はありません" in future
    bad = client.get("/audit/?from=yesterday&action=nonsense")
    assert bad.status_code == 200 and "2026-04-01 の形" in bad.data.decode()


def test_the_export_is_a_cp932_csv_and_is_itself_audited(app, client, create_user, login, hub):
    _seed_trail(app, create_user, hub)
    create_user("kanri", "admin")
    login("kanri")
    response = client.get("/audit/export.csv?encoding=cp932&user=cli:test")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.data.decode("cp932")
    lines = text.splitlines()
    assert lines[0].startswith("日時（日本時間）,利用者,役割,操作")
    assert len(lines) >= 2 and all(",cli:test," in line for line in lines[1:])
    with app.app_context():
        exported = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == AuditAction.EXPORT)).one()
    assert exported.entity == "audit_logs" and exported.changes["user"] == [None, "cli:test"]


def test_an_admin_records_a_review_with_the_chain_verified(app, client, create_user, login, hub):
    from hubapp.audit.models import AuditReview

    _seed_trail(app, create_user, hub)
    create_user("kanri", "admin")
    login("kanri")
    response = client.post("/audit/reviews", data={"from": "2026-04-01", "to": "2026-06-30", "note": "異常なし"})
    assert response.status_code == 302
    refused = client.post("/audit/reviews", data={"from": "2026-07-01", "to": "2026-06-30"})
    assert refused.status_code == 200 and "開始日が終了日以前" in refused.data.decode()
    with app.app_context():
        reviews = db.session.scalars(sa.select(AuditReview)).all()
    assert [(r.reviewer, str(r.period_from), str(r.period_to), r.chain_intact) for r in reviews] == [
        ("kanri", "2026-04-01", "2026-06-30", True)
    ]
    page = client.get("/audit/").data.decode()
    assert "2026-04-01〜2026-06-30" in page and "異常なし" in page


def test_coordinators_read_but_do_not_record_reviews(client, login_as):
    login_as("coordinator")
    assert client.get("/audit/").status_code == 200
    assert client.post("/audit/reviews", data={"from": "2026-04-01", "to": "2026-04-30"}).status_code == 403


@pytest.mark.parametrize(
    "url, entity",
    [
        ("/directory/export.csv", "organisations"),
        ("/directory/export.xlsx", "organisations"),
        ("/consultations/stats.csv", "consultation_tallies"),
        ("/consultations/stats.xlsx", "consultation_tallies"),
        ("/compliance/pack.zip", "compliance_pack"),
    ],
)
def test_exports_are_on_the_trail(app, client, login_as, hub, url, entity):
    user = login_as("coordinator")
    assert client.get(url).status_code == 200
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditLog.entity, AuditLog.actor, AuditLog.hub_id).where(AuditLog.action == AuditAction.EXPORT)
        ).all()
    assert rows == [(entity, user.username, hub.id)]


def test_reading_a_meeting_and_bed_requests_is_on_the_trail(app, client, login_as, hub, create_meeting, beds):
    from datetime import date

    from hubapp.beds import services as bed_services
    from hubapp.beds.models import BedAgreement
    from hubapp.db import utcnow

    meeting = create_meeting(day=date(2026, 9, 1))
    with app.app_context():
        agreement = db.session.get(BedAgreement, beds["central"])
        bed_services.post_availability(agreement, bed_services.jst_day(utcnow()), 1, None, None, utcnow())
        held = bed_services.request_bed(
            agreement, None, patient_code="P-0001", age_band="85_plus", reason="在宅療養中の発熱", urgency="today",
            now=utcnow(), stale_hours=12,
        )  # fmt: skip
        db.session.commit()
        held_id = held.id
    user = login_as("coordinator")
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert client.get("/beds/requests").status_code == 200
    with app.app_context():
        views = db.session.execute(
            sa.select(AuditLog.entity, AuditLog.entity_id, AuditLog.changes, AuditLog.actor)
            .where(AuditLog.action == AuditAction.VIEW)
            .order_by(AuditLog.seq)
        ).all()
    assert ("meetings", meeting.id, {}, user.username) in views
    assert ("bed_requests", None, {"ids": [None, [held_id]]}, user.username) in views


def test_a_bulk_insert_that_breaks_a_constraint_raises_as_sqlalchemy_does(app_ctx):
    """hubapp.db.insert_many (psycopg's pipeline on PostgreSQL, executemany on SQLite) fails as any statement
    would: an IntegrityError, the transaction rolled back, nothing written."""
    import pytest
    import sqlalchemy as sa

    from hubapp.db import insert_many
    from hubapp.directory.models import DirectoryFunction, organisation_functions
    from hubapp.extensions import db

    function = db.session.scalars(sa.select(DirectoryFunction)).first()
    with pytest.raises(sa.exc.IntegrityError):
        # no such organisation: the foreign key refuses the row
        orphan = {"organisation_id": 999_999, "function_id": function.id}
        insert_many(db.session.connection(), organisation_functions, [orphan])
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(organisation_functions)) == 0


def test_changes_given_as_their_text_hash_as_the_whole_row_does():
    """A row's hash is SHA-256 of the canonical JSON list of its values (as every chain so far was hashed);
    a bulk insert hands ``changes`` over already serialised, and gets the same hash."""
    import hashlib
    import json
    from datetime import UTC, datetime

    from hubapp.db import JSONText

    changes = {"名称": [None, "かとり訪問看護"], "bed_count": [3, None], "a": [None, {"z": 1, "b": [1.5, "—"]}]}
    row = {
        "seq": 7, "at": datetime(2026, 12, 7, 6, 41, 5, 123456, tzinfo=UTC), "actor_id": None,
        "actor": "cli:import-directory", "role": None, "action": AuditAction.CREATE, "entity": "organisations",
        "entity_id": 12, "hub_id": 3, "changes": changes, "ip_address": "192.0.2.1", "outcome": "success",
    }  # fmt: skip
    whole = [
        "f" * 64, 7, "2026-12-07T06:41:05.123456", None, "cli:import-directory", None, "create", "organisations",
        12, 3, changes, "192.0.2.1", "success",
    ]  # fmt: skip
    text = json.dumps(whole, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert chain.digest("f" * 64, row) == expected
    assert chain.digest("f" * 64, {**row, "changes": JSONText(chain.canonical(changes))}) == expected
    assert chain.digest("f" * 64, {**row, "changes": {**changes, "名称": [None, "さわら"]}}) != expected
