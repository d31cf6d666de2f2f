"""Monthly and 年度 statistics of the consultation log: counts by month, channel, who asked, 場面, topic,
response, referral target, municipality, age band and 要介護度, each month of the 年度 and in all.

One statement whatever the number of consultations: the hub's tallies of the 年度 (a few hundred rows of
``consultation_tallies``, read through its primary key), kept in step with every change by the services
(hubapp/consultations/tallies.py explains why counts are kept on write). Months are those of
``received_on``, the day in Japan.

Pure arithmetic on the counts happens here too (totals, shares, chart geometry), so the template and the
files only lay the figures out.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import OrganisationType, Scene
from hubapp.consultations import charts
from hubapp.consultations.models import (
    OUTSIDE_AREA,
    AgeBand,
    CareLevel,
    Channel,
    ConsultationTally,
    Requester,
    Response,
    Topic,
)
from hubapp.consultations.tallies import SEPARATOR
from hubapp.extensions import db

if TYPE_CHECKING:
    from hubapp.hubs.models import Hub

#: Position of each calendar month in a 年度 (April first).
MONTH_INDEX = {month: (month - 4) % 12 for month in range(1, 13)}


@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    #: April … March.
    by_month: tuple[int, ...]
    total: int
    #: Share of the 年度's consultations (or referrals), in percent with one decimal.
    percent: float


@dataclass(frozen=True)
class StatTable:
    key: str
    title: str
    #: What a count means: 「件」 (consultations) or 「件（延べ）」 when one consultation counts in several rows.
    unit: str
    rows: tuple[StatRow, ...]
    month_totals: tuple[int, ...]
    total: int
    chart: charts.Chart | None
    note: str = ""


@dataclass(frozen=True)
class YearStatistics:
    fiscal_year: FiscalYear
    #: First day of each month, April first.
    months: tuple[date, ...]
    #: Position of the month the page looks at (0 = April), or None.
    month_index: int | None
    consultations: StatRow
    minutes: StatRow
    follow_ups: StatRow
    monthly_chart: charts.Chart
    tables: tuple[StatTable, ...]

    @property
    def month_labels(self) -> list[str]:
        return [str(_l("%(month)d月", month=m.month)) for m in self.months]

    def table(self, key: str) -> StatTable:
        return next(t for t in self.tables if t.key == key)


#: {dimension: {key: twelve counts, April first}}.
Counts = dict[str, dict[str, list[int]]]


def _tallies(hub_id: int, fiscal_year: FiscalYear) -> Counts:
    counts: Counts = defaultdict(lambda: defaultdict(lambda: [0] * 12))
    rows = db.session.execute(
        sa.select(
            ConsultationTally.dimension, ConsultationTally.key, ConsultationTally.month, ConsultationTally.n
        ).where(ConsultationTally.hub_id == hub_id, ConsultationTally.fiscal_year == fiscal_year.year)
    )
    for dimension, key, month, n in rows:
        counts[dimension][key][MONTH_INDEX[month]] += n
    return counts


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def _row(key: str, label: str, by_month: list[int], base: int) -> StatRow:
    total = sum(by_month)
    return StatRow(key=key, label=label, by_month=tuple(by_month), total=total, percent=_percent(total, base))


def _table(
    key: str,
    title,
    rows: list[StatRow],
    *,
    several: bool = False,
    chart: bool = True,
    note: str = "",
) -> StatTable:
    month_totals = tuple(sum(row.by_month[i] for row in rows) for i in range(12))
    return StatTable(
        key=key,
        title=str(title),
        unit=str(_l("件（延べ）") if several else _l("件")),
        rows=tuple(rows),
        month_totals=month_totals,
        total=sum(month_totals),
        chart=charts.horizontal(str(title), [(row.label, row.total) for row in rows]) if chart else None,
        note=note,
    )


def _enum_rows(members: Iterable, counts: dict[str, list[int]], base: int) -> list[StatRow]:
    """Every member of the enum in its order, with zeros: the same rows every month and every year."""
    return [_row(m.value, m.label, counts.get(m.value, [0] * 12), base) for m in members]


def _sum(counts: dict[str, list[int]]) -> list[int]:
    return counts.get("", [0] * 12)


def year_statistics(hub: "Hub", fiscal_year: FiscalYear, month: date | None = None) -> YearStatistics:
    """The hub's statistics for the 年度; ``month`` (any day of it) marks the month the page looks at."""
    counts = _tallies(hub.id, fiscal_year)
    consultations_by_month = _sum(counts["consultations"])
    base = sum(consultations_by_month)
    consultations = _row("consultations", str(_l("相談件数")), consultations_by_month, base)
    minutes = _row("minutes", str(_l("対応時間（分）")), _sum(counts["minutes"]), 0)
    follow_ups = _row("follow_ups", str(_l("フォローアップあり")), _sum(counts["follow_ups"]), base)

    def rows(members, dimension: str) -> list[StatRow]:
        return _enum_rows(members, counts[dimension], base)

    several_note = str(_l("1件の相談で複数を選べるため、合計は相談件数より多くなります。"))
    referral_base = sum(sum(by_month) for by_month in counts["referral_type"].values())
    tables = (
        _table("channel", _l("相談経路"), rows(Channel, "channel")),
        _table("requester", _l("相談者"), rows(Requester, "requester")),
        _table("scene", _l("場面"), rows(Scene, "scene")),
        _table("topic", _l("相談内容"), rows(Topic, "topic"), several=True, note=several_note),
        _table("response", _l("対応"), rows(Response, "response"), several=True, note=several_note),
        _table(
            "referral_type",
            _l("紹介先（機関の種別）"),
            [row for row in _enum_rows(OrganisationType, counts["referral_type"], referral_base) if row.total],
            several=True,
            note=str(_l("紹介した機関の延べ数です（1件の相談で複数の機関に紹介することがあります）。")),
        ),
        _table(
            "referral_organisation",
            _l("紹介先（機関）"),
            _organisation_rows(counts["referral_organisation"], referral_base),
            several=True,
            chart=False,
            note=str(_l("紹介した時点の機関名で集計しています。")),
        ),
        _table("municipality", _l("市町村"), _municipality_rows(hub, counts["municipality"], base)),
        _table("age_band", _l("年齢区分"), rows(AgeBand, "age_band")),
        _table("care_level", _l("要介護度"), rows(CareLevel, "care_level")),
    )
    months = tuple(fiscal_year.months())
    labels = [str(_l("%(month)d月", month=m.month)) for m in months]
    monthly_chart = charts.vertical(str(_l("月別の相談件数")), list(zip(labels, consultations.by_month, strict=True)))
    return YearStatistics(
        fiscal_year=fiscal_year,
        months=months,
        month_index=MONTH_INDEX[month.month] if month is not None and month in fiscal_year else None,
        consultations=consultations,
        minutes=minutes,
        follow_ups=follow_ups,
        monthly_chart=monthly_chart,
        tables=tables,
    )


def _municipality_rows(hub: "Hub", counts: dict[str, list[int]], base: int) -> list[StatRow]:
    """The hub's municipalities, 圏域外, and 不明 (with codes of municipalities since removed from the area)."""
    named = [(m.code, m.name) for m in hub.municipalities] + [(OUTSIDE_AREA, str(_l("圏域外")))]
    rows = [_row(code, name, counts.get(code, [0] * 12), base) for code, name in named]
    known = {code for code, _name in named}
    other = [0] * 12
    for code, by_month in counts.items():
        if code not in known:
            other = [a + b for a, b in zip(other, by_month, strict=True)]
    rows.append(_row("unknown", str(_l("不明")), other, base))
    return rows


def _organisation_rows(counts: dict[str, list[int]], base: int) -> list[StatRow]:
    """One row per organisation referred to, by its name as of the referral (most referrals first)."""
    rows = [_row(key, key.partition(SEPARATOR)[2], by_month, base) for key, by_month in counts.items()]
    return sorted((row for row in rows if row.total), key=lambda row: (-row.total, row.label))
