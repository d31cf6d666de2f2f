"""「証拠書類を出力」: one ZIP with everything a prefecture asks for a 年度, as a clerk would hand it in unedited.

- ``証拠書類.xlsx``: 概要 (every item's status and figure), one sheet per item named in Japanese
  (「C-1 医療及び介護、障害福祉の関係者による…」) with the rule in words and every meeting of the 年度 marked
  数える / 予定 / 数えない with the reason, 会議と参加者 (each attendee's 職種 and 所属機関 as of that day),
  職種別参加数 (with totals), 出席者名簿 (氏名・職種・所属; left out when the hub's ``pack_attendee_names`` is
  off), 相談支援, 当番表, 後方支援病床;
- the same tables as CSV (UTF-8 with BOM, so Excel reads the Japanese), under ``csv/``;
- the minutes and handouts of the 年度's held meetings, under ``documents/``;
- ``manifest.json``: every file with its size and SHA-256.

Only what happened is listed as attendance: the meeting tables hold held meetings only
(:meth:`Meeting.held_clause`); a planned one appears on its item's sheet as 「予定」 and nowhere else.
Every code is shown by its Japanese label (the enums' ``.label``, as on the pages), citations name the
source document and section, dates are real date cells (令和 or yyyy/mm/dd: ``EXPORT_DATE_STYLE``), every
sheet has column widths and a frozen header row. Every text cell is defused against formula injection
(hubapp.common.csvcells.neutralise).
"""

import csv
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from hubapp.common.csvcells import neutralise
from hubapp.common.jpcalendar import format_month, format_wareki
from hubapp.compliance.evaluate import Facts, Result
from hubapp.core.services import JST

Table = tuple[str, list[list[object]]]  #: (title, rows with the header first)

#: Number formats of date cells: 令和8年5月21日 (Excel's 和暦 with 元年), or 2026/05/21.
DATE_FORMATS = {"wareki": '[$-ja-JP-x-gannen]ggge"年"m"月"d"日"', "western": "yyyy/mm/dd"}
TOTAL = "合計"


@dataclass
class Sheet:
    """A sheet (and its CSV): ``header`` is the 1-based row of the table's column names (frozen below)."""

    title: str
    rows: list[list[object]]
    header: int = 1


def format_date(day: date, style: str) -> str:
    """A date as text (CSV): 令和8年5月21日, or 2026/05/21 with the western style."""
    return day.strftime("%Y/%m/%d") if style == "western" else format_wareki(day)


def month_label(first: date) -> str:
    """令和8年4月"""
    return format_month(first)


