"""Records of the rota besides the duties themselves: 主治医・副主治医 pairs of enrolled patients,
and the log of 代診 (substitute visits) and 出動 (call-outs) actually made.

Patients are known by a pseudonymous code only (:func:`clean_patient_code`): the hub needs to know which
two physicians cover each other, not who the patient is.

What the coordinator is shown, computed here so that the views only call these functions, each with a
fixed number of queries whatever the number of rows:

- :func:`pair_warnings`: days in the next 60 days on which both physicians of a pair are away
  (不可 entries of both overlap).
- :func:`totals`: per physician, 代診 and 出動 counts and 出動 hours for the month and the 年度.
- :func:`rest_warnings`: 勤務間インターバル (2024 医師の働き方改革) — after a night call-out (running between
  22:00 and 05:00 in Japan) the physician needs 9 hours' continuous rest (代償休息) after it ends; a
  logged call-out or 代診, or a published duty, that starts before then is listed.
- :func:`permit_counts`: for groups with a 宿日直許可, the weeks with more than one 宿直 and the months
  with more than one 日直 per physician (宿日直許可基準: 宿直 at most once a week, 日直 once a month).

These are information for the coordinator, not rules that block a record.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from hubapp.common import pseudonyms
from hubapp.common.jpcalendar import FiscalYear
from hubapp.core.services import JST, today
from hubapp.directory.models import Person
from hubapp.extensions import db
from hubapp.rota import calendar as rota_calendar
from hubapp.rota.models import (
    AvailabilityKind,
    Duty,
    DutyLog,
    DutyLogKind,
    GroupMember,
    PatientPair,
    PhysicianGroup,
    ShiftType,
    Unavailability,
)
from hubapp.rota.services import RotaError

CODE_LENGTH = pseudonyms.CODE_LENGTH
NOTE_LENGTH = 200
#: Dates before this are typing mistakes (and 和暦 needs a date after 明治).
EARLIEST = date(2000, 1, 1)
#: How far ahead the pair page looks for days both physicians are away.
PAIR_DAYS_AHEAD = 60
#: 勤務間インターバル after a night call-out (代償休息).
REST = timedelta(hours=9)
#: A call-out that runs between these times in Japan is a night call-out.
NIGHT_STARTS, NIGHT_ENDS = time(22, 0), time(5, 0)


# --- patient codes ----------------------------------------------------------------------------------------


def clean_patient_code(text: str | None, *, required: bool = True) -> str:
    """The shared rule of :mod:`hubapp.common.pseudonyms`, raising :class:`RotaError`."""
    return pseudonyms.clean_patient_code(text, required=required, error=RotaError)


# --- members ----------------------------------------------------------------------------------------------


def hub_members(hub_id: int) -> list[GroupMember]:
    """The active members of the hub's groups, with their person and group (one query), by group and
    kana."""
    return list(
        db.session.scalars(
            sa.select(GroupMember)
            .join(PhysicianGroup, GroupMember.group_id == PhysicianGroup.id)
            .join(Person, GroupMember.person_id == Person.id)
            .where(PhysicianGroup.hub_id == hub_id, GroupMember.is_active.is_(True))
            .options(joinedload(GroupMember.person), joinedload(GroupMember.group))
            .order_by(PhysicianGroup.id, Person.kana_key, GroupMember.id)
        )
    )


def member_hub_id(member_id: int) -> int | None:
    """The hub of a group member (None when there is no such member)."""
    return db.session.scalar(
        sa.select(PhysicianGroup.hub_id)
        .join(GroupMember, GroupMember.group_id == PhysicianGroup.id)
        .where(GroupMember.id == member_id)
    )


# --- 主治医・副主治医 --------------------------------------------------------------------------------------------


def add_pair(
    group: PhysicianGroup | None,
    patient_code: str,
    attending_id: int | None,
    deputy_id: int | None,
    started_on: date | None,
) -> PatientPair:
    """Record who is 主治医 and 副主治医 of a patient from ``started_on`` (today when None); both are active
    members of ``group``."""
    if group is None:
        raise RotaError(_l("医師グループを選んでください。"), "group")
    code = clean_patient_code(patient_code)
    started_on = today() if started_on is None else started_on
    if not EARLIEST <= started_on <= today() + timedelta(days=366):
        raise RotaError(_l("開始日を正しく入力してください。"), "started_on")
    if attending_id is None:
        raise RotaError(_l("主治医を選んでください。"), "attending")
    if deputy_id is None:
        raise RotaError(_l("副主治医を選んでください。"), "deputy")
    if attending_id == deputy_id:
        raise RotaError(_l("主治医と副主治医には別の医師を選んでください。"), "deputy")
    active = {m.id for m in group.members if m.is_active}
    for member_id, name in ((attending_id, "attending"), (deputy_id, "deputy")):
        if member_id not in active:
            raise RotaError(_l("主治医・副主治医は「%(group)s」の医師から選んでください。", group=group.name), name)
    taken = db.session.scalars(
        sa.select(PatientPair).where(PatientPair.group_id == group.id, PatientPair.patient_code == code)
    ).first()
    if taken is not None:
        if taken.ended_on is None:
            raise RotaError(
                _l("患者コード %(code)s はこのグループにすでに登録されています。", code=code), "patient_code"
            )
        raise RotaError(
            _l("患者コード %(code)s は終了した組み合わせで使われています。別のコードにしてください。", code=code),
            "patient_code",
        )
    pair = PatientPair(
        hub_id=group.hub_id,
        group_id=group.id,
        patient_code=code,
        attending_id=attending_id,
        deputy_id=deputy_id,
        started_on=started_on,
    )
    db.session.add(pair)
    db.session.flush()
    return pair


def end_pair(pair: PatientPair, on: date) -> None:
    if pair.ended_on is not None:
        raise RotaError(_l("この組み合わせはすでに終了しています。"))
    pair.ended_on = on
    db.session.flush()


def get_pair(hub_id: int, pair_id: int) -> PatientPair | None:
    return db.session.scalars(
        sa.select(PatientPair).where(PatientPair.id == pair_id, PatientPair.hub_id == hub_id)
    ).first()


def active_pairs(hub_id: int) -> list[PatientPair]:
    """The hub's pairs not ended, with both physicians' names (one query), by group and code."""
    return list(
        db.session.scalars(
            sa.select(PatientPair)
            .where(PatientPair.hub_id == hub_id, PatientPair.ended_on.is_(None))
            .options(
                joinedload(PatientPair.attending).joinedload(GroupMember.person),
                joinedload(PatientPair.deputy).joinedload(GroupMember.person),
            )
            .order_by(PatientPair.group_id, PatientPair.patient_code)
        )
    )


@dataclass(frozen=True)
class PairWarning:
    """Both physicians of a pair are away from ``first`` to ``last`` (inclusive)."""

    pair_id: int
    group_id: int
    patient_code: str
    first: date
    last: date


def _ranges(days: set[date]) -> list[tuple[date, date]]:
    """Consecutive days joined into (first, last) ranges, in order."""
    found: list[tuple[date, date]] = []
    for day in sorted(days):
        if found and found[-1][1] + timedelta(days=1) == day:
            found[-1] = (found[-1][0], day)
        else:
            found.append((day, day))
    return found


def pair_warnings(pairs: list[PatientPair], first: date, days: int = PAIR_DAYS_AHEAD) -> list[PairWarning]:
    """The days from ``first`` for ``days`` days on which both physicians of a pair are 不可 (one query)."""
    last = first + timedelta(days=days - 1)
    ids = {i for p in pairs for i in (p.attending_id, p.deputy_id)}
    if not ids:
        return []
    away: dict[int, set[date]] = defaultdict(set)
    for member_id, first_day, last_day in db.session.execute(
        sa.select(Unavailability.member_id, Unavailability.first_day, Unavailability.last_day).where(
            Unavailability.member_id.in_(ids),
            Unavailability.kind == AvailabilityKind.UNAVAILABLE,
            Unavailability.last_day >= first,
            Unavailability.first_day <= last,
        )
    ):
        day = max(first_day, first)
        while day <= min(last_day, last):
            away[member_id].add(day)
            day += timedelta(days=1)
    warnings = []
    for pair in pairs:
        both = {
            d
            for d in away.get(pair.attending_id, set()) & away.get(pair.deputy_id, set())
            if d >= pair.started_on and (pair.ended_on is None or d <= pair.ended_on)
        }
        warnings.extend(
            PairWarning(pair.id, pair.group_id, pair.patient_code, start, end) for start, end in _ranges(both)
        )
    return sorted(warnings, key=lambda w: (w.first, w.patient_code))


# --- 代診・出動 ---------------------------------------------------------------------------------------------


def _jst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JST)


def covering_duty_id(member_id: int, at: datetime) -> int | None:
    """The published duty of the member (primary or secondary) running at ``at`` (one query)."""
    return db.session.scalar(
        sa.select(Duty.id)
        .where(
            sa.or_(Duty.primary_id == member_id, Duty.secondary_id == member_id),
            Duty.published_at.is_not(None),
            Duty.starts_at <= at,
            Duty.ends_at > at,
        )
        .order_by(Duty.starts_at, Duty.id)
        .limit(1)
    )


def add_log(
    member: GroupMember | None,
    kind: DutyLogKind | str,
    day: date | None,
    start: time | None,
    end: time | None,
    *,
    patient_code: str = "",
    note: str = "",
    recorded_by_id: int | None = None,
) -> DutyLog:
    """Record a 代診 or a call-out on ``day`` from ``start`` to ``end`` (Japan time, to the minute); an end
    earlier than the start is on the next day (23:40→01:10)."""
    if member is None:
        raise RotaError(_l("医師を選んでください。"), "member")
    try:
        kind = DutyLogKind(kind)
    except ValueError:
        raise RotaError(_l("区分を選んでください。"), "kind") from None
    if day is None or start is None or end is None:
        field = "day" if day is None else "start" if start is None else "end"
        raise RotaError(_l("日付と時刻を正しく入力してください。"), field)
    start, end = (t.replace(second=0, microsecond=0, tzinfo=None) for t in (start, end))
    if not member.is_active:
        raise RotaError(_l("この医師は現在グループに在籍していません。"), "member")
    if day < EARLIEST:
        raise RotaError(_l("日付を正しく入力してください。"), "day")
    if day > today():
        raise RotaError(_l("これから先の日付の記録はできません。"), "day")
    if start == end:
        raise RotaError(_l("開始時刻と終了時刻が同じです。"), "end")
    code = clean_patient_code(patient_code, required=False)
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise RotaError(_l("メモは%(n)d文字以内で入力してください。", n=NOTE_LENGTH), "note")
    started_at, ended_at = rota_calendar.shift_window(day, start, end)
    log = DutyLog(
        hub_id=member.group.hub_id,
        group_id=member.group_id,
        member_id=member.id,
        kind=DutyLogKind(kind),
        started_at=started_at,
        ended_at=ended_at,
        duty_id=covering_duty_id(member.id, started_at),
        patient_code=code,
        note=note,
        recorded_by_id=recorded_by_id,
        fiscal_year=FiscalYear.of(day).year,
    )
    db.session.add(log)
    db.session.flush()
    return log


def get_log(hub_id: int, log_id: int) -> DutyLog | None:
    return db.session.scalars(sa.select(DutyLog).where(DutyLog.id == log_id, DutyLog.hub_id == hub_id)).first()


def delete_log(log: DutyLog) -> None:
    db.session.delete(log)
    db.session.flush()


def month_logs(hub_id: int, first: date, last: date, member_ids: list[int] | None = None) -> list[DutyLog]:
    """Logs starting from ``first`` to ``last`` (Japan dates), with the physicians' names (one query);
    only those of ``member_ids`` when given."""
    statement = (
        sa.select(DutyLog)
        .where(
            DutyLog.hub_id == hub_id,
            DutyLog.started_at >= _jst_midnight(first),
            DutyLog.started_at < _jst_midnight(last + timedelta(days=1)),
        )
        .options(joinedload(DutyLog.member).joinedload(GroupMember.person))
        .order_by(DutyLog.started_at, DutyLog.id)
    )
    if member_ids is not None:
        statement = statement.where(DutyLog.member_id.in_(member_ids))
    return list(db.session.scalars(statement))


@dataclass
class Totals:
    member_id: int
    name: str
    month_substitutes: int = 0
    month_call_outs: int = 0
    month_call_out_hours: float = 0.0
    year_substitutes: int = 0
    year_call_outs: int = 0
    year_call_out_hours: float = 0.0


def _seconds() -> sa.ColumnElement:
    """A log's length in seconds, in the database's own terms."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.extract("epoch", DutyLog.ended_at - DutyLog.started_at)
    return (sa.func.julianday(DutyLog.ended_at) - sa.func.julianday(DutyLog.started_at)) * 86400.0


