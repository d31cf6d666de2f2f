"""Generating a month's draft: the planning problem built from the database (hubapp/rota/planning.py),
solved (hubapp/rota/generate.py) and checked against every hard rule before anything is written; publishing."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hubapp.common.jpcalendar import FiscalYear, HolidayCalendar
from hubapp.db import utcnow
from hubapp.extensions import db
from hubapp.rota import calendar as rota_calendar
from hubapp.rota.models import (
    AvailabilityKind,
    Duty,
    PhysicianGroup,
    ShiftType,
    Unavailability,
)
from hubapp.rota.planning import Category, Physician, Plan
from hubapp.rota.services.errors import RotaError


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
    #: soft working-hours rules the draft could not keep (in the solver's words)
    warnings: list[str] = field(default_factory=list)


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
    from hubapp.rota.services.groups import work_rules

    work = work_rules(group)
    plan = solver.cp_sat(slots, physicians, time_limit=time_limit, seed=seed, work=work)
    problems = solver.violations(plan, physicians, work)
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
    return Draft(plan, duties, solver.warnings(plan, physicians, work))


def publish(group: PhysicianGroup, first: date, last: date) -> int:
    """Make the period's draft visible to everyone (今夜の当番, feeds). Returns the number published."""
    result = db.session.execute(
        sa.update(Duty)
        .where(Duty.group_id == group.id, Duty.day >= first, Duty.day <= last, Duty.published_at.is_(None))
        .values(published_at=utcnow())
    )
    db.session.flush()
    return result.rowcount
