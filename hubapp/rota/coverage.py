"""What the rota shows to the prefecture for C-3-c (24時間体制): each group's night and holiday slots with
主・副 both set and published, from when the app's rota counts, plus the months before 運用開始日 summarised
by hand (:mod:`hubapp.rota.summaries`); and the year's 主治医・副主治医 pairs and 代診 visits.

Reached through :func:`hubapp.rota.services.compliance_facts`; a fixed number of queries whatever the
number of groups, duties or months."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from hubapp.common.jpcalendar import FiscalYear, HolidayCalendar, format_month_day
from hubapp.extensions import db
from hubapp.rota import calendar as rota_calendar
from hubapp.rota.models import Duty, DutyLog, DutyLogKind, MonthSummary, PatientPair, PhysicianGroup


@dataclass(frozen=True)
class RotaCoverage:
    """One physician group's coverage in the 年度: the app's rota from when it began, plus the months before
    運用開始日 summarised by hand with their evidence."""

    name: str
    group_id: int
    counted_from: date  #: max(年度 start, 運用開始日)
    covered: int  #: night and holiday slots with 主・副 both set and published, counted_from..as_of
    total: int  #: night and holiday slots to cover, counted_from..as_of
    from_started_on: bool = False  #: counted_from is the group's 運用開始日 (not the 年度 start)
    #: Months of the 年度 before counted_from summarised by hand: (month's first day, covered, slots).
    manual: list[tuple[date, int, int]] = field(default_factory=list)
    #: The documents those months stand on (each once, in upload order).
    manual_documents: list = field(default_factory=list)

    @property
    def all_covered(self) -> int:
        return self.covered + sum(c for _m, c, _s in self.manual)

    @property
    def all_total(self) -> int:
        return self.total + sum(s for _m, _c, s in self.manual)

    @property
    def manual_label(self) -> str:
        """「令和8年4月〜11月」: the months summarised by hand."""
        from hubapp.rota.summaries import months_label

        return months_label([m for m, _c, _s in self.manual])

    @property
    def manual_periods(self) -> list[tuple[date, date, int, int]]:
        """(first day, last day, covered, slots) of each month summarised by hand: the last month ends the day
        before counted_from."""
        from hubapp.rota.summaries import month_last_day

        return [
            (month, min(month_last_day(month), self.counted_from - timedelta(days=1)), covered, slots)
            for month, covered, slots in self.manual
        ]

    @property
    def figure(self) -> str:
        """「在宅医グループ: 12月1日（運用開始日）から 夜間・休日 90/90枠（主・副とも公開済み）」, and with a
        manual summary the whole first: 「在宅医グループ: 夜間・休日 390/424枠（主・副そろい）— 12月1日
        （運用開始日）から当番表 90/90枠、令和8年4月〜11月は手入力の集計（資料あり） 300/334枠」."""
        since = _l("運用開始日") if self.from_started_on else _l("年度初め")
        if not self.manual:
            return str(
                _l(
                    "%(name)s: %(start)s（%(since)s）から 夜間・休日 %(done)d/%(total)d枠（主・副とも公開済み）",
                    name=self.name,
                    start=format_month_day(self.counted_from),
                    since=since,
                    done=self.covered,
                    total=self.total,
                )
            )
        return str(
            _l(
                "%(name)s: 夜間・休日 %(all_done)d/%(all_total)d枠（主・副そろい）— %(start)s（%(since)s）から当番表 "
                "%(done)d/%(total)d枠、%(months)sは手入力の集計（資料あり） %(m_done)d/%(m_total)d枠",
                name=self.name,
                all_done=self.all_covered,
                all_total=self.all_total,
                start=format_month_day(self.counted_from),
                since=since,
                done=self.covered,
                total=self.total,
                months=self.manual_label,
                m_done=self.all_covered - self.covered,
                m_total=self.all_total - self.total,
            )
        )


@dataclass(frozen=True)
class RotaFacts:
    coverage: list[RotaCoverage]  #: each group's, in the order the groups were made
    pairs: int  #: 主治医・副主治医 pairs in force at some time of the 年度
    substitute_visits: int  #: 代診 recorded in the 年度


def year_facts(hub_id: int, fy: FiscalYear, as_of: date, year_end) -> RotaFacts:
    """The hub's rota facts for the 年度 up to ``as_of``; ``year_end``: the 年末年始 days counted as holidays."""
    groups = list(
        db.session.scalars(
            sa.select(PhysicianGroup)
            .where(PhysicianGroup.hub_id == hub_id)
            .options(selectinload(PhysicianGroup.shift_types), selectinload(PhysicianGroup.extra_holidays))
            .order_by(PhysicianGroup.id)
        )
    )
    starts = {group.id: max(fy.start, group.started_on or fy.start) for group in groups}
    covered = set(
        db.session.execute(
            sa.select(Duty.group_id, Duty.shift_type_id, Duty.day).where(
                Duty.hub_id == hub_id,
                Duty.day >= fy.start,
                Duty.day <= as_of,
                Duty.published_at.is_not(None),
                Duty.primary_id.is_not(None),
                Duty.secondary_id.is_not(None),
            )
        )
    )
    manual: dict[int, list[MonthSummary]] = defaultdict(list)
    for summary in db.session.scalars(
        sa.select(MonthSummary)
        .where(MonthSummary.hub_id == hub_id, MonthSummary.month >= fy.start, MonthSummary.month <= fy.end)
        .options(joinedload(MonthSummary.document))
        .order_by(MonthSummary.month)
    ):
        if summary.month < starts.get(summary.group_id, fy.start):  # after 運用開始日 the app's rota counts
            manual[summary.group_id].append(summary)
    coverage = []
    for group in groups:
        calendar = HolidayCalendar(year_end=year_end, extra={h.day: h.name for h in group.extra_holidays})
        codes = {s.code: s.id for s in group.shift_types}
        start = starts[group.id]
        slots = rota_calendar.slots(group.shift_types, start, as_of, calendar) if start <= as_of else []
        done = sum((group.id, codes[s.shift], s.day) in covered for s in slots)
        summaries = manual[group.id]
        backing = list({m.document_id: m.document for m in sorted(summaries, key=lambda m: m.document_id)}.values())
        coverage.append(
            RotaCoverage(
                group.name,
                group.id,
                start,
                done,
                len(slots),
                from_started_on=start > fy.start,
                manual=[(m.month, m.covered, m.slots) for m in summaries],
                manual_documents=backing,
            )
        )

    pairs = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PatientPair)
        .where(PatientPair.hub_id == hub_id, PatientPair.started_on <= fy.end)
        .where(sa.or_(PatientPair.ended_on.is_(None), PatientPair.ended_on >= fy.start))
    )
    substitutes = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DutyLog)
        .where(DutyLog.hub_id == hub_id, DutyLog.fiscal_year == fy.year, DutyLog.kind == DutyLogKind.SUBSTITUTE)
    )
    return RotaFacts(coverage, pairs or 0, substitutes or 0)
