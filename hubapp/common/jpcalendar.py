"""The Japanese calendar every domain uses: 年度 (fiscal year), 和暦 (era years) and holidays.

- 年度 runs from April 1 to March 31 and is named by the year it starts in: FY2026 = 令和8年度,
  2026-04-01 – 2027-03-31. Its quarters are April–June (第1四半期) to January–March (第4四半期).
- National holidays, 振替休日 and 国民の休日 come from jpholiday, which follows the Cabinet Office list
  (tests check it against ``shared/data/syukujitsu.csv``).
- 年末年始 (December 29 – January 3 by default) is not a national holiday but hubs staff it like one;
  :class:`HolidayCalendar` adds it, and any extra days a hub or group sets.

Pure functions and values: nothing here touches the database or the request.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import jpholiday

WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")

#: (era name, first day), newest first.
ERAS = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1868, 10, 23)),
)


def era_of(day: date) -> tuple[str, int]:
    """The era and the year within it: ``era_of(date(2026, 11, 23)) == ("令和", 8)``."""
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} is before the eras this app knows (明治)")


def era_year_label(name: str, year: int) -> str:
    """``令和8年``; the first year of an era is 元年, as official documents write it."""
    return f"{name}{'元' if year == 1 else year}年"


def format_month_day(day: date, *, weekday: bool = False) -> str:
    """``11月23日`` (with ``（月）`` when ``weekday``), for the second date of a range."""
    text = f"{day.month}月{day.day}日"
    if weekday:
        text += f"（{WEEKDAYS_JA[day.weekday()]}）"
    return text


def format_wareki(day: date, *, weekday: bool = False) -> str:
    """``令和8年11月23日`` (with ``（月）`` when ``weekday``)."""
    name, year = era_of(day)
    return era_year_label(name, year) + format_month_day(day, weekday=weekday)


def format_month(day: date) -> str:
    """``令和8年12月``: a month, 令和 first (headers of monthly tables, pages and exports alike)."""
    name, year = era_of(day)
    return f"{era_year_label(name, year)}{day.month}月"


def format_duration(minutes: int) -> str:
    """``67時間30分``, ``2時間``, ``45分``: durations in hours and minutes, never a bare count of minutes."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest}分"
    return f"{hours}時間{rest}分" if rest else f"{hours}時間"


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A 年度, named by the calendar year it starts in (April 1)."""

    year: int

    @classmethod
    def of(cls, day: date) -> "FiscalYear":
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        """The last day, March 31 (inclusive)."""
        return date(self.year + 1, 3, 31)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def era(self) -> tuple[str, int]:
        """The era of the 年度's name. Since 2019 a 年度 takes the era that held most of its first
        calendar year, so FY2019 is 令和元年度 (not 平成31年度), as the government writes it."""
        return era_of(date(self.year, 12, 31))

    @property
    def label_ja(self) -> str:
        """``令和8年度``"""
        name, year = self.era
        return f"{era_year_label(name, year)}度"

    @property
    def label_western(self) -> str:
        """``FY2026``"""
        return f"FY{self.year}"

    @property
    def label(self) -> str:
        """``令和8年度（FY2026）``"""
        return f"{self.label_ja}（{self.label_western}）"

    def quarter_of(self, day: date) -> int:
        """1 for April–June … 4 for January–March."""
        if day not in self:
            raise ValueError(f"{day} is not in {self.label_western}")
        return (day.month - 4) % 12 // 3 + 1

    def quarter_range(self, quarter: int) -> tuple[date, date]:
        """First and last day (inclusive) of quarter 1–4."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError("a 年度 has quarters 1 to 4")
        first_month = (quarter - 1) * 3 + 4
        start = date(self.year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
        after = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
        return start, after - timedelta(days=1)

    def months(self) -> list[date]:
        """The first day of each of its twelve months, April first."""
        return [date(self.year + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]

    def next(self) -> "FiscalYear":
        return FiscalYear(self.year + 1)

    def previous(self) -> "FiscalYear":
        return FiscalYear(self.year - 1)


def fiscal_year_of(day: date) -> FiscalYear:
    return FiscalYear.of(day)


def national_holiday_name(day: date) -> str | None:
    """The Cabinet Office's name of a national holiday, ``振替休日`` or ``国民の休日``; else None."""
    name = jpholiday.is_holiday_name(day)
    if name is None:
        return None
    # jpholiday writes 「こどもの日 振替休日」; the official list and our users say 振替休日.
    if name.endswith("振替休日"):
        return "振替休日"
    return name


def national_holidays(start: date, end: date) -> dict[date, str]:
    """Every national holiday from ``start`` to ``end`` inclusive."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, _name in jpholiday.year_holidays(year):
            if start <= day <= end:
                found[day] = national_holiday_name(day)
    return dict(sorted(found.items()))


YEAR_END_NAME = "年末年始"


@dataclass(frozen=True)
class HolidayCalendar:
    """National holidays plus 年末年始 and any extra days off a hub or physician group sets.

    ``year_end`` is ((month, day), (month, day)): the first and last day of 年末年始, which may
    span the new year (the default, December 29 – January 3). ``None`` turns it off.
    """

    year_end: tuple[tuple[int, int], tuple[int, int]] | None = ((12, 29), (1, 3))
    extra: dict[date, str] = field(default_factory=dict)

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is a holiday (a national holiday wins over 年末年始), or None."""
        return national_holiday_name(day) or self._year_end_name(day) or self.extra.get(day)

    def is_holiday(self, day: date) -> bool:
        return self.holiday_name(day) is not None

    def is_day_off(self, day: date) -> bool:
        """休日 in the rota's sense: Saturday, Sunday or any holiday of this calendar."""
        return day.weekday() >= 5 or self.is_holiday(day)

    def holidays(self, start: date, end: date) -> dict[date, str]:
        """Every holiday of this calendar from ``start`` to ``end`` inclusive, in date order."""
        found = {d: self.holiday_name(d) for d in _days(start, end) if self.is_holiday(d)}
        return found

    def upcoming(self, today: date, count: int) -> list[tuple[date, str]]:
        """The next ``count`` holidays from today on (today included)."""
        found: list[tuple[date, str]] = []
        day = today
        while len(found) < count and day <= today + timedelta(days=400):
            name = self.holiday_name(day)
            if name:
                found.append((day, name))
            day += timedelta(days=1)
        return found

    def upcoming_runs(self, today: date, count: int) -> list[tuple[date, date, str]]:
        """The next ``count`` holidays with consecutive days of the same name joined:
        ``(2026-12-29, 2026-12-31, "年末年始")``."""
        runs: list[tuple[date, date, str]] = []
        for day, name in self.upcoming(today, count * 7):
            if runs and runs[-1][2] == name and runs[-1][1] + timedelta(days=1) == day:
                runs[-1] = (runs[-1][0], day, name)
            elif len(runs) == count:
                break
            else:
                runs.append((day, day, name))
        return runs

    def _year_end_name(self, day: date) -> str | None:
        if self.year_end is None:
            return None
        first, last = self.year_end
        key = (day.month, day.day)
        inside = first <= key <= last if first <= last else key >= first or key <= last
        return YEAR_END_NAME if inside else None


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def calendar_from_config(config: dict, extra: Iterable[tuple[date, str]] = ()) -> HolidayCalendar:
    """The app's calendar: 年末年始 from ``YEAR_END_HOLIDAYS`` plus ``extra`` days."""
    year_end = config.get("YEAR_END_HOLIDAYS")
    if year_end is not None:
        (m1, d1), (m2, d2) = year_end
        year_end = ((int(m1), int(d1)), (int(m2), int(d2)))
    return HolidayCalendar(year_end=year_end, extra=dict(extra))
