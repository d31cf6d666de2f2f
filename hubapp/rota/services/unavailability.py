"""Days a physician cannot do: entered by the coordinator, or by the physician before the
group's deadline."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.jpcalendar import FiscalYear
from hubapp.extensions import db
from hubapp.rota.models import (
    AvailabilityKind,
    Duty,
    GroupMember,
    PhysicianGroup,
    Unavailability,
)
from hubapp.rota.services.errors import RotaError


def period_of(day: date, period: str) -> tuple[date, date]:
    """The month of ``day``, or with ``period == "quarter"`` its 年度 quarter (4–6, 7–9, 10–12, 1–3)."""
    if period == "quarter":
        fy = FiscalYear.of(day)
        return fy.quarter_range(fy.quarter_of(day))
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def unavailability_deadline(group: PhysicianGroup, day: date) -> date | None:
    """The last day physicians may enter unavailability for the month of ``day`` themselves (the group's
    deadline day of the month before), or None when the group sets no deadline."""
    if group.unavailability_deadline_day is None:
        return None
    previous = day.replace(day=1) - timedelta(days=1)
    return previous.replace(day=group.unavailability_deadline_day)


def first_open_month(group: PhysicianGroup, today_: date) -> date:
    """The first month whose unavailability physicians can still enter themselves."""
    month = today_.replace(day=1)
    while (deadline := unavailability_deadline(group, month)) is not None and today_ > deadline:
        month = (month + timedelta(days=32)).replace(day=1)
    return month


def add_unavailability(
    member: GroupMember,
    kind: AvailabilityKind | str,
    first: date | None,
    last: date | None,
    note: str = "",
    *,
    by_physician_on: date | None = None,
) -> Unavailability:
    """Record days ``member`` cannot (or would rather not) be on duty, from ``first`` to ``last`` (one day
    when ``last`` is None). ``by_physician_on`` (today) when the physician enters it themselves: days of a
    month whose deadline has passed are refused then (the coordinator, who has to mend the rota, enters
    late ones)."""
    try:
        kind = AvailabilityKind(kind)
    except ValueError:
        raise RotaError(_l("区分を選んでください。"), "kind") from None
    if first is None:
        raise RotaError(_l("日付を正しく入力してください。"), "first_day")
    last = first if last is None else last
    if last < first:
        raise RotaError(_l("終了日は開始日以降にしてください。"), "last_day")
    if (last - first).days > 366:
        raise RotaError(_l("期間は1年以内で入力してください。"), "last_day")
    if len(note.strip()) > 200:
        raise RotaError(_l("理由は200文字以内で入力してください。"), "note")
    if by_physician_on is not None:
        if first < by_physician_on:
            raise RotaError(_l("過ぎた日は登録できません。"), "first_day")
        deadline = unavailability_deadline(member.group, first)
        if deadline is not None and by_physician_on > deadline:
            raise RotaError(
                _l(
                    "%(month)d月分の受付は%(deadline)sで締め切りました。コーディネーターに連絡してください。",
                    month=first.month,
                    deadline=f"{deadline.month}月{deadline.day}日",
                ),
                "first_day",
            )
    entry = Unavailability(
        member_id=member.id, hub_id=member.group.hub_id, kind=kind, first_day=first, last_day=last, note=note.strip()
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def own_unavailability(member_ids: list[int], today_: date) -> list[Unavailability]:
    """A physician's days from today on, one line per entry made for several groups at once."""
    if not member_ids:
        return []
    entries = db.session.scalars(
        sa.select(Unavailability)
        .where(Unavailability.member_id.in_(member_ids), Unavailability.last_day >= today_)
        .order_by(Unavailability.first_day, Unavailability.id)
    )
    seen: set[tuple] = set()
    return [e for e in entries if (key := (e.kind, e.first_day, e.last_day, e.note)) not in seen and not seen.add(key)]


def add_own_unavailability(memberships: list[GroupMember], kind, first, last, note: str, today_: date) -> None:
    """The physician's own entry, made for every group they are in (each group's deadline applies)."""
    for member in memberships:
        add_unavailability(member, kind, first, last, note, by_physician_on=today_)


