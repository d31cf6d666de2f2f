"""Consultation pages under /consultations/: the month's log with the open follow-ups, logging and
correcting a consultation, its follow-up, and the monthly and 年度 statistics with their files.

Only consultation staff, coordinators and admins of the hub open these pages; every page that shows
entries records a view in the audit trail (the list: which entries it showed).
"""

import calendar
from datetime import date, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.audit.services import record
from hubapp.common.current import hub_object_or_404
from hubapp.common.current import hub_or_404 as _hub
from hubapp.common.downloads import content_disposition
from hubapp.common.forms import commit_change
from hubapp.common.jpcalendar import FiscalYear, format_wareki
from hubapp.common.roles import roles_required
from hubapp.common.vocabulary import AuditAction
from hubapp.consultations import exporting, services, statistics
from hubapp.consultations.forms import ConsultationForm, StatusForm
from hubapp.consultations.models import Consultation, Status
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.directory import services as directory
from hubapp.extensions import db

READERS = tuple(services.CONSULTATION_ROLES)


def _audit_view(consultations: list[Consultation], page: str) -> None:
    """Record that these entries were shown (one row, whatever their number). Called once the page is
    rendered: the commit expires the loaded entries."""
    if not consultations:
        return
    single = consultations[0].id if len(consultations) == 1 else None
    record(
        AuditAction.VIEW,
        Consultation.__tablename__,
        single,
        hub_id=_hub().id,
        details={"page": page, "ids": [c.id for c in consultations]},
    )
    db.session.commit()


def _month() -> tuple[date, date]:
    """?month=YYYY-MM, else this month in Japan: (first day, last day)."""
    first = today().replace(day=1)
    wanted = request.args.get("month", "")
    try:
        year, month = (int(part) for part in wanted.split("-"))
        first = date(year, month, 1) if 2000 <= year <= 2100 else first
    except ValueError:
        pass
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _fiscal_year() -> FiscalYear:
    year = request.args.get("fy", type=int)
    return FiscalYear(year) if year and 2000 <= year <= 2100 else FiscalYear.of(today())


@roles_required(*READERS)
def index():
    hub = _hub()
    first, last = _month()
    page = services.month_page(hub.id, first, last, request.args.get("page", 1, type=int))
    follow_ups, follow_up_total = services.open_follow_ups(hub.id, today())
    shown = list({c.id: c for c in [*page.items, *(f.consultation for f in follow_ups)]}.values())
    html = render_template(
        "consultations/index.html",
        page=page,
        first=first,
        last=last,
        prev_month=(first - timedelta(days=1)).strftime("%Y-%m"),
        next_month=(last + timedelta(days=1)).strftime("%Y-%m"),
        follow_ups=follow_ups,
        follow_up_total=follow_up_total,
    )
    _audit_view(shown, "index")
    return html


def _form(hub, consultation: Consultation | None = None) -> ConsultationForm:
    form = ConsultationForm()
    keep = {r.organisation_id for r in consultation.referrals if r.organisation_id} if consultation else set()
    if consultation is not None and consultation.requester_organisation_id:
        keep.add(consultation.requester_organisation_id)
    form.fill_choices(
        directory.organisation_choices_by_type(hub.id, keep),
        services.staff_choices(hub.id, current_user, consultation.staff_id if consultation else None),
        services.municipality_options(hub),
    )
    if request.method == "GET":
        if consultation is None:
            form.start(utcnow(), current_user.id)
        else:
            form.load(consultation)
    return form


@roles_required(*READERS)
def edit(consultation_id: int | None = None):
    hub = _hub()
    consultation = hub_object_or_404(services.get_consultation, consultation_id) if consultation_id else None
    form = _form(hub, consultation)
    if form.validate_on_submit():

        def saved_message(saved) -> str:
            day = format_wareki(saved.received_on)
            if consultation is None:
                return _("相談を記録しました（%(date)s）。", date=day)
            return _("相談の記録を修正しました（%(date)s）。", date=day)

        applied = commit_change(
            lambda: services.save_consultation(hub, form.values(), current_user, consultation, now=utcnow()),
            saved_message,
            form,
            {"": "received_date"},
        )
        if applied:
            return redirect(url_for("consultations.index", month=applied.value.received_on.strftime("%Y-%m")))
    html = render_template("consultations/edit.html", form=form, consultation=consultation)
    if consultation is not None:
        _audit_view([consultation], "edit")
    return html


