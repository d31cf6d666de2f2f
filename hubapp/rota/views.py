"""Rota pages under /rota/: a group's month, 自動作成 and publishing, 今夜の当番 (/rota/now), my duties."""

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import hub_object_or_404
from hubapp.common.current import hub_or_404 as _hub
from hubapp.common.forms import commit_change
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, Role, roles_required
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.rota import changes, services
from hubapp.rota.forms import MyUnavailabilityForm


def _period() -> tuple[date, date, str]:
    """The month asked for with ?month=YYYY-MM (else the current one), or with ?period=quarter its 年度
    quarter: (first day, last day, "month" or "quarter")."""
    text = request.args.get("month", "")
    try:
        day = date(int(text[:4]), int(text[5:7]), 1) if len(text) == 7 else today().replace(day=1)
    except ValueError:
        day = today().replace(day=1)
    period = "quarter" if request.args.get("period") == "quarter" else "month"
    first, last = services.period_of(day, period)
    return first, last, period


def _month() -> tuple[date, date]:
    """The month asked for with ?month=YYYY-MM, else the current one: (first day, last day)."""
    first, _last, _kind = _period()
    return services.period_of(first, "month")


@roles_required(*ALL_ROLES)
def index():
    hub = _hub()
    groups = services.groups(hub.id)
    group = services.get_group(hub.id, request.args.get("group", type=int) or (groups[0].id if groups else 0))
    first, last, period = _period()
    duties = services.month_duties(group, first, last) if group else []
    names = {m.id: m.person.name for m in group.members} if group else {}
    clashed: dict[int, list[str]] = {}
    for clash in services.clashes(first, last, group_id=group.id) if group else []:
        clashed.setdefault(clash.duty.id, []).append(names.get(clash.member_id, ""))
    return render_template(
        "rota/index.html",
        groups=groups,
        group=group,
        duties=duties,
        names=names,
        first=first,
        last=last,
        period=period,
        quarter=FiscalYear.of(first).quarter_of(first),
        prev_month=(first - timedelta(days=1)).replace(day=1).strftime("%Y-%m"),
        next_month=(last + timedelta(days=1)).strftime("%Y-%m"),
        can_edit=current_user.role in HUB_EDITORS,
        unpublished=sum(1 for d in duties if d.published_at is None),
        clashed=clashed,
    )


def _back_to_index(group_id: int, first: date, period: str):
    return redirect(url_for("rota.index", group=group_id, month=first.strftime("%Y-%m"), period=period))


@roles_required(*HUB_EDITORS)
def generate(group_id: int):
    group = hub_object_or_404(services.get_group, group_id)
    first, last, period = _period()
    applied = commit_change(
        lambda: services.generate(
            group,
            first,
            last,
            year_end=current_app.config["YEAR_END_HOLIDAYS"],
            time_limit=current_app.config["ROTA_SOLVER_SECONDS"] * (3 if period == "quarter" else 1),
            today_=today(),
        )
    )
    if applied:
        _report_draft(applied.value)
        for warning in changes.in_japanese(applied.value.warnings[:5], group):
            flash(_("勤務のルールを守れなかった枠があります: %(w)s", w=warning), "warning")
    return _back_to_index(group_id, first, period)


def _report_draft(draft) -> None:
    backup = len(draft.plan.backup_slots)
    message = _("自動作成しました（%(n)d枠）。", n=len(draft.duties))
    if backup:
        message += " " + _("%(n)d枠は医師で埋められないため後方支援病院の担当です。", n=backup)
        if draft.plan.backup_proven_minimal:
            message += _("これより少なくできる当番表はありません。")
    flash(message, "warning" if backup else "success")


@roles_required(*HUB_EDITORS)
def publish(group_id: int):
    group = hub_object_or_404(services.get_group, group_id)
    first, last, period = _period()
    commit_change(lambda: services.publish(group, first, last), lambda count: _("%(n)d枠を公開しました。", n=count))
    return _back_to_index(group_id, first, period)


@roles_required(*ALL_ROLES)
def now():
    """今夜の当番: the page a visiting nurse opens at 2 a.m."""
    entries = services.on_call(_hub().id, utcnow(), days=7)
    current = [e for e in entries if e.duty.starts_at <= utcnow()]
    upcoming = [e for e in entries if e.duty.starts_at > utcnow()]
    return render_template("rota/now.html", current=current, upcoming=upcoming)


@roles_required(Role.PHYSICIAN)
def mine():
    """A physician's own duties and the days they cannot do (entered for every group they are in)."""
    memberships = services.own_memberships(current_user.id)
    ids = [m.id for m in memberships]
    form = MyUnavailabilityForm()
    form.fill_choices(today())
    if form.is_submitted() and form.delete.data is not None:
        return _delete_own(ids, form.delete.data)
    if form.is_submitted() and not memberships:
        abort(404)
    if form.validate_on_submit() and commit_change(
        lambda: services.add_own_unavailability(
            memberships, form.kind.data, form.first_day.data, form.last_day.data, form.note.data or "", today()
        ),
        _("登録しました。"),
        form,
    ):
        _warn_of_clashes(ids, form.first_day.data, form.last_day.data or form.first_day.data)
        return redirect(url_for("rota.mine"))
    return _mine_page(memberships, form)


def _warn_of_clashes(member_ids: list[int], first: date, last: date) -> None:
    """The consequence of a 不可 day that already has the physician's published duty: said at once."""
    for clash in services.clashes(first, last, member_ids=member_ids):
        flash(
            _(
                "%(day)sはすでに%(role)sです。交代を依頼してください。",
                day=f"{clash.duty.day.month}月{clash.duty.day.day}日",
                role=clash.role_label,
            ),
            "warning",
        )


def _delete_own(member_ids: list[int], entry_id: int):
    """The 取り消す button of one of the physician's own entries (another's is not found)."""
    if not services.may_delete_own_unavailability(member_ids, entry_id):
        abort(404)
    commit_change(lambda: services.delete_own_unavailability(member_ids, entry_id, today()), _("取り消しました。"))
    return redirect(url_for("rota.mine"))


def _mine_page(memberships, form):
    ids = [m.id for m in memberships]
    return render_template(
        "rota/mine.html",
        memberships=memberships,
        duties=services.published_duties_of(ids, utcnow()),
        entries=services.own_unavailability(ids, today()),
        member_ids=set(ids),
        form=form,
        months=[(m.group, services.month_states(m.group, today())) for m in memberships],
        clashes=services.clashes(today(), today() + timedelta(days=400), member_ids=ids),
    )
