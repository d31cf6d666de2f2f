"""自動作成: rota generators over the planning values of :mod:`hubapp.rota.planning`.

- :func:`cp_sat` — the generator the service uses: an OR-Tools CP-SAT model of the hard rules with a
  lexicographic objective (fewest backup-hospital slots, then fewest empty secondaries; then the fairest
  spreads; then the fewest "prefer not" days), run with a fixed seed and a time limit. It returns the
  best rota found and whether it is proven optimal; it falls back to :func:`greedy` when CP-SAT finds
  nothing in time.
- :func:`greedy` — fills the slots in date order with the least-loaded eligible physician: the
  fallback, and the baseline CP-SAT must beat.
- :func:`violations` — every broken hard rule, in words; the service refuses to save a plan that has any.
- :func:`spreads` — the fairness figure (see :mod:`hubapp.rota.fairness`).

Pure Python: no Flask, no database.
"""

import random
import time
from collections import Counter, defaultdict
from datetime import date, timedelta

from hubapp.rota.fairness import (
    assigned_counts,
    category_weight,
    counted_in_spread,
    spreads,
    total_spread,
    weighted_total,
)
from hubapp.rota.planning import Assignment, Category, Physician, Plan, Slot, WorkRules

__all__ = ["cp_sat", "greedy", "spreads", "total_spread", "violations", "warnings", "work_problems", "NIGHT_GAP_DAYS"]

#: a primary night on day d forbids primary nights on d+1 … d+NIGHT_GAP_DAYS
NIGHT_GAP_DAYS = 2


def _slot_order(slot: Slot) -> tuple:
    return (slot.day, slot.is_night, slot.shift, slot.key)


# --- hard rules -------------------------------------------------------------------------------------


def work_problems(plan: Plan, physicians: list[Physician], work: WorkRules) -> list[str]:
    """Every working-hours rule of ``work`` the plan breaks (hard or soft), one sentence each."""
    by_id = {p.id: p for p in physicians}
    mine: dict[int, list[Slot]] = defaultdict(list)
    for a in plan.assignments:
        for pid in {a.primary, a.secondary} - {None}:
            mine[pid].append(a.slot)
    found = []
    for pid, slots in sorted(mine.items()):
        name = by_id[pid].name if pid in by_id else str(pid)
        slots.sort(key=lambda s: (s.day, s.start_minute))
        for i, earlier in enumerate(slots):
            for later in slots[i + 1 :]:
                if (later.day - earlier.day).days > 2:
                    break
                reason = work.conflict(earlier, later)
                if reason:
                    found.append(f"{name}: {earlier.key} then {later.key}: {reason}")
        if work.max_consecutive_days:
            days = sorted({s.day for s in slots})
            start = previous = None
            run = 0
            for day in [*days, None]:
                if day is not None and previous is not None and (day - previous).days == 1:
                    run += 1
                else:
                    if run > work.max_consecutive_days:
                        found.append(f"{name}: {run} days in a row from {start}, more than {work.max_consecutive_days}")
                    start, run = day, 1
                previous = day
    return found


def warnings(plan: Plan, physicians: list[Physician], work: WorkRules | None) -> list[str]:
    """The soft working-hours rules the plan breaks: shown, never refused."""
    return work_problems(plan, physicians, work) if work is not None and not work.hard and work.any else []


def violations(plan: Plan, physicians: list[Physician], work: WorkRules | None = None) -> list[str]:
    """Every hard rule the plan breaks, one sentence each; empty when the plan may be saved. With
    ``work`` (the group's working-hours rules) set to hard, those count too."""
    found = _violations(plan, physicians)
    if work is not None and work.hard and work.any:
        found += work_problems(plan, physicians, work)
    return found


