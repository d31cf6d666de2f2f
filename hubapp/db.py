"""Database foundations: the constraint naming convention, UTC time and the timestamp mixin."""

import operator
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Alembic needs named constraints to alter them later (SQLite batch mode above all).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (stored as UTC in every ``*_at`` column)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A datetime that goes in and comes out timezone-aware UTC on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite stores no offset
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def enum_column(enum_cls, length: int = 32) -> sa.Enum:
    """A string column holding an enum's values (not its names), without a database ENUM type, so
    adding a member needs no migration on PostgreSQL."""
    return sa.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


#: SQLite's limit of bound values per statement (999 before 3.32) and rows per INSERT that insert_many uses.
_SQLITE_MAX_VARIABLES = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
_SQLITE_ROWS_PER_STATEMENT = 500


class JSONText(str):
    """A JSON column's value already serialised, given to :func:`insert_many` as the text to store (the audit
    chain hashes the very text it writes: serialising 100,000 rows once, not twice)."""


def insert_many(connection: sa.Connection, table: sa.Table, rows: list[dict], *, return_ids: bool = False):
    """Insert ``rows`` (every column but the primary key given, the same keys in each) in one batch; with
    ``return_ids``, their new ids in the rows' order. Values go through the columns' types as the ORM would
    write them (a :class:`JSONText` as it is), straight to the driver.

    - PostgreSQL: ``COPY … FROM STDIN`` (twice as fast as psycopg's pipelined ``executemany``, ten times
      SQLAlchemy's own batching); when ids are wanted they are taken from the table's sequence first and
      copied with the rows.
    - SQLite: 500 rows per ``INSERT`` (see below). It has no ordered ``INSERT … RETURNING`` form (SQLAlchemy
      would fall back to a statement per row), so the ids are read back: a table's new rowids count up from
      its largest, and from this insert to the commit the transaction holds SQLite's write lock, so the
      table's last ``len(rows)`` ids are these rows'.
    """
    if not rows:
        return [] if return_ids else None
    dialect = connection.dialect
    keys = list(rows[0])
    needs_default = [c.name for c in table.columns if c.name not in keys and not c.primary_key and c.default]
    if needs_default:
        raise ValueError(f"insert_many: give every column ({', '.join(needs_default)} missing)")
    postgresql = dialect.name == "postgresql"
    if postgresql:
        from psycopg.types.json import Json

        def as_stored(text):
            return Json(text, dumps=str)
    else:
        as_stored = str
    params = _bound(dialect, table, keys, rows, as_stored)
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    dbapi_error = dialect.loaded_dbapi.Error
    sql = ""
    try:
        if postgresql:
            ids = None
            if return_ids:
                sql = "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
                with connection.connection.cursor() as cursor:
                    cursor.execute(sql, (table.name, len(rows)))
                    ids = [row[0] for row in cursor.fetchall()]
                keys = ["id", *keys]
                params = [[new_id, *values] for new_id, values in zip(ids, params, strict=True)]
            sql = f"COPY {name} ({', '.join(quote(k) for k in keys)}) FROM STDIN"
            with connection.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
                for values in params:
                    copy.write_row(values)
            return ids
        sql = f"INSERT INTO {name} ({', '.join(quote(k) for k in keys)}) VALUES "
        one = f"({', '.join('?' * len(keys))})"
        # Many rows per statement: an FTS5 index kept by a trigger (the directory's search) writes its pending
        # terms out at every statement, and one statement per row is five times slower.
        per_statement = max(1, min(_SQLITE_ROWS_PER_STATEMENT, _SQLITE_MAX_VARIABLES // len(keys)))
        cursor = connection.connection.cursor()
        try:
            for start in range(0, len(params), per_statement):
                chunk = params[start : start + per_statement]
                cursor.execute(sql + ", ".join([one] * len(chunk)), [value for values in chunk for value in values])
        finally:
            cursor.close()
        if not return_ids:
            return None
        last = connection.scalars(sa.select(table.c.id).order_by(table.c.id.desc()).limit(len(rows))).all()
        return last[::-1]
    except dbapi_error as error:  # as SQLAlchemy raises it: IntegrityError…, a lost connection invalidated
        lost = dialect.is_disconnect(error, connection.connection, None)
        if lost:
            connection.invalidate(error)
        raise sa.exc.DBAPIError.instance(
            sql, None, error, dbapi_error, hide_parameters=True, connection_invalidated=lost, dialect=dialect
        ) from error


def _bound(dialect, table: sa.Table, keys: list[str], rows: list[dict], as_stored) -> list[list]:
    """Each row's values in ``keys`` order, through the columns' bind processors (a JSONText as stored)."""
    values_of = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    processors = [table.c[k].type._cached_bind_processor(dialect) for k in keys]
    processed = [(n, process) for n, process in enumerate(processors) if process is not None]
    params = []
    for row in rows:
        values = list(values_of(row))
        for n, process in processed:
            value = values[n]
            values[n] = as_stored(value) if type(value) is JSONText else process(value)
        params.append(values)
    return params
