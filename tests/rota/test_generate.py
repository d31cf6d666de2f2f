"""The rota generators (hubapp/rota/generate.py) on random groups and on hand-made edge cases.

Plain unit tests: planning values only, no app. The CP-SAT solves use short time limits (the fairness
comparison 20 seeds × ≤ 1.5 s; the hard rules 50 seeds × 0.5 s) so that the file stays well under two
minutes on two cores.
"""

import random
from datetime import date, timedelta

import pytest

from hubapp.rota.generate import cp_sat, greedy, spreads, total_spread, violations
from hubapp.rota.planning import Assignment, Category, Physician, Plan, Slot


def month_slots(year: int, month: int, holidays: frozenset[date] = frozenset()) -> list[Slot]:
    """A weekday night every weekday; a holiday day and a holiday night on weekends and ``holidays``."""
    slots = []
    day = date(year, month, 1)
    while day.month == month:
        if day.weekday() >= 5 or day in holidays:
            slots.append(Slot(f"{day}/holiday_day", day, "holiday_day", True, False))
            slots.append(Slot(f"{day}/holiday_night", day, "holiday_night", True, True))
        else:
            slots.append(Slot(f"{day}/weekday_night", day, "weekday_night", False, True))
        day += timedelta(days=1)
    return slots


def random_instance(seed: int) -> tuple[list[Slot], list[Physician]]:
    rng = random.Random(seed)
    year, month = 2026, rng.randint(5, 12)
    days = [d for d in (date(year, month, 1) + timedelta(days=k) for k in range(31)) if d.month == month]
    holidays = frozenset(rng.sample([d for d in days if d.weekday() < 5], rng.randint(0, 2)))
    slots = month_slots(year, month, holidays)
    physicians = []
    for pid in range(1, rng.randint(7, 12) + 1):
        kind = rng.random()
        part_time = 0.8 <= kind < 0.92
        physicians.append(
            Physician(
                id=pid,
                name=f"医師{pid}",
                fte=0.5 if part_time else 1.0,
                max_duties=rng.randint(3, 6) if part_time else (rng.choice([None, None, 8, 10])),
                secondary_only=kind < 0.12,
                is_new=0.12 <= kind < 0.25,
                unavailable=frozenset(rng.sample(days, rng.randint(0, 8))),
                prefer_not=frozenset(rng.sample(days, rng.randint(0, 4))),
                history={c: base + rng.randint(0, 3) for c, base in zip(Category, (8, 8, 4, 4), strict=True)},
            )
        )
    return slots, physicians


def coverage(plan: Plan) -> tuple[int, int]:
    return len(plan.backup_slots), sum(a.secondary is None for a in plan.assignments)


# --- hard rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(50))
def test_hard_rules_are_never_broken(seed):
    slots, physicians = random_instance(seed)
    g = greedy(slots, physicians, seed=seed)
    assert violations(g, physicians) == []
    assert g.status == "GREEDY"
    assert {a.slot.key for a in g.assignments} == {s.key for s in slots}
    c = cp_sat(slots, physicians, time_limit=0.5, seed=seed)
    assert violations(c, physicians) == []
    assert {a.slot.key for a in c.assignments} == {s.key for s in slots}
    assert c.status in ("OPTIMAL", "FEASIBLE", "GREEDY")
    assert coverage(c) <= coverage(g)
    if coverage(c) == coverage(g):  # never less fair than greedy, on every seed (greedy is its starting hint)
        assert total_spread(c, physicians) <= total_spread(g, physicians) + 1e-9


def test_violations_names_every_rule():
    d = date(2026, 12, 1)
    slots = [Slot(f"{d + timedelta(days=k)}/n", d + timedelta(days=k), "n", False, True) for k in range(3)]
    doctors = [
        Physician(1, "甲", unavailable=frozenset({d})),
        Physician(2, "乙", secondary_only=True),
        Physician(3, "丙", is_new=True),
        Physician(4, "丁", is_new=True, max_duties=1),
    ]
    plan = Plan(
        [
            Assignment(slots[0], 1, 2),  # 甲 unavailable
            Assignment(slots[1], 2, 3),  # 乙 secondary-only as primary; 丙 new with …  乙 (experienced): fine
            Assignment(slots[2], 1, 4),  # 甲 primary nights d and d+2: too close
        ],
        status="GREEDY",
    )
    found = "\n".join(violations(plan, doctors))
    assert "unavailable" in found
    assert "secondary-only" in found
    assert "free nights" in found
    plan = Plan(
        [Assignment(slots[0], 3, 4), Assignment(slots[1], None, 4), Assignment(slots[2], 5, 1)], status="GREEDY"
    )
    found = "\n".join(violations(plan, doctors))
    assert found.count("no experienced partner") == 3  # 丙 and 丁 together; 丁 alone with the backup hospital
    assert "cap of 1" in found
    assert "not a physician" in found
    two_shifts = [Slot(f"{d}/day", d, "day", True, False), Slot(f"{d}/night", d, "night", True, True)]
    plan = Plan([Assignment(two_shifts[0], 2 + 0, None), Assignment(two_shifts[1], None, 2)], status="GREEDY")
    assert any("2 duties" in v for v in violations(plan, doctors))


# --- fairness -----------------------------------------------------------------------------------------


