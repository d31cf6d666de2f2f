"""Demo consultations for the wide-area hub: about 0.7 a working day from April 1 of this 年度 (at least
the last 150 days) to yesterday, distributed as a hub's consultation desk sees them — mostly by phone,
mostly from care managers, hospital MSWs and families, 日常の療養支援 and 退院支援 ahead — with the
organisations of the demo directory as requesters and referral targets, and a few follow-ups still open.

Random but seeded; loads once (nothing happens when the hub has consultations already).
"""

import random
from datetime import date, time, timedelta

import sqlalchemy as sa

from hubapp.auth import services as auth
from hubapp.common.jpcalendar import FiscalYear, national_holiday_name
from hubapp.common.vocabulary import OrganisationType as T
from hubapp.common.vocabulary import Scene
from hubapp.consultations import services
from hubapp.consultations.models import (
    OUTSIDE_AREA,
    AgeBand,
    CareLevel,
    Channel,
    Consultation,
    Requester,
    Response,
    Status,
    Topic,
)
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.directory import services as directory
from hubapp.extensions import db

SEED = 20260401
#: Consultations per working day, on average (Saturdays a fifth of it; Sundays and holidays none).
PER_DAY = 0.7

CHANNELS = {
    Channel.PHONE: 60,
    Channel.WALK_IN: 12,
    Channel.VISIT: 8,
    Channel.EMAIL: 8,
    Channel.FAX: 7,
    Channel.ONLINE: 5,
}
REQUESTERS = {
    Requester.CARE_MANAGER: 24,
    Requester.HOSPITAL_MSW: 16,
    Requester.FAMILY: 15,
    Requester.VISITING_NURSE: 9,
    Requester.CLINIC: 8,
    Requester.COMMUNITY_CARE_CENTER: 8,
    Requester.SELF: 5,
    Requester.PHARMACY: 3,
    Requester.DISABILITY_CONSULTATION: 3,
    Requester.GOVERNMENT: 3,
    Requester.RESIDENT: 4,
    Requester.OTHER: 2,
}
#: Where each kind of professional works, in the directory.
REQUESTER_TYPES = {
    Requester.CARE_MANAGER: [T.CARE_MANAGEMENT],
    Requester.HOSPITAL_MSW: [T.HOSPITAL],
    Requester.VISITING_NURSE: [T.VISITING_NURSING],
    Requester.CLINIC: [T.CLINIC, T.HOME_CARE_CLINIC],
    Requester.COMMUNITY_CARE_CENTER: [T.COMMUNITY_CARE_CENTER],
    Requester.PHARMACY: [T.PHARMACY],
    Requester.DISABILITY_CONSULTATION: [T.DISABILITY_CONSULTATION],
    Requester.GOVERNMENT: [T.GOVERNMENT],
}
#: 退院支援 is asked about most by hospital MSWs, 看取り by families and visiting nurses.
SCENES = {Scene.DAILY_CARE: 42, Scene.DISCHARGE: 33, Scene.END_OF_LIFE: 15, Scene.EMERGENCY: 10}
SCENE_LEAN = {
    Requester.HOSPITAL_MSW: Scene.DISCHARGE,
    Requester.FAMILY: Scene.END_OF_LIFE,
    Requester.VISITING_NURSE: Scene.EMERGENCY,
}
TOPICS = {
    Topic.HOME_PHYSICIAN: 30,
    Topic.VISITING_NURSING: 22,
    Topic.CARE_SERVICE: 25,
    Topic.MEDICAL_PROCEDURE: 12,
    Topic.COST: 8,
    Topic.SYSTEM: 10,
    Topic.DISABILITY_WELFARE: 5,
    Topic.OTHER: 6,
}
#: Where the hub refers each topic.
REFERRAL_TYPES = {
    Topic.HOME_PHYSICIAN: [T.HOME_CARE_CLINIC, T.CLINIC],
    Topic.VISITING_NURSING: [T.VISITING_NURSING],
    Topic.CARE_SERVICE: [T.CARE_MANAGEMENT, T.COMMUNITY_CARE_CENTER],
    Topic.MEDICAL_PROCEDURE: [T.VISITING_NURSING, T.HOSPITAL],
    Topic.DISABILITY_WELFARE: [T.DISABILITY_CONSULTATION],
    Topic.SYSTEM: [T.GOVERNMENT, T.COMMUNITY_CARE_CENTER],
    Topic.COST: [T.GOVERNMENT],
}
AGE_BANDS = {
    AgeBand.AGE_85_PLUS: 30,
    AgeBand.AGE_75_84: 34,
    AgeBand.AGE_65_74: 15,
    AgeBand.AGE_40_64: 9,
    AgeBand.AGE_18_39: 3,
    AgeBand.CHILD: 3,
    AgeBand.UNKNOWN: 6,
}
CARE_LEVELS = {
    CareLevel.CARE_1: 12,
    CareLevel.CARE_2: 14,
    CareLevel.CARE_3: 13,
    CareLevel.CARE_4: 12,
    CareLevel.CARE_5: 10,
    CareLevel.SUPPORT_1: 5,
    CareLevel.SUPPORT_2: 5,
    CareLevel.APPLYING: 8,
    CareLevel.NOT_APPLIED: 8,
    CareLevel.INDEPENDENT: 3,
    CareLevel.UNKNOWN: 10,
}
#: 香取市, 神崎町, 多古町, outside the area, unknown.
MUNICIPALITIES = {"122360": 68, "123421": 9, "123471": 17, OUTSIDE_AREA: 3, None: 3}
INITIALS = "ABCEFHIKMNOSTUWY"


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def _days(first: date, last: date, rng: random.Random):
    """(day, how many consultations) for each day the desk is open."""
    day = first
    while day <= last:
        rate = 0 if day.weekday() == 6 or national_holiday_name(day) else PER_DAY / 5 if day.weekday() == 5 else PER_DAY
        count = sum(rng.random() < rate / 2 for _ in range(2)) + (rng.random() < rate * 0.15)
        if count:
            yield day, count
        day += timedelta(days=1)