def may_delete_own_unavailability(member_ids: list[int], entry_id: int | None) -> bool:
    entry = db.session.get(Unavailability, entry_id or 0)
    return entry is not None and entry.member_id in member_ids


def delete_own_unavailability(member_ids: list[int], entry_id: int, today_: date) -> None:
    """Remove one of the physician's own entries, and its copies for their other groups; refused for days
    already past or of a month whose deadline has passed (those are the coordinator's to change, who has
    to mend the rota)."""
    entry = db.session.get(Unavailability, entry_id)
    if entry is None or entry.member_id not in member_ids:
        raise RotaError(_l("この登録は取り消せません。"))
    member = db.session.get(GroupMember, entry.member_id)
    deadline = unavailability_deadline(member.group, entry.first_day)
    if entry.first_day < today_ or (deadline is not None and today_ > deadline):
        raise RotaError(_l("締切後や過ぎた日の取り消しはコーディネーターに連絡してください。"))
    copies = db.session.scalars(
        sa.select(Unavailability).where(
            Unavailability.member_id.in_(member_ids),
            Unavailability.kind == entry.kind,
            Unavailability.first_day == entry.first_day,
            Unavailability.last_day == entry.last_day,
            Unavailability.note == entry.note,
        )
    )
    for copy in copies:
        db.session.delete(copy)
    db.session.flush()


@dataclass(frozen=True)
class Clash:
    """A published duty on a day its physician has since marked 不可: flagged until it is resolved (the
    duty changes hands, or the entry is removed)."""

    duty: Duty
    member_id: int
    is_primary: bool

    @property
    def role_label(self) -> str:
        return str(_l("当番（主）") if self.is_primary else _l("副・バックアップ"))


def clashes(
    first: date, last: date, *, group_id: int | None = None, member_ids: list[int] | None = None
) -> list[Clash]:
    """Published duties from ``first`` to ``last`` of one group (or of these members) whose primary or
    secondary is 不可 that day, in order (one query)."""
    holder = sa.or_(Unavailability.member_id == Duty.primary_id, Unavailability.member_id == Duty.secondary_id)
    statement = (
        sa.select(Duty, Unavailability.member_id)
        .join(
            Unavailability, sa.and_(holder, Unavailability.first_day <= Duty.day, Unavailability.last_day >= Duty.day)
        )
        .where(
            Unavailability.kind == AvailabilityKind.UNAVAILABLE,
            Duty.published_at.is_not(None),
            Duty.day >= first,
            Duty.day <= last,
        )
        .options(selectinload(Duty.shift_type))
        .order_by(Duty.starts_at, Unavailability.member_id)
        .distinct()
    )
    if group_id is not None:
        statement = statement.where(Duty.group_id == group_id)
    if member_ids is not None:
        statement = statement.where(Unavailability.member_id.in_(member_ids or [0]))
    return [Clash(duty, member_id, duty.primary_id == member_id) for duty, member_id in db.session.execute(statement)]


def month_states(group: PhysicianGroup, today_: date, months: int = 3) -> list[tuple[date, str, date | None]]:
    """What a physician may do about each coming month's days off, the current month first: ("published",
    the month's rota is out: ask for a swap), ("open", deadline) or ("closed", deadline: ask the
    coordinator). One query."""
    first = today_.replace(day=1)
    starts = [first]
    for _ in range(months - 1):
        starts.append((starts[-1] + timedelta(days=32)).replace(day=1))
    end = (starts[-1] + timedelta(days=32)).replace(day=1)
    published = {
        day.replace(day=1)
        for day in db.session.scalars(
            sa.select(Duty.day).where(
                Duty.group_id == group.id, Duty.published_at.is_not(None), Duty.day >= first, Duty.day < end
            )
        )
    }
    states = []
    for month in starts:
        deadline = unavailability_deadline(group, month)
        if month in published:
            states.append((month, "published", deadline))
        elif deadline is not None and today_ > deadline:
            states.append((month, "closed", deadline))
        else:
            states.append((month, "open", deadline))
    return states
