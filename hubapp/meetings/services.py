"""Meeting rules: planning a 年度 against its targets, invitations, attendance as of the day, head counts,
surveys, issues and countermeasures, and the 年度's attendance by profession.

Per-年度 questions run as a fixed number of aggregate queries (``fiscal_year`` is a column), so the
年度 page and, later, the compliance view cost the same at 10 and at 500 meetings.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.errors import DomainError
from hubapp.common.japantime import jst_datetime  # noqa: F401 (also this service's name)
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import Profession
from hubapp.core.services import JST
from hubapp.db import utcnow
from hubapp.extensions import db
from hubapp.meetings.models import (
    HELD_STATUSES,
    RSVP_STATUSES,
    AttendanceStatus,
    Countermeasure,
    IssueStatus,
    Meeting,
    MeetingIssue,
    MeetingKind,
    MeetingScene,
    MeetingTopic,
    Participant,
    Scene,
    Topic,
)

if TYPE_CHECKING:
    from hubapp.directory.models import Person


class MeetingError(DomainError):
    """A meeting rule was broken; the message is for the user."""


@dataclass(frozen=True)
class Target:
    """A 年度 target: at least ``count`` meetings of these kinds (program A item 1: 4 a year)."""

    label: str
    kinds: frozenset[MeetingKind]
    count: int


def targets_from_config(config: dict) -> list[Target]:
    return [
        Target(str(t["label"]), frozenset(MeetingKind(k) for k in t["kinds"]), int(t["count"]))
        for t in config["MEETING_TARGETS"]
    ]


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


# --- the 年度 -----------------------------------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    invited: int = 0
    attended: int = 0
    headcount: int = 0
    has_officer_and_manager: bool = False
    #: 出席予定 (RSVPs) of a meeting still to come: a plan, never counted as attendance
    rsvp_yes: int = 0


def count_line(held: int, planned: int, target: int) -> str:
    """A target as it reads everywhere (pages, the evidence pack, the report): 「3回開催・1回予定（目標4回以上）」,
    or 「4回（目標1回以上）」 when nothing more is planned. Only held meetings are 開催; planned ones are 予定."""
    if planned:
        return str(
            _l("%(held)d回開催・%(planned)d回予定（目標%(target)d回以上）", held=held, planned=planned, target=target)
        )
    return str(_l("%(held)d回（目標%(target)d回以上）", held=held, target=target))


@dataclass
class TargetProgress:
    target: Target
    held: int
    planned: int
    fiscal_year: FiscalYear

    @property
    def remaining(self) -> int:
        return max(0, self.target.count - self.held)

    @property
    def met(self) -> bool:
        return self.held >= self.target.count

    @property
    def on_track(self) -> bool:
        """Held plus planned reach the target."""
        return self.held + self.planned >= self.target.count

    @property
    def line(self) -> str:
        return count_line(self.held, self.planned, self.target.count)


@dataclass
class YearOverview:
    fiscal_year: FiscalYear
    rows: list[MeetingRow]
    progress: list[TargetProgress]
    #: meetings held with both an administrative officer and a manager present (program A item 1)
    officer_and_manager_meetings: int = 0


def year_overview(hub_id: int, fy: FiscalYear, now: datetime, targets: list[Target]) -> YearOverview:
    """The 年度's meetings with attendance figures and target progress: three queries."""
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fy.year)
            .options(selectinload(Meeting.topics))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    attended = sa.case((Participant.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.PROXY]), 1), else_=0)
    figures = db.session.execute(
        sa.select(
            Participant.meeting_id,
            sa.func.count(Participant.id).filter(Participant.is_walk_in.is_(False)),
            sa.func.sum(attended),
            sa.func.max(sa.case((Participant.is_admin_officer.is_(True), attended), else_=0)),
            sa.func.max(sa.case((Participant.is_manager.is_(True), attended), else_=0)),
            sa.func.sum(sa.case((Participant.status == AttendanceStatus.ATTENDING, 1), else_=0)),
        )
        .join(Meeting, Meeting.id == Participant.meeting_id)
        .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fy.year)
        .group_by(Participant.meeting_id)
    )
    by_meeting = {row[0]: row[1:] for row in figures}
    rows = []
    for meeting in meetings:
        invited, came, officer, manager, rsvp_yes = by_meeting.get(meeting.id, (0, 0, 0, 0, 0))
        if not meeting.is_held(now):  # nothing happened yet, whatever a row says
            came, officer, manager = 0, 0, 0
        headcount = sum(
            h or 0 for h in (meeting.headcount_residents, meeting.headcount_families, meeting.headcount_professionals)
        )
        rows.append(
            MeetingRow(meeting, invited or 0, int(came or 0), headcount, bool(officer and manager), int(rsvp_yes or 0))
        )
    progress = []
    for target in targets:
        live = [r.meeting for r in rows if r.meeting.kind in target.kinds and not r.meeting.is_cancelled]
        held = sum(1 for m in live if m.is_held(now))
        progress.append(TargetProgress(target, held, len(live) - held, fy))
    officer_and_manager = sum(1 for r in rows if r.has_officer_and_manager and r.meeting.is_held(now))
    return YearOverview(fy, rows, progress, officer_and_manager)


