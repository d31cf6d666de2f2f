"""Rota records (routes on the rota blueprint): 主治医・副主治医 pairs of enrolled patients, and the log of
代診 and 出動 with the month's and 年度's totals and, for the coordinator, the rest-interval and 宿日直許可
information. The computations are in hubapp/rota/records.py."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import hub_object_or_404
from hubapp.common.forms import NOTHING_REFUSED, Refused, commit_change
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import HUB_EDITORS, Role, roles_required
from hubapp.core.services import JST, today
from hubapp.extensions import db
from hubapp.rota import records, services
from hubapp.rota.forms import DutyLogForm, PairForm
from hubapp.rota.models import DutyLogKind, GroupMember
from hubapp.rota.views import _hub, _month

# --- 主治医・副主治医 --------------------------------------------------------------------------------------------


def _pairs_page(hub, refused: Refused = NOTHING_REFUSED):
    groups = services.groups(hub.id)
    members: dict[int, list[GroupMember]] = {g.id: [] for g in groups}
    for member in records.hub_members(hub.id):
        members.setdefault(member.group_id, []).append(member)
    pairs = records.active_pairs(hub.id)
    by_group: dict[int, list] = {g.id: [] for g in groups}
    for pair in pairs:
        by_group.setdefault(pair.group_id, []).append(pair)
    return render_template(
        "rota/pairs.html",
        groups=groups,
        members=members,
        member_options={gid: [(m.id, m.person.name) for m in ms] for gid, ms in members.items()},
        pairs=by_group,
        warnings=records.pair_warnings(pairs, today()),
        days_ahead=records.PAIR_DAYS_AHEAD,
        refused=refused,
        today=today(),
    )


def _same_hub_or_404(hub_id: int, member_id: int | None) -> None:
    """A member id of another hub's group is 404, like any other of its records."""
    if member_id is not None:
        owner = records.member_hub_id(member_id)
        if owner is not None and owner != hub_id:
            abort(404)


@roles_required(*HUB_EDITORS)
def pairs():
    """主治医・副主治医: the hub's pairs per group, adding one, and the days both physicians are away."""
    hub = _hub()
    if request.method == "GET":
        return _pairs_page(hub)
    form = PairForm()
    group = hub_object_or_404(services.get_group, form.group.data) if form.group.data else None
    for member_id in (form.attending.data, form.deputy.data):
        _same_hub_or_404(hub.id, member_id)
    applied = form.validate_on_submit() and commit_change(
        lambda: records.add_pair(
            group, form.patient_code.data or "", form.attending.data, form.deputy.data, form.started_on.data
        ),
        lambda pair: _("%(code)s の主治医・副主治医を登録しました。", code=pair.patient_code),
        form,
    )
    if applied:
        return redirect(url_for("rota.pairs"))
    return _pairs_page(hub, Refused(f"pair-{form.group.data}", form))


@roles_required(*HUB_EDITORS)
def pair_end(pair_id: int):
    pair = hub_object_or_404(records.get_pair, pair_id)
    commit_change(
        lambda: records.end_pair(pair, today()),
        _("%(code)s の主治医・副主治医を終了しました。", code=pair.patient_code),
    )
    return redirect(url_for("rota.pairs"))


# --- 代診・出動 ---------------------------------------------------------------------------------------------


def _choices(hub_id: int, is_editor: bool) -> list[GroupMember]:
    """Whom the user may log for: any active member of the hub's groups, or (a physician) themselves."""
    members = records.hub_members(hub_id)
    return members if is_editor else [m for m in members if m.user_id == current_user.id]


def _logs_page(hub, choices: list[GroupMember], is_editor: bool, refused: Refused = NOTHING_REFUSED):
    first, last = _month()
    own = None if is_editor else [m.id for m in choices]
    return render_template(
        "rota/logs.html",
        choices=choices,
        is_editor=is_editor,
        logs=records.month_logs(hub.id, first, last, own),
        totals=records.totals(hub.id, first, last, own),
        rest=records.rest_warnings(hub.id, first, last) if is_editor else [],
        permits=records.permit_counts(hub.id, first, last) if is_editor else [],
        has_permit=any(m.group.has_overnight_permit for m in choices),
        jst=lambda moment: moment.astimezone(JST),
        group_names={m.group_id: m.group.name for m in choices},
        several_groups=len({m.group_id for m in choices}) > 1,
        first=first,
        last=last,
        fiscal_year=FiscalYear.of(first),
        prev_month=(first - timedelta(days=1)).strftime("%Y-%m"),
        next_month=(last + timedelta(days=1)).strftime("%Y-%m"),
        kinds=[(k.value, k.label) for k in DutyLogKind],
        member_choices=[
            (m.id, m.person.name + (f"（{m.group.name}）" if len({c.group_id for c in choices}) > 1 else ""))
            for m in choices
        ],
        refused=refused,
        today=today(),
        rest_hours=int(records.REST.total_seconds() // 3600),
    )


@roles_required(*HUB_EDITORS, Role.PHYSICIAN)
def logs():
    """代診・出動記録: a physician logs their own, the coordinator anyone's; the month's list and totals."""
    hub = _hub()
    is_editor = current_user.role in HUB_EDITORS
    choices = _choices(hub.id, is_editor)
    if request.method == "GET":
        return _logs_page(hub, choices, is_editor)
    form = DutyLogForm()
    member_id = form.member.data if form.member.data is not None or len(choices) != 1 else choices[0].id
    member = next((m for m in choices if m.id == member_id), None)
    if member_id is not None and member is None:
        abort(404)  # another hub's member, or (for a physician) a colleague
    applied = form.validate_on_submit() and commit_change(
        lambda: records.add_log(
            member,
            form.kind.data or "",
            form.day.data,
            form.start.data,
            form.end.data,
            patient_code=form.patient_code.data or "",
            note=form.note.data or "",
            recorded_by_id=current_user.id,
        ),
        lambda log: _("%(kind)sを記録しました。", kind=log.kind.label),
        form,
    )
    if applied:
        return redirect(url_for("rota.logs", month=form.day.data.strftime("%Y-%m")))
    return _logs_page(hub, choices, is_editor, Refused("log", form))


@roles_required(*HUB_EDITORS)
def log_delete(log_id: int):
    """The coordinator removes a wrong entry (the audit trail keeps what it was)."""
    log = hub_object_or_404(records.get_log, log_id)
    month = log.started_at.astimezone(JST).strftime("%Y-%m")
    records.delete_log(log)
    db.session.commit()
    flash(_("記録を削除しました。"), "success")
    return redirect(url_for("rota.logs", month=month))