@roles_required(*READERS)
def detail(consultation_id: int):
    hub = _hub()
    consultation = hub_object_or_404(services.get_consultation, consultation_id)
    status_form = StatusForm(data={"status": consultation.status.value})
    status_form.fill_choices()
    html = render_template(
        "consultations/detail.html",
        consultation=consultation,
        municipality=services.municipality_label(hub, consultation.subject_municipality_code),
        age_days=(today() - consultation.received_on).days,
        status_form=status_form,
        can_delete=current_user.role in services.DELETERS,
    )
    _audit_view([consultation], "detail")
    return html


@roles_required(*READERS)
def status(consultation_id: int):
    consultation = hub_object_or_404(services.get_consultation, consultation_id)
    form = StatusForm()
    form.fill_choices()
    if not form.validate_on_submit():
        flash(_("フォローアップの状況を選んでください。"), "error")
        return redirect(url_for("consultations.detail", consultation_id=consultation.id))
    commit_change(
        lambda: services.set_status(consultation, Status(form.status.data), today()),
        lambda _none: _("フォローアップの状況を「%(status)s」にしました。", status=consultation.status.label),
    )
    return redirect(url_for("consultations.detail", consultation_id=consultation.id))


@roles_required(*services.DELETERS)
def delete(consultation_id: int):
    consultation = hub_object_or_404(services.get_consultation, consultation_id)
    month = consultation.received_on.strftime("%Y-%m")
    commit_change(lambda: services.delete_consultation(consultation), _("相談の記録を削除しました。"))
    return redirect(url_for("consultations.index", month=month))


# --- statistics ------------------------------------------------------------------------------------------


@roles_required(*READERS)
def stats():
    fiscal_year = _fiscal_year()
    first, _last = _month()
    if first not in fiscal_year:
        first = min(today(), fiscal_year.end).replace(day=1) if today() >= fiscal_year.start else fiscal_year.start
    figures = statistics.year_statistics(_hub(), fiscal_year, first)
    return render_template(
        "consultations/stats.html",
        stats=figures,
        fiscal_year=fiscal_year,
        previous_year=fiscal_year.year - 1,
        next_year=fiscal_year.year + 1,
        month=first,
        month_args=[m.strftime("%Y-%m") for m in figures.months],
    )


def _file_statistics() -> tuple[statistics.YearStatistics, tuple[str, str]]:
    """The 年度's figures with Japanese labels whatever the page language (the files go into reports),
    and the files' base names: 相談支援統計_令和8年度, and soudan-toukei-FY2026 for clients without RFC 5987."""
    hub = _hub()
    fiscal_year = _fiscal_year()
    with force_locale("ja"):
        figures = statistics.year_statistics(hub, fiscal_year)
    return figures, (f"相談支援統計_{fiscal_year.label_ja}", f"soudan-toukei-{fiscal_year.label_western}")


def _audit_export(file_format: str, figures: statistics.YearStatistics) -> None:
    record(
        AuditAction.EXPORT, "consultation_tallies", None, hub_id=_hub().id,
        details={"format": file_format, "fiscal_year": figures.fiscal_year.year},
    )  # fmt: skip
    db.session.commit()


@roles_required(*READERS)
def stats_csv():
    figures, (name, fallback) = _file_statistics()
    encoding = "cp932" if request.args.get("encoding") == "cp932" else "utf-8-sig"
    with force_locale("ja"):
        body = exporting.to_csv(figures, encoding=encoding)
    _audit_export("csv", figures)
    return current_app.response_class(
        body,
        content_type=f"text/csv; charset={'shift_jis' if encoding == 'cp932' else 'utf-8'}",
        headers={"Content-Disposition": content_disposition(f"{name}.csv", f"{fallback}.csv")},
    )


@roles_required(*READERS)
def stats_xlsx():
    figures, (name, fallback) = _file_statistics()
    body = exporting.to_xlsx(figures, title=f"{_hub().name} 相談支援 {figures.fiscal_year.label_ja}")
    _audit_export("xlsx", figures)
    return current_app.response_class(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition(f"{name}.xlsx", f"{fallback}.xlsx")},
    )
