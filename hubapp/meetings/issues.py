"""Issues raised at meetings (課題) and their countermeasures (対応策), followed across the 年度."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.extensions import db
from hubapp.meetings.errors import MeetingError
from hubapp.meetings.models import (
    Countermeasure,
    IssueStatus,
    Meeting,
    MeetingIssue,
)


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
