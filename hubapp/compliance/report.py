"""The printable 事業報告書 (seed 002 §5's layout): region, operator, results per item, issues and
countermeasures, consultations, training, public awareness, disaster preparedness — from the records."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ReportData:
    resources: list[tuple[str, int]]  #: (organisation type label, count)
    issues: list
    meetings: list  #: held meetings only: what happened is what the report says
    consultations: int
    consultation_minutes: int
    planned: list = field(default_factory=list)  #: meetings still to come, shown marked 「予定」


def gather(hub, fiscal_year: int, now: datetime) -> ReportData:
    from hubapp.consultations import services as consultations
    from hubapp.directory import services as directory
    from hubapp.meetings import services as meetings

    held, planned = meetings.report_meetings(hub.id, fiscal_year, now)
    count, minutes = consultations.year_totals(hub.id, fiscal_year)
    return ReportData(
        directory.type_counts(hub.id), meetings.year_issues(hub.id, fiscal_year), held, count, minutes, planned
    )
