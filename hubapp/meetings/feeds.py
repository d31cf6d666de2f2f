"""Calendar subscriptions: a hub's meetings as a feed URL with a secret token, revocable.

The token is shown once, when the feed is made; the database keeps only its SHA-256 (hex), so a
copy of the database lets no one read the hub's calendar. A token is 32 random bytes
(``secrets.token_urlsafe``): a hash lookup needs no constant-time compare, and no salt is needed
against guessing 256 bits.
"""

import hashlib
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import attributes

from hubapp.common.jpcalendar import FiscalYear
from hubapp.core.services import today as today_in_japan
from hubapp.db import utcnow
from hubapp.extensions import db
from hubapp.meetings.models import CalendarFeed, Meeting
from hubapp.meetings.services import jst_datetime

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed(hub_id: int, user_id: int | None, label: str) -> tuple[CalendarFeed, str]:
    """A new feed and its token (to show once; only the hash is stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(hub_id=hub_id, created_by_id=user_id, label=label.strip()[:120], token_hash=hash_token(token))
    db.session.add(feed)
    db.session.flush()
    return feed, token


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed with this token, its ``last_used_at`` stamped; None for an unknown or revoked one.

    The stamp is a plain UPDATE, outside the ORM's audit trail: calendars fetch every few minutes,
    and their fetches are bookkeeping, not changes anyone made (``updated_at`` is left as it was).
    """
    if not token or len(token) > 200:
        return None
    feed = db.session.scalars(
        sa.select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None))
    ).first()
    if feed is None:
        return None
    now = utcnow()
    db.session.execute(
        sa.update(CalendarFeed.__table__)
        .where(CalendarFeed.__table__.c.id == feed.id)
        .values(last_used_at=now, updated_at=CalendarFeed.__table__.c.updated_at)
    )
    attributes.set_committed_value(feed, "last_used_at", now)
    return feed


def revoke(feed: CalendarFeed) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        db.session.flush()


def active_feeds(hub_id: int) -> list[CalendarFeed]:
    return list(
        db.session.scalars(
            sa.select(CalendarFeed)
            .where(CalendarFeed.hub_id == hub_id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.created_at, CalendarFeed.id)
        )
    )


def get_feed(hub_id: int, feed_id: int) -> CalendarFeed | None:
    return db.session.scalars(
        sa.select(CalendarFeed).where(CalendarFeed.id == feed_id, CalendarFeed.hub_id == hub_id)
    ).first()


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # February 29
        return day.replace(year=day.year - 1, day=28)


def feed_meetings(hub_id: int, today: date | None = None) -> list[Meeting]:
    """The hub's meetings of the past 12 months, this 年度 and the next, cancelled ones included (a
    calendar removes or strikes out an event it sees come back STATUS:CANCELLED)."""
    today = today or today_in_japan()
    fy = FiscalYear.of(today)
    since = jst_datetime(_year_before(today), datetime.min.time())
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.hub_id == hub_id, Meeting.starts_at >= since, Meeting.fiscal_year <= fy.year + 1)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
