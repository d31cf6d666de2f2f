"""Meeting rules: saving and cancelling a meeting, invitations, and attendance as of the day, head
counts and surveys. The domain's other rules live beside it (``year``, ``issues``, ``facts``) and are
reached from here: views and other domains use ``meetings.services`` only.
"""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.japantime import jst_datetime  # noqa: F401 (also this service's name)
from hubapp.common.vocabulary import Profession
from hubapp.core.services import JST
from hubapp.db import utcnow
from hubapp.extensions import db

# The rest of the domain, for the views and other domains (their one way in).
from hubapp.meetings.errors import MeetingError  # noqa: F401
from hubapp.meetings.facts import (  # noqa: F401
    ATTENDED,
    MeetingFact,
    compliance_facts,
    document_path,
    held_attendance,
    held_documents,
    is_proxy,
    report_meetings,
    year_issues,
)
from hubapp.meetings.issues import (  # noqa: F401
    add_countermeasure,
    create_issue,
    get_issue,
    issues,
    meeting_issues,
    set_issue_status,
)
from hubapp.meetings.models import (
    HELD_STATUSES,
    RSVP_STATUSES,
    AttendanceStatus,
    Meeting,
    MeetingScene,
    MeetingTopic,
    Participant,
    Scene,
    Topic,
)
from hubapp.meetings.year import (  # noqa: F401
    AttendanceMatrix,
    MeetingRow,
    Target,
    TargetProgress,
    YearOverview,
    attendance_matrix,
    count_line,
    targets_from_config,
    year_overview,
)

if TYPE_CHECKING:
    from hubapp.directory.models import Person

MEETING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "agenda",
    "summary",
    "organizer_name",
    "organizer_email",
)
#: Changes to these are sent to invitees (iCalendar SEQUENCE bumped).
SCHEDULE_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url")


def save_meeting(
    hub_id: int, values: dict, topics: list[Topic], scenes: list[Scene], meeting: Meeting | None = None
) -> tuple[Meeting, bool]:
    """Create or change a meeting. Returns (meeting, whether invitees must be told of the change)."""
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"save_meeting: unknown fields {sorted(unknown)}")
    if values["ends_at"] < values["starts_at"]:
        raise MeetingError(_l("終了時刻は開始時刻より後にしてください。"), "ends_at")
    if meeting is not None and meeting.is_cancelled:
        raise MeetingError(_l("中止した会議は変更できません。"), "title")
    changed = meeting is not None and any(
        getattr(meeting, name) != values[name] for name in SCHEDULE_FIELDS if name in values
    )
    if meeting is None:
        meeting = Meeting(hub_id=hub_id)
        db.session.add(meeting)
    for key, value in values.items():
        setattr(meeting, key, value)
    meeting.topics = [MeetingTopic(topic=t) for t in sorted(set(topics))]
    meeting.scenes = [MeetingScene(scene=s) for s in sorted(set(scenes))]
    if changed:
        meeting.ical_sequence += 1
    if meeting.id is not None and not meeting.is_held(utcnow()):
        _back_to_rsvp(meeting)
    db.session.flush()
    return meeting, changed


def _back_to_rsvp(meeting: Meeting) -> None:
    """A meeting moved to a later start (not held any more): what was recorded becomes an RSVP again."""
    for participant in meeting.participants:
        if participant.status.attended:
            participant.status, participant.proxy_name = AttendanceStatus.ATTENDING, ""
        elif participant.status is AttendanceStatus.ABSENT:
            participant.status = AttendanceStatus.DECLINED


def can_mark_held(meeting: Meeting, now: datetime) -> bool:
    """「開催済みにする」 is offered on the meeting's day (or later) while it is neither held nor cancelled."""
    on_the_day = meeting.starts_at.astimezone(JST).date() <= now.astimezone(JST).date()
    return on_the_day and not meeting.is_held(now) and not meeting.is_cancelled


def mark_held(meeting: Meeting, now: datetime) -> None:
    """「開催済みにする」: attendance may be recorded before the start time, from the meeting's day on
    (a meeting that began early). A day still to come cannot be marked: only what happened counts."""
    if meeting.is_cancelled:
        raise MeetingError(_l("中止した会議は開催済みにできません。"))
    if meeting.starts_at.astimezone(JST).date() > now.astimezone(JST).date():
        raise MeetingError(_l("開催日より前には開催済みにできません。"))
    if meeting.held_marked_at is None:
        meeting.held_marked_at = now
    db.session.flush()


def cancel_meeting(meeting: Meeting) -> None:
    meeting.cancelled_at = utcnow()
    meeting.ical_sequence += 1
    db.session.flush()


def get_meeting(hub_id: int, meeting_id: int) -> Meeting | None:
    statement = (
        sa.select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.hub_id == hub_id)
        .options(
            selectinload(Meeting.topics),
            selectinload(Meeting.scenes),
            selectinload(Meeting.participants),
            selectinload(Meeting.documents),
        )
    )
    return db.session.scalars(statement).first()


# --- invitations and attendance ---------------------------------------------------------------------