def _violations(plan: Plan, physicians: list[Physician]) -> list[str]:
    by_id = {p.id: p for p in physicians}
    found: list[str] = []
    seen_keys: set[str] = set()
    duties_on: dict[tuple[int, date], list[str]] = defaultdict(list)
    primary_nights: dict[int, list[date]] = defaultdict(list)
    duty_count: Counter[int] = Counter()
    for a in plan.assignments:
        s = a.slot
        if s.key in seen_keys:
            found.append(f"{s.key}: slot appears more than once")
        seen_keys.add(s.key)
        for role, pid in (("primary", a.primary), ("secondary", a.secondary)):
            if pid is None:
                continue
            p = by_id.get(pid)
            if p is None:
                found.append(f"{s.key}: {role} {pid} is not a physician of the group")
                continue
            duty_count[pid] += 1
            duties_on[pid, s.day].append(s.key)
            if s.day in p.unavailable:
                found.append(f"{s.key}: {p.name} is unavailable on {s.day}")
            if role == "primary":
                if p.secondary_only:
                    found.append(f"{s.key}: {p.name} is secondary-only but is primary")
                if s.is_night:
                    primary_nights[pid].append(s.day)
        if a.primary is not None and a.primary == a.secondary:
            found.append(f"{s.key}: the same physician is primary and secondary")
        for pid, other in ((a.primary, a.secondary), (a.secondary, a.primary)):
            p = by_id.get(pid) if pid is not None else None
            if p is not None and p.is_new:
                partner = by_id.get(other) if other is not None else None
                if partner is None or partner.is_new:
                    found.append(f"{s.key}: new physician {p.name} has no experienced partner")
    for (pid, day), keys in sorted(duties_on.items()):
        if len(keys) > 1:
            found.append(f"{day}: {by_id[pid].name} has {len(keys)} duties ({', '.join(keys)})")
    for pid, inside in sorted(primary_nights.items()):
        outside = by_id[pid].outside_primary_nights
        days = sorted(set(inside) | outside)
        for earlier, later in zip(days, days[1:], strict=False):
            if (later - earlier).days <= NIGHT_GAP_DAYS and not (earlier in outside and later in outside):
                found.append(
                    f"{by_id[pid].name}: primary nights on {earlier} and {later} "
                    f"without {NIGHT_GAP_DAYS} free nights between"
                )
    for pid, n in sorted(duty_count.items()):
        cap = by_id[pid].max_duties
        if cap is not None and n > cap:
            found.append(f"{by_id[pid].name}: {n} duties, more than the cap of {cap}")
    return found


# --- greedy -------------------------------------------------------------------------------------------


class _GreedyState:
    def __init__(self, physicians: list[Physician], work: WorkRules | None = None):
        self.physicians = physicians
        self.work = work if work is not None and work.any else None
        self.taken: dict[int, list[Slot]] = defaultdict(list)
        self.busy: set[tuple[int, date]] = set()
        self.primary_nights: dict[int, set[date]] = defaultdict(set)
        for p in physicians:
            self.primary_nights[p.id].update(p.outside_primary_nights)
        self.duties: Counter[int] = Counter()
        self.counts: Counter[tuple[int, Category]] = Counter()

    def can_take(self, p: Physician, slot: Slot, primary: bool) -> bool:
        if slot.day in p.unavailable or (p.id, slot.day) in self.busy:
            return False
        if p.max_duties is not None and self.duties[p.id] >= p.max_duties:
            return False
        if self.work is not None and self.work.hard and self.breaks_work_rule(p, slot):
            return False
        if primary:
            if p.secondary_only:
                return False
            if slot.is_night:
                nights = self.primary_nights[p.id]
                for k in range(1, NIGHT_GAP_DAYS + 1):
                    if slot.day - timedelta(days=k) in nights or slot.day + timedelta(days=k) in nights:
                        return False
        return True

    def breaks_work_rule(self, p: Physician, slot: Slot) -> bool:
        """Whether ``slot`` (later than every slot already taken) breaks a working-hours rule for ``p``."""
        work = self.work
        if work is None:
            return False
        if any(work.conflict(earlier, slot) for earlier in self.taken[p.id][-3:]):
            return True
        if work.max_consecutive_days:
            run, day = 0, slot.day - timedelta(days=1)
            while (p.id, day) in self.busy:
                run, day = run + 1, day - timedelta(days=1)
            if run + 1 > work.max_consecutive_days:
                return True
        return False

    def take(self, p: Physician, slot: Slot, primary: bool) -> None:
        self.taken[p.id].append(slot)
        self.busy.add((p.id, slot.day))
        self.duties[p.id] += 1
        category = slot.primary_category if primary else slot.secondary_category
        self.counts[p.id, category] += 1
        if primary and slot.is_night:
            self.primary_nights[p.id].add(slot.day)

    def key(self, p: Physician, slot: Slot, category: Category, tie: float) -> tuple:
        load = (p.history.get(category, 0) + self.counts[p.id, category]) / p.fte
        soft = self.work is not None and not self.work.hard and self.breaks_work_rule(p, slot)
        return (soft, load, slot.day in p.prefer_not, weighted_total(p, self.counts) / p.fte, tie)


