"""Rota pages for changes (routes on the rota blueprint): the coordinator's hand edit of one duty, and
交代 — a physician's swap requests, the open pool, accepting, and the coordinator's approval."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.forms import commit_change
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, Role, roles_required
from hubapp.db import utcnow
from hubapp.rota import changes, services
from hubapp.rota.forms import DutyForm, SwapRequestForm
from hubapp.rota.models import Duty, GroupMember
from hubapp.rota.views import _hub


def _year_end():
    return current_app.config["YEAR_END_HOLIDAYS"]


def _notify(duty: Duty, affected: list[int]) -> str:
    sent = changes.notify(duty, affected)
    return " " + _("%(n)d人の医師に変更を知らせました。", n=sent) if sent else ""


@roles_required(*HUB_EDITORS)
def duty(duty_id: int):
    """手動修正: the coordinator sets one duty's primary and secondary; every hard rule is checked, a soft
    working-hours rule broken is said beside the saved change."""
    hub = _hub()
    found = hub_object_or_404(changes.get_duty, duty_id)
    group = services.get_group(hub.id, found.group_id)
    form = DutyForm(data={"primary": found.primary_id, "secondary": found.secondary_id})
    warned: list[str] = []

    def change():
        warned.extend(changes.soft_warnings(group, found, form.primary.data, form.secondary.data, _year_end()))
        return changes.assign(group, found, form.primary.data, form.secondary.data, _year_end())

    applied = form.validate_on_submit() and commit_change(change, None, form)
    if applied:
        _report_change(found, applied.value, warned)
        return redirect(url_for("rota.index", group=group.id, month=found.day.strftime("%Y-%m")))
    return _duty_page(found, group, form)


def _report_change(found: Duty, affected: list[int], warned: list[str]) -> None:
    if affected:
        flash(_("当番を変更しました。") + _notify(found, affected), "success")
    else:
        flash(_("変更はありませんでした。"), "info")
    for warning in warned:
        flash(_("勤務のルールに合いません（保存はしました）: %(w)s", w=warning), "warning")


def _duty_page(found: Duty, group, form):
    """The hand-edit form, with every clash of the duty (a physician 不可 that day) flagged."""
    members = sorted((m for m in group.members if m.is_active), key=lambda m: m.id)
    clashes = [c for c in services.clashes(found.day, found.day, group_id=group.id) if c.duty.id == found.id]
    names = {m.id: m.person.name for m in group.members}
    return render_template(
        "rota/duty.html",
        duty=found,
        group=group,
        members=members,
        month=found.day.strftime("%Y-%m"),
        form=form,
        clashes=[(names.get(c.member_id, ""), c.role_label) for c in clashes],
    )


def _memberships() -> list[GroupMember]:
    """The current user's active memberships in this hub's groups."""
    return services.hub_memberships(current_user.id, _hub().id)


@roles_required(*ALL_ROLES)
def swaps():
    """交代: my upcoming duties (to ask for a swap), the open pool, my requests; the coordinator's list."""
    hub = _hub()
    memberships = _memberships()
    ids = [m.id for m in memberships]
    mine: dict[int, changes.SwapRequest] = {}
    pool: dict[int, changes.SwapRequest] = {}
    for member in memberships:
        for swap in changes.swaps_for_member(member):
            mine[swap.id] = swap
        for swap in changes.open_swaps(member.group):
            if swap.requested_by_id not in ids:
                pool[swap.id] = swap
    now = utcnow()
    duties = [d for d in services.published_duties_of(ids, now) if d.starts_at > now]  # not begun yet
    candidates = changes.swap_candidates(duties, memberships, services.colleagues(memberships), _year_end())
    return render_template(
        "rota/swaps.html",
        memberships={m.group_id: m for m in memberships},
        member_ids=set(ids),
        duties=duties,
        candidates=candidates,
        mine=sorted(mine.values(), key=lambda s: (s.duty.starts_at, s.id)),
        pool=sorted(pool.values(), key=lambda s: (s.duty.starts_at, s.id)),
        all_swaps=changes.hub_swaps(hub.id) if current_user.role in HUB_EDITORS else [],
        can_decide=current_user.role in HUB_EDITORS,
        statuses=changes.SwapStatus,
    )


def _membership_for(group_id: int) -> GroupMember:
    member = found_or_404(next((m for m in _memberships() if m.group_id == group_id), None))
    return member


def _decided(change, done, swap: changes.SwapRequest | None = None):
    """Apply one swap step through :func:`commit_change` (all of it, or its refusal flashed), tell both
    sides by mail where the swap now stands, then go back to the swaps page."""
    applied = commit_change(change, done)
    told = applied and (swap if swap is not None else applied.value)
    if isinstance(told, changes.SwapRequest):
        changes.notify_swap(told)
    return redirect(url_for("rota.swaps"))


@roles_required(Role.PHYSICIAN)
def swap_request(duty_id: int):
    found = hub_object_or_404(changes.get_duty, duty_id)
    member = _membership_for(found.group_id)
    form = SwapRequestForm()
    target_id = form.target.data
    target = None
    if target_id is not None:
        target = found_or_404(services.group_member(found.group_id, target_id))
    return _decided(
        lambda: changes.request_swap(found, member, form.role.data or "", target, _year_end()),
        _("交代を依頼しました。") if target else _("交代の募集に出しました。"),
    )


@roles_required(Role.PHYSICIAN)
def swap_accept(swap_id: int):
    swap = hub_object_or_404(changes.get_swap, swap_id)
    member = _membership_for(swap.duty.group_id)

    def accepted(affected: list[int]) -> str:
        if swap.status == changes.SwapStatus.APPROVED:
            return _("交代を引き受けました。当番表に反映しました。") + _notify(swap.duty, affected)
        return _("交代を引き受けました。コーディネーターの承認後に反映されます。")

    return _decided(lambda: changes.accept(swap, member, _year_end()), accepted, swap)


@roles_required(*HUB_EDITORS)
def swap_approve(swap_id: int):
    swap = hub_object_or_404(changes.get_swap, swap_id)
    return _decided(
        lambda: changes.approve(swap, current_user.id, _year_end()),
        lambda affected: _("交代を承認し、当番表に反映しました。") + _notify(swap.duty, affected),
    )


@roles_required(*HUB_EDITORS)
def swap_reject(swap_id: int):
    swap = hub_object_or_404(changes.get_swap, swap_id)
    return _decided(lambda: changes.reject(swap, current_user.id), _("交代の依頼を却下しました。"), swap)


@roles_required(*HUB_EDITORS)
def swap_accept_for(swap_id: int):
    """代理で受ける: the coordinator accepts for the named colleague who has no login (they agreed by
    phone or fax); recorded as accepted for them, and applied."""
    swap = hub_object_or_404(changes.get_swap, swap_id)
    return _decided(
        lambda: changes.accept_for(swap, current_user.id, _year_end()),
        lambda affected: (
            _("%(name)sさんに代わって交代を受け、当番表に反映しました。", name=swap.target.person.name)
            + _notify(swap.duty, affected)
        ),
    )


@roles_required(Role.PHYSICIAN)
def swap_cancel(swap_id: int):
    swap = hub_object_or_404(changes.get_swap, swap_id)
    member = _membership_for(swap.duty.group_id)
    return _decided(lambda: changes.cancel(swap, member), _("交代の依頼を取り消しました。"))
