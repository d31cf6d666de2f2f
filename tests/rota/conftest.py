"""Fixtures of the rota tests."""

import pytest

from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import services


@pytest.fixture
def group_id(app, hub, create_person):
    people = [create_person(f"医師{i}", Profession.PHYSICIAN, phone=f"090-1111-000{i}") for i in range(6)]
    with app.app_context():
        group = services.create_group(hub.id, "在宅医グループ")
        for person in people:
            services.add_member(group, db.session.get(Person, person.id))
        db.session.commit()
        return group.id
