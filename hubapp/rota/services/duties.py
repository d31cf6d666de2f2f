"""Duties as they are read: who is on call now, a month's duties, a physician's own."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hubapp.extensions import db
from hubapp.rota.models import (
    Duty,
    GroupMember,
    PhysicianGroup,
)


@dataclass
class OnCall:
    duty: Duty
    primary: GroupMember | None
    secondary: GroupMember | None


def on_call(hub_id: int, now: datetime, days: int = 7) -> list[OnCall]:
    """Published duties of the hub's groups from the one running now to ``days`` ahead (three queries)."""
    duties = list(
        db.session.scalars(
            sa.select(Duty)
            .where(
                Duty.hub_id == hub_id,
                Duty.published_at.is_not(None),
                Duty.ends_at > now,
                Duty.starts_at < now + timedelta(days=days),
            )
            .options(selectinload(Duty.shift_type))
            .order_by(Duty.starts_at, Duty.id)
        )
    )
    ids = {i for d in duties for i in (d.primary_id, d.secondary_id) if i}
    members = (
        {
            m.id: m
            for m in db.session.scalars(
                sa.select(GroupMember).where(GroupMember.id.in_(ids)).options(selectinload(GroupMember.person))
            )
        }
        if ids
        else {}
    )
    return [OnCall(d, members.get(d.primary_id), members.get(d.secondary_id)) for d in duties]


def month_duties(group: PhysicianGroup, first: date, last: date) -> list[Duty]:
    """The group's duties of the period, drafts included, in order (two queries)."""
    return list(
        db.session.scalars(
            sa.select(Duty)
            .where(Duty.group_id == group.id, Duty.day >= first, Duty.day <= last)
            .options(selectinload(Duty.shift_type))
            .order_by(Duty.day, Duty.starts_at)
        )
    )


def published_duties_of(member_ids: list[int], ending_after: datetime, limit: int = 60) -> list[Duty]:
    """Published duties where any of these members is primary or secondary, not yet over, in order."""
    if not member_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Duty)
            .where(
                sa.or_(Duty.primary_id.in_(member_ids), Duty.secondary_id.in_(member_ids)),
                Duty.published_at.is_not(None),
                Duty.ends_at > ending_after,
            )
            .options(selectinload(Duty.shift_type))
            .order_by(Duty.starts_at)
            .limit(limit)
        )
    )
