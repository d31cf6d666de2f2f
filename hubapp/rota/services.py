"""Rota rules: groups and their shifts, members, unavailability, generating a draft, publishing, and who
is on call now.

Generation goes through :func:`generate`, which builds the planning problem (hubapp/rota/planning.py)
from the database, runs the solver (hubapp/rota/generate.py) and checks the result against every hard
rule before anything is written.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.errors import DomainError
from hubapp.common.jpcalendar import FiscalYear, HolidayCalendar
from hubapp.db import utcnow
from hubapp.directory import services as directory
from hubapp.extensions import db
from hubapp.rota import calendar as rota_calendar
from hubapp.rota.models import (
    AppliesOn,
    AvailabilityKind,
    Duty,
    GroupHoliday,
    GroupMember,
    PhysicianGroup,
    ShiftType,
    Unavailability,
)
from hubapp.rota.planning import Category, Physician, Plan

if TYPE_CHECKING:
    from hubapp.directory.models import Person


class RotaError(DomainError):
    """A rota rule was broken; the message is for the user."""


#: The usual shifts of a home-care group (the issue's example): code, name, applies on, start, end, night.
DEFAULT_SHIFTS = (
    ("weekday_night", "平日夜間", AppliesOn.WEEKDAY, time(18, 0), time(8, 30), True),
    ("holiday_day", "休日日中", AppliesOn.HOLIDAY, time(8, 30), time(18, 0), False),
    ("holiday_night", "休日夜間", AppliesOn.HOLIDAY, time(18, 0), time(8, 30), True),
)


def create_group(hub_id: int, name: str, backup_hospital_id: int | None = None) -> PhysicianGroup:
    """A physician group of the hub with the usual shifts. ``backup_hospital_id`` must be one of
    :func:`hospital_choices` (checked: never another hub's hospital)."""
    if not name.strip():
        raise RotaError(_l("グループ名を入力してください。"), "name")
    if len(name.strip()) > 120:
        raise RotaError(_l("グループ名は120文字以内で入力してください。"), "name")
    if backup_hospital_id is not None and backup_hospital_id not in {i for i, _n in hospital_choices(hub_id)}:
        raise RotaError(_l("後方支援病院は地域資源の病院から選んでください。"), "backup_hospital")
    group = PhysicianGroup(hub_id=hub_id, name=name.strip(), backup_hospital_id=backup_hospital_id)
    for n, (code, label, applies_on, starts, ends, night) in enumerate(DEFAULT_SHIFTS):
        group.shift_types.append(
            ShiftType(
                code=code,
                name=label,
                applies_on=applies_on,
                starts=starts,
                ends=ends,
                is_night=night,
                sort_order=n * 10,
            )
        )
    db.session.add(group)
    db.session.flush()
    return group


def groups(hub_id: int) -> list[PhysicianGroup]:
    return list(
        db.session.scalars(sa.select(PhysicianGroup).where(PhysicianGroup.hub_id == hub_id).order_by(PhysicianGroup.id))
    )


def get_group(hub_id: int, group_id: int) -> PhysicianGroup | None:
    statement = (
        sa.select(PhysicianGroup)
        .where(PhysicianGroup.id == group_id, PhysicianGroup.hub_id == hub_id)
        .options(
            selectinload(PhysicianGroup.shift_types),
            selectinload(PhysicianGroup.extra_holidays),
            selectinload(PhysicianGroup.members).selectinload(GroupMember.person),
        )
    )
    return db.session.scalars(statement).first()


def add_member(
    group: PhysicianGroup,
    person: "Person",
    *,
    user_id: int | None = None,
    fte=1,
    cap: int | None = None,
    secondary_only: bool = False,
    is_new: bool = False,
) -> GroupMember:
    if person.hub_id != group.hub_id:
        raise RotaError(_l("別の拠点の関係者は加えられません。"), "person")
    if any(m.person_id == person.id for m in group.members):
        raise RotaError(_l("この医師はすでにグループにいます。"), "person")
    if not (0 < float(fte) <= 1):
        raise RotaError(_l("常勤換算は0.1〜1.0で入力してください。"), "fte")
    if cap is not None and cap < 0:
        raise RotaError(_l("月の上限は0以上で入力してください。"), "cap")
    member = GroupMember(
        person=person, user_id=user_id, fte=fte, max_duties_per_month=cap, secondary_only=secondary_only, is_new=is_new
    )
    group.members.append(member)
    db.session.flush()
    return member


def add_member_by_id(group: PhysicianGroup, person_id: int | None, **settings) -> GroupMember:
    """:func:`add_member` for the physician chosen on the group's page (one of the hub's people)."""
    person = directory.get_person(group.hub_id, person_id or 0)
    if person is None:
        raise RotaError(_l("医師を選んでください。"), "person")
    return add_member(group, person, **settings)


def update_group(
    group: PhysicianGroup,
    *,
    name: str,
    backup_hospital_id: int | None,
    swaps_need_approval: bool,
    deadline_day: int | None,
    has_overnight_permit: bool,
    started_on: date | None = None,
) -> None:
    """The group's settings. ``backup_hospital_id`` must be one of :func:`hospital_choices` (checked)."""
    if not name.strip():
        raise RotaError(_l("グループ名を入力してください。"), "name")
    if len(name.strip()) > 120:
        raise RotaError(_l("グループ名は120文字以内で入力してください。"), "name")
    if backup_hospital_id is not None and backup_hospital_id not in {i for i, _n in hospital_choices(group.hub_id)}:
        raise RotaError(_l("後方支援病院は地域資源の病院から選んでください。"), "backup_hospital")
    if deadline_day is not None and not 1 <= deadline_day <= 28:
        raise RotaError(_l("締切日は1〜28日で入力してください。"), "deadline_day")
    group.name = name.strip()
    group.backup_hospital_id = backup_hospital_id
    group.swaps_need_approval = swaps_need_approval
    group.unavailability_deadline_day = deadline_day
    group.has_overnight_permit = has_overnight_permit
    group.started_on = started_on
    db.session.flush()


def save_shift_type(
    group: PhysicianGroup,
    shift: ShiftType | None,
    *,
    name: str,
    applies_on: AppliesOn | None,
    starts: time,
    ends: time,
    is_night: bool,
) -> ShiftType:
    """Add a shift type (``shift`` None) or change one. Stored duties keep their times; the change applies
    to the drafts generated from now on."""
    if applies_on is None:
        raise RotaError(_l("平日か休日かを選んでください。"), "applies_on")
    name = name.strip()
    if not name or len(name) > 60:
        raise RotaError(_l("シフト名を60文字以内で入力してください。"), "name")
    if starts == ends:
        raise RotaError(_l("開始と終了を別の時刻にしてください。"), "ends")
    if any(s.name == name and s is not shift for s in group.shift_types):
        raise RotaError(_l("同じ名前のシフトがあります。"), "name")
    if shift is None:
        used = {s.code for s in group.shift_types}
        number = len(group.shift_types) + 1
        while f"shift_{number}" in used:
            number += 1
        shift = ShiftType(
            code=f"shift_{number}", sort_order=max((s.sort_order for s in group.shift_types), default=0) + 10
        )
        group.shift_types.append(shift)
    elif shift.applies_on != applies_on and _shift_in_use(shift.id):
        raise RotaError(
            _l("当番表で使われているシフトの平日・休日は変えられません。新しいシフトを作ってください。"), "applies_on"
        )
    shift.name, shift.applies_on, shift.starts, shift.ends, shift.is_night = name, applies_on, starts, ends, is_night
    db.session.flush()
    return shift


def _shift_in_use(shift_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Duty.shift_type_id == shift_id))))


