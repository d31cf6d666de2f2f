"""Engine settings: SQLite in WAL mode with foreign keys and a busy timeout; models registered."""

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_busy_timeout_ms = 5000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(_busy_timeout_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache instead of 2 MiB: directory searches at 100,000 rows stay in memory
    # (bench/directory_search.py).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def init_app(app: Flask) -> None:
    global _busy_timeout_ms
    _busy_timeout_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    import_models()


def import_models() -> None:
    """Import every domain's models so that the metadata (and Alembic) knows all tables."""
    from hubapp.audit import models as _audit  # noqa: F401
    from hubapp.audit import services as _audit_services  # noqa: F401  (the after_flush listener)
    from hubapp.auth import models as _auth  # noqa: F401
    from hubapp.beds import models as _beds  # noqa: F401
    from hubapp.compliance import models as _compliance  # noqa: F401
    from hubapp.consultations import models as _consultations  # noqa: F401
    from hubapp.directory import models as _directory  # noqa: F401
    from hubapp.hubs import models as _hubs  # noqa: F401
    from hubapp.meetings import models as _meetings  # noqa: F401
    from hubapp.rota import changes as _rota_changes  # noqa: F401
    from hubapp.rota import feeds as _rota_feeds  # noqa: F401
    from hubapp.rota import models as _rota  # noqa: F401


#: Tables and indexes the migrations create with SQL that SQLAlchemy models do not describe (the
#: directory's FTS5 search table and its shadow tables on SQLite, a GIN expression index on
#: PostgreSQL). Autogenerate and the drift test leave them alone.
UNMODELLED_PREFIXES = ("directory_search", "ix_organisations_search", "search_vector")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: skip the objects in :data:`UNMODELLED_PREFIXES`."""
    return not (name and name.startswith(UNMODELLED_PREFIXES))
