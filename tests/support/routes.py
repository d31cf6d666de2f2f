"""The route walk's kit, shared by the role matrix, the cross-hub walk, the request-safety and fuzz tests:
a real value for every URL argument, and a request made as a user already past the second factor."""

import time

import sqlalchemy as sa

from hubapp.auth.models import User
from hubapp.common.roles import Role
from hubapp.extensions import db

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def sample_arguments(hub) -> dict:
    """A real value for each URL argument, from the walk's hub."""
    from hubapp.directory import services as directory
    from hubapp.directory.models import OrganisationType, Profession

    organisation = directory.save_organisation(hub.id, {"type": OrganisationType.CLINIC, "name": "歩く診療所"}, [])
    person = directory.save_person(hub.id, {"name": "歩く 人", "profession": Profession.NURSE})
    from datetime import date, time

    from hubapp.meetings import services as meetings
    from hubapp.meetings.models import MeetingKind

    day = date(2026, 9, 1)
    meeting, _ = meetings.save_meeting(
        hub.id,
        {
            "kind": MeetingKind.MULTIDISCIPLINARY,
            "title": "歩く会議",
            "starts_at": meetings.jst_datetime(day, time(18)),
            "ends_at": meetings.jst_datetime(day, time(19)),
        },
        [],
        [],
    )
    issue = meetings.create_issue(hub.id, meeting, "歩く課題", "", "", None, 2026)
    from hubapp.meetings import feeds

    feed, token = feeds.create_feed(hub.id, None, "歩くフィード")
    from hubapp.meetings import documents
    from hubapp.rota import services as rota

    group = rota.create_group(hub.id, "歩く医師グループ")
    from hubapp.rota import changes as rota_changes

    physician = directory.save_person(hub.id, {"name": "歩く 医師", "profession": Profession.PHYSICIAN})
    member = rota.add_member(group, physician)
    duty = rota.generate(group, day, day, time_limit=1.0).duties[0]
    duty.primary_id = member.id
    swap = rota_changes.request_swap(duty, member, "primary")
    from hubapp.rota import records as rota_records
    from hubapp.rota.models import DutyLogKind

    deputy_person = directory.save_person(hub.id, {"name": "歩く 副医師", "profession": Profession.PHYSICIAN})
    deputy = rota.add_member(group, deputy_person)
    pair = rota_records.add_pair(group, "W-0001", member.id, deputy.id, day)
    log = rota_records.add_log(member, DutyLogKind.CALL_OUT, day, time(1), time(2))
    from hubapp.beds import services as beds
    from hubapp.db import utcnow

    hospital = directory.save_organisation(hub.id, {"type": OrganisationType.HOSPITAL, "name": "歩く病院"}, [])
    agreement = beds.save_agreement(
        hub.id, None, hospital_id=hospital.id, beds_secured=2, all_day=True, starts=None, ends=None,
        valid_from=date(2026, 4, 1), valid_to=None,
    )  # fmt: skip
    beds.post_availability(agreement, beds.jst_day(utcnow()), 2, None, None, utcnow())
    bed_request = beds.request_bed(
        agreement, None, patient_code="W-1", age_band="85_plus", reason="歩く", urgency="today", now=utcnow(),
        stale_hours=12,
    )  # fmt: skip
    from hubapp.consultations import services as consultations
    from hubapp.consultations.models import Channel, Requester, Topic
    from hubapp.db import utcnow
    from hubapp.meetings.models import Scene

    acting = db.session.scalars(sa.select(User).order_by(User.id)).first()
    consultation = consultations.save_consultation(
        hub,
        consultations.ConsultationValues(
            received_at=utcnow(),
            channel=Channel.PHONE,
            requester=Requester.FAMILY,
            scene=Scene.DAILY_CARE,
            minutes_spent=5,
            topics=[Topic.COST],
            responses=[],
            referral_ids=[organisation.id],
            staff_id=acting.id,
        ),
        acting,
        now=utcnow(),
    )
    walk_in = meetings.add_walk_in(meeting, "歩く 飛び入り", Profession.NURSE, "")
    document = documents.store(meeting, "minutes", "歩く資料.pdf", b"%PDF-1.4\n%%EOF\n", None)
    from hubapp.auth import services as accounts

    account = accounts.create_user(
        username="walk-target",
        password="walk-target-password-1",
        role=Role.MEMBER,
        display_name="歩く 利用者",
        hub_ids=[hub.id],
    )
    db.session.commit()
    return {
        "hub_id": hub.id,
        "area_id": hub.municipalities[0].id,
        "filename": "css/app.css",
        "organisation_id": organisation.id,
        "person_id": person.id,
        "function_id": directory.functions()[0].id,
        "meeting_id": meeting.id,
        "issue_id": issue.id,
        "feed_id": feed.id,
        "document_id": document.id,
        "participant_id": walk_in.id,
        "group_id": group.id,
        "duty_id": duty.id,
        "swap_id": swap.id,
        "pair_id": pair.id,
        "log_id": log.id,
        "member_id": member.id,
        "agreement_id": agreement.id,
        "request_id": bed_request.id,
        "consultation_id": consultation.id,
        "program_code": "D",
        "token": token,
        "user_id": account.id,
    }


def request_as(app, user: User | None, method: str, url: str):
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session["_since"] = session["_seen"] = time.time()  # a session that has just begun
            session["_factor"] = "done"  # past the second factor
    return client.open(url, method=method)
