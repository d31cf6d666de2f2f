"""Writing the audit trail.

Every flush of the ORM session writes an ``audit_logs`` row for each created, changed or deleted
record, in the same transaction as the change (``after_flush``), so a change without its record
cannot be committed. Views of personal data and logins are recorded with :func:`record`.
"""

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.db import utcnow
from hubapp.extensions import db

MASK = "***"
#: Columns whose changes are bookkeeping, not content.
_ALWAYS_IGNORED = frozenset({"created_at", "updated_at"})

_cli_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_cli_actor", default=None)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute changes made outside a request (CLI commands) to ``actor``, e.g. ``cli:seed-demo``."""
    token = _cli_actor.set(actor)
    try:
        yield
    finally:
        _cli_actor.reset(token)


def _actor() -> tuple[int | None, str, str | None]:
    if has_request_context():
        ip = request.remote_addr
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username, ip
        return None, "anonymous", ip
    return None, _cli_actor.get() or "system", None


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return json.loads(json.dumps(value, default=str))


def _hub_of(obj: Any) -> int | None:
    hub_id = getattr(obj, "audit_hub_id", None)
    if hub_id is None:
        hub_id = getattr(obj, "hub_id", None)
    return hub_id


def _changes(obj: Any, action: AuditAction) -> dict[str, list]:
    mapper = sa.inspect(obj).mapper
    masked = getattr(obj, "__audit_masked__", frozenset())
    ignored = _ALWAYS_IGNORED | getattr(obj, "__audit_ignored__", frozenset())
    state = sa.inspect(obj)
    changes: dict[str, list] = {}
    for attr in mapper.column_attrs:
        key = attr.key
        if key in ignored:
            continue
        if action is AuditAction.UPDATE:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
        elif action is AuditAction.CREATE:
            old, new = None, getattr(obj, key)
        else:
            old, new = getattr(obj, key), None
        if key in masked:
            old, new = (MASK if old is not None else None), (MASK if new is not None else None)
        changes[key] = [_plain(old), _plain(new)]
    return changes


def _primary_key(obj: Any) -> int | None:
    # After a flush the new rows have their ids, but not yet their identity keys.
    key = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 else None


def _audited(obj: Any) -> bool:
    return isinstance(obj, db.Model) and not isinstance(obj, AuditLog)


def _keep_old_value(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


@event.listens_for(db.Model, "mapper_configured", propagate=True)
def _load_old_values(mapper: sa.orm.Mapper, cls: type) -> None:
    """Make every column attribute load its old value before a change (active history), so that an
    update of an expired object (after a commit) still records what the value was."""
    if cls is AuditLog:
        return
    for attr in mapper.column_attrs:
        event.listen(getattr(cls, attr.key), "set", _keep_old_value, active_history=True, retval=True)


@event.listens_for(Session, "after_flush")
def _write_trail(session: Session, flush_context: Any) -> None:
    actor_id, actor, ip = _actor()
    rows = []
    for objects, action in (
        (session.new, AuditAction.CREATE),
        (session.dirty, AuditAction.UPDATE),
        (session.deleted, AuditAction.DELETE),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            changes = _changes(obj, action)
            if action is AuditAction.UPDATE and not changes:
                continue
            rows.append(
                {
                    "at": utcnow(),
                    "actor_id": actor_id,
                    "actor": actor,
                    "action": action,
                    "entity": obj.__tablename__,
                    "entity_id": _primary_key(obj),
                    "hub_id": _hub_of(obj),
                    "changes": changes,
                    "ip_address": ip,
                }
            )
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def record(
    action: AuditAction,
    entity: str,
    entity_id: int | None = None,
    *,
    hub_id: int | None = None,
    details: dict | None = None,
    actor: str | None = None,
) -> None:
    """Record an event that changes no row: a view of personal data, a login, a logout.

    ``actor`` names who acted when there is no logged-in user yet (a failed login's username).
    """
    actor_id, default_actor, ip = _actor()
    db.session.add(
        AuditLog(
            actor_id=actor_id,
            actor=actor or default_actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            hub_id=hub_id,
            changes={key: [None, _plain(value)] for key, value in (details or {}).items()},
            ip_address=ip,
        )
    )


def trail(*, hub_ids: list[int] | None, limit: int = 200, before_id: int | None = None) -> list[AuditLog]:
    """The newest entries, all of them (``hub_ids=None``) or those of the given hubs."""
    query = sa.select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if hub_ids is not None:
        query = query.where(AuditLog.hub_id.in_(hub_ids))
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    return list(db.session.scalars(query))
