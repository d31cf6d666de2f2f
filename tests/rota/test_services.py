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
