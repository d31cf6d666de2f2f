"""Writing the audit trail.

Every flush of the ORM session prepares an ``audit_logs`` row for each created, changed or deleted record
(``after_flush``); views of personal data, logins and exports are prepared with :func:`record`. The rows are
written at commit, in the same transaction as the changes, at the end of the hash chain
(:mod:`hubapp.audit.chain`): a change without its record cannot be committed, and a rolled-back change
leaves no record.
"""

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from hubapp.audit import chain
from hubapp.audit.models import AuditAction, AuditChain, AuditLog, AuditReview
from hubapp.common.errors import DomainError
from hubapp.core.services import JST
from hubapp.db import JSONText, utcnow
from hubapp.extensions import db

_log = logging.getLogger("hubapp.audit")

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


def _actor() -> tuple[int | None, str, str | None, str | None]:
    """(user id, name, address, role) of whoever acts now."""
    if has_request_context():
        ip = request.remote_addr
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username, ip, current_user.role.value
        return None, "anonymous", ip, None
    return None, _cli_actor.get() or "system", None, None


#: Where prepared rows wait for the commit, in the session's ``info``.
_PENDING = "audit_pending"
_OUTCOMES = {
    AuditAction.LOGIN_FAILED: "failure",
    AuditAction.MFA_FAILED: "failure",
    AuditAction.ACCESS_DENIED: "denied",
}


def _row(action: AuditAction, entity: str, entity_id, hub_id, changes: dict, actor: str | None = None) -> dict:
    actor_id, default_actor, ip, role = _actor()
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor": (actor or default_actor)[:80],
        "role": role,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "hub_id": hub_id,
        "changes": changes,
        "ip_address": ip,
        "outcome": _OUTCOMES.get(action, "success"),
    }


def _prepare(session: Session, rows: list[dict]) -> None:
    if not session.in_transaction():
        session.begin()  # so that a rollback (or the session's end) before the commit drops these rows
    nested = session.get_nested_transaction()
    session.info.setdefault(_PENDING, []).extend((nested, row) for row in rows)


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
    return isinstance(obj, db.Model) and not isinstance(obj, AuditLog | AuditChain)


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
            rows.append(_row(action, obj.__tablename__, _primary_key(obj), _hub_of(obj), changes))
    if rows:
        _prepare(session, rows)


