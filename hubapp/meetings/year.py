"""The 年度 of meetings: planned and held against the targets (program A item 1: 4 a year), and the
年度's attendance by profession, organisation and municipality. A fixed number of aggregate queries
(``fiscal_year`` is a column), the same at 10 and at 500 meetings."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import Profession
from hubapp.extensions import db
from hubapp.meetings.models import (
    AttendanceStatus,
    Meeting,
    MeetingKind,
    Participant,
)


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
