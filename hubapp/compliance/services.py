"""Enrolments, hand tags, manual evidence and documents, plans: the compliance records a coordinator keeps."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from hubapp.common.errors import DomainError
from hubapp.compliance.models import Enrollment, EvidenceDocument, ItemLink, LinkMode, ManualEvidence, PlanEntry
from hubapp.compliance.programs import Program
from hubapp.extensions import db


class ComplianceError(DomainError):
    """A compliance record was refused; the message is for the user."""


def programs() -> dict[str, Program]:
    return current_app.extensions["compliance_programs"]


def program_item(program_code: str, item_code: str):
    program = programs().get(program_code)
    item = program.item(item_code) if program else None
    if item is None:
        raise ComplianceError(_l("事業または項目が見つかりません。"))
    return program, item


def set_enrollments(hub_id: int, fiscal_year: int, codes: list[str]) -> None:
    """The programs the hub reports to in this 年度 (replaces the earlier choice)."""
    unknown = [c for c in codes if c not in programs()]
    if unknown:
        raise ComplianceError(_l("不明な事業です: %(c)s", c=", ".join(unknown)), "programs")
    current = {
        e.program_code: e
        for e in db.session.scalars(
            sa.select(Enrollment).where(Enrollment.hub_id == hub_id, Enrollment.fiscal_year == fiscal_year)
        )
    }
    for code, entry in current.items():
        if code not in codes:
            db.session.delete(entry)
    for code in codes:
        if code not in current:
            db.session.add(Enrollment(hub_id=hub_id, fiscal_year=fiscal_year, program_code=code))
    db.session.flush()


def set_link(
    hub_id: int,
    fiscal_year: int,
    program_code: str,
    item_code: str,
    meeting_id: int | None,
    mode: LinkMode | None,
    user_id,
) -> None:
    """Tag a meeting to an item (INCLUDE), unlink a wrong automatic match (EXCLUDE), or go back to the rule
    (None). Meetings of another hub or 年度 are refused."""
    from hubapp.meetings import services as meetings

    program, item = program_item(program_code, item_code)
    if item.rule.type != "meetings":
        raise ComplianceError(_l("この項目には会議を紐づけられません。"))
    meeting = meetings.get_meeting(hub_id, meeting_id) if meeting_id else None
    if meeting is None or meeting.fiscal_year != fiscal_year:
        raise ComplianceError(_l("この年度の拠点の会議を選んでください。"), "meeting")
    existing = db.session.scalars(
        sa.select(ItemLink).where(
            ItemLink.hub_id == hub_id,
            ItemLink.fiscal_year == fiscal_year,
            ItemLink.program_code == program_code,
            ItemLink.item_code == item_code,
            ItemLink.meeting_id == meeting.id,
        )
    ).first()
    if mode is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(
            ItemLink(
                hub_id=hub_id,
                fiscal_year=fiscal_year,
                program_code=program_code,
                item_code=item_code,
                meeting_id=meeting.id,
                mode=mode,
                created_by_id=user_id,
            )
        )
    else:
        existing.mode = mode
    db.session.flush()


def save_evidence(
    hub_id: int, fiscal_year: int, program_code: str, item_code: str, note: str, is_done: bool, user_id
) -> ManualEvidence:
    program_item(program_code, item_code)
    note = note.strip()
    if len(note) > 4000:
        raise ComplianceError(_l("記録は4000文字以内で入力してください。"), "note")
    if is_done and not note:
        raise ComplianceError(_l("達成とするときは、実施した内容を記録してください。"), "note")
    entry = db.session.scalars(
        sa.select(ManualEvidence).where(
            ManualEvidence.hub_id == hub_id,
            ManualEvidence.fiscal_year == fiscal_year,
            ManualEvidence.program_code == program_code,
            ManualEvidence.item_code == item_code,
        )
    ).first()
    if entry is None:
        entry = ManualEvidence(hub_id=hub_id, fiscal_year=fiscal_year, program_code=program_code, item_code=item_code)
        db.session.add(entry)
    entry.note, entry.is_done, entry.updated_by_id = note, is_done, user_id
    db.session.flush()
    return entry


def plan_entries(hub_id: int, fiscal_year: int, program_code: str) -> dict[str, PlanEntry]:
    return {
        e.menu_code: e
        for e in db.session.scalars(
            sa.select(PlanEntry).where(
                PlanEntry.hub_id == hub_id, PlanEntry.fiscal_year == fiscal_year, PlanEntry.program_code == program_code
            )
        )
    }


def save_plan(hub_id: int, fiscal_year: int, program_code: str, rows: dict[str, dict]) -> None:
    """``rows``: menu code -> {"subsidy_requested": bool, "description": str, "start_year": str}."""
    program = programs().get(program_code)
    if program is None or not program.menus:
        raise ComplianceError(_l("この事業には取り組み事項予定がありません。"))
    menus = {m.code: m for m in program.menus}
    existing = plan_entries(hub_id, fiscal_year, program_code)
    for code, values in rows.items():
        menu = menus.get(code)
        if menu is None:
            raise ComplianceError(_l("不明なメニューです: %(c)s", c=code))
        start = values.get("start_year", "")
        if start and start not in menu.start_years:
            raise ComplianceError(
                _l(
                    "「%(menu)s」の開始年度は %(years)s から選んでください。",
                    menu=menu.title,
                    years="・".join(menu.start_years),
                ),
                f"{code}-start",
            )
        description = values.get("description", "").strip()
        if len(description) > 500:
            raise ComplianceError(_l("取り組み内容は500文字以内で入力してください。"), f"{code}-description")
        entry = existing.get(code)
        if entry is None:
            if not (values.get("subsidy_requested") or description or start):
                continue
            entry = PlanEntry(hub_id=hub_id, fiscal_year=fiscal_year, program_code=program_code, menu_code=code)
            db.session.add(entry)
        entry.subsidy_requested = bool(values.get("subsidy_requested"))
        entry.description, entry.start_year = description, start
    db.session.flush()


DOCUMENT_FOLDER = ("compliance",)


def store_document(
    hub_id: int, fiscal_year: int, program_code: str, item_code: str, filename: str, data: bytes, user_id, now
) -> EvidenceDocument:
    """Keep a file as evidence of an item: checked for size and by content (the meetings' rules: PDF, Office,
    images, text); nothing is kept when it is refused."""
    from hubapp.common import storedfiles as documents

    program_item(program_code, item_code)
    if not filename:
        raise ComplianceError(_l("ファイルを選んでください。"), "file")
    try:
        stored = documents.write_checked(DOCUMENT_FOLDER, hub_id, filename, data)
    except documents.DocumentError as error:
        raise ComplianceError(str(error), "file") from None
    document = EvidenceDocument(
        hub_id=hub_id,
        fiscal_year=fiscal_year,
        program_code=program_code,
        item_code=item_code,
        **stored,
        uploaded_by_id=user_id,
        uploaded_at=now,
    )
    db.session.add(document)
    db.session.flush()
    return document


def document_path(document: EvidenceDocument):
    from hubapp.common import storedfiles as documents

    return documents.stored_path(DOCUMENT_FOLDER, document.hub_id, document.stored_name)


def get_document(hub_id: int, document_id: int) -> EvidenceDocument | None:
    found = db.session.get(EvidenceDocument, document_id)
    return found if found is not None and found.hub_id == hub_id else None


def delete_document(document: EvidenceDocument) -> None:
    """The row goes now (audited); the file is removed after the commit."""
    from hubapp.common import storedfiles as documents

    path = document_path(document)
    db.session.delete(document)
    db.session.flush()
    documents.remove_on_commit(path)
