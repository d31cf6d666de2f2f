"""Backup-bed pages under /beds/: the board, posting free beds, agreements, requests and answers, and the
month's and 年度's figures."""

from datetime import date, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hubapp.audit.models import AuditAction
from hubapp.audit.services import record
from hubapp.beds import services
from hubapp.beds.models import AgeBand, RequestStatus, Urgency
from hubapp.common.changes import apply_change as _apply
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, Role, roles_required
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.extensions import db
from hubapp.hubs.context import hub_or_404 as _hub

bp = Blueprint("beds", __name__, url_prefix="/beds")

BED_STAFF = (*HUB_EDITORS, Role.BED_MANAGER)
REQUESTERS = (*HUB_EDITORS, Role.PHYSICIAN)


def _stale_hours() -> float:
    return float(current_app.config["BEDS_STALE_HOURS"])


@bp.route("/")
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
        stale_hours=_stale_hours(),
    )


@bp.route("/availability", methods=["GET", "POST"])
@roles_required(*BED_STAFF)
def availability():
    """The bed manager's two taps: a number, then 保存 (today's and tomorrow's figure of each hospital)."""
    hub = _hub()
    mine = None if current_user.role in HUB_EDITORS else services.managed_agreement_ids(current_user)
    if request.method == "POST":
        agreement = services.get_agreement(hub.id, request.form.get("agreement", type=int) or 0)
        if agreement is None or (mine is not None and agreement.id not in mine):
            abort(404)
        try:
            day = date.fromisoformat(request.form.get("day", ""))
            free = int(request.form.get("free_beds", ""))
        except ValueError:
            flash(_("空床数を選んでください。"), "error")
            return redirect(url_for("beds.availability"))
        if day not in (today(), today() + timedelta(days=1)):
            flash(_("今日と明日の空床数だけ登録できます。"), "error")
            return redirect(url_for("beds.availability"))
        version = request.form.get("version", type=int)
        _apply(
            lambda: services.post_availability(agreement, day, free, current_user.id, version, utcnow()),
            _(
                "%(hospital)sの%(day)sの空床数を%(n)d床にしました。",
                hospital=agreement.hospital.name,
                day=_("今日") if day == today() else _("明日"),
                n=free,
            ),
        )
        return redirect(url_for("beds.availability"))
    lines = [
        line for line in services.board(hub.id, utcnow(), _stale_hours()) if mine is None or line.agreement.id in mine
    ]
    return render_template("beds/availability.html", lines=lines, today=today(), tomorrow=today() + timedelta(days=1))


def _form_time(name: str) -> time | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise services.BedError(_l("時刻を「17:00」の形で入力してください。"), name) from None


def _form_date(name: str) -> date | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise services.BedError(_l("日付を正しく入力してください。"), name) from None


def _save_agreement(hub_id: int, agreement):
    beds = request.form.get("beds_secured", "").strip()
    if beds and not (beds.isdecimal() and len(beds) <= 2):  # what int() reads ("１２" yes, "²" no), 1〜99
        raise services.BedError(_l("確保病床数は1〜99で入力してください。"), "beds_secured")
    return services.save_agreement(
        hub_id,
        agreement,
        hospital_id=request.form.get("hospital", type=int),
        beds_secured=int(beds) if beds else None,
        all_day=request.form.get("hours") != "partial",
        starts=_form_time("starts"),
        ends=_form_time("ends"),
        valid_from=_form_date("valid_from"),
        valid_to=_form_date("valid_to"),
        contract_ref=request.form.get("contract_ref", ""),
        note=request.form.get("note", ""),
        manager_ids=[int(v) for v in request.form.getlist("managers") if v.isdecimal() and len(v) < 10],
    )


@bp.route("/agreements", methods=["GET", "POST"])
@roles_required(*HUB_EDITORS)
def agreements():
    hub = _hub()
    if request.method == "POST" and _apply(lambda: _save_agreement(hub.id, None), _("協定を登録しました。")):
        return redirect(url_for("beds.agreements"))
    return render_template(
        "beds/agreements.html",
        agreements=services.agreements(hub.id),
        hospitals=services.hospital_choices(hub.id),
        managers=services.bed_manager_choices(hub.id),
        form=request.form,
        today=today(),
    )


