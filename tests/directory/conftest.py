"""Directory fixtures: ``create_organisation(...)`` and ``create_person(...)`` through the real services."""

import pytest

from hubapp.directory import services
from hubapp.directory.models import OrganisationType, Profession
from hubapp.extensions import db
from tests.conftest import detached


@pytest.fixture
def create_organisation(app, hub):
    def make(name: str, type_: OrganisationType = OrganisationType.CLINIC, *, hub_id: int | None = None,
             functions=(), **values):
        with app.app_context():
            codes = {f.code: f.id for f in services.functions(include_inactive=True)}
            organisation = services.save_organisation(
                hub_id or hub.id, {"type": type_, "name": name, **values}, [codes[c] for c in functions]
            )
            db.session.commit()
            return detached(organisation)

    return make


@pytest.fixture
def create_person(app, hub):
    def make(name: str, profession: Profession = Profession.NURSE, *, hub_id: int | None = None, **values):
        with app.app_context():
            person = services.save_person(hub_id or hub.id, {"name": name, "profession": profession, **values})
            db.session.commit()
            return detached(person)

    return make
