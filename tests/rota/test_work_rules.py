"""Working hours (医師の働き方改革) in the rota: no day duty on the morning a night duty ends, at most N days
in a row, the 勤務間インターバル — hard rules generation never breaks, soft ones it avoids and reports;
the same rules refuse a hand edit."""

import random
from datetime import date, time, timedelta

import pytest

from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import changes, services
from hubapp.rota.calendar import slot_minutes
from hubapp.rota.generate import cp_sat, greedy, violations, warnings, work_problems
from hubapp.rota.planning import Assignment, Physician, Plan, Slot, WorkRules

NIGHT = slot_minutes(time(18), time(8, 30))
DAY = slot_minutes(time(8, 30), time(18))
RULES = WorkRules(no_day_after_night=True, max_consecutive_days=2, rest_hours=9)


def _slots(first: date, days: int, holidays=frozenset()) -> list[Slot]:
    """The default shifts: 平日夜間 on weekdays; 休日日中 and 休日夜間 on weekends and ``holidays``."""
    found = []
    for k in range(days):
        day = first + timedelta(days=k)
        if day.weekday() >= 5 or day in holidays:
            found.append(Slot(f"{day}/holiday_day", day, "holiday_day", True, False, *DAY))
            found.append(Slot(f"{day}/holiday_night", day, "holiday_night", True, True, *NIGHT))
        else:
            found.append(Slot(f"{day}/weekday_night", day, "weekday_night", False, True, *NIGHT))
    return found


def _physicians(rng: random.Random, first: date, days: int) -> list[Physician]:
    every = [first + timedelta(days=k) for k in range(days)]
    return [
        Physician(
            id=pid,
            name=f"医師{pid}",
            secondary_only=rng.random() < 0.1,
            unavailable=frozenset(rng.sample(every, rng.randint(0, 5))),
        )
        for pid in range(1, rng.randint(6, 10) + 1)
    ]


def _night_then_day(plan: Plan) -> list[tuple]:
    """(physician, night day) wherever someone has a day duty the morning their night duty ends."""
    nights = {(pid, a.slot.day) for a in plan.assignments if a.slot.is_night for pid in (a.primary, a.secondary)}
    return [
        (pid, a.slot.day)
        for a in plan.assignments
        if not a.slot.is_night
        for pid in (a.primary, a.secondary)
        if pid is not None and (pid, a.slot.day - timedelta(days=1)) in nights
    ]


def _longest_run(plan: Plan) -> int:
    days: dict[int, set[date]] = {}
    for a in plan.assignments:
        for pid in {a.primary, a.secondary} - {None}:
            days.setdefault(pid, set()).add(a.slot.day)
    longest = 0
    for mine in days.values():
        for day in mine:
            if day - timedelta(days=1) not in mine:
                run = 1
                while day + timedelta(days=run) in mine:
                    run += 1
                longest = max(longest, run)
    return longest


def test_the_rules_find_24_hours_in_a_row_and_four_nights_in_a_row():
    """The defects of the issue: 主 on 2月5日（金）平日夜間 and on 2月6日（土）休日日中; four nights in a row."""
    slots = {s.key: s for s in _slots(date(2027, 2, 1), 14)}
    plan = Plan(
        [
            Assignment(slots["2027-02-05/weekday_night"], 1, 2),
            Assignment(slots["2027-02-06/holiday_day"], 1, 3),
            Assignment(slots["2027-02-01/weekday_night"], 5, 4),  # 副, 副, 主, 副
            Assignment(slots["2027-02-02/weekday_night"], 6, 4),
            Assignment(slots["2027-02-03/weekday_night"], 4, 5),
            Assignment(slots["2027-02-04/weekday_night"], 2, 4),
        ],
        "MANUAL",
    )
    physicians = [Physician(id=i, name=f"医師{i}") for i in range(1, 7)]
    assert violations(plan, physicians) == []  # without the group's rules nothing is wrong
    found = work_problems(plan, physicians, RULES)
    assert "医師1: 2027-02-05/weekday_night then 2027-02-06/holiday_day: day duty right after a night duty" in found
    assert "医師4: 4 days in a row from 2027-02-01, more than 2" in found
    assert violations(plan, physicians, RULES) == found  # hard: refused
    assert warnings(plan, physicians, RULES) == []
    soft = WorkRules(no_day_after_night=True, max_consecutive_days=2, hard=False)
    assert violations(plan, physicians, soft) == [] and warnings(plan, physicians, soft) == found
    # the 勤務間インターバル alone: 0 h between the night's end and the day's start; 18 h after a 宿日直
    rest = work_problems(plan, physicians, WorkRules(rest_hours=9))
    assert "医師1: 2027-02-05/weekday_night then 2027-02-06/holiday_day: 0h00 free, less than 9h" in rest
    long_rest = work_problems(plan, physicians, WorkRules(rest_hours=9, rest_hours_after_overnight=18))
    assert any(
        "2027-02-01/weekday_night then 2027-02-02/weekday_night: 9h30 free, less than 18h" in p for p in long_rest
    )