def delete_shift_type(group: PhysicianGroup, shift: ShiftType) -> None:
    if _shift_in_use(shift.id):
        raise RotaError(_l("当番表で使われているシフトは削除できません。"))
    group.shift_types.remove(shift)
    db.session.flush()


def add_group_holiday(group: PhysicianGroup, day: date | None, name: str) -> None:
    """A day the group staffs as a 休日 (お盆, a local festival …). Drafts generated from now on use it."""
    if day is None:
        raise RotaError(_l("日付を正しく入力してください。"), "day")
    if any(h.day == day for h in group.extra_holidays):
        raise RotaError(_l("この日はすでに登録されています。"), "day")
    if len(name.strip()) > 60:
        raise RotaError(_l("名前は60文字以内で入力してください。"), "name")
    group.extra_holidays.append(GroupHoliday(day=day, name=name.strip()))
    db.session.flush()


def remove_group_holiday(group: PhysicianGroup, day: date) -> None:
    found = next((h for h in group.extra_holidays if h.day == day), None)
    if found is None:
        raise RotaError(_l("この日は登録されていません。"), "day")
    group.extra_holidays.remove(found)
    db.session.flush()


def update_member(
    member: GroupMember,
    *,
    fte,
    cap: int | None,
    secondary_only: bool,
    is_new: bool,
    is_active: bool,
    user_id: int | None,
) -> None:
    """A physician's rules in the group. An inactive physician gets no new duties; the duties already
    stored stay until the coordinator changes them."""
    if not (0 < float(fte) <= 1):
        raise RotaError(_l("常勤換算は0.1〜1.0で入力してください。"), "fte")
    if cap is not None and not 0 <= cap <= 31:
        raise RotaError(_l("月の上限は0〜31回で入力してください。"), "cap")
    member.fte, member.max_duties_per_month = fte, cap
    member.secondary_only, member.is_new, member.is_active, member.user_id = secondary_only, is_new, is_active, user_id
    db.session.flush()


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


