"""Fixtures of the consultation tests: a consultation through the real service, and many at once with a
bulk insert (for query counts and sizes)."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hubapp.auth.models import User
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.consultations import services, tallies
from hubapp.consultations.models import (
    AgeBand,
    CareLevel,
    Channel,
    Consultation,
    ConsultationReferral,
    ConsultationResponse,
    ConsultationTopic,
    Requester,
    Response,
    Status,
    Topic,
)
from hubapp.core.services import JST
from hubapp.db import utcnow
from hubapp.directory.models import OrganisationType
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from hubapp.meetings.models import Scene


def values(**changes) -> services.ConsultationValues:
    """A plausible consultation: a care manager's phone call about a home physician, 15 minutes."""
    base = dict(
        received_at=datetime(2026, 5, 12, 10, 30, tzinfo=JST),
        channel=Channel.PHONE,
        requester=Requester.CARE_MANAGER,
        scene=Scene.DISCHARGE,
        minutes_spent=15,
        topics=[Topic.HOME_PHYSICIAN],
        responses=[Response.INFORMATION],
    )
    base.update(changes)
    return services.ConsultationValues(**base)


#: A time after every consultation the tests log.
NOW = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def staff(create_user, hub):
    return create_user("soudan", Role.CONSULTANT, hubs=(hub,), display_name="相談 花子")


@pytest.fixture
def create_consultation(app, hub, staff):
    """``create_consultation(**values)`` through ``save_consultation``, logged by ``staff``."""

    def make(hub_id: int | None = None, **changes):
        with app.app_context():
            target = db.session.get(Hub, hub_id or hub.id)
            acting = db.session.get(User, staff.id)
            changes.setdefault("staff_id", acting.id)
            now = max(NOW, utcnow())
            consultation = services.save_consultation(target, values(**changes), acting, now=now)
            db.session.commit()
            return consultation.id

    return make


def bulk_insert(hub_id: int, count: int, *, fiscal_year: FiscalYear, seed: int = 1, organisation_ids=()) -> None:
    """``count`` consultations spread over the 年度 with Core inserts (no ORM, no audit rows): about 1.5
    topics, 1.3 responses and 0.4 referrals each; then the hub's tallies are counted again. Call inside an
    app context; commits."""
    rng = random.Random(seed)
    first = db.session.scalar(sa.select(sa.func.max(Consultation.id))) or 0
    now = datetime.now(UTC)
    parents, topics, responses, referrals = [], [], [], []
    span = (fiscal_year.end - fiscal_year.start).days
    for number in range(first + 1, first + count + 1):
        day = fiscal_year.start + timedelta(days=rng.randrange(span + 1))
        received = datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=JST)
        follow = rng.random() < 0.2
        parents.append(
            {
                "id": number,
                "hub_id": hub_id,
                "received_at": received,
                "received_on": day,
                "fiscal_year": fiscal_year.year,
                "channel": rng.choice(list(Channel)),
                "requester": rng.choice(list(Requester)),
                "requester_organisation_name": "",
                "scene": rng.choice(list(Scene)),
                "subject_pseudonym": "",
                "subject_age_band": rng.choice(list(AgeBand)),
                "subject_municipality_code": rng.choice(["122360", "123421", None]),
                "subject_care_level": rng.choice(list(CareLevel)),
                "minutes_spent": rng.choice([5, 10, 20, 30]),
                "needs_follow_up": follow,
                "status": Status.OPEN if follow and rng.random() < 0.3 else Status.CLOSED,
                "staff_name": "",
                "created_at": now,
                "updated_at": now,
            }
        )
        for topic in rng.sample(list(Topic), rng.choice([1, 1, 2])):
            topics.append({"consultation_id": number, "topic": topic})
        for response in rng.sample(list(Response), rng.choice([1, 1, 1, 2])):
            responses.append({"consultation_id": number, "response": response})
        if organisation_ids and rng.random() < 0.4:
            organisation_id = rng.choice(organisation_ids)
            referrals.append(
                {
                    "consultation_id": number,
                    "organisation_id": organisation_id,
                    "organisation_name": f"機関{organisation_id}",
                    "organisation_type": OrganisationType.CLINIC,
                }
            )
    for table, rows in (
        (Consultation, parents),
        (ConsultationTopic, topics),
        (ConsultationResponse, responses),
        (ConsultationReferral, referrals),
    ):
        for start in range(0, len(rows), 5_000):
            if rows[start : start + 5_000]:
                db.session.execute(sa.insert(table.__table__), rows[start : start + 5_000])
    tallies.rebuild(hub_id)
    db.session.commit()
