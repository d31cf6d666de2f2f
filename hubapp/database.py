"""Engine settings: SQLite in WAL mode with foreign keys and a busy timeout; models registered."""

import importlib
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


#: The modules that define the tables or attach session listeners: importing them is what tells the
#: metadata (and Alembic) about every table, and turns on the audit trail.
MODEL_MODULES = (
    "hubapp.audit.models",
    "hubapp.audit.services",  # the after_flush listener that writes the trail
    "hubapp.auth.models",
    "hubapp.beds.models",
    "hubapp.compliance.models",
    "hubapp.consultations.models",
    "hubapp.directory.models",
    "hubapp.hubs.models",
    "hubapp.meetings.models",
    "hubapp.rota.changes",  # rota_swap_requests
    "hubapp.rota.feeds",  # rota_feeds
    "hubapp.rota.models",
)


def import_models() -> None:
    """Import every domain's models so that the metadata (and Alembic) knows all tables."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


#: Tables and indexes the migrations create with SQL that SQLAlchemy models do not describe (the
#: directory's FTS5 search table and its shadow tables on SQLite, a GIN expression index on
#: PostgreSQL). Autogenerate and the drift test leave them alone.
UNMODELLED_PREFIXES = ("directory_search", "ix_organisations_search", "search_vector")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: skip the objects in :data:`UNMODELLED_PREFIXES`."""
    return not (name and name.startswith(UNMODELLED_PREFIXES))