@event.listens_for(Session, "before_commit")
def _append_to_chain(session: Session) -> None:
    """At commit: the last flush first (its rows are prepared by ``after_flush``), then every prepared row
    at the end of the chain, in this transaction."""
    session.flush()
    pending = session.info.pop(_PENDING, [])
    if pending:
        chain.append(session.connection(), [row for _nested, row in pending])


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    """A rolled-back savepoint drops the rows prepared inside it; a rolled-back transaction drops all."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if previous_transaction.nested:
        session.info[_PENDING] = [(n, row) for n, row in pending if n is not previous_transaction]
    else:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction) -> None:
    """Whatever ends the outermost transaction without a commit (close, rollback) drops what was prepared."""
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)


def record_inserted(model: type, rows: list[dict]) -> None:
    """Audit rows inserted through Core in bulk (the directory import of a national file) exactly as the
    flush would have audited them one by one: a CREATE per row with every column but the ignored ones.
    ``rows``: the inserted values, each with its ``id``. Appended to the chain at once, in this transaction
    (after what was prepared before them), so that 100,000 rows are not all held until the commit."""
    table = model.__table__
    ignored = _ALWAYS_IGNORED | getattr(model, "__audit_ignored__", frozenset())
    masked = getattr(model, "__audit_masked__", frozenset())
    names = [c.name for c in table.columns if c.name not in ignored]
    plain_types = (str, int, float, bool, type(None))
    template = _row(AuditAction.CREATE, table.name, None, None, {})  # who, when: the same for every row
    masked_names = [name for name in names if name in masked]
    prepared = []
    for values in rows:
        changes = {
            name: [None, value if type(value) in plain_types else _plain(value)]
            for name in names
            for value in (values.get(name),)
        }
        for name in masked_names:
            changes[name] = [None, MASK if values.get(name) is not None else None]
        # serialised once, as the chain hashes it and as it is stored
        row = {**template, "entity_id": values["id"], "hub_id": values.get("hub_id")}
        row["changes"] = JSONText(chain.canonical(changes))
        prepared.append(row)
    if prepared:
        session = db.session()
        session.flush()  # rows of the ORM's pending changes first, in order
        earlier = [row for _nested, row in session.info.pop(_PENDING, [])]
        chain.append(session.connection(), earlier + prepared)


def record(
    action: AuditAction,
    entity: str,
    entity_id: int | None = None,
    *,
    hub_id: int | None = None,
    details: dict | None = None,
    actor: str | None = None,
) -> None:
    """Record an event that changes no row: a view of personal data, a login, a logout, an export. It is
    written at the next commit.

    ``actor`` names who acted when there is no logged-in user yet (a failed login's username).
    """
    changes = {key: [None, _plain(value)] for key, value in (details or {}).items()}
    row = _row(AuditAction(action), entity, entity_id, hub_id, changes, actor)
    _prepare(db.session(), [row])
    # The event in the application log too (for log shipping), without its details: they may hold personal
    # data, which stays in the trail.
    _log.info(
        "audit %s %s %s actor=%s role=%s outcome=%s address=%s",
        row["action"].value, entity, entity_id or "", row["actor"], row["role"] or "", row["outcome"],
        row["ip_address"] or "",
    )  # fmt: skip


@dataclass(frozen=True)
class TrailFilter:
    """What the trail page narrows to: hubs (None: all), a login name, an action, a period of JST days."""

    hub_ids: list[int] | None = None
    actor: str = ""
    action: AuditAction | None = None
    day_from: date | None = None
    day_to: date | None = None

    def where(self) -> list:
        conditions = []
        if self.hub_ids is not None:
            conditions.append(AuditLog.hub_id.in_(self.hub_ids))
        if self.actor:
            conditions.append(AuditLog.actor == self.actor)
        if self.action is not None:
            conditions.append(AuditLog.action == self.action)
        if self.day_from is not None:
            conditions.append(AuditLog.at >= _jst_midnight(self.day_from))
        if self.day_to is not None:
            conditions.append(AuditLog.at < _jst_midnight(self.day_to + timedelta(days=1)))
        return conditions


def _jst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JST).astimezone(UTC)


def trail(
    *,
    hub_ids: list[int] | None = None,
    limit: int = 200,
    before_id: int | None = None,
    filters: TrailFilter | None = None,
) -> list[AuditLog]:
    """The newest entries matching ``filters`` (or of ``hub_ids``), ``limit`` of them, older than
    ``before_id`` (keyset paging: the same cost on page 1 and page 1,000)."""
    filters = filters or TrailFilter(hub_ids=hub_ids)
    query = sa.select(AuditLog).where(*filters.where()).order_by(AuditLog.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    return list(db.session.scalars(query))


def trail_rows(filters: TrailFilter, batch: int = 2000) -> Iterator[AuditLog]:
    """Every matching entry, oldest first, streamed in batches (for the export)."""
    after = 0
    while True:
        rows = list(
            db.session.scalars(
                sa.select(AuditLog).where(*filters.where(), AuditLog.id > after).order_by(AuditLog.id).limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].id
        db.session.expunge_all()


def count(filters: TrailFilter) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(*filters.where()))


def reviews(limit: int = 20) -> list[AuditReview]:
    return list(db.session.scalars(sa.select(AuditReview).order_by(AuditReview.id.desc()).limit(limit)))


class AuditError(DomainError):
    pass


def add_review(reviewer, day_from: date | None, day_to: date | None, note: str, today: date) -> AuditReview:
    """定期的な確認: the reviewer went through this period (ending today at the latest); the chain is verified
    now and the result kept."""
    if day_from is None or day_to is None:
        raise AuditError(
            _l("確認した期間の開始日と終了日を 2026-04-01 の形で入力してください。"),
            "from" if day_from is None else "to",
        )
    if day_from > day_to or day_to > today:
        raise AuditError(_l("確認した期間は、開始日が終了日以前で、今日までの日付にしてください。"), "to")
    note = note.strip()
    if len(note) > 2000:
        raise AuditError(_l("所見は2000文字以内で入力してください。"), "note")
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    review = AuditReview(
        period_from=day_from,
        period_to=day_to,
        reviewer_id=reviewer.id,
        reviewer=reviewer.username,
        entries=count(TrailFilter(day_from=day_from, day_to=day_to)),
        chain_intact=verdict.intact,
        note=note,
    )
    db.session.add(review)
    db.session.flush()
    return review
