"""実績・要件 under /compliance/: per enrolled program, each required item's status with the figure and the
evidence behind it; tagging meetings by hand; manual evidence; program D's plan; the prefecture's table."""

import re

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.current import hub_or_404 as _hub
from hubapp.common.downloads import content_disposition, stored_file
from hubapp.common.downloads import fallback_name as _fallback_name
from hubapp.common.forms import commit_change
from hubapp.common.headers import DOWNLOAD_CSP, talisman
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import HUB_EDITORS, Role, roles_required
from hubapp.compliance import evaluate, services
from hubapp.compliance.forms import DocumentForm, EnrolForm, EvidenceForm, LinkForm, plan_form, plan_rows
from hubapp.compliance.models import LinkMode
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.extensions import db

READERS = (*HUB_EDITORS, Role.PREFECTURE)
PREFECTURE_READERS = (Role.PREFECTURE, Role.ADMIN)


def _year() -> int:
    current = FiscalYear.of(today()).year
    year = request.values.get("year", type=int) or current
    return year if 2000 <= year <= current + 1 else current


def _facts(hub, year: int):
    return evaluate.gather(
        hub,
        year,
        today(),
        year_end=current_app.config["YEAR_END_HOLIDAYS"],
        max_age_days=current_app.config["DIRECTORY_STALE_DAYS"],
    )


#: An item's anchor on the page ("item-A-2-b"); it is built from the posted program and item, so anything
#: else (a line break would end in a 500 in the Location header) is left out.
_ANCHOR = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _back(year: int, anchor: str = ""):
    return redirect(url_for("compliance.index", year=year) + (f"#{anchor}" if _ANCHOR.fullmatch(anchor) else ""))


@roles_required(*READERS)
def index():
    return _index_page()


def _index_page(refused=None):
    """The year's programs and items; ``refused``: an item's form whose post was refused, shown again on
    its item with its error and what was typed."""
    hub = _hub()
    year = _year()
    catalogue = services.programs()
    codes = evaluate.enrolled(hub.id, year)
    facts = _facts(hub, year)
    results = evaluate.evaluate([catalogue[c] for c in codes if c in catalogue], facts)
    return render_template(
        "compliance/index.html",
        hub=hub,
        fiscal_year=FiscalYear(year),
        current=FiscalYear.of(today()).year,
        catalogue=catalogue,
        enrolled=codes,
        results=results,
        facts=facts,
        statuses=evaluate.Status,
        can_edit=current_user.role in HUB_EDITORS,
        can_see_prefecture=current_user.role in PREFECTURE_READERS,
        refused=refused,
    )


@roles_required(*READERS)
def pack():
    """「証拠書類を出力」: the 年度's evidence as one ZIP (XLSX, CSV, minutes and handouts, manifest)."""
    import io

    from flask import send_file

    from hubapp.audit.services import record
    from hubapp.common.vocabulary import AuditAction
    from hubapp.compliance import pack as evidence_pack

    hub, year = _hub(), _year()
    catalogue = services.programs()
    facts = _facts(hub, year)
    results = evaluate.evaluate([catalogue[c] for c in evaluate.enrolled(hub.id, year) if c in catalogue], facts)
    data = evidence_pack.build(hub, year, results, facts, today(), utcnow(), current_app.config["EXPORT_DATE_STYLE"])
    record(AuditAction.EXPORT, "compliance_pack", None, hub_id=hub.id, details={"fiscal_year": year})
    db.session.commit()
    response = send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name="pack.zip")
    response.headers["Content-Disposition"] = content_disposition(
        f"証拠書類_{hub.name}_{FiscalYear(year).label_ja}.zip", f"evidence-FY{year}.zip"
    )
    return response


@roles_required(*READERS)
def report():
    """The printable 事業報告書 (A4): read-only, for the prefecture too."""
    from hubapp.compliance import report as annual

    hub, year = _hub(), _year()
    catalogue = services.programs()
    facts = _facts(hub, year)
    results = evaluate.evaluate([catalogue[c] for c in evaluate.enrolled(hub.id, year) if c in catalogue], facts)
    return render_template(
        "compliance/report.html",
        hub=hub,
        fiscal_year=FiscalYear(year),
        results=results,
        data=annual.gather(hub, year, utcnow()),
        facts=facts,
        printed_on=today(),
    )


def _posted(form, change, done: str, anchor: str = ""):
    """An index form's post: saved, back to its item; refused, the page again with the form as sent."""
    year = _year()
    if form.validate_on_submit() and commit_change(change, done, form):
        return _back(year, anchor)
    return _index_page(form)


@roles_required(*HUB_EDITORS)
def enrol():
    hub, year, form = _hub(), _year(), EnrolForm()
    return _posted(
        form,
        lambda: services.set_enrollments(hub.id, year, form.programs.data or []),
        _("報告する事業を保存しました。"),
    )


@roles_required(*HUB_EDITORS)
def link():
    hub, year, form = _hub(), _year(), LinkForm()
    if form.mode.data not in LinkForm.MODES:
        abort(400)
    mode = {"include": LinkMode.INCLUDE, "exclude": LinkMode.EXCLUDE, "clear": None}[form.mode.data]
    return _posted(
        form,
        lambda: services.set_link(
            hub.id, year, form.program.data, form.item.data, form.meeting.data, mode, current_user.id
        ),
        _("紐づけを保存しました。") if mode != LinkMode.EXCLUDE else _("この項目から外しました。"),
        f"item-{form.program.data}-{form.item.data}",
    )


@roles_required(*HUB_EDITORS)
def evidence():
    hub, year, form = _hub(), _year(), EvidenceForm()
    return _posted(
        form,
        lambda: services.save_evidence(
            hub.id, year, form.program.data, form.item.data, form.note.data or "", form.is_done.data, current_user.id
        ),
        _("記録を保存しました。"),
        f"item-{form.program.data}-{form.item.data}",
    )


