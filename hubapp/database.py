"""Engine settings: SQLite in WAL mode with foreign keys and a busy timeout; models registered; no SQL
while a template renders (where configured)."""

import importlib
import sqlite3

from flask import Flask, before_render_template, g, has_app_context, template_rendered
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


class QueryFromTemplate(RuntimeError):
    """A template loaded data: load what the page shows in its view or service (an eager load)."""


_RENDERING = "_hubapp_rendering_template"
_DEPTH = "_hubapp_rendering_depth"
_REFUSED = "_hubapp_change_refused"


def _refuse_while_rendering(state) -> None:
    """Session ``do_orm_execute``: while a template renders, only the refresh of an object's own columns
    (expired by the commit before it) may run; a lazy relationship or a query raises."""
    if not (has_app_context() and g.get(_RENDERING)) or g.get(_REFUSED) or state.is_column_load:
        return
    raise QueryFromTemplate(f"{g.get(_RENDERING)} loaded data while rendering: {str(state.statement)[:200]}")


def change_refused() -> None:
    """A refused change was rolled back, which expires every loaded object: the page that shows the form
    again reloads what it shows (one object at a time, on this refusal only), so the guard stands down."""
    if has_app_context():
        setattr(g, _REFUSED, True)


def _rendering(sender, template, context, **extra) -> None:
    setattr(g, _DEPTH, g.get(_DEPTH, 0) + 1)
    setattr(g, _RENDERING, template.name or "a template from a string")


def _rendered(sender, template, context, **extra) -> None:
    setattr(g, _DEPTH, g.get(_DEPTH, 1) - 1)
    if g.get(_DEPTH) <= 0:
        setattr(g, _RENDERING, None)


def _reset_guard(exc: BaseException | None = None) -> None:
    """Each request starts unguarded (a render that raised never sent ``template_rendered``)."""
    for name, value in ((_RENDERING, None), (_DEPTH, 0), (_REFUSED, False)):
        setattr(g, name, value)


def init_app(app: Flask) -> None:
    global _busy_timeout_ms
    _busy_timeout_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    import_models()
    if app.config["RAISE_ON_TEMPLATE_QUERIES"]:
        from sqlalchemy.orm import Session

        if not event.contains(Session, "do_orm_execute", _refuse_while_rendering):
            event.listen(Session, "do_orm_execute", _refuse_while_rendering)
        before_render_template.connect(_rendering, app)
        template_rendered.connect(_rendered, app)
        app.before_request(_reset_guard)
        app.teardown_request(_reset_guard)


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