def _cell(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _cite(program, item) -> str:
    """The source by document title and section, never by the file it is stored in."""
    return f"{program.document} {item.passage}"


def _summary(results: list[tuple[object, list[Result]]]) -> Sheet:
    rows: list[list[object]] = [["事業", "項目", "内容", "区分", "状況", "実績", "不足", "根拠（資料・箇所）"]]
    for program, items in results:
        for r in items:
            rows.append(
                [
                    program.title,
                    r.item.code,
                    r.item.title,
                    "望ましい" if r.item.planned else "必須",
                    str(r.status.label),
                    r.figure,
                    r.missing,
                    _cite(program, r.item),
                ]
            )
    return Sheet("概要", rows)


def _kind_label(value: str) -> str:
    from hubapp.common.vocabulary import MeetingKind

    return MeetingKind(value).label


def _item_sheet(program, r: Result, title: str) -> Sheet:
    rows: list[list[object]] = [
        ["項目", f"{r.item.code} {r.item.title}"],
        ["事業", program.title],
        ["状況", str(r.status.label)],
        ["実績", r.figure],
    ]
    if r.missing:
        rows.append(["不足", r.missing])
    rows.append(["根拠", f"{_cite(program, r.item)}「{r.item.quote}」"])
    if r.rule_text:
        rows.append(["数え方", r.rule_text])
    if r.manual is not None and r.manual.note:
        rows.append(["手入力の記録", r.manual.note])
    rows.append([])
    if r.counted or r.not_counted:
        header = len(rows) + 1
        rows.append(["日付", "会議", "種類", "数えるか", "理由", "行政担当官の出席", "管理者の出席"])
        listed = [(m, "数える", why) for m, why in r.counted]
        listed += [(m, "予定" if planned else "数えない", why) for m, why, planned in r.not_counted]
        for m, verdict, why in sorted(listed, key=lambda x: (x[0].day, x[0].id)):
            counted = verdict == "数える"
            rows.append(
                [
                    m.day,
                    m.title,
                    _kind_label(m.kind),
                    verdict,
                    why,
                    "あり" if counted and m.admin_officer else "",
                    "あり" if counted and m.manager else "",
                ]
            )
        rows.append([TOTAL, f"数える {len(r.counted)}回・予定 {r.planned}回"])
    else:
        header = len(rows) + 1
        rows.append(["根拠の画面"])
        rows.extend([[label] for label, _url in r.evidence] or [["（なし）"]])
    return Sheet(title, rows, header)


def _meetings(hub_id: int, fiscal_year: int, now: datetime, with_names: bool) -> tuple[list[Sheet], list]:
    """Every attendee of the 年度's held meetings (職種, 所属機関 as recorded that day), counts per 職種 with
    totals, and (``with_names``) the 出席者名簿."""
    from hubapp.common.vocabulary import OrganisationType, Profession
    from hubapp.meetings import services as meetings

    attendees = meetings.held_attendance(hub_id, fiscal_year, now)
    types = {t.value: t.label for t in OrganisationType}
    detail: list[list[object]] = [["日付", "会議", "種類", "職種", "所属機関", "機関の種別", "行政担当官", "管理者"]]
    roster: list[list[object]] = [["日付", "会議", "氏名", "職種", "所属", "出欠"]]
    per_meeting: dict[int, Counter] = {}
    titles: dict[int, tuple] = {}
    for row in attendees:
        day = row.starts_at.astimezone(JST).date()
        detail.append(
            [
                day,
                row.title,
                row.kind.label,
                row.profession.label,
                row.organisation_name,
                types.get(row.organisation_type, ""),
                "○" if row.is_admin_officer else "",
                "○" if row.is_manager else "",
            ]
        )
        proxy = meetings.is_proxy(row.status)
        roster.append(
            [
                day,
                row.title,
                (row.proxy_name or row.name) if proxy else row.name,
                row.profession.label,
                row.organisation_name,
                f"代理（{row.name}の代理）" if proxy else row.status.label,
            ]
        )
        per_meeting.setdefault(row.id, Counter())[row.profession] += 1
        titles[row.id] = (day, row.title)
    professions = [p for p in Profession if any(c[p] for c in per_meeting.values())]
    counts: list[list[object]] = [["日付", "会議", *[p.label for p in professions], TOTAL]]
    for meeting_id, counter in per_meeting.items():
        day, title = titles[meeting_id]
        counts.append([day, title, *[counter[p] for p in professions], sum(counter.values())])
    totals = Counter()
    for counter in per_meeting.values():
        totals.update(counter)
    counts.append([TOTAL, f"{len(per_meeting)}回", *[totals[p] for p in professions], sum(totals.values())])
    documents = meetings.held_documents(hub_id, fiscal_year, now)
    sheets = [Sheet("会議と参加者", detail), Sheet("職種別参加数", counts)]
    if with_names:
        sheets.append(Sheet("出席者名簿", roster))
    return sheets, documents


def _consultations_table(hub, fiscal_year: int) -> Table:
    from hubapp.common.jpcalendar import FiscalYear
    from hubapp.consultations import services as consultations

    return "相談支援", consultations.statistics_table(hub, FiscalYear(fiscal_year))


def _rota(facts: Facts) -> Table:
    """Per group: the months summarised by hand (区分 手入力の集計（資料あり）), the app's own rota from
    counted_from, and the group's total."""
    rows: list[list[object]] = [
        ["医師グループ", "区分", "集計の始まり", "集計の終わり", "主・副のそろった枠", "夜間・休日の枠", "割合（%）"]
    ]

    def share(covered: int, total: int) -> int:
        return round(100 * covered / total) if total else 0

    for group in facts.rota:
        for month, last, covered, slots in group.manual_periods:
            rows.append([group.name, "手入力の集計（資料あり）", month, last, covered, slots, share(covered, slots)])
        if group.total or not group.manual:
            rows.append(
                [
                    group.name,
                    "当番表",
                    group.counted_from,
                    facts.as_of,
                    group.covered,
                    group.total,
                    share(group.covered, group.total),
                ]
            )
        if group.manual:
            rows.append(
                [
                    group.name,
                    TOTAL,
                    "",
                    "",
                    group.all_covered,
                    group.all_total,
                    share(group.all_covered, group.all_total),
                ]
            )
    return "当番表", rows


def _beds(hub_id: int, fiscal_year: int) -> Table:
    from hubapp.beds import services as beds

    months, total, _declines = beds.year_figures(hub_id, fiscal_year)
    rows: list[list[object]] = [
        ["月", "確保病床日数", "依頼", "受け入れ", "お断り", "取り下げ", "回答までの中央値（分）"]
    ]
    for m in [*months, total]:
        label = "年度計" if m is total else month_label(m.first)
        median = m.median_answer_minutes
        rows.append(
            [
                label,
                m.secured_bed_days,
                m.requests,
                m.accepted,
                m.declined,
                m.cancelled,
                round(median) if median is not None else "",
            ]
        )
    return "後方支援病床", rows


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", title)[:31]
    name, n = base, 2
    while name in used:
        suffix = f"～{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _item_title(program, item, clash: bool) -> str:
    """「C-1 医療及び介護、障害福祉の関係者による会議の…」: code and title, the program's name first when two
    enrolled programs use the same code."""
    prefix = f"{program.title[:8]} " if clash else ""
    return f"{prefix}{item.code} {item.title}"


def _width(value) -> int:
    if isinstance(value, date):
        return 16
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _xlsx(sheets: list[Sheet], date_style: str) -> bytes:
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    number_format = DATE_FORMATS[date_style]
    for table in sheets:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        widths: dict[int, int] = {}
        for r, row in enumerate(table.rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=_cell(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                if isinstance(value, date):
                    cell.number_format = number_format
                if r == table.header or (row and row[0] == TOTAL) or (r < table.header and c == 1):
                    cell.font = Font(bold=True)
                if r >= table.header or c > 1 or len(row) == 1:
                    widths[c] = max(widths.get(c, 0), _width(value))
        for c, w in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = min(max(w + 2, 8), 60)
        sheet.freeze_panes = sheet.cell(row=table.header + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[object]], date_style: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([format_date(v, date_style) if isinstance(v, date) else _cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _safe_filename(name: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "file"
    return cleaned[:120]


def build(
    hub,
    fiscal_year: int,
    results,
    facts: Facts,
    generated: date,
    now: datetime | None = None,
    date_style: str = "wareki",
) -> bytes:
    """The evidence pack as ZIP bytes (deterministic order; the manifest's hashes are of the stored bytes).
    ``now``: the moment of building (what has been held by then); ``date_style``: "wareki" or "western"."""
    from hubapp.compliance import services
    from hubapp.db import utcnow
    from hubapp.meetings import services as meetings
    from hubapp.rota import services as rota

    if date_style not in DATE_FORMATS:
        raise ValueError(f"date_style must be one of {sorted(DATE_FORMATS)}")
    now = now or utcnow()
    meeting_sheets, documents = _meetings(hub.id, fiscal_year, now, hub.pack_attendee_names)
    required = [(p, r) for p, items in results for r in items]
    codes = Counter(r.item.code for _p, r in required)
    sheets: list[Sheet] = [_summary(results)]
    sheets += [_item_sheet(p, r, _item_title(p, r.item, codes[r.item.code] > 1)) for p, r in required]
    sheets += meeting_sheets
    for title, rows in (_consultations_table(hub, fiscal_year), _rota(facts), _beds(hub.id, fiscal_year)):
        sheets.append(Sheet(title, rows))

    files: list[tuple[str, bytes]] = [("証拠書類.xlsx", _xlsx(sheets, date_style))]
    used: set[str] = set()
    for n, sheet in enumerate(sheets, start=1):
        name = _safe_filename(_sheet_name(sheet.title, used))
        files.append((f"csv/{n:02d}_{name}.csv", _csv(sheet.rows, date_style)))
    for document in documents:
        path = meetings.document_path(document)
        if path.exists():
            day = document.meeting.starts_at.astimezone(JST).date().isoformat()
            files.append((f"documents/{day}_{document.id}_{_safe_filename(document.filename)}", path.read_bytes()))
    for _program, r in required:
        for document in r.documents:
            path = services.document_path(document)
            if path.exists():
                prefix = f"evidence/{document.program_code}_{document.item_code}_{document.id}"
                files.append((f"{prefix}_{_safe_filename(document.filename)}", path.read_bytes()))
    for group in facts.rota:
        for document in group.manual_documents:
            path = rota.summary_document_path(document)
            if path.exists():
                files.append((f"evidence/当番表_{document.id}_{_safe_filename(document.filename)}", path.read_bytes()))
    manifest = {
        "hub": hub.name,
        "fiscal_year": fiscal_year,
        "generated_on": generated.isoformat(),
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files
        ],
    }
    files.append(("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(generated.year, generated.month, generated.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 file names
            archive.writestr(info, data)
    return out.getvalue()