def totals(hub_id: int, first: date, last: date, member_ids: list[int] | None = None) -> list[Totals]:
    """Per physician: 代診 and 出動 counts and 出動 hours from ``first`` to ``last`` and in the 年度 of
    ``first`` (one grouped query each), by name."""
    found: dict[int, Totals] = {}
    base = (
        sa.select(DutyLog.member_id, Person.name, DutyLog.kind, sa.func.count(), sa.func.sum(_seconds()))
        .join(GroupMember, DutyLog.member_id == GroupMember.id)
        .join(Person, GroupMember.person_id == Person.id)
        .where(DutyLog.hub_id == hub_id)
        .group_by(DutyLog.member_id, Person.name, DutyLog.kind)
    )
    if member_ids is not None:
        base = base.where(DutyLog.member_id.in_(member_ids))
    month = base.where(
        DutyLog.started_at >= _jst_midnight(first), DutyLog.started_at < _jst_midnight(last + timedelta(days=1))
    )
    year = base.where(DutyLog.fiscal_year == FiscalYear.of(first).year)
    for prefix, statement in (("month", month), ("year", year)):
        for member_id, name, kind, count, seconds in db.session.execute(statement):
            entry = found.setdefault(member_id, Totals(member_id, name))
            if DutyLogKind(kind) == DutyLogKind.SUBSTITUTE:
                setattr(entry, f"{prefix}_substitutes", count)
            else:
                setattr(entry, f"{prefix}_call_outs", count)
                setattr(entry, f"{prefix}_call_out_hours", round(float(seconds or 0) / 3600, 1))
    return sorted(found.values(), key=lambda t: (t.name, t.member_id))


