"""Database foundations: the constraint naming convention, UTC time and the timestamp mixin."""

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


def insert_many(connection: sa.Connection, table: sa.Table, rows: list[dict], *, return_ids: bool = False):
    """Insert ``rows`` (every column but the primary key given, the same keys in each) in one batch; with
    ``return_ids``, their new ids in the rows' order.

    - PostgreSQL: one statement prepared once and sent in a pipeline (psycopg's ``executemany``, with
      ``returning`` when ids are wanted: one result per row, in order). SQLAlchemy's own batching writes one
      statement with a placeholder per value (60,000 for 2,000 organisations) that psycopg parses in Python
      each time: most of the time of a national import.
    - SQLite: ``executemany``. It has no ordered ``INSERT … RETURNING`` form (SQLAlchemy would fall back to
      a statement per row), so the ids are read back: a table's new rowids count up from its largest, and
      from this insert to the commit the transaction holds SQLite's write lock, so the table's last
      ``len(rows)`` ids are these rows'.
    """
    if not rows:
        return [] if return_ids else None
    dialect = connection.dialect
    keys = list(rows[0])
    needs_default = [c.name for c in table.columns if c.name not in keys and not c.primary_key and c.default]
    if needs_default:
        raise ValueError(f"insert_many: give every column ({', '.join(needs_default)} missing)")
    if dialect.name == "postgresql":
        statement = sa.insert(table).values({k: sa.bindparam(k, type_=table.c[k].type) for k in keys})
        if return_ids:
            statement = statement.returning(table.c.id)
        sql = statement.compile(dialect=dialect).string
        processors = [(k, table.c[k].type._cached_bind_processor(dialect)) for k in keys]
        params = [{k: (p(row[k]) if p else row[k]) for k, p in processors} for row in rows]
        dbapi_error = dialect.loaded_dbapi.Error
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(sql, params, returning=return_ids)
            if not return_ids:
                return None
            ids = []
            while True:
                ids.append(cursor.fetchone()[0])
                if not cursor.nextset():
                    break
            return ids
        except dbapi_error as error:  # as SQLAlchemy raises it: IntegrityError…, a lost connection invalidated
            lost = dialect.is_disconnect(error, connection.connection, cursor)
            if lost:
                connection.invalidate(error)
            raise sa.exc.DBAPIError.instance(
                sql, None, error, dbapi_error, hide_parameters=True, connection_invalidated=lost, dialect=dialect
            ) from error
        finally:
            cursor.close()
    connection.execute(sa.insert(table), rows)
    if not return_ids:
        return None
    last = connection.scalars(sa.select(table.c.id).order_by(table.c.id.desc()).limit(len(rows))).all()
    return last[::-1]