def greedy(slots: list[Slot], physicians: list[Physician], seed: int = 0, work: WorkRules | None = None) -> Plan:
    """Fill the slots in date order, each role with the least-loaded eligible physician (FTE-scaled load
    in the slot's category, then "prefer not", then the weighted total load; ties by a RNG seeded with
    ``seed``). Never breaks a hard rule (``work``'s too when hard; when soft, avoided first); a primary
    nobody can take goes to the backup hospital."""
    started = time.perf_counter()
    rng = random.Random(seed)
    state = _GreedyState(physicians, work)
    assignments = []
    for slot in sorted(slots, key=_slot_order):
        ties = {p.id: rng.random() for p in physicians}
        primaries = sorted(
            (p for p in physicians if state.can_take(p, slot, True)),
            key=lambda p: state.key(p, slot, slot.primary_category, ties[p.id]),
        )
        chosen_primary = chosen_secondary = None
        for p in primaries:
            partners = sorted(
                (
                    q
                    for q in physicians
                    if q.id != p.id and state.can_take(q, slot, False) and not (p.is_new and q.is_new)
                ),
                key=lambda q: state.key(q, slot, slot.secondary_category, ties[q.id]),
            )
            if p.is_new and not partners:
                continue  # a new physician only with an experienced secondary
            chosen_primary = p
            chosen_secondary = partners[0] if partners else None
            break
        if chosen_primary is None:  # backup hospital: a secondary must then be experienced
            partners = sorted(
                (q for q in physicians if not q.is_new and state.can_take(q, slot, False)),
                key=lambda q: state.key(q, slot, slot.secondary_category, ties[q.id]),
            )
            chosen_secondary = partners[0] if partners else None
        if chosen_primary is not None:
            state.take(chosen_primary, slot, True)
        if chosen_secondary is not None:
            state.take(chosen_secondary, slot, False)
        assignments.append(
            Assignment(
                slot, chosen_primary.id if chosen_primary else None, chosen_secondary.id if chosen_secondary else None
            )
        )
    return Plan(assignments, status="GREEDY", solve_seconds=time.perf_counter() - started)


# --- CP-SAT ---------------------------------------------------------------------------------------------

#: FTE-scaled loads in the model are integers: duties × round(LOAD_SCALE / fte)
LOAD_SCALE = 100
#: objective weights of the second stage: category spreads ≫ total-load spread ≫ "prefer not"
W_SPREAD, W_TOTAL, W_PREFER = 100, 1, 10
#: a soft working-hours rule broken costs more than any fairness the break could buy
W_WORK = 10**7


def _work_constraints(model, slots: list[Slot], physicians: list[Physician], x: dict, work: WorkRules) -> list:
    """Add the working-hours rules to the model: hard ones as constraints; soft ones as constraints that
    a returned penalty variable may relax (one per break, minimised in stage 2)."""
    penalties = []

    def at_most(variables: list, limit: int, name: str) -> None:
        if len(variables) <= limit:
            return
        if work.hard:
            model.add(sum(variables) <= limit)
        else:
            broken = model.new_bool_var(name)
            model.add(sum(variables) <= limit + len(variables) * broken)
            penalties.append(broken)

    order = sorted(range(len(slots)), key=lambda i: (slots[i].day, slots[i].start_minute))
    pairs = []
    for a, i in enumerate(order):
        for j in order[a + 1 :]:
            if (slots[j].day - slots[i].day).days > 2:
                break
            if work.conflict(slots[i], slots[j]):
                pairs.append((i, j))
    days = sorted({s.day for s in slots})
    by_day: dict[date, list[int]] = defaultdict(list)
    for i, s in enumerate(slots):
        by_day[s.day].append(i)

    def mine(pid: int, indices) -> list:
        return [x[pid, i, r] for i in indices for r in (0, 1) if (pid, i, r) in x]

    for p in physicians:
        for i, j in pairs:
            at_most(mine(p.id, (i, j)), 1, f"work_{p.id}_{i}_{j}")
        n = work.max_consecutive_days
        if n:
            for start in days:
                window = [start + timedelta(days=k) for k in range(n + 1)]
                if window[-1] in by_day:
                    at_most(mine(p.id, (i for d in window for i in by_day.get(d, []))), n, f"run_{p.id}_{start}")
    return penalties


def _scale(p: Physician) -> int:
    return round(LOAD_SCALE / p.fte)


def _stage1_value(plan: Plan) -> int:
    """The stage-1 objective of a plan: backup slots first, then empty secondaries."""
    return (len(plan.assignments) + 1) * len(plan.backup_slots) + sum(a.secondary is None for a in plan.assignments)


