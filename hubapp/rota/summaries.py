"""Months before a group's 運用開始日, summarised by hand with their evidence, so that C-3-c counts the whole 年度.

A group that kept its rota in Excel until it moved to the app has those months on paper, not in the app.
Counting C-3-c from 運用開始日 is honest but leaves the 年度's first months out; inventing duties for
them (自動作成 of a past month) would be worse. So the coordinator enters, per month of the 年度 before
運用開始日, how many night and 休日 slots there were and how many had a 主 and a 副, and uploads the rota
those figures come from. Every figure stands on its document: deleting the document deletes its months.
The compliance view adds them to the app's own count and shows them as 「手入力の集計（資料あり）」.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hubapp.common.jpcalendar import FiscalYear, format_month
from hubapp.extensions import db
from hubapp.rota import calendar as rota_calendar
from hubapp.rota.models import MonthSummary, PhysicianGroup, SummaryDocument
from hubapp.rota.services import RotaError, holiday_calendar

FOLDER = ("rota",)
#: At most this many slots a day (an hourly rota); more is a typing error.
MAX_SLOTS_PER_DAY = 24
NOTE_MAX = 200


def month_last_day(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class SummaryMonth:
    """A month that may be summarised: the days of it before 運用開始日, and the slots the group's current
    shift types would have there (a suggestion; the month's own rota may have had others)."""

    month: date  #: first day
    last: date  #: last day summarised (the month's end, or the day before 運用開始日)
    suggested_slots: int

    @property
    def label(self) -> str:
        """「4月」, or 「12月（1日〜14日）」 when 運用開始日 is in the month."""
        name = f"{self.month.month}月"
        if self.last == month_last_day(self.month):
            return name
        return str(_l("%(month)s（1日〜%(day)d日）", month=name, day=self.last.day))

    @property
    def days(self) -> int:
        return (self.last - self.month).days + 1


def summary_months(group: PhysicianGroup, year_end=((12, 29), (1, 3))) -> list[SummaryMonth]:
    """The months of 運用開始日's 年度 before it (none without a 運用開始日, or when it is the 年度's first day)."""
    if group.started_on is None:
        return []
    fy = FiscalYear.of(group.started_on)
    calendar = holiday_calendar(group, year_end)
    found = []
    for month in fy.months():
        if month >= group.started_on:
            break
        last = min(month_last_day(month), group.started_on - timedelta(days=1))
        found.append(SummaryMonth(month, last, len(rota_calendar.slots(group.shift_types, month, last, calendar))))
    return found


def documents(group: PhysicianGroup) -> list[SummaryDocument]:
    """The group's summary documents with their months (two queries)."""
    return list(
        db.session.scalars(
            sa.select(SummaryDocument)
            .where(SummaryDocument.group_id == group.id)
            .options(sa.orm.selectinload(SummaryDocument.months))
            .order_by(SummaryDocument.id)
        )
    )


def _number(text: str, field: str, message) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise RotaError(message, field) from None
    return value


def parse_rows(group: PhysicianGroup, form, year_end=((12, 29), (1, 3))) -> dict[date, tuple[int, int]]:
    """The month rows of the form (``slots-YYYY-MM`` and ``covered-YYYY-MM``) that were filled in:
    {month: (slots, covered)}. A row with only one of its two numbers is an error, not skipped."""
    rows = {}
    for month in summary_months(group, year_end):
        key = month.month.strftime("%Y-%m")
        slots_text, covered_text = form.get(f"slots-{key}", "").strip(), form.get(f"covered-{key}", "").strip()
        if not slots_text and not covered_text:
            continue
        label = month.label
        if not covered_text:
            raise RotaError(_l("%(month)s: 主・副のそろった枠の数を入力してください。", month=label), f"covered-{key}")
        maximum = month.days * MAX_SLOTS_PER_DAY
        slots = _number(
            slots_text or str(month.suggested_slots),
            f"slots-{key}",
            _l("%(month)s: 枠の数は1〜%(max)dの整数で入力してください。", month=label, max=maximum),
        )
        if not 1 <= slots <= maximum:
            raise RotaError(
                _l("%(month)s: 枠の数は1〜%(max)dの整数で入力してください。", month=label, max=maximum), f"slots-{key}"
            )
        covered = _number(
            covered_text,
            f"covered-{key}",
            _l("%(month)s: 主・副のそろった枠は0〜%(max)dの整数で入力してください。", month=label, max=slots),
        )
        if not 0 <= covered <= slots:
            raise RotaError(
                _l("%(month)s: 主・副のそろった枠は0〜%(max)dの整数で入力してください。", month=label, max=slots),
                f"covered-{key}",
            )
        rows[month.month] = (slots, covered)
    return rows


def store(
    group: PhysicianGroup,
    rows: dict[date, tuple[int, int]],
    filename: str,
    data: bytes,
    note: str,
    user_id: int | None,
    now: datetime,
    year_end=((12, 29), (1, 3)),
) -> SummaryDocument:
    """Keep the document and the months it backs, all or nothing: the months must be ones before
    運用開始日 not yet summarised, the file one the meetings' documents accept (size, then content)."""
    from hubapp.common import storedfiles as files

    if not rows:
        raise RotaError(_l("集計する月の枠の数と主・副のそろった枠の数を入力してください。"), "rows")
    allowed = {m.month: m for m in summary_months(group, year_end)}
    taken = set(
        db.session.scalars(
            sa.select(MonthSummary.month).where(MonthSummary.group_id == group.id, MonthSummary.month.in_(rows))
        )
    )
    for month in sorted(rows):
        if month not in allowed:
            raise RotaError(_l("運用開始日より前の月だけを手入力で集計できます。"), "rows")
        if month in taken:
            raise RotaError(
                _l(
                    "%(month)sの集計はもうあります。直すときは、その資料を削除してから登録し直してください。",
                    month=allowed[month].label,
                ),
                f"covered-{month.strftime('%Y-%m')}",
            )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RotaError(_l("メモは%(n)d文字以内で入力してください。", n=NOTE_MAX), "note")
    if not filename:
        raise RotaError(_l("集計のもとになった当番表（Excel や PDF）を選んでください。"), "file")
    try:
        stored = files.write_checked(FOLDER, group.hub_id, filename, data)
    except files.DocumentError as error:
        raise RotaError(str(error), "file") from None
    document = SummaryDocument(
        hub_id=group.hub_id,
        group_id=group.id,
        **stored,
        note=note,
        uploaded_by_id=user_id,
        uploaded_at=now,
    )
    for month, (slots, covered) in sorted(rows.items()):
        document.months.append(
            MonthSummary(
                hub_id=group.hub_id, group_id=group.id, month=month, slots=slots, covered=covered, entered_by_id=user_id
            )
        )
    db.session.add(document)
    db.session.flush()
    return document


def get_document(hub_id: int, document_id: int) -> SummaryDocument | None:
    """A summary document of this hub, or None (another hub's is not found)."""
    found = db.session.get(SummaryDocument, document_id)
    return found if found is not None and found.hub_id == hub_id else None


def path_of(document: SummaryDocument):
    from hubapp.common import storedfiles as files

    return files.stored_path(FOLDER, document.hub_id, document.stored_name)


def delete(document: SummaryDocument) -> None:
    """The document and its months go now (audited); the file when the deletion is committed."""
    from hubapp.common import storedfiles as files

    path = path_of(document)
    db.session.delete(document)
    db.session.flush()
    files.remove_on_commit(path)


def months_label(months: list[date]) -> str:
    """「令和8年4月〜11月」 for consecutive months, else each month: 「令和8年4月・6月」."""
    if not months:
        return ""
    months = sorted(months)
    consecutive = all(
        (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in zip(months, months[1:], strict=False)
    )
    first = format_month(months[0])
    short = [f"{m.month}月" for m in months]
    if len(months) == 1:
        return first
    if consecutive:
        return f"{first}〜{short[-1]}"
    return "・".join([first, *short[1:]])
