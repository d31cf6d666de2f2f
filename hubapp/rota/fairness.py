"""How fair a rota is, defined once for both generators, the tests and the bench.

Per category (weekday-night primary, weekday-night secondary, holiday primary, holiday secondary) a
physician's load is (duties this 年度 so far + duties in the plan) / FTE. The spread of a category is
the most loaded minus the least loaded *full-time* physician who can take that category: a
``secondary_only`` physician is left out of the primary categories. Part-time physicians take duties
but are left out of the spreads (their share is FTE-scaled in the generators' total-load term).
"""

from collections import Counter

from hubapp.rota.planning import Category, Physician, Plan

PRIMARY_CATEGORIES = (Category.WEEKDAY_PRIMARY, Category.HOLIDAY_PRIMARY)
HOLIDAY_CATEGORIES = (Category.HOLIDAY_PRIMARY, Category.HOLIDAY_SECONDARY)


def category_weight(category: Category) -> int:
    """Holiday duties weigh double in a physician's total load."""
    return 2 if category in HOLIDAY_CATEGORIES else 1


def eligible_for(physician: Physician, category: Category) -> bool:
    return not (physician.secondary_only and category in PRIMARY_CATEGORIES)


def counted_in_spread(physician: Physician, category: Category) -> bool:
    """Whether ``physician`` is one of the physicians whose loads make the spread of ``category``."""
    return physician.is_full_time and eligible_for(physician, category)


def assigned_counts(plan: Plan) -> Counter[tuple[int, Category]]:
    """Duties per (physician id, category) in the plan alone."""
    counts: Counter[tuple[int, Category]] = Counter()
    for a in plan.assignments:
        if a.primary is not None:
            counts[a.primary, a.slot.primary_category] += 1
        if a.secondary is not None:
            counts[a.secondary, a.slot.secondary_category] += 1
    return counts


def loads(plan: Plan, physicians: list[Physician]) -> dict[Category, dict[int, float]]:
    """Per category, the FTE-scaled 年度 load of every physician counted in that category's spread."""
    counts = assigned_counts(plan)
    return {
        c: {p.id: (p.history.get(c, 0) + counts[p.id, c]) / p.fte for p in physicians if counted_in_spread(p, c)}
        for c in Category
    }


def spreads(plan: Plan, physicians: list[Physician]) -> dict[Category, float]:
    """Per category, max − min of the FTE-scaled 年度 loads of the full-time physicians who can take it."""
    return {c: (max(v.values()) - min(v.values())) if v else 0.0 for c, v in loads(plan, physicians).items()}


def total_spread(plan: Plan, physicians: list[Physician]) -> float:
    """The sum of the four category spreads: the single figure the generators are compared on."""
    return sum(spreads(plan, physicians).values())


def weighted_total(physician: Physician, counts: Counter[tuple[int, Category]]) -> int:
    """A physician's 年度 duties, holiday duties counted twice (not FTE-scaled)."""
    return sum(category_weight(c) * (physician.history.get(c, 0) + counts[physician.id, c]) for c in Category)