def _snapshot(participant: Participant, person: "Person") -> None:
    """Copy the person's name, profession and affiliation as they are today."""
    organisation = person.organisation
    participant.name = person.name
    participant.name_kana = person.name_kana
    participant.sort_key = person.kana_key or person.name
    participant.profession = person.profession
    participant.organisation_id = organisation.id if organisation else None
    participant.organisation_name = organisation.name if organisation else ""
    participant.organisation_type = organisation.type.value if organisation else ""
    participant.municipality_code = organisation.municipality_code if organisation else None
    participant.is_manager = person.is_manager
    participant.is_admin_officer = person.is_admin_officer
    participant.email = person.email


def invite(meeting: Meeting, people: list["Person"]) -> list[Participant]:
    """Add people to the meeting (each once). Returns the new invitees (to be sent the invitation)."""
    if meeting.is_cancelled:
        raise MeetingError(_l("中止した会議には招待できません。"))
    already = {p.person_id for p in meeting.participants if p.person_id}
    added = []
    for person in people:
        if person.id in already:
            continue
        participant = Participant(
            hub_id=meeting.hub_id, person_id=person.id, status=AttendanceStatus.INVITED, invited_at=utcnow()
        )
        _snapshot(participant, person)
        meeting.participants.append(participant)
        added.append(participant)
        already.add(person.id)
    db.session.flush()
    return added


def allowed_statuses(meeting: Meeting, now: datetime) -> tuple[AttendanceStatus, ...]:
    """Before the meeting is held: the RSVPs (未回答・出席予定・欠席予定); from then on: what happened."""
    return HELD_STATUSES if meeting.is_held(now) else RSVP_STATUSES


def mark_attendance(
    meeting: Meeting,
    participant: Participant,
    status: AttendanceStatus,
    proxy_name: str = "",
    now: datetime | None = None,
) -> None:
    """Record an RSVP before the meeting, or present / absent / 代理出席 once it is held (started or marked
    開催済み). The snapshot is taken again now, on the day, from the directory."""
    now = now or utcnow()
    if participant.meeting_id != meeting.id:
        raise MeetingError(_l("この会議の参加者ではありません。"))
    if meeting.is_cancelled:
        raise MeetingError(_l("中止した会議の出欠は記録できません。"))
    if status not in allowed_statuses(meeting, now):
        if meeting.is_held(now):
            raise MeetingError(
                _l("開催した会議には出席予定・欠席予定ではなく、出席・欠席・代理出席を記録してください。")
            )
        raise MeetingError(
            _l(
                "まだ開催前です。出席・欠席は開始時刻（または「開催済みにする」）の後に記録できます。開催前は出席予定・欠席予定を記録してください。"
            )
        )
    if status is AttendanceStatus.PROXY and len(proxy_name.strip()) > 80:
        raise MeetingError(_l("代理出席者の氏名は80文字以内で入力してください。"), "proxy_name")
    participant.status = status
    participant.proxy_name = proxy_name.strip() if status is AttendanceStatus.PROXY else ""
    if participant.person_id is not None:
        from hubapp.directory import services as directory

        person = directory.get_person(participant.hub_id, participant.person_id)
        if person is not None:
            _snapshot(participant, person)
    db.session.flush()


def add_walk_in(
    meeting: Meeting, name: str, profession: Profession, organisation_name: str, now: datetime | None = None
) -> Participant:
    """Someone who came without being in the directory: recorded as written, once the meeting is held."""
    if not meeting.is_held(now or utcnow()):
        raise MeetingError(_l("当日参加は会議の開始後（または「開催済みにする」の後）に追加できます。"), "name")
    if not name.strip():
        raise MeetingError(_l("氏名を入力してください。"), "name")
    participant = Participant(
        hub_id=meeting.hub_id,
        status=AttendanceStatus.PRESENT,
        is_walk_in=True,
        name=name.strip(),
        sort_key=name.strip(),
        profession=profession,
        organisation_name=organisation_name.strip(),
    )
    meeting.participants.append(participant)
    db.session.flush()
    return participant


def link_walk_in(participant: Participant, person: "Person") -> None:
    """Tie a walk-in to the directory person it turned out to be; what was recorded that day stays."""
    if participant.hub_id != person.hub_id:
        raise MeetingError(_l("別の拠点の関係者には結び付けられません。"))
    meeting = participant.meeting
    if any(p.person_id == person.id and p.id != participant.id for p in meeting.participants):
        raise MeetingError(_l("%(name)sさんはすでにこの会議の参加者です。", name=person.name))
    participant.person_id = person.id
    db.session.flush()


def set_headcounts(meeting: Meeting, residents: int | None, families: int | None, professionals: int | None) -> None:
    for value in (residents, families, professionals):
        if value is not None and value < 0:
            raise MeetingError(_l("人数は0以上で入力してください。"))
    meeting.headcount_residents, meeting.headcount_families = residents, families
    meeting.headcount_professionals = professionals
    db.session.flush()


def set_survey(meeting: Meeting, responses, satisfied, neutral, dissatisfied, comments: str) -> None:
    counts = [c for c in (satisfied, neutral, dissatisfied) if c is not None]
    if any(c < 0 for c in counts) or (responses is not None and responses < 0):
        raise MeetingError(_l("人数は0以上で入力してください。"))
    if responses is not None and sum(counts) > responses:
        raise MeetingError(_l("満足度の合計が回答数を超えています。"), "survey_responses")
    meeting.survey_responses, meeting.survey_satisfied = responses, satisfied
    meeting.survey_neutral, meeting.survey_dissatisfied = neutral, dissatisfied
    meeting.survey_comments = comments.strip()
    db.session.flush()