# --- 勤務間インターバル -------------------------------------------------------------------------------------------


def is_night(started_at: datetime, ended_at: datetime) -> bool:
    """Whether the period runs (or ends) between 22:00 and 05:00 in Japan."""
    start, end = started_at.astimezone(JST), ended_at.astimezone(JST)
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        night_start = datetime.combine(day, NIGHT_STARTS, tzinfo=JST)
        night_end = datetime.combine(day + timedelta(days=1), NIGHT_ENDS, tzinfo=JST)
        if start < night_end and end > night_start:
            return True
        day += timedelta(days=1)
    return False


@dataclass(frozen=True)
class Conflict:
    """What starts during the rest: another log, or a published duty (as primary or secondary)."""

    starts_at: datetime
    log: DutyLog | None = None
    duty: Duty | None = None
    is_primary: bool = False


@dataclass
class RestWarning:
    log: DutyLog
    rest_until: datetime
    conflicts: list[Conflict] = field(default_factory=list)


def rest_warnings(hub_id: int, first: date, last: date) -> list[RestWarning]:
    """Night call-outs starting from ``first`` to ``last`` after which something starts within the
    9 hours' rest (two queries)."""
    window_start = _jst_midnight(first)
    window_end = _jst_midnight(last + timedelta(days=1))
    # A log lasts less than a day, so whatever starts within a rest starts before window_end + 2 days.
    horizon = window_end + timedelta(days=2)
    logs = list(
        db.session.scalars(
            sa.select(DutyLog)
            .where(DutyLog.hub_id == hub_id, DutyLog.started_at >= window_start, DutyLog.started_at < horizon)
            .options(joinedload(DutyLog.member).joinedload(GroupMember.person))
            .order_by(DutyLog.started_at, DutyLog.id)
        )
    )
    night = [
        log
        for log in logs
        if log.kind == DutyLogKind.CALL_OUT and log.started_at < window_end and is_night(log.started_at, log.ended_at)
    ]
    if not night:
        return []
    duties = list(
        db.session.scalars(
            sa.select(Duty)
            .where(
                Duty.hub_id == hub_id,
                Duty.published_at.is_not(None),
                Duty.starts_at > window_start,
                Duty.starts_at < horizon,
            )
            .options(joinedload(Duty.shift_type))
            .order_by(Duty.starts_at, Duty.id)
        )
    )
    warnings = []
    for call in night:
        rest_until = call.ended_at + REST
        conflicts = [
            Conflict(other.started_at, log=other)
            for other in logs
            if other.id != call.id
            and other.member_id == call.member_id
            and call.started_at < other.started_at < rest_until
        ]
        conflicts += [
            Conflict(duty.starts_at, duty=duty, is_primary=duty.primary_id == call.member_id)
            for duty in duties
            if call.member_id in (duty.primary_id, duty.secondary_id)
            and duty.id != call.duty_id
            and call.started_at < duty.starts_at < rest_until
        ]
        if conflicts:
            warnings.append(RestWarning(call, rest_until, sorted(conflicts, key=lambda c: c.starts_at)))
    return warnings