def colleagues(memberships: list[GroupMember]) -> dict[int, list[GroupMember]]:
    """For each of a login's memberships (by group id), the group's other active members with their
    people, in the order they joined: whom a duty can be handed to. One query."""
    mine = {m.group_id: m.id for m in memberships}
    found: dict[int, list[GroupMember]] = {group_id: [] for group_id in mine}
    if not mine:
        return found
    statement = (
        sa.select(GroupMember)
        .where(GroupMember.group_id.in_(mine), GroupMember.is_active.is_(True))
        .options(selectinload(GroupMember.person))
        .order_by(GroupMember.id)
    )
    for member in db.session.scalars(statement):
        if member.id != mine[member.group_id]:
            found[member.group_id].append(member)
    return found


def hub_memberships(user_id: int, hub_id: int) -> list[GroupMember]:
    """A login's active memberships in one hub's groups, with their groups, by group name."""
    return list(
        db.session.scalars(
            sa.select(GroupMember)
            .join(PhysicianGroup, PhysicianGroup.id == GroupMember.group_id)
            .where(
                GroupMember.user_id == user_id,
                GroupMember.is_active.is_(True),
                PhysicianGroup.hub_id == hub_id,
            )
            .options(selectinload(GroupMember.group))
            .order_by(PhysicianGroup.name, GroupMember.id)
        )
    )


def group_member(group_id: int, member_id: int | None) -> GroupMember | None:
    """A member of ``group_id`` (None for another group's, or none)."""
    found = db.session.get(GroupMember, member_id) if member_id else None
    return found if found is not None and found.group_id == group_id else None


def group_names(hub_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(PhysicianGroup.id, PhysicianGroup.name).where(PhysicianGroup.hub_id == hub_id)
        ).all()
    )


def own_memberships(user_id: int) -> list[GroupMember]:
    """The active memberships of a physician's login, with their groups."""
    return list(
        db.session.scalars(
            sa.select(GroupMember)
            .where(GroupMember.user_id == user_id, GroupMember.is_active.is_(True))
            .options(selectinload(GroupMember.group))
        )
    )


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


def holiday_calendar(group: PhysicianGroup, year_end) -> HolidayCalendar:
    return HolidayCalendar(year_end=year_end, extra={h.day: h.name or "休日" for h in group.extra_holidays})


