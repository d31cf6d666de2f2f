"""Configuration layering, the database URL, the secret key and the SQLite settings."""

import os

import pytest
import sqlalchemy as sa

from hubapp import create_app
from hubapp.extensions import db

STRONG = "x" * 40


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("HUBAPP_") or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    return monkeypatch


def test_defaults_then_instance_file_then_environment(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'SECRET_KEY = "from-the-instance-file-0123456789abcdef"\nDEMO_PASSWORD = "from-file"\n'
        "SQLITE_BUSY_TIMEOUT_MS = 1234\n",
        encoding="utf-8",
    )
    app = create_app(instance_path=str(instance))
    assert app.config["SECRET_KEY"] == "from-the-instance-file-0123456789abcdef"
    assert app.config["DEMO_PASSWORD"] == "from-file"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "ja"  # untouched default
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'hubapp.sqlite3'}"

    clean_env.setenv("HUBAPP_DEMO_PASSWORD", "from-env")
    clean_env.setenv("HUBAPP_YEAR_END_HOLIDAYS", "[[12, 30], [1, 2]]")
    app = create_app(instance_path=str(instance))
    assert app.config["DEMO_PASSWORD"] == "from-env"
    assert app.config["YEAR_END_HOLIDAYS"] == [[12, 30], [1, 2]]
    assert app.config["SECRET_KEY"] == "from-the-instance-file-0123456789abcdef"


def test_database_url_from_hubapp_or_conventional_variable(clean_env, tmp_path):
    clean_env.setenv("HUBAPP_SECRET_KEY", STRONG)
    clean_env.setenv("DATABASE_URL", "postgres://u@db.example/app")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/app"
    clean_env.setenv("HUBAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'other.sqlite3'}"


def test_secret_key_is_generated_once_into_the_instance_folder(clean_env, tmp_path):
    first = create_app(instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(first.config["SECRET_KEY"]) >= 32
    second = create_app(instance_path=str(tmp_path))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


@pytest.mark.parametrize("weak", ["dev", "changeme", "short-secret"])
def test_refuses_to_start_with_a_weak_secret_outside_debug(clean_env, tmp_path, weak):
    clean_env.setenv("HUBAPP_SECRET_KEY", weak)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(instance_path=str(tmp_path))
    clean_env.setenv("HUBAPP_DEBUG", "true")
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == weak


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite settings: this run uses PostgreSQL")
    with app.app_context():
        conn = db.session.connection()
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.text("INSERT INTO hub_memberships (user_id, hub_id, created_at, updated_at) "
                        "VALUES (999, 999, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            )
            db.session.flush()
        db.session.rollback()



def test_an_all_digit_secret_from_the_environment_is_a_string(clean_env, tmp_path):
    clean_env.setenv("HUBAPP_SECRET_KEY", "1" * 40)
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "1" * 40