# --- 宿日直許可基準 ------------------------------------------------------------------------------------------------


@dataclass
class PermitCount:
    """A physician of a group with a 宿日直許可 who is over 宿直 once a week or 日直 once a month."""

    group_id: int
    member_id: int
    name: str = ""
    #: (Monday, number of 宿直 that week) for the weeks with more than one.
    night_weeks: list[tuple[date, int]] = field(default_factory=list)
    #: 日直 (休日 day duties) in the month.
    holiday_days: int = 0

    @property
    def excess(self) -> int:
        """How many duties are over the limits."""
        return sum(n - 1 for _, n in self.night_weeks) + max(0, self.holiday_days - 1)


def permit_counts(hub_id: int, first: date, last: date) -> list[PermitCount]:
    """For the hub's groups with a 宿日直許可: physicians (primary or secondary of published duties) with
    more than one night duty in a week (Monday–Sunday, the weeks touching the month) or more than one
    休日 day duty in the month (two queries)."""
    week_start = first - timedelta(days=first.weekday())
    week_end = last + timedelta(days=6 - last.weekday())
    rows = db.session.execute(
        sa.select(Duty.group_id, Duty.day, Duty.is_holiday, Duty.primary_id, Duty.secondary_id, ShiftType.is_night)
        .join(ShiftType, Duty.shift_type_id == ShiftType.id)
        .join(PhysicianGroup, Duty.group_id == PhysicianGroup.id)
        .where(
            PhysicianGroup.hub_id == hub_id,
            PhysicianGroup.has_overnight_permit.is_(True),
            Duty.published_at.is_not(None),
            Duty.day >= week_start,
            Duty.day <= week_end,
        )
    )
    nights: dict[tuple[int, int], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    days: dict[tuple[int, int], int] = defaultdict(int)
    for group_id, day, is_holiday, primary_id, secondary_id, night in rows:
        for member_id in {primary_id, secondary_id} - {None}:
            key = (group_id, member_id)
            if night:
                nights[key][day - timedelta(days=day.weekday())] += 1
            elif is_holiday and first <= day <= last:
                days[key] += 1
    found: dict[tuple[int, int], PermitCount] = {}
    for key, weeks in nights.items():
        over = sorted((monday, n) for monday, n in weeks.items() if n > 1)
        if over:
            found[key] = PermitCount(*key, night_weeks=over)
    for key, count in days.items():
        if count > 1:
            found.setdefault(key, PermitCount(*key)).holiday_days = count
    if not found:
        return []
    names = dict(
        db.session.execute(
            sa.select(GroupMember.id, Person.name)
            .join(Person, GroupMember.person_id == Person.id)
            .where(GroupMember.id.in_({member_id for _, member_id in found}))
        ).all()
    )
    for entry in found.values():
        entry.name = names.get(entry.member_id, "")
    return sorted(found.values(), key=lambda e: (e.group_id, e.name, e.member_id))