def _history(group: PhysicianGroup, first: date) -> dict[int, Counter]:
    """Duties each member has done this 年度 before ``first``, per category (one query)."""
    fy = FiscalYear.of(first)
    loads: dict[int, Counter] = {}
    for column, weekday_cat, holiday_cat in (
        (Duty.primary_id, Category.WEEKDAY_PRIMARY, Category.HOLIDAY_PRIMARY),
        (Duty.secondary_id, Category.WEEKDAY_SECONDARY, Category.HOLIDAY_SECONDARY),
    ):
        rows = db.session.execute(
            sa.select(column, Duty.is_holiday, sa.func.count())
            .where(Duty.group_id == group.id, Duty.day >= fy.start, Duty.day < first, column.is_not(None))
            .group_by(column, Duty.is_holiday)
        )
        for member_id, is_holiday, count in rows:
            loads.setdefault(member_id, Counter())[holiday_cat if is_holiday else weekday_cat] += count
    return loads


def _outside_primary_nights(group: PhysicianGroup, first: date, last: date) -> dict[int, set[date]]:
    """Primary night duties of the days just before ``first`` and just after ``last`` (one query), so that
    the two-free-nights rule holds across the edges of the planned period."""
    from hubapp.rota.generate import NIGHT_GAP_DAYS

    gap = timedelta(days=NIGHT_GAP_DAYS)
    rows = db.session.execute(
        sa.select(Duty.primary_id, Duty.day)
        .join(ShiftType, ShiftType.id == Duty.shift_type_id)
        .where(
            Duty.group_id == group.id,
            Duty.primary_id.is_not(None),
            ShiftType.is_night.is_(True),
            sa.or_(
                sa.and_(Duty.day >= first - gap, Duty.day < first), sa.and_(Duty.day > last, Duty.day <= last + gap)
            ),
        )
    )
    found: dict[int, set[date]] = {}
    for member_id, day in rows:
        found.setdefault(member_id, set()).add(day)
    return found


def planning_input(group: PhysicianGroup, first: date, last: date, year_end) -> tuple[list, list[Physician]]:
    """The slots of the period and the group's active physicians as the solver sees them."""
    slots = rota_calendar.slots(group.shift_types, first, last, holiday_calendar(group, year_end))
    members = [m for m in group.members if m.is_active]
    days: dict[tuple[int, AvailabilityKind], set[date]] = {}
    for entry in db.session.scalars(
        sa.select(Unavailability).where(
            Unavailability.member_id.in_([m.id for m in members]),
            Unavailability.last_day >= first,
            Unavailability.first_day <= last,
        )
    ):
        day = max(entry.first_day, first)
        while day <= min(entry.last_day, last):
            days.setdefault((entry.member_id, entry.kind), set()).add(day)
            day += timedelta(days=1)
    history = _history(group, first)
    outside = _outside_primary_nights(group, first, last)
    months = max(1, round(((last - first).days + 1) / 30))
    physicians = [
        Physician(
            id=m.id,
            name=m.person.name,
            fte=float(m.fte),
            max_duties=m.max_duties_per_month * months if m.max_duties_per_month is not None else None,
            secondary_only=m.secondary_only,
            is_new=m.is_new,
            unavailable=frozenset(days.get((m.id, AvailabilityKind.UNAVAILABLE), ())),
            prefer_not=frozenset(days.get((m.id, AvailabilityKind.PREFER_NOT), ())),
            history=dict(history.get(m.id, {})),
            outside_primary_nights=frozenset(outside.get(m.id, ())),
        )
        for m in members
    ]
    return slots, physicians


@dataclass
class Draft:
    plan: Plan
    duties: list[Duty]


