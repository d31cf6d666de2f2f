"""自動作成 speed and fairness: CP-SAT against the greedy baseline on realistic physician groups.

    .venv/bin/python bench/rota_generate.py [--sizes 8,12,20,30] [--seed 0]

For 8, 12, 20 and 30 physicians × December 2026 (年末年始 included) and 30 physicians × the quarter
October–December 2026, builds the real slots (平日夜間 on working days; 休日日中 and 休日夜間 on Saturdays,
Sundays, national holidays and 年末年始, from hubapp.common.jpcalendar), a group with new,
secondary-only and part-time physicians, random unavailability and "prefer not" days, and a 年度 history
made by rotating the group greedily through April up to the planned period. Prints, per size, the solve
time, status, backup-hospital slots and the spread of every category for greedy and for CP-SAT (time
limit 10 s for a month, 30 s for a quarter). Targets: 30 × 1 month ≤ 10 s, 30 × 3 months ≤ 30 s, spread
≤ 1 in every category for groups of 8 or more. Prints figures only; it asserts nothing.
"""

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import Floor, ratio  # noqa: E402

#: The floor page's median in this process (bench/floor.py), measured once in main().
FLOOR = {"ms": 0.0}

from hubapp.common.jpcalendar import HolidayCalendar  # noqa: E402
from hubapp.rota.fairness import assigned_counts  # noqa: E402
from hubapp.rota.generate import cp_sat, greedy, spreads, violations  # noqa: E402
from hubapp.rota.planning import Category, Physician, Plan, Slot  # noqa: E402

CALENDAR = HolidayCalendar()
SHORT = {Category.WEEKDAY_PRIMARY: "平日主", Category.WEEKDAY_SECONDARY: "平日副",
         Category.HOLIDAY_PRIMARY: "休日主", Category.HOLIDAY_SECONDARY: "休日副"}


def slots_between(first: date, last: date) -> list[Slot]:
    slots, day = [], first
    while day <= last:
        if CALENDAR.is_day_off(day):
            slots.append(Slot(f"{day}/holiday_day", day, "holiday_day", True, False))
            slots.append(Slot(f"{day}/holiday_night", day, "holiday_night", True, True))
        else:
            slots.append(Slot(f"{day}/weekday_night", day, "weekday_night", False, True))
        day += timedelta(days=1)
    return slots


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def with_absences(group: list[Physician], first: date, last: date, rng: random.Random) -> list[Physician]:
    """The group with this period's random unavailability (0–5 days a month) and "prefer not" days (0–3)."""
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    months = max(1, round(len(days) / 30))
    return [replace(p, unavailable=frozenset(rng.sample(days, rng.randint(0, 5 * months))),
                    prefer_not=frozenset(rng.sample(days, rng.randint(0, 3 * months)))) for p in group]


def make_group(size: int, rng: random.Random) -> list[Physician]:
    group = []
    for pid in range(1, size + 1):
        r = rng.random()
        part_time = 0.75 <= r < 0.88
        group.append(Physician(id=pid, name=f"医師{pid:02d}", fte=0.5 if part_time else 1.0,
                               max_duties=rng.randint(3, 5) if part_time else None,
                               secondary_only=r < 0.1, is_new=0.1 <= r < 0.22))
    return group


def with_history(group: list[Physician], until: date, rng: random.Random) -> list[Physician]:
    """The 年度 so far: April up to ``until`` rotated month by month with the greedy generator."""
    counts: Counter[tuple[int, Category]] = Counter()
    first = date(until.year if until.month >= 4 else until.year - 1, 4, 1)
    while first < until:
        last = month_end(first)
        month = [replace(p, history={c: counts[p.id, c] for c in Category}) for p in group]
        plan = greedy(slots_between(first, last), with_absences(month, first, last, rng), seed=rng.randrange(10**6))
        counts.update(assigned_counts(plan))
        first = last + timedelta(days=1)
    return [replace(p, history={c: counts[p.id, c] for c in Category}) for p in group]


def describe(plan: Plan, physicians: list[Physician]) -> str:
    s = spreads(plan, physicians)
    broken = violations(plan, physicians)
    return (f"{plan.solve_seconds:6.2f}s {plan.status:8} backup {len(plan.backup_slots):2d} "
            + " ".join(f"{SHORT[c]} {s[c]:4.1f}" for c in Category)
            + f"  Σ {sum(s.values()):4.1f}" + (f"  VIOLATIONS {len(broken)}" if broken else ""))


def run(size: int, first: date, last: date, time_limit: float, seed: int) -> None:
    rng = random.Random(seed * 1000 + size)
    group = with_history(make_group(size, rng), first, rng)
    physicians = with_absences(group, first, last, rng)
    slots = slots_between(first, last)
    label = f"{size:2d} physicians × {first:%Y-%m}…{last:%Y-%m} ({len(slots)} slots)"
    g = greedy(slots, physicians, seed=seed)
    c = cp_sat(slots, physicians, time_limit=time_limit, seed=seed)
    print(label)
    print(f"  greedy  {describe(g, physicians)}")
    print(f"  CP-SAT  {describe(c, physicians)}  backup minimal proven: {c.backup_proven_minimal}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,12,20,30")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT seconds per month")
    parser.add_argument("--no-quarter", action="store_true", help="skip the 30-physician quarter")
    args = parser.parse_args()
    FLOOR["ms"] = Floor().median_ms()
    print(f"floor page median {FLOOR['ms']:.1f} ms")
    started = time.perf_counter()
    december = (date(2026, 12, 1), date(2026, 12, 31))
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, *december, time_limit=args.time_limit, seed=args.seed)
    if not args.no_quarter:
        run(30, date(2026, 10, 1), date(2026, 12, 31), time_limit=3 * args.time_limit, seed=args.seed)
    total = time.perf_counter() - started
    print(f"total {total:.1f}s   {ratio(total * 1000, FLOOR['ms'])}")


if __name__ == "__main__":
    main()
