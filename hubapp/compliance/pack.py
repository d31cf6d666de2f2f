"""「証拠書類を出力」: one ZIP with everything a prefecture asks for a 年度.

- ``証拠書類.xlsx``: 概要 (every item's status and figure), one sheet per required item with its evidence
  rows, 会議と参加者 (every meeting with each attendee's 職種 and 所属機関 as of that day, no names) and
  職種別参加数 (counts per profession per meeting), 相談支援 (the month-by-month statistics), 当番表
  (coverage per group and month), 後方支援病床 (per month);
- the same tables as CSV (UTF-8 with BOM, so Excel reads the Japanese), under ``csv/``;
- the minutes and handouts of the 年度's meetings, under ``documents/``;
- ``manifest.json``: every file with its size and SHA-256.

Every text cell is defused against formula injection (hubapp.directory.exporting.neutralise).
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from datetime import date

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from hubapp.compliance.evaluate import Facts, Result
from hubapp.core.services import JST
from hubapp.directory.exporting import neutralise
from hubapp.extensions import db

Table = tuple[str, list[list[object]]]  #: (title, rows with the header first)


def _cell(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _summary(results: list[tuple[object, list[Result]]]) -> Table:
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
                    f"{program.seed} {r.item.passage}",
                ]
            )
    return "概要", rows


def _item_sheet(program, r: Result) -> Table:
    rows: list[list[object]] = [
        ["項目", f"{r.item.code} {r.item.title}"],
        ["状況", str(r.status.label)],
        ["実績", r.figure],
    ]
    if r.missing:
        rows.append(["不足", r.missing])
    rows.append(["根拠", f"{program.seed} {r.item.passage}「{r.item.quote}」"])
    if r.manual is not None and r.manual.note:
        rows.append(["手入力の記録", r.manual.note])
    if r.meetings:
        rows.append([])
        rows.append(["日付", "会議", "種類", "行政担当官の参加", "管理者の参加"])
        for m in r.meetings:
            rows.append(
                [m.day.isoformat(), m.title, m.kind, "あり" if m.admin_officer else "", "あり" if m.manager else ""]
            )
    elif r.evidence:
        rows.append([])
        rows.append(["根拠の画面"])
        rows.extend([[label] for label, _url in r.evidence])
    return f"{program.code} {r.item.code}", rows


def _meetings(hub_id: int, fiscal_year: int) -> tuple[Table, Table, list]:
    """Every attendee of the 年度's meetings (職種, 所属機関 as recorded that day) and counts per 職種."""
    from hubapp.directory.models import Profession
    from hubapp.meetings.models import Meeting, MeetingDocument, Participant

    attendees = db.session.execute(
        sa.select(
            Meeting.id,
            Meeting.starts_at,
            Meeting.title,
            Meeting.kind,
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
            Meeting.cancelled_at.is_(None),
            Participant.status.in_(["present", "proxy"]),
        )
        .order_by(Meeting.starts_at, Meeting.id, Participant.sort_key, Participant.id)
    ).all()
    detail: list[list[object]] = [["日付", "会議", "種類", "職種", "所属機関", "機関の種別", "行政担当官", "管理者"]]
    per_meeting: dict[int, Counter] = {}
    titles: dict[int, tuple] = {}
    for row in attendees:
        day = row.starts_at.astimezone(JST).date().isoformat()
        detail.append(
            [
                day,
                row.title,
                row.kind.label,
                row.profession.label,
                row.organisation_name,
                row.organisation_type,
                "○" if row.is_admin_officer else "",
                "○" if row.is_manager else "",
            ]
        )
        per_meeting.setdefault(row.id, Counter())[row.profession] += 1
        titles[row.id] = (day, row.title)
    professions = [p for p in Profession if any(c[p] for c in per_meeting.values())]
    counts: list[list[object]] = [["日付", "会議", *[p.label for p in professions], "合計"]]
    for meeting_id, counter in per_meeting.items():
        day, title = titles[meeting_id]
        counts.append([day, title, *[counter[p] for p in professions], sum(counter.values())])
    documents = list(
        db.session.scalars(
            sa.select(MeetingDocument)
            .join(Meeting, Meeting.id == MeetingDocument.meeting_id)
            .where(Meeting.hub_id == hub_id, Meeting.fiscal_year == fiscal_year)
            .order_by(Meeting.starts_at, MeetingDocument.id)
        )
    )
    return ("会議と参加者", detail), ("職種別参加数", counts), documents


def _consultations(hub, fiscal_year: int) -> Table:
    from hubapp.common.jpcalendar import FiscalYear
    from hubapp.consultations import exporting, statistics

    return "相談支援", exporting.rows(statistics.year_statistics(hub, FiscalYear(fiscal_year)))


def _rota(facts: Facts) -> Table:
    rows: list[list[object]] = [["医師グループ", "主・副のそろった枠", "夜間・休日の枠", "割合（%）"]]
    for name, _group_id, done, total in facts.rota:
        rows.append([name, done, total, round(100 * done / total) if total else 0])
    return "当番表", rows


def _beds(hub_id: int, fiscal_year: int) -> Table:
    from hubapp.beds import services as beds

    months, total, _declines = beds.year_figures(hub_id, fiscal_year)
    rows: list[list[object]] = [
        ["月", "確保病床日数", "依頼", "受け入れ", "お断り", "取り下げ", "回答までの中央値（分）"]
    ]
    for m in [*months, total]:
        label = "年度計" if m is total else f"{m.first.year}年{m.first.month}月"
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
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _xlsx(tables: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for title, rows in tables:
        sheet = book.create_sheet(_sheet_name(title, used))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=_cell(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                if r == 1:
                    cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _safe_filename(name: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "file"
    return cleaned[:120]


def build(hub, fiscal_year: int, results, facts: Facts, generated: date) -> bytes:
    """The evidence pack as ZIP bytes (deterministic order; the manifest's hashes are of the stored bytes)."""
    from hubapp.compliance import services
    from hubapp.meetings import documents as meeting_documents

    detail, counts, documents = _meetings(hub.id, fiscal_year)
    required = [(p, r) for p, items in results for r in items]
    tables: list[Table] = [_summary(results)]
    tables += [_item_sheet(p, r) for p, r in required]
    tables += [detail, counts, _consultations(hub, fiscal_year), _rota(facts), _beds(hub.id, fiscal_year)]

    files: list[tuple[str, bytes]] = [("証拠書類.xlsx", _xlsx(tables))]
    used: set[str] = set()
    for n, (title, rows) in enumerate(tables, start=1):
        files.append((f"csv/{n:02d}_{_safe_filename(_sheet_name(title, used))}.csv", _csv(rows)))
    for document in documents:
        path = meeting_documents.path_of(document)
        if path.exists():
            day = document.meeting.starts_at.astimezone(JST).date().isoformat()
            files.append((f"documents/{day}_{document.id}_{_safe_filename(document.filename)}", path.read_bytes()))
    for _program, r in required:
        for document in r.documents:
            path = services.document_path(document)
            if path.exists():
                prefix = f"evidence/{document.program_code}_{document.item_code}_{document.id}"
                files.append((f"{prefix}_{_safe_filename(document.filename)}", path.read_bytes()))
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