def _pseudonym(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return ""
    if rng.random() < 0.3:
        return f"{rng.choice(INITIALS)}さん"
    return f"{rng.choice(INITIALS)}.{rng.choice(INITIALS)}."


def seed(ctx) -> None:
    from hubapp.demo import WIDE_AREA_HUB

    hub = ctx.hubs[WIDE_AREA_HUB]
    if db.session.scalar(sa.select(sa.exists().where(Consultation.hub_id == hub.id))):
        return
    users = {name: user for name in ("consultant", "coordinator") if (user := auth.find_user(name))}
    if "consultant" not in users:
        return
    organisations = directory.organisations_by_type(hub.id)

    rng = random.Random(SEED)
    now, last = utcnow(), today() - timedelta(days=1)
    first = min(FiscalYear.of(today()).start, today() - timedelta(days=150))
    made = 0
    for day, count in _days(first, last, rng):
        for _ in range(count):
            _consultation(rng, hub, day, users, organisations, now)
            made += 1
    ctx.created.append(f"相談 {made}件")


def _consultation(rng, hub, day: date, users: dict, organisations: dict, now) -> None:
    requester = _pick(rng, REQUESTERS)
    candidates = [o for t in REQUESTER_TYPES.get(requester, []) for o in organisations.get(t, [])]
    requester_organisation = rng.choice(candidates) if candidates else None
    scene = SCENE_LEAN[requester] if requester in SCENE_LEAN and rng.random() < 0.5 else _pick(rng, SCENES)
    topics = {_pick(rng, TOPICS)}
    if rng.random() < 0.45:
        topics.add(_pick(rng, TOPICS))
    responses = {rng.choices([Response.ADVICE, Response.INFORMATION, Response.COORDINATION], [40, 40, 20])[0]}
    if rng.random() < 0.3:
        responses.add(Response.INFORMATION)
    referrals = []
    if rng.random() < 0.4:
        targets = [o for t in sorted(topics) for kind in REFERRAL_TYPES.get(t, []) for o in organisations.get(kind, [])]
        referrals = sorted({o.id for o in rng.sample(targets, min(len(targets), rng.choice([1, 1, 1, 2])))})
    elif rng.random() < 0.2:
        responses.add(Response.COORDINATION)
    age = (today() - day).days
    needs_follow_up = rng.random() < (0.45 if age <= 21 else 0.2)
    status = Status.CLOSED
    if needs_follow_up:
        if age <= 7:
            status = rng.choice([Status.OPEN, Status.IN_PROGRESS])
        elif age <= 21:
            status = rng.choice([Status.IN_PROGRESS, Status.CLOSED])
        elif rng.random() < 0.06:
            status = Status.IN_PROGRESS  # a long one, for the age column
    staff = users["consultant"] if rng.random() < 0.75 or "coordinator" not in users else users["coordinator"]
    at = time(rng.choice([9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17]), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50]))
    consultation = services.save_consultation(
        hub,
        services.ConsultationValues(
            received_at=services.jst_datetime(day, at),
            channel=_pick(rng, CHANNELS),
            requester=requester,
            requester_organisation_id=requester_organisation.id if requester_organisation else None,
            scene=scene,
            topics=sorted(topics),
            responses=sorted(responses),
            referral_ids=referrals,
            minutes_spent=rng.choice([5, 10, 10, 15, 15, 20, 20, 30, 30, 45, 60, 90]),
            needs_follow_up=needs_follow_up,
            status=status,
            staff_id=staff.id,
            subject_pseudonym=_pseudonym(rng),
            subject_age_band=_pick(rng, AGE_BANDS),
            subject_municipality_code=_pick(rng, MUNICIPALITIES),
            subject_care_level=_pick(rng, CARE_LEVELS),
        ),
        staff,
        now=now,
    )
    if needs_follow_up and status is Status.CLOSED:
        consultation.closed_on = min(day + timedelta(days=rng.randint(1, 10)), today())