def _menu_program(program_code: str):
    program = found_or_404(services.programs().get(program_code), lambda p: bool(p.menus))
    return program


@roles_required(*HUB_EDITORS)
def document_upload():
    hub, year, form = _hub(), _year(), DocumentForm()
    upload = form.file.data if form.is_submitted() and isinstance(form.file.data, FileStorage) else None
    data = upload.read(_upload_max_bytes() + 1) if upload else b""  # one byte over is enough to refuse it
    if len(data) > _upload_max_bytes():
        return _too_large(year, f"#item-{form.program.data}-{form.item.data}")
    return _posted(
        form,
        lambda: services.store_document(
            hub.id, year, form.program.data, form.item.data, upload and upload.filename, data, current_user.id, utcnow()
        ),
        _("資料を登録しました。"),
        f"item-{form.program.data}-{form.item.data}",
    )


def _upload_max_bytes() -> int:
    """Evidence documents follow the meeting documents' limit (MEETING_UPLOAD_MAX_BYTES)."""
    return int(current_app.config["MEETING_UPLOAD_MAX_BYTES"])


def _too_large(year: int, anchor: str = ""):
    """413 with the limit and a link back to the item the file was for."""
    from hubapp.core.services import upload_too_large

    return upload_too_large(_upload_max_bytes(), url_for("compliance.index", year=year) + anchor)


def _body_too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH on the upload: 413 with the limit, not the bare error page."""
    from hubapp.core.services import error_page as handle_http_error

    if request.endpoint == "compliance.document_upload":
        # only the query string: reading the form of an oversized body would raise again
        year = request.args.get("year", type=int)
        current = FiscalYear.of(today()).year
        return _too_large(year if year and 2000 <= year <= current + 1 else current)
    return handle_http_error(error)


@roles_required(*READERS)
@talisman(content_security_policy=DOWNLOAD_CSP)
def document(document_id: int):
    from hubapp.audit.services import record
    from hubapp.common.vocabulary import AuditAction

    found = hub_object_or_404(services.get_document, document_id, lambda d: services.document_path(d).exists())
    record(AuditAction.VIEW, found.__tablename__, found.id, hub_id=found.hub_id)
    db.session.commit()
    return stored_file(services.document_path(found), found.filename, found.content_type, _fallback_name(found))


@roles_required(*HUB_EDITORS)
def document_delete(document_id: int):
    found = hub_object_or_404(services.get_document, document_id)
    year, anchor = found.fiscal_year, f"item-{found.program_code}-{found.item_code}"
    commit_change(lambda: services.delete_document(found), _("資料を削除しました。"))
    return _back(year, anchor)


@roles_required(*READERS)
def plan(program_code: str):
    """取り組み事項予定 (program D): per menu, subsidy requested, what, from which year; and the items' status."""
    program = _menu_program(program_code)
    return _plan_page(program, plan_form(program, services.plan_entries(_hub().id, _year(), program.code)))


def _plan_page(program, form):
    hub, year = _hub(), _year()
    results = {r.item.code: r for r in evaluate.evaluate([program], _facts(hub, year))[0][1]}
    return render_template(
        "compliance/plan.html",
        program=program,
        fiscal_year=FiscalYear(year),
        form=form,
        results=results,
        can_edit=current_user.role in HUB_EDITORS,
    )


@roles_required(*HUB_EDITORS)
def plan_save(program_code: str):
    hub, year = _hub(), _year()
    program = _menu_program(program_code)
    form = plan_form(program, {})
    if form.validate_on_submit() and commit_change(
        lambda: services.save_plan(hub.id, year, program.code, plan_rows(form, program)),
        _("取り組み事項予定を保存しました。"),
        form,
    ):
        return redirect(url_for("compliance.plan", program_code=program.code, year=year))
    return _plan_page(program, form)


def _prefecture_grid():
    """管内の拠点: every hub the officer may see (their prefecture's; every hub for an admin), evaluated."""
    from hubapp.compliance import grid
    from hubapp.hubs import services as hubs

    year = _year()
    catalogue = services.programs()
    evaluated = []
    for hub in hubs.visible_hubs(current_user):
        codes = evaluate.enrolled(hub.id, year)
        evaluated.append((hub, evaluate.evaluate([catalogue[c] for c in codes if c in catalogue], _facts(hub, year))))
    return year, grid.build(evaluated, catalogue, request.args.get("sort", grid.DEFAULT_SORT))


@roles_required(*PREFECTURE_READERS)
def prefecture():
    """Every hub the officer may see × the items of the programs they report to, sortable (``?sort=``)."""
    year, table = _prefecture_grid()
    return render_template(
        "compliance/prefecture.html",
        grid=table,
        fiscal_year=FiscalYear(year),
        current=FiscalYear.of(today()).year,
    )


@roles_required(*PREFECTURE_READERS)
@talisman(content_security_policy=DOWNLOAD_CSP)
def prefecture_xlsx():
    """The same table as XLSX, in the same order (audited as an export)."""
    import io

    from flask import send_file

    from hubapp.audit.services import record
    from hubapp.common.vocabulary import AuditAction
    from hubapp.compliance import grid

    year, table = _prefecture_grid()
    label = FiscalYear(year).label_ja
    data = grid.workbook(table, label)
    record(AuditAction.EXPORT, "compliance_prefecture", None, details={"fiscal_year": year, "hubs": len(table.rows)})
    db.session.commit()
    response = send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="prefecture.xlsx",
    )
    response.headers["Content-Disposition"] = content_disposition(
        f"管内の拠点_{label}.xlsx", f"prefecture-FY{year}.xlsx"
    )
    return response
