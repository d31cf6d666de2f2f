"""Rota services against the database: a group, its draft from the solver, publishing, 今夜の当番."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.models import AvailabilityKind, Duty, GroupMember, PhysicianGroup


@pytest.fixture
def group(app, hub, create_person):
    names = ["髙橋 健一", "山吹 さやか", "鈴木 一郎", "佐藤 次郎", "田中 三郎", "新人 花子"]
    people = [create_person(n, Profession.PHYSICIAN, phone=f"090-0000-000{i}") for i, n in enumerate(names)]
    with app.app_context():
        created = services.create_group(hub.id, "北総かとり在宅医グループ")
        for i, person in enumerate(people):
            services.add_member(created, db.session.get(Person, person.id), is_new=(i == 5), secondary_only=(i == 4))
        db.session.commit()
        return created.id


def test_december_draft_respects_unavailability_and_covers_the_year_end(app_ctx, hub, group):
    loaded = services.get_group(hub.id, group)
    away = loaded.members[0]
    services.add_unavailability(
        away, AvailabilityKind.UNAVAILABLE, date(2026, 12, 28), date(2027, 1, 3), "年末年始休暇"
    )
    db.session.commit()
    draft = services.generate(loaded, date(2026, 12, 1), date(2026, 12, 31), time_limit=2.0)
    db.session.commit()
    duties = services.month_duties(loaded, date(2026, 12, 1), date(2026, 12, 31))
    assert len(duties) == len(draft.plan.assignments) > 31
    holiday_days = {d.day.day for d in duties if d.is_holiday}
    assert {29, 30, 31} <= holiday_days and 28 not in holiday_days
    assert not [d for d in duties if d.day >= date(2026, 12, 28) and away.id in (d.primary_id, d.secondary_id)]
    night = next(d for d in duties if d.day == date(2026, 12, 31) and d.shift_type.code == "holiday_night")
    assert night.starts_at.astimezone(UTC).isoformat() == "2026-12-31T09:00:00+00:00"  # 18:00 JST
    assert all(d.published_at is None for d in duties)


def test_publish_then_who_is_on_call_now(app_ctx, hub, group):
    loaded = services.get_group(hub.id, group)
    services.generate(loaded, date(2026, 12, 1), date(2026, 12, 31), time_limit=1.0)
    at_night = datetime(2026, 12, 24, 14, 0, tzinfo=UTC)  # 23:00 JST on Thursday 24th
    assert services.on_call(hub.id, at_night) == []  # drafts are not shown
    assert services.publish(loaded, date(2026, 12, 1), date(2026, 12, 31)) > 31
    db.session.commit()
    entries = services.on_call(hub.id, at_night, days=7)
    current = entries[0]
    assert current.duty.day == date(2026, 12, 24) and current.duty.shift_type.code == "weekday_night"
    assert current.primary is None or current.primary.person.phone.startswith("090-")
    assert all(e.duty.starts_at < datetime(2026, 12, 31, 14, 0, tzinfo=UTC) for e in entries)
    with pytest.raises(services.RotaError):
        services.generate(loaded, date(2026, 12, 1), date(2026, 12, 31), time_limit=1.0)


def test_groups_are_kept_per_hub(app_ctx, hub, group, create_hub, create_person):
    other = create_hub("よそ", name_kana="ヨソ")
    stranger = create_person("よその医師", Profession.PHYSICIAN, hub_id=other.id)
    assert services.get_group(other.id, group) is None
    with pytest.raises(services.RotaError):
        services.add_member(services.get_group(hub.id, group), db.session.get(Person, stranger.id))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PhysicianGroup)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMember)) == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Duty)) == 0


def _primary_nights(duties) -> dict[int, list[date]]:
    found: dict[int, list[date]] = {}
    for d in duties:
        if d.primary_id and d.shift_type.is_night:
            found.setdefault(d.primary_id, []).append(d.day)
    return found


def test_two_free_nights_hold_from_one_month_into_the_next(app_ctx, hub, group):
    """November is generated first; December then knows who was primary on November 29 and 30."""
    loaded = services.get_group(hub.id, group)
    services.generate(loaded, date(2026, 11, 1), date(2026, 11, 30), time_limit=1.0)
    services.generate(loaded, date(2026, 12, 1), date(2026, 12, 31), time_limit=1.0)
    db.session.commit()
    duties = services.month_duties(loaded, date(2026, 11, 1), date(2026, 12, 31))
    late_november = {d.primary_id for d in duties if d.day == date(2026, 11, 30) and d.shift_type.is_night}
    assert late_november - {None}
    for nights in _primary_nights(duties).values():
        nights.sort()
        assert all((b - a).days > 2 for a, b in zip(nights, nights[1:], strict=False)), nights
    _slots, physicians = services.planning_input(loaded, date(2026, 12, 1), date(2026, 12, 31), ((12, 29), (1, 3)))
    assert any(date(2026, 11, 30) in p.outside_primary_nights for p in physicians)


def test_a_quarter_is_generated_in_one_go(app_ctx, hub, group):
    """第4四半期 (January–March 2027) in one solve: every day covered, caps scaled to three months."""
    loaded = services.get_group(hub.id, group)
    loaded.members[1].max_duties_per_month = 4
    db.session.commit()
    first, last = services.period_of(date(2027, 2, 1), "quarter")
    assert (first, last) == (date(2027, 1, 1), date(2027, 3, 31))
    draft = services.generate(loaded, first, last, time_limit=2.0)
    db.session.commit()
    days = {d.day for d in draft.duties}
    assert min(days) == first and max(days) == last and len(days) == 90
    capped = loaded.members[1].id
    assert sum(capped in (d.primary_id, d.secondary_id) for d in draft.duties) <= 12
    assert services.period_of(date(2026, 11, 15), "month") == (date(2026, 11, 1), date(2026, 11, 30))