@dataclass
class AttendanceMatrix:
    """Who came in the 年度, by profession × meeting, and who was represented."""

    meetings: list[Meeting]
    professions: list[Profession]
    #: (profession, meeting id) -> attendees
    counts: dict[tuple[Profession, int], int]
    totals: dict[Profession, int]
    organisations: list[tuple[str, int]] = field(default_factory=list)
    municipalities: list[tuple[str, int]] = field(default_factory=list)
    never_came: list[Profession] = field(default_factory=list)


def attendance_matrix(
    hub_id: int, fy: FiscalYear, municipality_names: dict[str, str], now: datetime
) -> AttendanceMatrix:
    """Attendance by 職種 for every held meeting of the 年度 (planned ones are not columns: nothing
    happened there yet): three queries whatever the size."""
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fy.year, Meeting.held_clause(now))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    came = Participant.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.PROXY])
    in_year = sa.and_(
        Meeting.id == Participant.meeting_id,
        Meeting.hub_id == hub_id,
        Meeting.fiscal_year == fy.year,
        Meeting.held_clause(now),
        came,
    )
    counts: dict[tuple[Profession, int], int] = {}
    totals: Counter = Counter()
    for profession, meeting_id, number in db.session.execute(
        sa.select(Participant.profession, Participant.meeting_id, sa.func.count())
        .join(Meeting, in_year)
        .group_by(Participant.profession, Participant.meeting_id)
    ):
        counts[(profession, meeting_id)] = number
        totals[profession] += number
    organisations: Counter = Counter()
    municipalities: Counter = Counter()
    for org_name, municipality, number in db.session.execute(
        sa.select(Participant.organisation_name, Participant.municipality_code, sa.func.count())
        .join(Meeting, in_year)
        .group_by(Participant.organisation_name, Participant.municipality_code)
    ):
        if org_name:
            organisations[org_name] += number
        if municipality:
            municipalities[municipality_names.get(municipality, municipality)] += number
    professions = [p for p in Profession if totals[p]]
    never = [p for p in Profession if not totals[p] and p is not Profession.OTHER]
    return AttendanceMatrix(
        meetings, professions, counts, dict(totals), organisations.most_common(), municipalities.most_common(), never
    )


# --- issues and countermeasures ----------------------------------------------------------------------


def create_issue(
    hub_id: int,
    meeting: Meeting | None,
    title: str,
    description: str,
    owner: str,
    due_on: date | None,
    fiscal_year: int,
) -> MeetingIssue:
    if not title.strip():
        raise MeetingError(_l("課題を入力してください。"), "title")
    issue = MeetingIssue(
        hub_id=hub_id,
        raised_at_meeting_id=meeting.id if meeting else None,
        title=title.strip(),
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
        fiscal_year=fiscal_year,
    )
    db.session.add(issue)
    db.session.flush()
    return issue


