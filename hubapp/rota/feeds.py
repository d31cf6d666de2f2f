"""Rota calendar feeds: a physician's own duties (personal feed) or a whole group's (group feed) as a
subscription URL with a secret token, revocable, read by calendar apps without a login.

As for the meetings' feeds (hubapp/meetings/feeds.py) the token is shown once, when the feed is made;
the database keeps only its SHA-256 (hex). A token is 32 random bytes (``secrets.token_urlsafe``), so a
hash lookup needs no constant-time compare and no salt.
"""

import hashlib
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, attributes, mapped_column, selectinload

from hubapp.core.services import today as today_in_japan
from hubapp.db import TimestampMixin, UTCDateTime, utcnow
from hubapp.extensions import db
from hubapp.rota.models import Duty, GroupMember, PhysicianGroup

TOKEN_BYTES = 32
#: The window a feed carries: published duties from two months back to six months ahead.
MONTHS_BACK, MONTHS_AHEAD = 2, 6

__all__ = [
    "RotaFeed",
    "create_group_feed",
    "create_personal_feed",
    "feed_duties",
    "feed_for_token",
    "feeds_of_user",
    "get_feed",
    "group_feeds",
    "hash_token",
    "member_names",
    "revoke",
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class RotaFeed(TimestampMixin, db.Model):
    """A rota subscription: personal (``member_id`` set: that physician's duties) or of a group
    (``member_id`` empty: every duty of ``group_id``). Only the token's hash is kept."""

    __tablename__ = "rota_feeds"
    __audit_masked__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_members.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_personal(self) -> bool:
        return self.member_id is not None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _create(hub_id: int, group_id: int, member_id: int | None, user_id: int | None) -> tuple[RotaFeed, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = RotaFeed(
        hub_id=hub_id, group_id=group_id, member_id=member_id, created_by_id=user_id, token_hash=hash_token(token)
    )
    db.session.add(feed)
    db.session.flush()
    return feed, token


def create_personal_feed(member: GroupMember, user_id: int | None) -> tuple[RotaFeed, str]:
    """A feed of the member's own duties and its token (to show once; only the hash is stored)."""
    return _create(member.group.hub_id, member.group_id, member.id, user_id)


def create_group_feed(group: PhysicianGroup, user_id: int | None) -> tuple[RotaFeed, str]:
    """A feed of all the group's duties and its token (to show once; only the hash is stored)."""
    return _create(group.hub_id, group.id, None, user_id)


def feed_for_token(token: str) -> RotaFeed | None:
    """The active feed with this token, its ``last_used_at`` stamped; None for an unknown or revoked one.

    The stamp is a plain UPDATE outside the ORM's audit trail (calendar polls are bookkeeping, not
    changes anyone made; ``updated_at`` stays as it was).
    """
    if not token or len(token) > 200:
        return None
    feed = db.session.scalars(
        sa.select(RotaFeed).where(RotaFeed.token_hash == hash_token(token), RotaFeed.revoked_at.is_(None))
    ).first()
    if feed is None:
        return None
    now = utcnow()
    table = RotaFeed.__table__
    db.session.execute(
        sa.update(table).where(table.c.id == feed.id).values(last_used_at=now, updated_at=table.c.updated_at)
    )
    attributes.set_committed_value(feed, "last_used_at", now)
    return feed


def revoke(feed: RotaFeed) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        db.session.flush()


def get_feed(hub_id: int, feed_id: int) -> RotaFeed | None:
    return db.session.scalars(sa.select(RotaFeed).where(RotaFeed.id == feed_id, RotaFeed.hub_id == hub_id)).first()


def feeds_of_user(user_id: int, hub_id: int | None = None) -> list[RotaFeed]:
    """The user's active feeds: the personal feeds of their memberships and the feeds they made."""
    own_members = sa.select(GroupMember.id).where(GroupMember.user_id == user_id)
    statement = sa.select(RotaFeed).where(
        RotaFeed.revoked_at.is_(None),
        sa.or_(RotaFeed.member_id.in_(own_members), RotaFeed.created_by_id == user_id),
    )
    if hub_id is not None:
        statement = statement.where(RotaFeed.hub_id == hub_id)
    return list(db.session.scalars(statement.order_by(RotaFeed.created_at, RotaFeed.id)))


def group_feeds(hub_id: int) -> list[RotaFeed]:
    """The hub's active group feeds (whoever made them), for its coordinators."""
    return list(
        db.session.scalars(
            sa.select(RotaFeed)
            .where(RotaFeed.hub_id == hub_id, RotaFeed.member_id.is_(None), RotaFeed.revoked_at.is_(None))
            .order_by(RotaFeed.created_at, RotaFeed.id)
        )
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def feed_window(today: date) -> tuple[date, date]:
    """(first day, last day) of the feed: the 1st of the month two months back to the end of the sixth
    month ahead."""
    return _add_months(today, -MONTHS_BACK), date.fromordinal(_add_months(today, MONTHS_AHEAD + 1).toordinal() - 1)


def feed_duties(feed: RotaFeed, today: date | None = None) -> list[Duty]:
    """The feed's published duties of :func:`feed_window`, in order, with their shift types (two queries).

    Personal: those where the member is primary or secondary; group: all of the group's.
    """
    first, last = feed_window(today or today_in_japan())
    statement = sa.select(Duty).where(
        Duty.hub_id == feed.hub_id, Duty.published_at.is_not(None), Duty.day >= first, Duty.day <= last
    )
    if feed.member_id is not None:
        statement = statement.where(sa.or_(Duty.primary_id == feed.member_id, Duty.secondary_id == feed.member_id))
    else:
        statement = statement.where(Duty.group_id == feed.group_id)
    return list(
        db.session.scalars(statement.options(selectinload(Duty.shift_type)).order_by(Duty.starts_at, Duty.day, Duty.id))
    )


def member_names(duties: list[Duty]) -> dict[int, str]:
    """member id -> the physician's name, for the members on ``duties`` (one query, none when empty)."""
    from sqlalchemy.orm import joinedload

    ids = {i for d in duties for i in (d.primary_id, d.secondary_id) if i is not None}
    if not ids:
        return {}
    members = db.session.scalars(
        sa.select(GroupMember).where(GroupMember.id.in_(ids)).options(joinedload(GroupMember.person))
    )
    return {member.id: member.person.name for member in members}


def feed_subject(feed) -> tuple:
    """(the group, the member or None) a feed shows; None for a group that is gone."""
    group = db.session.get(PhysicianGroup, feed.group_id) if feed.group_id is not None else None
    member = db.session.get(GroupMember, feed.member_id) if feed.member_id is not None else None
    return group, member
