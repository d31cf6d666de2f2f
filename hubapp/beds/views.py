"""Backup-bed pages under /beds/: the board, posting free beds, agreements, requests and answers, and the
month's and 年度's figures."""

from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.audit.services import record
from hubapp.beds import services
from hubapp.beds.forms import AgreementForm, AnswerForm, AvailabilityForm, BedRequestForm
from hubapp.beds.models import BedRequest, RequestStatus
from hubapp.common.current import hub_object_or_404
from hubapp.common.current import hub_or_404 as _hub
from hubapp.common.forms import commit_change
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, Role, roles_required
from hubapp.common.vocabulary import AuditAction
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.extensions import db

BED_STAFF = (*HUB_EDITORS, Role.BED_MANAGER)
REQUESTERS = (*HUB_EDITORS, Role.PHYSICIAN)


def _stale_hours() -> float:
    return float(current_app.config["BEDS_STALE_HOURS"])


@roles_required(*ALL_ROLES)
def board():
    """One screen: hospitals, free backup beds now and tomorrow, hours, phone."""
    hub = _hub()
    lines = services.board(hub.id, utcnow(), _stale_hours())
    return render_template(
        "beds/board.html",
        lines=lines,
        can_request=current_user.role in REQUESTERS,
        can_post=current_user.role in BED_STAFF,
        can_edit_agreements=current_user.role in HUB_EDITORS,
        stale_hours=_stale_hours(),
    )


@roles_required(*BED_STAFF)
def availability():
    """The bed manager's two taps: a number, then 保存 (today's and tomorrow's figure of each hospital)."""
    form = AvailabilityForm()
    if form.is_submitted():
        # another hospital's agreement is not theirs to post
        agreement = hub_object_or_404(
            services.get_agreement, form.agreement.data or 0, lambda a: services.may_manage(current_user, a)
        )
        if form.validate() and commit_change(
            lambda: services.post_figure(
                agreement, form.day.data, form.free_beds.data, current_user.id, form.version.data, utcnow()
            ),
            lambda row: _(
                "%(hospital)sの%(day)sの空床数を%(n)d床にしました。",
                hospital=agreement.hospital.name,
                day=_("今日") if row.day == today() else _("明日"),
                n=row.free_beds,
            ),
            form,
        ):
            return redirect(url_for("beds.availability"))
    return _availability_page(form if form.is_submitted() else None)


def _availability_page(refused: AvailabilityForm | None):
    """Every form of the page; a refused one shows its errors and the number that was chosen."""
    hub = _hub()
    mine = None if current_user.role in HUB_EDITORS else services.managed_agreement_ids(current_user)
    lines = [
        line for line in services.board(hub.id, utcnow(), _stale_hours()) if mine is None or line.agreement.id in mine
    ]
    return render_template(
        "beds/availability.html", lines=lines, today=today(), tomorrow=today() + timedelta(days=1), refused=refused
    )


def _agreement_form(hub_id: int, agreement=None) -> AgreementForm:
    form = AgreementForm()
    form.fill_choices(services.hospital_choices(hub_id), services.bed_manager_choices(hub_id))
    if not form.is_submitted():
        if agreement is not None:
            form.load(agreement)
        else:
            form.valid_from.data = FiscalYear.of(today()).start
    return form


@roles_required(*HUB_EDITORS)
def agreements():
    hub = _hub()
    form = _agreement_form(hub.id)
    if form.validate_on_submit() and commit_change(
        lambda: services.save_agreement(hub.id, None, **form.values()), _("協定を登録しました。"), form
    ):
        return redirect(url_for("beds.agreements"))
    return render_template("beds/agreements.html", agreements=services.agreements(hub.id), form=form, today=today())


@roles_required(*HUB_EDITORS)
def agreement(agreement_id: int):
    hub = _hub()
    found = hub_object_or_404(services.get_agreement, agreement_id)
    form = _agreement_form(hub.id, found)
    if form.validate_on_submit() and commit_change(
        lambda: services.save_agreement(hub.id, found, **form.values()), _("協定を保存しました。"), form
    ):
        return redirect(url_for("beds.agreements"))
    return render_template("beds/agreement.html", agreement=found, form=form)


