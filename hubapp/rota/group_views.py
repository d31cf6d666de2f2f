"""Setting up a physician group: its name, backup hospital, deadline and 宿日直許可; its shift types and
extra 休日; its members (FTE, caps, roles, active) and unavailability entered for them."""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.forms import NOTHING_REFUSED, Refused, commit_change
from hubapp.common.roles import HUB_EDITORS, roles_required
from hubapp.core.services import today
from hubapp.rota import services, summaries
from hubapp.rota.forms import (
    GroupSettingsForm,
    HolidayForm,
    MemberForm,
    MemberUpdateForm,
    NewGroupForm,
    ShiftForm,
    UnavailabilityForm,
)
from hubapp.rota.models import AppliesOn, AvailabilityKind, PhysicianGroup
from hubapp.rota.views import _hub


def _back(group: PhysicianGroup, anchor: str = ""):
    return redirect(url_for("rota.group", group_id=group.id) + (f"#{anchor}" if anchor else ""))


def _saved(found: PhysicianGroup, key: str, form, change, done, anchor: str = ""):
    """A post of one of the group page's forms: saved, back to its section; refused, the page again with
    that form as it was sent."""
    if form.validate_on_submit() and commit_change(change, done, form):
        return _back(found, anchor)
    return _group_page(found, Refused(key, form))


@roles_required(*HUB_EDITORS)
def group_new():
    hub = _hub()
    form = NewGroupForm()
    form.fill_choices(services.hospital_choices(hub.id))
    applied = form.validate_on_submit() and commit_change(
        lambda: services.create_group(hub.id, form.name.data or "", form.backup_hospital.data),
        _("医師グループを作成しました。医師を加えてください。"),
        form,
    )
    if applied:
        return redirect(url_for("rota.group", group_id=applied.value.id))
    return render_template("rota/group_new.html", form=form)


@roles_required(*HUB_EDITORS)
def group(group_id: int):
    """The group's page; a post adds a physician."""
    hub, found = _hub(), hub_object_or_404(services.get_group, group_id)
    if request.method == "GET":
        return _group_page(found)
    form = MemberForm()
    return _saved(
        found,
        "member-new",
        form,
        lambda: services.add_member_by_id(
            found,
            form.person.data,
            user_id=services.hub_physician_user(hub.id, form.user.data),
            fte=form.fte.data,
            cap=form.cap.data,
            secondary_only=form.secondary_only.data,
            is_new=form.is_new.data,
        ),
        _("医師を加えました。"),
        "members",
    )


def _group_page(found: PhysicianGroup, refused: Refused = NOTHING_REFUSED):
    hub = _hub()
    deadline_month = services.first_open_month(found, today())
    summary_documents = summaries.documents(found)
    return render_template(
        "rota/group.html",
        group=found,
        refused=refused,
        people=services.physician_choices(hub.id, found),
        users=services.physician_user_choices(hub.id),
        active_members=[(m.id, m.person.name) for m in found.members if m.is_active],
        hospitals=services.hospital_choices(hub.id),
        applies_on=[(a.value, a.label) for a in AppliesOn],
        kinds=[(k.value, k.label) for k in AvailabilityKind],
        open_month=deadline_month,
        open_deadline=services.unavailability_deadline(found, deadline_month),
        today=today(),
        summary_months=summaries.summary_months(found, current_app.config["YEAR_END_HOLIDAYS"]),
        summary_documents=summary_documents,
        summarised={m.month for d in summary_documents for m in d.months},
    )


@roles_required(*HUB_EDITORS)
def group_settings(group_id: int):
    found, form = hub_object_or_404(services.get_group, group_id), GroupSettingsForm()
    return _saved(
        found,
        "settings",
        form,
        lambda: services.update_group(
            found,
            name=form.name.data or "",
            backup_hospital_id=form.backup_hospital.data,
            swaps_need_approval=form.swaps_need_approval.data,
            deadline_day=form.deadline_day.data,
            has_overnight_permit=form.has_overnight_permit.data,
            started_on=form.started_on.data,
            work=form.work(),
        ),
        _("グループの設定を保存しました。"),
    )


@roles_required(*HUB_EDITORS)
def shift_save(group_id: int):
    """Add a shift type, or change the one named by the ``shift`` field."""
    found, form = hub_object_or_404(services.get_group, group_id), ShiftForm()
    shift = (
        found_or_404(next((s for s in found.shift_types if s.id == form.shift.data), None)) if form.shift.data else None
    )
    return _saved(
        found,
        f"shift-{shift.id}" if shift else "shift-new",
        form,
        lambda: services.save_shift_type(
            found,
            shift,
            name=form.name.data or "",
            applies_on=form.applies(),
            starts=form.starts.data,
            ends=form.ends.data,
            is_night=form.is_night.data,
        ),
        _("シフトを保存しました。次の自動作成から使われます。"),
        "shifts",
    )


@roles_required(*HUB_EDITORS)
def shift_delete(group_id: int):
    found, form = hub_object_or_404(services.get_group, group_id), ShiftForm()
    shift = found_or_404(next((s for s in found.shift_types if s.id == form.shift.data), None))
    commit_change(lambda: services.delete_shift_type(found, shift), _("シフトを削除しました。"))
    return _back(found, "shifts")


@roles_required(*HUB_EDITORS)
def group_holiday(group_id: int):
    """Add an extra 休日 (``day``), or remove one (``remove``)."""
    found, form = hub_object_or_404(services.get_group, group_id), HolidayForm()
    if form.removing:
        change = lambda: services.remove_group_holiday(found, form.remove.data)  # noqa: E731
        return _saved(found, "holiday-remove", form, change, _("休日から外しました。"), "holidays")
    change = lambda: services.add_group_holiday(found, form.day.data, form.name.data or "")  # noqa: E731
    return _saved(found, "holiday", form, change, _("休日に加えました。次の自動作成から使われます。"), "holidays")


@roles_required(*HUB_EDITORS)
def member_update(group_id: int, member_id: int):
    found, form = hub_object_or_404(services.get_group, group_id), MemberUpdateForm()
    member = found_or_404(next((m for m in found.members if m.id == member_id), None))
    return _saved(
        found,
        f"member-{member.id}",
        form,
        lambda: services.update_member(
            member,
            fte=form.fte.data,
            cap=form.cap.data,
            secondary_only=form.secondary_only.data,
            is_new=form.is_new.data,
            is_active=form.is_active.data,
            user_id=services.hub_physician_user(found.hub_id, form.user.data),
        ),
        _("%(name)sさんの設定を保存しました。", name=member.person.name),
        "members",
    )


@roles_required(*HUB_EDITORS)
def member_unavailability(group_id: int):
    """The coordinator enters days a physician cannot do (late ones, or for a physician without a login)."""
    found, form = hub_object_or_404(services.get_group, group_id), UnavailabilityForm()
    member = found_or_404(next((m for m in found.members if m.id == form.member.data), None))
    return _saved(
        found,
        "unavailability",
        form,
        lambda: services.add_unavailability(
            member, form.kind.data, form.first_day.data, form.last_day.data, form.note.data or ""
        ),
        _("%(name)sさんの当番ができない日を登録しました。", name=member.person.name),
        "unavailability",
    )
