"""The printable 事業報告書 (seed 002 §5's layout): region, operator, results per item, issues and
countermeasures, consultations, training, public awareness, disaster preparedness — from the records."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hubapp.extensions import db


@dataclass
class ReportData:
    resources: list[tuple[str, int]]  #: (organisation type label, count)
    issues: list
    meetings: list  #: held meetings only: what happened is what the report says
    consultations: int
    consultation_minutes: int
    planned: list = field(default_factory=list)  #: meetings still to come, shown marked 「予定」


def gather(hub, fiscal_year: int, now: datetime) -> ReportData:
    from hubapp.consultations.models import Consultation
    from hubapp.directory.models import Organisation
    from hubapp.meetings.models import Meeting, MeetingIssue

    resources = [
        (kind.label, count)
        for kind, count in db.session.execute(
            sa.select(Organisation.type, sa.func.count())
            .where(Organisation.hub_id == hub.id, Organisation.archived_at.is_(None))
            .group_by(Organisation.type)
            .order_by(Organisation.type)
        )
    ]
    issues = list(
        db.session.scalars(
            sa.select(MeetingIssue)
            .where(MeetingIssue.hub_id == hub.id, MeetingIssue.fiscal_year == fiscal_year)
            .options(selectinload(MeetingIssue.countermeasures))
            .order_by(MeetingIssue.id)
        )
    )
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.hub_id == hub.id, Meeting.fiscal_year == fiscal_year, Meeting.cancelled_at.is_(None))
            .options(selectinload(Meeting.topics))
            .order_by(Meeting.starts_at)
        )
    )
    held = [m for m in meetings if m.is_held(now)]
    planned = [m for m in meetings if not m.is_held(now)]
    count, minutes = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Consultation.minutes_spent), 0)).where(
            Consultation.hub_id == hub.id, Consultation.fiscal_year == fiscal_year
        )
    ).one()
    return ReportData(resources, issues, held, int(count), int(minutes), planned)
