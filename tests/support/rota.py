"""Rota test data made through the services (a group with its physicians) or, for duties, as stored rows
(the solver is tested on its own): callables every rota test may use."""

from datetime import UTC, date, datetime, timedelta

from hubapp.common.japantime import JST
from hubapp.common.jpcalendar import FiscalYear
from hubapp.directory.models import Person
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.models import Duty, PhysicianGroup


def create_group(hub_id: int, people: list, name: str = "北総かとり在宅医グループ", user_ids=()) -> dict:
    """A group with ``people`` (directory persons) as members, the n-th one logging in as ``user_ids[n]``.
    Returns {"id": group id, "members": member ids in order}; call inside an app context."""
    group = services.create_group(hub_id, name)
    logins = list(user_ids) + [None] * len(people)
    members = [
        services.add_member(group, db.session.get(Person, p.id), user_id=logins[k]) for k, p in enumerate(people)
    ]
    db.session.commit()
    return {"id": group.id, "members": [m.id for m in members]}


def add_duty(group_id: int, code: str, day: date, primary: int | None, secondary: int | None, *, published=True):
    """One duty of the group's shift ``code`` on ``day`` (Japan time), published unless told."""
    loaded = db.session.get(PhysicianGroup, group_id)
    shift = next(s for s in loaded.shift_types if s.code == code)
    starts = datetime.combine(day, shift.starts, tzinfo=JST)
    ends = datetime.combine(day + timedelta(days=1) if shift.ends <= shift.starts else day, shift.ends, tzinfo=JST)
    duty = Duty(
        group_id=group_id,
        hub_id=loaded.hub_id,
        shift_type_id=shift.id,
        day=day,
        starts_at=starts.astimezone(UTC),
        ends_at=ends.astimezone(UTC),
        is_holiday=code.startswith("holiday"),
        primary_id=primary,
        secondary_id=secondary,
        fiscal_year=FiscalYear.of(day).year,
        published_at=datetime.now(UTC) if published else None,
    )
    db.session.add(duty)
    db.session.flush()
    return duty