def add_countermeasure(
    issue: MeetingIssue, meeting: Meeting | None, description: str, owner: str, due_on: date | None
) -> Countermeasure:
    if not description.strip():
        raise MeetingError(_l("対応策を入力してください。"), "description")
    measure = Countermeasure(
        issue=issue,
        hub_id=issue.hub_id,
        meeting_id=meeting.id if meeting else None,
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
    )
    db.session.add(measure)
    if issue.status is IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
    db.session.flush()
    return measure


def set_issue_status(issue: MeetingIssue, status: IssueStatus, today: date) -> None:
    issue.status = status
    issue.closed_on = today if status is IssueStatus.CLOSED else None
    db.session.flush()


def issues(hub_id: int, include_closed: bool = False) -> list[MeetingIssue]:
    """The hub's issues, open first, with where each was raised and its countermeasures (three queries)."""
    statement = (
        sa.select(MeetingIssue)
        .where(MeetingIssue.hub_id == hub_id)
        .options(selectinload(MeetingIssue.raised_at), selectinload(MeetingIssue.countermeasures))
        .order_by(
            MeetingIssue.status == IssueStatus.CLOSED,
            MeetingIssue.due_on.is_(None),
            MeetingIssue.due_on,
            MeetingIssue.id,
        )
    )
    if not include_closed:
        statement = statement.where(MeetingIssue.status != IssueStatus.CLOSED)
    return list(db.session.scalars(statement))


def get_issue(hub_id: int, issue_id: int) -> MeetingIssue | None:
    statement = (
        sa.select(MeetingIssue)
        .where(MeetingIssue.id == issue_id, MeetingIssue.hub_id == hub_id)
        .options(selectinload(MeetingIssue.countermeasures).selectinload(Countermeasure.meeting))
    )
    return db.session.scalars(statement).first()


def meeting_issues(hub_id: int, meeting_id: int) -> list[MeetingIssue]:
    """Issues raised at this meeting, or discussed there through a countermeasure."""
    discussed = sa.select(Countermeasure.issue_id).where(Countermeasure.meeting_id == meeting_id)
    statement = (
        sa.select(MeetingIssue)
        .where(
            MeetingIssue.hub_id == hub_id,
            sa.or_(MeetingIssue.raised_at_meeting_id == meeting_id, MeetingIssue.id.in_(discussed)),
        )
        .options(selectinload(MeetingIssue.countermeasures))
        .order_by(MeetingIssue.id)
    )
    return list(db.session.scalars(statement))


def document_path(document):
    """Where a meeting document's file is on disk (for the evidence pack)."""
    from hubapp.meetings import documents

    return documents.path_of(document)


# What the 年度's meetings show to the prefecture: the facts compliance's rules apply to, the attendance
# the evidence pack lists, and the 事業報告書's meetings and issues. A fixed number of queries each.

#: Who counts as having attended: 出席, or 代理 (someone came in their place).
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.PROXY)


@dataclass
class MeetingFact:
    """One meeting of the 年度 as compliance's rules see it."""

    id: int
    title: str
    day: date
    kind: str
    held: bool  #: took place (not cancelled; started or marked 開催済み)
    cancelled: bool = False
    topics: set[str] = field(default_factory=set)
    scenes: set[str] = field(default_factory=set)
    admin_officer: bool = False  #: a 行政担当官 attended
    manager: bool = False  #: a 管理者 attended