@bp.route("/agreements/<int:agreement_id>", methods=["GET", "POST"])
@roles_required(*HUB_EDITORS)
def agreement(agreement_id: int):
    hub = _hub()
    found = services.get_agreement(hub.id, agreement_id)
    if found is None:
        abort(404)
    if request.method == "POST" and _apply(lambda: _save_agreement(hub.id, found), _("協定を保存しました。")):
        return redirect(url_for("beds.agreements"))
    return render_template(
        "beds/agreement.html",
        agreement=found,
        hospitals=services.hospital_choices(hub.id),
        managers=services.bed_manager_choices(hub.id),
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(*REQUESTERS)
def request_new():
    hub = _hub()
    agreement = services.get_agreement(hub.id, request.values.get("agreement", type=int) or 0)
    if agreement is None:
        abort(404)
    if request.method == "POST":
        done = _apply(
            lambda: services.request_bed(
                agreement,
                current_user.id,
                patient_code=request.form.get("patient_code", ""),
                age_band=request.form.get("age_band", ""),
                reason=request.form.get("reason", ""),
                urgency=request.form.get("urgency", ""),
                now=utcnow(),
                stale_hours=_stale_hours(),
            ),
            _(
                "%(hospital)sにベッドを依頼しました。1床を確保しています。病院の回答をお待ちください。",
                hospital=agreement.hospital.name,
            ),
        )
        if done:
            return redirect(url_for("beds.requests"))
    return render_template(
        "beds/request_new.html",
        agreement=agreement,
        age_bands=list(AgeBand),
        urgencies=list(Urgency),
        form=request.form,
    )


@bp.route("/requests")
@roles_required(*BED_STAFF, Role.PHYSICIAN)
def requests():
    """Coordinators see every request, bed managers their hospitals', physicians their own."""
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
        statuses=RequestStatus,
    )
    if rows:  # bed requests carry a patient pseudonym: who saw which ones is on the trail (one row per page)
        record(AuditAction.VIEW, "bed_requests", None, hub_id=hub.id, details={"ids": [r.id for r in rows]})
        db.session.commit()
    return page


def _request_or_404(request_id: int):
    found = services.get_request(_hub().id, request_id)
    if found is None:
        abort(404)
    return found


@bp.route("/requests/<int:request_id>/answer", methods=["POST"])
@roles_required(*BED_STAFF)
def answer(request_id: int):
    found = _request_or_404(request_id)
    if not services.may_manage(current_user, found.agreement):
        abort(404)  # another hospital's request: not theirs to see
    accept = request.form.get("decision") == "accept"
    _apply(
        lambda: services.answer(
            found, current_user.id, accept=accept, reason=request.form.get("decline_reason", ""), now=utcnow()
        ),
        _("受け入れました。入院として記録しました。") if accept else _("お断りを記録し、確保していた1床を戻しました。"),
    )
    return redirect(url_for("beds.requests"))


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@roles_required(*REQUESTERS)
def cancel(request_id: int):
    found = _request_or_404(request_id)
    if current_user.role not in HUB_EDITORS and found.requested_by_id != current_user.id:
        abort(404)  # another physician's request
    _apply(lambda: services.cancel(found, utcnow()), _("依頼を取り下げ、確保していた1床を戻しました。"))
    return redirect(url_for("beds.requests"))


@bp.route("/requests/<int:request_id>/discharge", methods=["POST"])
@roles_required(*BED_STAFF)
def discharge(request_id: int):
    found = _request_or_404(request_id)
    if not services.may_manage(current_user, found.agreement):
        abort(404)  # another hospital's request: not theirs to see
    _apply(lambda: services.discharge(found, utcnow()), _("退院を記録しました。"))
    return redirect(url_for("beds.requests"))


@bp.route("/stats")
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