@pytest.mark.parametrize("seed", range(50))
def test_no_night_is_followed_by_a_day_duty_when_the_rule_is_on(seed):
    rng = random.Random(seed)
    first = date(2027, rng.randint(1, 12), 1)
    holidays = frozenset({first + timedelta(days=rng.randrange(28))})
    slots = _slots(first, 28, holidays)
    physicians = _physicians(rng, first, 28)
    plan = greedy(slots, physicians, seed=seed, work=RULES)
    assert _night_then_day(plan) == [] and _longest_run(plan) <= 2
    assert violations(plan, physicians, RULES) == []
    if seed % 5 == 0:  # CP-SAT as well, on a tenth of the seeds (it takes a while)
        solved = cp_sat(slots, physicians, time_limit=1.0, seed=seed, work=RULES)
        assert _night_then_day(solved) == [] and _longest_run(solved) <= 2
        assert violations(solved, physicians, RULES) == []
        assert len(solved.backup_slots) <= len(plan.backup_slots)


def test_without_the_rule_the_solver_does_put_a_day_after_a_night():
    """The rule is what keeps them apart: three physicians over a long weekend cannot avoid it."""
    first = date(2027, 2, 5)  # Fri, then Sat and Sun
    slots = _slots(first, 3)
    physicians = [Physician(id=i, name=f"医師{i}") for i in range(1, 4)]
    free = cp_sat(slots, physicians, time_limit=1.0)
    assert _night_then_day(free) != []
    hard = cp_sat(slots, physicians, time_limit=1.0, work=RULES)
    assert _night_then_day(hard) == [] and violations(hard, physicians, RULES) == []
    assert hard.backup_slots or any(a.secondary is None for a in hard.assignments)  # the price: a gap
    soft = cp_sat(slots, physicians, time_limit=1.0, work=WorkRules(no_day_after_night=True, hard=False))
    assert len(soft.backup_slots) <= len(hard.backup_slots)


def test_a_hand_edit_that_puts_a_day_duty_after_a_night_is_refused(app, hub, create_person):

    people = [create_person(f"医師{i}", Profession.PHYSICIAN) for i in range(6)]
    with app.app_context():
        _hand_edit_refused(hub, people)


def _hand_edit_refused(hub, people):
    group = services.create_group(hub.id, "北総かとり在宅医グループ")
    members = [services.add_member(group, db.session.get(Person, p.id)) for p in people]
    group.no_day_after_night, group.max_consecutive_days, group.rest_interval_hours = True, 3, 9
    services.generate(group, date(2027, 2, 1), date(2027, 2, 28), time_limit=1.0)
    db.session.commit()
    duties = {(d.day, d.shift_type.code): d for d in services.month_duties(group, date(2027, 2, 1), date(2027, 2, 28))}
    friday, saturday = duties[date(2027, 2, 5), "weekday_night"], duties[date(2027, 2, 6), "holiday_day"]
    assert _night_then_day(changes._plan(list(duties.values()), None, None, None)) == []  # generated: kept
    night_doctor = friday.primary_id
    other = next(m.id for m in members if m.id not in (night_doctor, saturday.secondary_id))
    problems = changes.check_change(group, saturday, night_doctor, other)
    assert any("夜間の当番明けに" in p and "2月6日 休日日中" in p for p in problems), problems
    group.work_rules_hard = False  # soft: allowed, and said
    month = changes._month(group, saturday.day, changes.DEFAULT_YEAR_END)
    assert not any("夜間の当番明けに" in p for p in month.problems(saturday, night_doctor, other))
    assert any("夜間の当番明けに" in w for w in month.warnings(saturday, night_doctor, other))
