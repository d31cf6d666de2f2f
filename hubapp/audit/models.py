"""The audit trail: an append-only record of who created, changed, deleted or viewed what, and when.

Rows are only ever inserted. The migration adds database triggers that refuse UPDATE and DELETE on
``audit_logs`` (SQLite and PostgreSQL), so not even a bug or a console session can rewrite history.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hubapp.common.vocabulary import ACTION_LABELS, AuditAction  # noqa: F401 (the trail's own names)
from hubapp.db import UTCDateTime, enum_column, utcnow
from hubapp.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: The acting user; kept as a plain id (no foreign key) so the record outlives the account.
    actor_id: Mapped[int | None]
    #: The actor's login name at the time, or ``cli:<command>`` for command-line changes.
    actor: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, length=16))
    #: Table name of the record concerned.
    entity: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[int | None]
    #: The hub the record belongs to, so a hub's coordinator can read its own trail.
    hub_id: Mapped[int | None] = mapped_column(index=True)
    #: {column: [old, new]} for changes; masked columns show ``***``.
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    #: The actor's role at the time (None for anonymous attempts and the command line).
    role: Mapped[str | None] = mapped_column(sa.String(32))

    @property
    def role_label(self) -> str:
        """The role as users name it (コーディネーター), or the stored value when it is no role any more."""
        from hubapp.common.roles import Role

        try:
            return str(Role(self.role).label) if self.role else ""
        except ValueError:
            return self.role or ""
    #: success, failure (a wrong password or code) or denied (403).
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    #: Position in the hash chain (1, 2, 3… with no gap) and SHA-256 of this row with the previous row's
    #: hash (hubapp/audit/chain.py). None only for rows written before the chain began.
    seq: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True, index=True)
    row_hash: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index(None, "entity", "entity_id"), sa.Index(None, "actor", "at"))


class AuditChain(db.Model):
    """The tip of the hash chain: one row, locked by every transaction that appends to the trail, so that
    appends are serialised and the last row cannot be deleted unnoticed."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class AuditReview(db.Model):
    """定期的な確認: who looked through which period of the trail, when, and whether the chain was intact."""

    __tablename__ = "audit_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewer: Mapped[str] = mapped_column(sa.String(80))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entries: Mapped[int]
    chain_intact: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.CheckConstraint("period_from <= period_to", name="period_in_order"),)