def _scaled_spread_units(plan: Plan, physicians: list[Physician]) -> int:
    """The sum of category spreads in the model's integer units (== LOAD_SCALE × total_spread for fte 1)."""
    counts = assigned_counts(plan)
    total = 0
    for c in Category:
        values = [_scale(p) * (p.history.get(c, 0) + counts[p.id, c]) for p in physicians if counted_in_spread(p, c)]
        if values:
            total += max(values) - min(values)
    return total


def cp_sat(
    slots: list[Slot],
    physicians: list[Physician],
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    deterministic_time: float | None = None,
    work: WorkRules | None = None,
) -> Plan:
    """The fairest rota CP-SAT finds within ``time_limit`` seconds (wall clock, both stages together).

    Stage 1 minimises backup-hospital slots (then empty secondaries); ``backup_proven_minimal`` is True
    when that stage is proven optimal. Stage 2 keeps that coverage and minimises
    ``W_SPREAD`` × (sum of the four FTE-scaled category spreads) + ``W_TOTAL`` × (spread of the weighted
    total load) + ``W_PREFER`` × ("prefer not" duties), never accepting a sum of category spreads above
    the greedy plan's (which is the hint). Status "OPTIMAL" when both stages are proven optimal,
    "FEASIBLE" otherwise, "GREEDY" when CP-SAT found nothing and the greedy plan is returned.

    Parallel CP-SAT is not reproducible under a wall-clock limit; pass ``deterministic_time`` (CP-SAT's
    deterministic seconds, split between the stages like the wall-clock limit) for the same plan from
    the same seed and input on any machine load.
    """
    from ortools.sat.python import cp_model  # heavy import, only when generating

    started = time.perf_counter()
    slots = sorted(slots, key=_slot_order)
    work = work if work is not None and work.any else None
    baseline = greedy(slots, physicians, seed=seed, work=work)
    if not slots:
        return Plan([], "OPTIMAL", time.perf_counter() - started, backup_proven_minimal=True)

    model = cp_model.CpModel()
    P, S = 0, 1
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for p in physicians:
        for i, s in enumerate(slots):
            if s.day in p.unavailable:
                continue
            if not p.secondary_only and not (s.is_night and p.night_blocked(s.day, NIGHT_GAP_DAYS)):
                x[p.id, i, P] = model.new_bool_var(f"p{p.id}_{i}_P")
            x[p.id, i, S] = model.new_bool_var(f"p{p.id}_{i}_S")
    by_id = {p.id: p for p in physicians}
    backup = [model.new_bool_var(f"backup_{i}") for i in range(len(slots))]
    empty2 = [model.new_bool_var(f"empty2_{i}") for i in range(len(slots))]

    def role_vars(i: int, role: int, which=lambda p: True):
        return [x[p.id, i, role] for p in physicians if (p.id, i, role) in x and which(p)]

    for i in range(len(slots)):
        model.add_exactly_one([*role_vars(i, P), backup[i]])
        model.add_exactly_one([*role_vars(i, S), empty2[i]])
        # a new physician only with an experienced partner in the other role
        for role, other in ((P, S), (S, P)):
            new_here = role_vars(i, role, lambda p: p.is_new)
            if new_here:
                model.add(sum(new_here) <= sum(role_vars(i, other, lambda p: not p.is_new)))

    by_day: dict[date, list[int]] = defaultdict(list)
    nights_by_day: dict[date, list[int]] = defaultdict(list)
    for i, s in enumerate(slots):
        by_day[s.day].append(i)
        if s.is_night:
            nights_by_day[s.day].append(i)
    for p in physicians:
        mine = [v for (pid, _, _), v in x.items() if pid == p.id]
        if p.max_duties is not None:
            model.add(sum(mine) <= p.max_duties)
        for idx in by_day.values():
            vs = [x[p.id, i, r] for i in idx for r in (P, S) if (p.id, i, r) in x]
            if len(vs) > 1:
                model.add_at_most_one(vs)
        if not p.secondary_only:
            for day in nights_by_day:
                window = [
                    x[p.id, i, P]
                    for k in range(NIGHT_GAP_DAYS + 1)
                    for i in nights_by_day.get(day + timedelta(days=k), [])
                    if (p.id, i, P) in x
                ]
                if len(window) > 1:
                    model.add_at_most_one(window)

    # working hours: pairs of slots one physician may not both do, and runs of days; soft ones cost
    soft_breaks = _work_constraints(model, slots, physicians, x, work) if work is not None else []

    def hint(plan: Plan) -> None:
        model.clear_hints()
        chosen = {(a.slot.key, P): a.primary for a in plan.assignments} | {
            (a.slot.key, S): a.secondary for a in plan.assignments
        }
        for (pid, i, r), v in x.items():
            model.add_hint(v, chosen[slots[i].key, r] == pid)
        for i, s in enumerate(slots):
            model.add_hint(backup[i], chosen[s.key, P] is None)
            model.add_hint(empty2[i], chosen[s.key, S] is None)

    def solver_for(seconds: float, dtime: float | None) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.random_seed = seed
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = max(seconds, 0.1)
        if dtime is not None:
            solver.parameters.max_deterministic_time = dtime
            solver.parameters.interleave_search = workers > 1
        return solver

    def read(solver: cp_model.CpSolver) -> Plan:
        out = []
        for i, s in enumerate(slots):
            prim = next((pid for pid in by_id if (pid, i, P) in x and solver.value(x[pid, i, P])), None)
            sec = next((pid for pid in by_id if (pid, i, S) in x and solver.value(x[pid, i, S])), None)
            out.append(Assignment(s, prim, sec))
        return Plan(out, status="FEASIBLE")

    def fallback(best_backups: int | None = None) -> Plan:
        baseline.solve_seconds = time.perf_counter() - started
        baseline.backup_proven_minimal = best_backups is not None and len(baseline.backup_slots) == best_backups
        return baseline

    # Stage 1: coverage. Backup slots dominate: one backup slot costs more than all empty secondaries.
    coverage = (len(slots) + 1) * sum(backup) + sum(empty2)
    model.minimize(coverage)
    hint(baseline)
    solver = solver_for(time_limit * 0.3, deterministic_time * 0.3 if deterministic_time else None)
    status1 = solver.solve(model)
    if status1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return fallback()
    stage1 = read(solver)
    proven = status1 == cp_model.OPTIMAL
    best_coverage = round(solver.objective_value)

    # Stage 2: fairness at that coverage.
    model.add(coverage <= best_coverage)
    spread_terms = []
    for c in Category:
        members = [p for p in physicians if counted_in_spread(p, c)]
        if len(members) < 2:
            continue
        hi = model.new_int_var(0, 10**9, f"max_{c}")
        lo = model.new_int_var(0, 10**9, f"min_{c}")
        for p in members:
            mine = [
                x[p.id, i, r]
                for i, s in enumerate(slots)
                for r in (P, S)
                if (p.id, i, r) in x and (s.primary_category if r == P else s.secondary_category) == c
            ]
            load = _scale(p) * (p.history.get(c, 0) + sum(mine))
            model.add(hi >= load)
            model.add(lo <= load)
        spread_terms.append(hi - lo)
    spread_sum = sum(spread_terms)
    hi_t = model.new_int_var(0, 10**9, "max_total")
    lo_t = model.new_int_var(0, 10**9, "min_total")
    for p in physicians:
        history = sum(category_weight(c) * p.history.get(c, 0) for c in Category)
        mine = [
            category_weight(slots[i].primary_category if r == P else slots[i].secondary_category) * v
            for (pid, i, r), v in x.items()
            if pid == p.id
        ]
        total = _scale(p) * (history + sum(mine))
        model.add(hi_t >= total)
        model.add(lo_t <= total)
    prefer = [v for (pid, i, _), v in x.items() if slots[i].day in by_id[pid].prefer_not]
    model.minimize(W_WORK * sum(soft_breaks) + W_SPREAD * spread_sum + W_TOTAL * (hi_t - lo_t) + W_PREFER * sum(prefer))
    if _stage1_value(baseline) <= best_coverage:
        hint(baseline)
        if spread_terms:
            model.add(spread_sum <= _scaled_spread_units(baseline, physicians))
    else:
        hint(stage1)
    remaining = time_limit - (time.perf_counter() - started)
    dtime2 = deterministic_time - solver.deterministic_time if deterministic_time else None
    solver2 = solver_for(remaining, dtime2)
    status2 = solver2.solve(model)
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = read(solver2)
        plan.status = "OPTIMAL" if proven and status2 == cp_model.OPTIMAL else "FEASIBLE"
    elif _stage1_value(stage1) < _stage1_value(baseline):
        plan = stage1  # better coverage than greedy, fairness not improved in time
    else:
        return fallback(len(stage1.backup_slots) if proven else None)
    plan.backup_proven_minimal = proven
    plan.solve_seconds = time.perf_counter() - started
    return plan
