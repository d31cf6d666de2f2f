"""``flask backup`` / ``flask restore`` (issue 8 point 11): a consistent copy taken while the app writes,
N generations kept, and a restore into an empty database with the same row count in every table and a
clean integrity check — on SQLite, and on PostgreSQL when the tests run there."""

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hubapp.extensions import db


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}
    finally:
        engine.dispose()


@pytest.fixture
def filled(app, hub, create_user, create_organisation, create_meeting):
    from datetime import date

    from hubapp.common.roles import Role
    from hubapp.directory.models import OrganisationType

    create_user("backup-coordinator", Role.COORDINATOR, hubs=(hub,))
    for n in range(5):
        create_organisation(f"病院{n}", OrganisationType.HOSPITAL)
    create_meeting("多職種連携会議", day=date(2026, 6, 1))
    return app


def test_sqlite_backup_while_writing_then_restore(filled, tmp_path, runner, make_app):
    app = filled
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("the SQLite path; the PostgreSQL one is the next test")
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    stop = threading.Event()
    written = []

    def writer():  # another process's worth of writes while the copy is taken
        conn = sqlite3.connect(url.database, timeout=30)
        while not stop.is_set():
            conn.execute(
                "INSERT INTO audit_logs (at, actor, action, entity, changes) VALUES (?, 'w', 'view', 'users', '{}')",
                (datetime.now(UTC).isoformat(),),
            )
            conn.commit()
            written.append(1)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.2)
    before = len(written)
    result = runner.invoke(args=["backup", "--keep", "2"])
    after = len(written)
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    (copy,) = sorted((tmp_path / "backups").glob("hubapp-*.sqlite3"))
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [copy.name]  # one file, no -wal/-shm
    kept = tmp_path / "taken-while-writing.sqlite3"
    copy.rename(kept)
    for _ in range(3):
        assert runner.invoke(args=["backup", "--keep", "2"]).exit_code == 0
    assert len(list((tmp_path / "backups").glob("hubapp-*.sqlite3"))) == 2  # generations kept
    copy = kept

    target = tmp_path / "restored.sqlite3"
    restored_app = make_app(f"sqlite:///{target}")
    result = restored_app.test_cli_runner().invoke(args=["restore", str(copy)])
    assert result.exit_code == 0, result.output
    source, restored = _counts(str(url)), _counts(f"sqlite:///{target}")
    audit_source, audit_restored = source.pop("audit_logs"), restored.pop("audit_logs")
    assert restored == source and sum(restored.values()) > 0
    assert audit_source - (len(written) - before) <= audit_restored <= audit_source - (len(written) - after)
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = restored_app.test_cli_runner().invoke(args=["restore", str(copy)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_postgresql_backup_and_restore(filled, tmp_path, runner, make_app):
    app = filled
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("the PostgreSQL path runs when HUBAPP_TEST_DATABASE_URL names a PostgreSQL database")
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (dump,) = (tmp_path / "backups").glob("hubapp-*.dump")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS hubapp_restore_test"))
        conn.execute(sa.text("CREATE DATABASE hubapp_restore_test"))
    target = url.set(database="hubapp_restore_test").render_as_string(hide_password=False)
    try:
        restored_app = make_app(target)
        result = restored_app.test_cli_runner().invoke(args=["restore", str(dump)])
        assert result.exit_code == 0, result.output
        with restored_app.app_context():
            db.engine.dispose()
        source, restored = _counts(url.render_as_string(hide_password=False)), _counts(target)
        assert restored == source and sum(restored.values()) > 0
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'hubapp_restore_test'")
            )
            conn.execute(sa.text("DROP DATABASE IF EXISTS hubapp_restore_test"))
        admin.dispose()
