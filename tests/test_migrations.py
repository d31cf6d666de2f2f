"""The schema comes only from Alembic: models and migrations must not drift apart."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from hubapp import create_app
from hubapp.database import include_name
from hubapp.extensions import db
from tests.conftest import base_config


def test_models_match_the_migrations(app):
    """Fails when a model changes without a migration (or a migration without the model)."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask --app hubapp db migrate`: {diff}"


def test_upgrade_downgrade_upgrade_on_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    app = create_app(base_config(url), instance_path=str(tmp_path))
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "hubs", "hub_municipalities", "hub_memberships", "audit_logs"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert {"users", "hubs"} <= set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_audit_trail_is_append_only_in_the_database(app):
    with app.app_context():
        db.session.execute(
            sa.text(
                "INSERT INTO audit_logs (at, actor, action, entity, changes) "
                "VALUES (CURRENT_TIMESTAMP, 'x', 'view', 'users', '{}')"
            )
        )
        db.session.commit()
        for statement in ("UPDATE audit_logs SET actor = 'y'", "DELETE FROM audit_logs"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.execute(sa.text("SELECT actor FROM audit_logs")).scalars().all() == ["x"]


def test_migration_files_sort_in_the_order_they_apply():
    """A maintainer reading migrations/versions reads them in the order they apply: each file's name sorts
    after its parent's."""
    import ast
    from pathlib import Path

    parents = {}
    for path in (Path(__file__).resolve().parent.parent / "migrations" / "versions").glob("*.py"):
        values = {
            node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("revision", "down_revision")
        }
        parents[values["revision"]] = (values["down_revision"], path.name)
    names = {revision: name for revision, (_down, name) in parents.items()}
    late = [name for _rev, (down, name) in parents.items() if down is not None and name <= names[down]]
    assert len(parents) >= 18 and late == []
