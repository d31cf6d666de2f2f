"""What the 年度's meetings show to the prefecture: the facts compliance's rules apply to, the attendance
the evidence pack lists, and the 事業報告書's meetings and issues. A fixed number of queries each."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hubapp.core.services import JST
from hubapp.extensions import db
from hubapp.meetings.models import (
    AttendanceStatus,
    Meeting,
    MeetingIssue,
    MeetingScene,
    MeetingTopic,
    Participant,
)


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
