"""The running counts behind the statistics (``consultation_tallies``): what one consultation adds, applying
the difference a change makes, and counting everything again.

Why counts kept on write instead of GROUP BY on read: a 年度's page shows ten tables of twelve months.
Grouping 100,000 consultations of one 年度 once per table took 1.3 s on SQLite (about 100 ms a GROUP BY,
plus the joins to topics, responses and referrals); the page now reads a few hundred tally rows in one
statement whatever the number of consultations (bench/consultation_stats.py has the figures).

Every change goes through the services, which call :func:`apply` in the same transaction. A change reads
the consultation's stored state *after* locking its row (:func:`lock_and_reload`), so two people correcting
the same entry at once cannot make the counts drift. Increments are upserts (``INSERT … ON CONFLICT DO
UPDATE SET n = n + excluded.n``, SQLite and PostgreSQL alike), so concurrent new entries add up.
:func:`rebuild` counts a hub's tallies again from the consultations themselves: after a bulk load, or as a
repair; the tests compare it with what the services kept.
"""

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hubapp.consultations.models import (
    Consultation,
    ConsultationReferral,
    ConsultationResponse,
    ConsultationTally,
    ConsultationTopic,
)
from hubapp.db import utcnow
from hubapp.extensions import db

#: (hub_id, fiscal_year, month, dimension, key).
Key = tuple[int, int, int, str, str]
#: Dimensions counted from a column of the consultation itself.
COLUMNS = {
    "channel": Consultation.channel,
    "requester": Consultation.requester,
    "scene": Consultation.scene,
    "age_band": Consultation.subject_age_band,
    "care_level": Consultation.subject_care_level,
}
#: Dimensions counted from the child tables.
CHILDREN = {
    "topic": (ConsultationTopic, ConsultationTopic.topic),
    "response": (ConsultationResponse, ConsultationResponse.response),
    "referral_type": (ConsultationReferral, ConsultationReferral.organisation_type),
}
SEPARATOR = ":"


def organisation_key(organisation_type: str, name: str) -> str:
    """``visiting_nursing:訪問看護ステーションかとり`` (a type value has no colon)."""
    return f"{organisation_type}{SEPARATOR}{name}"


def contributions(consultation: Consultation) -> Counter:
    """What the consultation adds to the tallies, as stored (its ``received_on`` and ``fiscal_year`` must
    be set: after a flush)."""
    c = consultation
    base = (c.hub_id, c.fiscal_year, c.received_on.month)
    counts: Counter = Counter()
    counts[(*base, "consultations", "")] += 1
    counts[(*base, "minutes", "")] += c.minutes_spent
    if c.needs_follow_up:
        counts[(*base, "follow_ups", "")] += 1
    for dimension, column in COLUMNS.items():
        counts[(*base, dimension, getattr(c, column.key).value)] += 1
    counts[(*base, "municipality", c.subject_municipality_code or "")] += 1
    for row in c.topics:
        counts[(*base, "topic", row.topic.value)] += 1
    for row in c.responses:
        counts[(*base, "response", row.response.value)] += 1
    for row in c.referrals:
        counts[(*base, "referral_type", row.organisation_type.value)] += 1
        organisation = organisation_key(row.organisation_type.value, row.organisation_name)
        counts[(*base, "referral_organisation", organisation)] += 1
    return counts


def lock_and_reload(consultation: Consultation) -> Counter:
    """Lock the consultation's row for the rest of the transaction (an UPDATE: a row lock on PostgreSQL,
    the write lock on SQLite), then reload it and its topics, responses and referrals as committed, and
    return what it adds to the tallies now."""
    db.session.execute(
        sa.update(Consultation).where(Consultation.id == consultation.id).values(updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(consultation)
    return contributions(consultation)


def apply(before: Counter, after: Counter) -> None:
    """Add ``after - before`` to the tallies (one statement; keys in a fixed order, so that concurrent
    transactions lock tally rows in the same order)."""
    rows = [
        {"hub_id": k[0], "fiscal_year": k[1], "month": k[2], "dimension": k[3], "key": k[4], "n": delta}
        for k in sorted(set(before) | set(after))
        if (delta := after.get(k, 0) - before.get(k, 0))
    ]
    if not rows:
        return
    table = ConsultationTally.__table__
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns], set_={"n": table.c.n + insert.excluded.n}
    )
    db.session.execute(statement, rows)


def rebuild(hub_id: int, fiscal_year: int | None = None) -> None:
    """Count the hub's tallies (of one 年度, or all) again from the consultations: a GROUP BY per
    dimension, inserted by the database itself."""
    delete = sa.delete(ConsultationTally).where(ConsultationTally.hub_id == hub_id)
    where = [Consultation.hub_id == hub_id]
    if fiscal_year is not None:
        delete = delete.where(ConsultationTally.fiscal_year == fiscal_year)
        where.append(Consultation.fiscal_year == fiscal_year)
    db.session.execute(delete, execution_options={"synchronize_session": False})
    month = sa.cast(sa.extract("month", Consultation.received_on), sa.Integer)
    columns = ["hub_id", "fiscal_year", "month", "dimension", "key", "n"]

    def insert(dimension: str, key, n, *, join=None, extra=()) -> None:
        groups = [Consultation.hub_id, Consultation.fiscal_year, month]
        if key is None:  # one row a month
            key = sa.literal("", sa.String)
        else:
            groups.append(key)
        select = sa.select(
            Consultation.hub_id, Consultation.fiscal_year, month, sa.literal(dimension, sa.String), key, n
        ).where(*where, *extra)
        if join is not None:
            select = select.select_from(Consultation).join(join, join.consultation_id == Consultation.id)
        db.session.execute(sa.insert(ConsultationTally).from_select(columns, select.group_by(*groups)))

    count = sa.func.count()
    insert("consultations", None, count)
    insert("minutes", None, sa.func.sum(Consultation.minutes_spent))
    insert("follow_ups", None, count, extra=[Consultation.needs_follow_up.is_(True)])
    for dimension, column in COLUMNS.items():
        insert(dimension, sa.cast(column, sa.String), count)
    insert("municipality", sa.func.coalesce(Consultation.subject_municipality_code, ""), count)
    for dimension, (child, column) in CHILDREN.items():
        insert(dimension, sa.cast(column, sa.String), count, join=child)
    organisation = (
        sa.cast(ConsultationReferral.organisation_type, sa.String) + SEPARATOR + ConsultationReferral.organisation_name
    )
    insert("referral_organisation", organisation, count, join=ConsultationReferral)


def stored(hub_id: int) -> dict[Key, int]:
    """The hub's tallies as they are (for checks and tests), zeros left out."""
    rows = db.session.execute(
        sa.select(
            ConsultationTally.hub_id,
            ConsultationTally.fiscal_year,
            ConsultationTally.month,
            ConsultationTally.dimension,
            ConsultationTally.key,
            ConsultationTally.n,
        ).where(ConsultationTally.hub_id == hub_id, ConsultationTally.n != 0)
    )
    return {(r.hub_id, r.fiscal_year, r.month, r.dimension, r.key): r.n for r in rows}