def generate(
    group: PhysicianGroup,
    first: date,
    last: date,
    *,
    year_end=((12, 29), (1, 3)),
    time_limit=10.0,
    seed: int = 0,
    today_: date | None = None,
) -> Draft:
    """自動作成: replace the period's unpublished duties with the solver's best plan. With ``today_`` (the
    coordinator's button), a period that has already ended is refused: it is history, its duties are not
    rebuilt (the current month, or a quarter still running, may be generated again; published past days
    are kept)."""
    from hubapp.rota import generate as solver

    if today_ is not None and last < today_:
        raise RotaError(
            _l(
                "過去の月は自動作成できません（今日より前の当番は作り直せません）。"
                "このアプリで管理を始める前の月は、グループ設定の「運用開始日」で集計の対象外にしてください。"
            )
        )

    published = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Duty)
        .where(Duty.group_id == group.id, Duty.day >= first, Duty.day <= last, Duty.published_at.is_not(None))
    )
    if published:
        raise RotaError(_l("公開済みの当番がある期間は自動作成できません。個別に変更してください。"))
    slots, physicians = planning_input(group, first, last, year_end)
    if not slots:
        raise RotaError(_l("この期間に当番の枠がありません。シフトの種類を確認してください。"))
    plan = solver.cp_sat(slots, physicians, time_limit=time_limit, seed=seed)
    problems = solver.violations(plan, physicians)
    if problems:  # a safety net: never store a rota that breaks a hard rule
        raise RotaError(_l("作成した当番表が条件を満たしませんでした: %(p)s", p="; ".join(problems[:3])))
    db.session.execute(sa.delete(Duty).where(Duty.group_id == group.id, Duty.day >= first, Duty.day <= last))
    shifts = {s.code: s for s in group.shift_types}
    duties = []
    for assignment in plan.assignments:
        shift = shifts[assignment.slot.shift]
        starts_at, ends_at = rota_calendar.shift_window(assignment.slot.day, shift.starts, shift.ends)
        duty = Duty(
            group_id=group.id,
            hub_id=group.hub_id,
            shift_type_id=shift.id,
            day=assignment.slot.day,
            starts_at=starts_at,
            ends_at=ends_at,
            is_holiday=assignment.slot.is_holiday,
            primary_id=assignment.primary,
            secondary_id=assignment.secondary,
            fiscal_year=FiscalYear.of(assignment.slot.day).year,
        )
        db.session.add(duty)
        duties.append(duty)
    db.session.flush()
    return Draft(plan, duties)


def publish(group: PhysicianGroup, first: date, last: date) -> int:
    """Make the period's draft visible to everyone (今夜の当番, feeds). Returns the number published."""
    result = db.session.execute(
        sa.update(Duty)
        .where(Duty.group_id == group.id, Duty.day >= first, Duty.day <= last, Duty.published_at.is_(None))
        .values(published_at=utcnow())
    )
    db.session.flush()
    return result.rowcount


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


def hospital_choices(hub_id: int) -> list[tuple[int, str]]:
    """Candidates for the backup hospital (the directory's hospitals)."""
    from hubapp.directory.services import hospital_choices as hospitals

    return hospitals(hub_id)


def physician_choices(hub_id: int, group: PhysicianGroup) -> list[tuple[int, str]]:
    """The hub's physicians from the directory who are not yet in the group."""
    from hubapp.common.vocabulary import Profession

    taken = {m.person_id for m in group.members}
    return [(pid, name) for pid, name in directory.profession_choices(hub_id, Profession.PHYSICIAN) if pid not in taken]


def physician_user_choices(hub_id: int) -> list[tuple[int, str]]:
    """Logins with the physician role in this hub (to link a member to the account they use)."""
    from hubapp.common.roles import Role
    from hubapp.hubs import services as hubs

    return [(uid, f"{name}（{username}）") for uid, name, username in hubs.member_logins(hub_id, [Role.PHYSICIAN])]


def hub_physician_user(hub_id: int, user_id: int | None) -> int | None:
    """``user_id`` if it is a physician login of this hub, else None."""
    if not user_id:
        return None
    return user_id if user_id in {uid for uid, _ in physician_user_choices(hub_id)} else None


def compliance_facts(hub_id: int, fy: FiscalYear, as_of: date, year_end=((12, 29), (1, 3))):
    """What C-3-c and the pair/代診 items count for the 年度 up to ``as_of``: a
    :class:`hubapp.rota.coverage.RotaFacts` (each group's coverage, pairs, 代診 visits)."""
    from hubapp.rota import coverage

    return coverage.year_facts(hub_id, fy, as_of, year_end)


def summary_document_path(document):
    """Where a month summary's evidence file is on disk (for the evidence pack)."""
    from hubapp.rota import summaries

    return summaries.path_of(document)