def compliance_facts(hub_id: int, fiscal_year: int, now: datetime) -> list[MeetingFact]:
    """The hub's meetings of the 年度 in start order, held as of ``now`` (four queries)."""
    meetings = {
        m.id: MeetingFact(
            m.id,
            m.title,
            m.starts_at.astimezone(JST).date(),
            m.kind.value,
            m.cancelled_at is None and (m.starts_at <= now or m.held_marked_at is not None),
            cancelled=m.cancelled_at is not None,
        )
        for m in db.session.execute(
            sa.select(
                Meeting.id, Meeting.title, Meeting.starts_at, Meeting.kind, Meeting.cancelled_at, Meeting.held_marked_at
            )
            .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fiscal_year)
            .order_by(Meeting.starts_at)
        )
    }
    ids = list(meetings)
    if ids:
        for meeting_id, topic in db.session.execute(
            sa.select(MeetingTopic.meeting_id, MeetingTopic.topic).where(MeetingTopic.meeting_id.in_(ids))
        ):
            meetings[meeting_id].topics.add(topic.value)
        for meeting_id, scene in db.session.execute(
            sa.select(MeetingScene.meeting_id, MeetingScene.scene).where(MeetingScene.meeting_id.in_(ids))
        ):
            meetings[meeting_id].scenes.add(scene.value)
    attended = Participant.status.in_(ATTENDED)
    for meeting_id, officers, managers in db.session.execute(
        sa.select(
            Participant.meeting_id,
            sa.func.sum(sa.case((sa.and_(attended, Participant.is_admin_officer.is_(True)), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(attended, Participant.is_manager.is_(True)), 1), else_=0)),
        )
        .join(Meeting, Meeting.id == Participant.meeting_id)
        .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fiscal_year)
        .group_by(Participant.meeting_id)
    ):
        meetings[meeting_id].admin_officer = bool(officers)
        meetings[meeting_id].manager = bool(managers)
    return list(meetings.values())


def held_attendance(hub_id: int, fiscal_year: int, now: datetime) -> list:
    """Every attendee (出席 or 代理) of the 年度's meetings held as of ``now``, in meeting then 名簿 order:
    rows of (id, starts_at, title, kind, name, status, proxy_name, profession, organisation_name,
    organisation_type, is_admin_officer, is_manager) — 職種 and 所属 as recorded that day."""
    return db.session.execute(
        sa.select(
            Meeting.id,
            Meeting.starts_at,
            Meeting.title,
            Meeting.kind,
            Participant.name,
            Participant.status,
            Participant.proxy_name,
            Participant.profession,
            Participant.organisation_name,
            Participant.organisation_type,
            Participant.is_admin_officer,
            Participant.is_manager,
        )
        .join(Participant, Participant.meeting_id == Meeting.id)
        .where(
            Meeting.hub_id == hub_id,
            Meeting.fiscal_year == fiscal_year,
            Meeting.held_clause(now),
            Participant.status.in_(ATTENDED),
        )
        .order_by(Meeting.starts_at, Meeting.id, Participant.sort_key, Participant.id)
    ).all()


def is_proxy(status: AttendanceStatus) -> bool:
    return status is AttendanceStatus.PROXY


def held_documents(hub_id: int, fiscal_year: int, now: datetime) -> list:
    """The documents of the 年度's meetings held as of ``now``, in meeting order."""
    from hubapp.meetings.models import MeetingDocument

    return list(
        db.session.scalars(
            sa.select(MeetingDocument)
            .join(Meeting, Meeting.id == MeetingDocument.meeting_id)
            .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fiscal_year, Meeting.held_clause(now))
            .order_by(Meeting.starts_at, MeetingDocument.id)
        )
    )


def report_meetings(hub_id: int, fiscal_year: int, now: datetime) -> tuple[list[Meeting], list[Meeting]]:
    """The 年度's meetings not cancelled, with their 議題, split into (held, still to come) as of ``now``."""
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fiscal_year, Meeting.cancelled_at.is_(None))
            .options(selectinload(Meeting.topics))
            .order_by(Meeting.starts_at)
        )
    )
    return [m for m in meetings if m.is_held(now)], [m for m in meetings if not m.is_held(now)]


def year_issues(hub_id: int, fiscal_year: int) -> list[MeetingIssue]:
    """The issues raised in the 年度, with their countermeasures, in the order they were raised."""
    return list(
        db.session.scalars(
            sa.select(MeetingIssue)
            .where(MeetingIssue.hub_id == hub_id, MeetingIssue.fiscal_year == fiscal_year)
            .options(selectinload(MeetingIssue.countermeasures))
            .order_by(MeetingIssue.id)
        )
    )