def test_spreads_count_full_time_eligible_physicians_only():
    d = date(2026, 12, 1)
    slot = Slot(f"{d}/n", d, "n", False, True)
    doctors = [
        Physician(1, "甲", history={Category.WEEKDAY_PRIMARY: 3}),
        Physician(2, "乙", history={Category.WEEKDAY_PRIMARY: 1}),
        Physician(3, "丙", secondary_only=True),  # not in the primary spreads
        Physician(4, "丁", fte=0.5, history={Category.WEEKDAY_PRIMARY: 9}),  # part-time: in no spread
    ]
    result = spreads(Plan([Assignment(slot, 2, 3)], status="GREEDY"), doctors)
    assert result[Category.WEEKDAY_PRIMARY] == 1.0  # 3 vs 1 + 1
    assert result[Category.WEEKDAY_SECONDARY] == 1.0  # 丙 1, the others 0
    assert result[Category.HOLIDAY_PRIMARY] == 0.0


def test_cp_sat_is_fairer_than_greedy():
    strictly, seeds = 0, range(20)
    for seed in seeds:
        slots, physicians = random_instance(seed)
        g = greedy(slots, physicians, seed=seed)
        c = cp_sat(slots, physicians, time_limit=1.5, seed=seed)
        assert coverage(c) <= coverage(g), seed
        if coverage(c) == coverage(g):
            assert total_spread(c, physicians) <= total_spread(g, physicians) + 1e-9, seed
        strictly += total_spread(c, physicians) < total_spread(g, physicians) - 1e-9 or coverage(c) < coverage(g)
    assert strictly >= 0.8 * len(seeds)


# --- backup hospital ------------------------------------------------------------------------------------


def test_five_physicians_get_the_proven_minimum_of_backup_slots():
    """December 1–10, weekday-night-style slots only. Night 3: everyone unavailable (one backup slot that
    nobody can avoid). Nights 6, 7 and 8: only 甲 and 乙 are available, and each may take one primary
    night of any three in a row, so one of the three goes to the backup hospital (pigeonhole). Every
    other night has all five. Minimum: 2 backup slots."""
    days = [date(2026, 12, 1) + timedelta(days=k) for k in range(10)]
    slots = [Slot(f"{d}/night", d, "night", False, True) for d in days]
    blocked_all = {days[2]}
    only_two = {days[5], days[6], days[7]}
    physicians = [
        Physician(pid, f"医師{pid}", unavailable=frozenset(blocked_all | (only_two if pid > 2 else set())))
        for pid in range(1, 6)
    ]
    plan = cp_sat(slots, physicians, time_limit=10, seed=1)
    assert violations(plan, physicians) == []
    assert plan.backup_proven_minimal
    assert len(plan.backup_slots) == 2
    assert days[2] in {s.day for s in plan.backup_slots}
    assert len({s.day for s in plan.backup_slots} & only_two) == 1
    assert len(greedy(slots, physicians).backup_slots) >= 2


def test_a_new_physician_is_never_left_with_the_backup_hospital():
    d = date(2026, 12, 1)
    slots = [Slot(f"{d}/night", d, "night", False, True)]
    physicians = [Physician(1, "新人", is_new=True), Physician(2, "指導医", unavailable=frozenset({d}))]
    for plan in (greedy(slots, physicians), cp_sat(slots, physicians, time_limit=2)):
        assert violations(plan, physicians) == []
        assert plan.assignments[0].primary is None and plan.assignments[0].secondary is None
    assert plan.backup_proven_minimal


# --- determinism ----------------------------------------------------------------------------------------


def _as_tuples(plan: Plan):
    return [(a.slot.key, a.primary, a.secondary) for a in plan.assignments]


def test_same_seed_same_plan():
    slots, physicians = random_instance(7)
    assert _as_tuples(greedy(slots, physicians, seed=3)) == _as_tuples(greedy(slots, physicians, seed=3))
    assert _as_tuples(greedy(slots, physicians, seed=3)) != _as_tuples(greedy(slots, physicians, seed=4))
    first = cp_sat(slots, physicians, time_limit=60, deterministic_time=1.0, seed=3)
    again = cp_sat(slots, physicians, time_limit=60, deterministic_time=1.0, seed=3)
    assert _as_tuples(first) == _as_tuples(again)


def test_empty_month():
    plan = cp_sat([], [Physician(1, "甲")])
    assert plan.assignments == [] and plan.status == "OPTIMAL"


# --- the edges of the period ----------------------------------------------------------------------------


def test_two_free_nights_hold_across_the_edges_of_the_period():
    """甲 was primary on the night before the period starts and is primary again two days after it ends:
    neither generator makes 甲 primary on the first two nights or the last two."""
    days = [date(2026, 12, 1) + timedelta(days=k) for k in range(6)]
    slots = [Slot(f"{d}/night", d, "night", False, True) for d in days]
    edges = frozenset({date(2026, 11, 30), date(2026, 12, 8)})
    physicians = [Physician(1, "甲", outside_primary_nights=edges)] + [Physician(p, f"医師{p}") for p in (2, 3, 4)]
    for plan in (greedy(slots, physicians), cp_sat(slots, physicians, time_limit=2)):
        assert violations(plan, physicians) == []
        nights = {a.slot.day for a in plan.assignments if a.primary == 1}
        assert not nights & {date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 6)}
    alone = [Physician(1, "甲", outside_primary_nights=edges)]
    plan = Plan([Assignment(slots[0], 1, None)], status="MANUAL")
    assert any("free nights" in v for v in violations(plan, alone))
    # two nights both outside the period are not this plan's problem
    outside_only = [Physician(1, "甲", outside_primary_nights=frozenset({date(2026, 11, 29), date(2026, 11, 30)}))]
    assert violations(Plan([Assignment(slots[3], 1, None)], status="MANUAL"), outside_only) == []