@roles_required(*REQUESTERS)
def request_new():
    agreement = hub_object_or_404(services.get_agreement, request.values.get("agreement", type=int) or 0)
    form = BedRequestForm()
    form.fill_choices()
    if form.validate_on_submit() and commit_change(
        lambda: services.request_bed(
            agreement, current_user.id, **form.values(), now=utcnow(), stale_hours=_stale_hours()
        ),
        _(
            "%(hospital)sにベッドを依頼しました。1床を確保しています。病院の回答をお待ちください。",
            hospital=agreement.hospital.name,
        ),
        form,
    ):
        return redirect(url_for("beds.requests"))
    return render_template("beds/request_new.html", agreement=agreement, form=form)


@roles_required(*BED_STAFF, Role.PHYSICIAN)
def requests():
    """Coordinators see every request, bed managers their hospitals', physicians their own."""
    return _requests_page()


def _requests_page(refused: tuple[int, AnswerForm] | None = None):
    """The list; ``refused``: the request whose answer was refused, with the form as it was sent."""
    hub = _hub()
    if current_user.role in HUB_EDITORS:
        rows = services.requests_for(hub.id)
    elif current_user.role == Role.BED_MANAGER:
        rows = services.requests_for(hub.id, agreement_ids=services.managed_agreement_ids(current_user))
    else:
        rows = services.requests_for(hub.id, requested_by=current_user.id)
    page = render_template(
        "beds/requests.html",
        rows=rows,
        can_answer=current_user.role in BED_STAFF,
        may_cancel={r.id for r in rows if services.may_cancel(current_user, r)},
        statuses=RequestStatus,
        refused=refused,
    )
    if rows:  # bed requests carry a patient pseudonym: who saw which ones is on the trail (one row per page)
        record(AuditAction.VIEW, "bed_requests", None, hub_id=hub.id, details={"ids": [r.id for r in rows]})
        db.session.commit()
    return page


def _request_or_404(request_id: int, may) -> BedRequest:
    """The hub's request, when ``may(user, request)``; another hospital's or physician's is not found."""
    return hub_object_or_404(services.get_request, request_id, lambda found: may(current_user, found))


def _manages(user, found: BedRequest) -> bool:
    return services.may_manage(user, found.agreement)


@roles_required(*BED_STAFF)
def answer(request_id: int):
    found = _request_or_404(request_id, _manages)
    form = AnswerForm()
    if form.validate_on_submit() and commit_change(
        lambda: services.answer(
            found, current_user.id, accept=form.accept, reason=form.decline_reason.data or "", now=utcnow()
        ),
        _("受け入れました。入院として記録しました。")
        if form.accept
        else _("お断りを記録し、確保していた1床を戻しました。"),
        form,
    ):
        return redirect(url_for("beds.requests"))
    return _requests_page((found.id, form))


@roles_required(*REQUESTERS)
def cancel(request_id: int):
    found = _request_or_404(request_id, services.may_cancel)
    commit_change(lambda: services.cancel(found, utcnow()), _("依頼を取り下げ、確保していた1床を戻しました。"))
    return redirect(url_for("beds.requests"))


@roles_required(*BED_STAFF)
def discharge(request_id: int):
    found = _request_or_404(request_id, _manages)
    commit_change(lambda: services.discharge(found, utcnow()), _("退院を記録しました。"))
    return redirect(url_for("beds.requests"))


@roles_required(*HUB_EDITORS, Role.PREFECTURE)
def stats():
    """The evidence for the 後方病床 items: per month and 年度."""
    hub = _hub()
    current = FiscalYear.of(today()).year
    year = request.args.get("year", type=int) or current
    if not 2000 <= year <= current + 1:
        year = current
    months, total, declines = services.year_figures(hub.id, year)
    return render_template(
        "beds/stats.html", months=months, total=total, declines=declines, fiscal_year=FiscalYear(year), current=current
    )
