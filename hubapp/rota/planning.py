"""The rota as a planning problem, independent of the database: slots to fill, physicians who can fill
them, and the result. The generators (hubapp/rota/generate.py) read and return only these values.

Hard rules (never broken by a generator):
- a physician is never on duty on a day they marked unavailable;
- one duty per physician per day (primary or secondary, whatever the shift);
- at least two free nights between a physician's primary night duties (a primary night on day d
  forbids primary nights on d+1 and d+2), across the edges of the period too;
- ``secondary_only`` physicians are never primary; monthly caps are respected;
- a new physician (在宅医療未経験) is never on a slot without an experienced partner: a slot with a new
  physician has the other role filled by an experienced one.
A slot whose primary cannot be filled goes to the backup hospital (``primary is None``); its secondary
may still be filled.

Fairness (the objective, after the fewest backup-hospital slots): per 年度 so far (``history`` plus this
plan), the spread between the most and least loaded full-time physician in each category — weekday
night primary, weekday night secondary, holiday primary, holiday secondary — with loads scaled by FTE.
Holiday duties weigh double in a physician's total load. "Prefer not" days are avoided when possible.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Category(StrEnum):
    WEEKDAY_PRIMARY = "weekday_primary"
    WEEKDAY_SECONDARY = "weekday_secondary"
    HOLIDAY_PRIMARY = "holiday_primary"
    HOLIDAY_SECONDARY = "holiday_secondary"


@dataclass(frozen=True)
class Slot:
    """One shift to staff: a date, a shift type, whether it falls on a 休日, whether it is a night."""

    key: str  #: stable identity, e.g. "2026-12-29/holiday_night"
    day: date
    shift: str  #: shift type code
    is_holiday: bool
    is_night: bool
    #: the shift's start and end in minutes from the day's midnight (an end past 1440 is the next day):
    #: for the working-hours rules (:class:`WorkRules`)
    start_minute: int = 0
    end_minute: int = 0

    @property
    def overnight(self) -> bool:
        """宿日直: a night duty, or a day duty on a 休日 (日直)."""
        return self.is_night or self.is_holiday

    @property
    def primary_category(self) -> Category:
        return Category.HOLIDAY_PRIMARY if self.is_holiday else Category.WEEKDAY_PRIMARY

    @property
    def secondary_category(self) -> Category:
        return Category.HOLIDAY_SECONDARY if self.is_holiday else Category.WEEKDAY_SECONDARY


@dataclass(frozen=True)
class WorkRules:
    """The group's working-hours rules (医師の働き方改革), for either role:

    - ``no_day_after_night``: no day duty on the morning a night duty ends (24 hours in a row);
    - ``max_consecutive_days``: no more than N calendar days in a row with a duty;
    - ``rest_hours``: the 勤務間インターバル, hours free between the end of one duty and the start of the
      next; ``rest_hours_after_overnight`` instead after a 宿日直 (18 h after one without 許可).

    ``hard``: never broken (violations); otherwise avoided where possible and reported as warnings."""

    no_day_after_night: bool = False
    max_consecutive_days: int | None = None
    rest_hours: int | None = None
    rest_hours_after_overnight: int | None = None
    hard: bool = True

    @property
    def any(self) -> bool:
        return bool(
            self.no_day_after_night or self.max_consecutive_days or self.rest_hours or self.rest_hours_after_overnight
        )

    def conflict(self, earlier: "Slot", later: "Slot") -> str | None:
        """Why one physician may not do ``earlier`` and then ``later`` (a later day), or None."""
        days = (later.day - earlier.day).days
        if days <= 0:
            return None
        if self.no_day_after_night and earlier.is_night and not later.is_night and days == 1:
            return "day duty right after a night duty"
        needed = self.rest_hours_after_overnight if earlier.overnight and self.rest_hours_after_overnight else None
        needed = needed or self.rest_hours
        if needed:
            free = days * 1440 + later.start_minute - earlier.end_minute
            if free < needed * 60:
                return f"{free // 60}h{free % 60:02d} free, less than {needed}h"
        return None


@dataclass(frozen=True)
class Physician:
    id: int
    name: str
    fte: float = 1.0  #: 1.0 full time; 0.5 half
    max_duties: int | None = None  #: cap on duties (either role) in the planned period
    secondary_only: bool = False
    is_new: bool = False  #: 在宅医療未経験: must be paired with an experienced physician
    unavailable: frozenset[date] = frozenset()
    prefer_not: frozenset[date] = frozenset()
    #: duties already done this 年度, per category (fairness is per 年度 so far)
    history: dict[Category, int] = field(default_factory=dict)
    #: primary nights just before or after the planned period (the months around it): the two-free-nights
    #: rule holds across the period's edges
    outside_primary_nights: frozenset[date] = frozenset()

    def night_blocked(self, day: date, gap: int) -> bool:
        """Whether a primary night on ``day`` is too close to a primary night outside the period."""
        return any(0 < abs((day - other).days) <= gap for other in self.outside_primary_nights)

    @property
    def is_full_time(self) -> bool:
        return self.fte >= 1.0


@dataclass
class Assignment:
    slot: Slot
    primary: int | None  #: physician id; None = the backup hospital
    secondary: int | None


@dataclass
class Plan:
    assignments: list[Assignment]
    #: "OPTIMAL", "FEASIBLE" (time limit reached with a solution), or "GREEDY"
    status: str
    solve_seconds: float = 0.0
    #: True when the number of backup-hospital slots is proven minimal
    backup_proven_minimal: bool = False

    @property
    def backup_slots(self) -> list[Slot]:
        return [a.slot for a in self.assignments if a.primary is None]
