"""Setting up a physician group: its name, backup hospital, deadline and 宿日直許可; its shift types and
extra 休日; its members (FTE, caps, roles, active) and unavailability entered for them."""

from datetime import date, time
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hubapp.common.changes import apply_change as _apply
from hubapp.common.roles import HUB_EDITORS, roles_required
from hubapp.core.services import today
from hubapp.extensions import db
from hubapp.rota import services, summaries
from hubapp.rota.models import AppliesOn, AvailabilityKind, PhysicianGroup
from hubapp.rota.views import _hub, bp


def _group(group_id: int) -> PhysicianGroup:
    found = services.get_group(_hub().id, group_id)
    if found is None:
        abort(404)
    return found


def _form_time(name: str) -> time:
    try:
        return time.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise services.RotaError(_l("時刻を「18:00」の形で入力してください。"), name) from None


def _form_date(name: str, default: str = "") -> date:
    try:
        return date.fromisoformat(request.form.get(name, "") or default)
    except ValueError:
        raise services.RotaError(_l("日付を正しく入力してください。"), name) from None


def _form_int(name: str, message) -> int | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise services.RotaError(message, name) from None


def _form_fte() -> Decimal:
    try:
        value = Decimal(request.form.get("fte", "1").strip() or "1")
    except InvalidOperation:
        raise services.RotaError(_l("常勤換算は0.1〜1.0で入力してください。"), "fte") from None
    if not value.is_finite() or not 0 < value <= 1:  # a 40-digit value would not even round to 0.01
        raise services.RotaError(_l("常勤換算は0.1〜1.0で入力してください。"), "fte")
    return value.quantize(Decimal("0.01"))


def _back(group: PhysicianGroup, anchor: str = ""):
    return redirect(url_for("rota.group", group_id=group.id) + (f"#{anchor}" if anchor else ""))


@bp.route("/groups/new", methods=["GET", "POST"])
@roles_required(*HUB_EDITORS)
def group_new():
    hub = _hub()
    if request.method == "POST":
        try:
            group = services.create_group(
                hub.id, request.form.get("name", ""), request.form.get("backup_hospital", type=int) or None
            )
        except services.RotaError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("医師グループを作成しました。医師を加えてください。"), "success")
            return redirect(url_for("rota.group", group_id=group.id))
    return render_template("rota/group_new.html", hospitals=services.hospital_choices(hub.id))


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@roles_required(*HUB_EDITORS)
def group(group_id: int):
    hub = _hub()
    found = _group(group_id)
    if request.method == "POST":

        def add():
            person = services.hub_person(hub.id, request.form.get("person", type=int) or 0)
            if person is None:
                raise services.RotaError(_l("医師を選んでください。"), "person")
            services.add_member(
                found,
                person,
                user_id=services.hub_physician_user(hub.id, request.form.get("user", type=int)),
                fte=_form_fte(),
                cap=_form_int("cap", _l("月の上限は0〜31回で入力してください。")),
                secondary_only=bool(request.form.get("secondary_only")),
                is_new=bool(request.form.get("is_new")),
            )

        _apply(add, _("医師を加えました。"))
        return _back(found, "members")
    deadline_month = services.first_open_month(found, today())
    summary_documents = summaries.documents(found)
    return render_template(
        "rota/group.html",
        group=found,
        people=services.physician_choices(hub.id, found),
        users=services.physician_user_choices(hub.id),
        hospitals=services.hospital_choices(hub.id),
        applies_on=list(AppliesOn),
        kinds=list(AvailabilityKind),
        open_month=deadline_month,
        open_deadline=services.unavailability_deadline(found, deadline_month),
        today=today(),
        summary_months=summaries.summary_months(found, current_app.config["YEAR_END_HOLIDAYS"]),
        summary_documents=summary_documents,
        summarised={m.month for d in summary_documents for m in d.months},
    )


@bp.route("/groups/<int:group_id>/settings", methods=["POST"])
@roles_required(*HUB_EDITORS)
def group_settings(group_id: int):
    found = _group(group_id)
    _apply(
        lambda: services.update_group(
            found,
            name=request.form.get("name", ""),
            backup_hospital_id=request.form.get("backup_hospital", type=int) or None,
            swaps_need_approval=bool(request.form.get("swaps_need_approval")),
            deadline_day=_form_int("deadline_day", _l("締切日は1〜28日で入力してください。")),
            has_overnight_permit=bool(request.form.get("has_overnight_permit")),
            started_on=_form_date("started_on") if request.form.get("started_on", "").strip() else None,
        ),
        _("グループの設定を保存しました。"),
    )
    return _back(found)


@bp.route("/groups/<int:group_id>/shifts", methods=["POST"])
@roles_required(*HUB_EDITORS)
def shift_save(group_id: int):
    """Add a shift type, or change the one named by the ``shift`` field."""
    found = _group(group_id)
    shift_id = request.form.get("shift", type=int)
    shift = next((s for s in found.shift_types if s.id == shift_id), None)
    if shift_id and shift is None:
        abort(404)

    def save():
        try:
            applies_on = AppliesOn(request.form.get("applies_on", ""))
        except ValueError:
            raise services.RotaError(_l("平日か休日かを選んでください。"), "applies_on") from None
        services.save_shift_type(
            found,
            shift,
            name=request.form.get("name", ""),
            applies_on=applies_on,
            starts=_form_time("starts"),
            ends=_form_time("ends"),
            is_night=bool(request.form.get("is_night")),
        )

    _apply(save, _("シフトを保存しました。次の自動作成から使われます。"))
    return _back(found, "shifts")


@bp.route("/groups/<int:group_id>/shifts/delete", methods=["POST"])
@roles_required(*HUB_EDITORS)
def shift_delete(group_id: int):
    found = _group(group_id)
    shift = next((s for s in found.shift_types if s.id == request.form.get("shift", type=int)), None)
    if shift is None:
        abort(404)
    _apply(lambda: services.delete_shift_type(found, shift), _("シフトを削除しました。"))
    return _back(found, "shifts")


@bp.route("/groups/<int:group_id>/holidays", methods=["POST"])
@roles_required(*HUB_EDITORS)
def group_holiday(group_id: int):
    """Add an extra 休日 (``day``), or remove one (``remove``)."""
    found = _group(group_id)
    if request.form.get("remove"):
        _apply(
            lambda: services.remove_group_holiday(found, _form_date("remove")),
            _("休日から外しました。"),
        )
    else:
        _apply(
            lambda: services.add_group_holiday(found, _form_date("day"), request.form.get("name", "")),
            _("休日に加えました。次の自動作成から使われます。"),
        )
    return _back(found, "holidays")


@bp.route("/groups/<int:group_id>/members/<int:member_id>", methods=["POST"])
@roles_required(*HUB_EDITORS)
def member_update(group_id: int, member_id: int):
    found = _group(group_id)
    member = next((m for m in found.members if m.id == member_id), None)
    if member is None:
        abort(404)
    _apply(
        lambda: services.update_member(
            member,
            fte=_form_fte(),
            cap=_form_int("cap", _l("月の上限は0〜31回で入力してください。")),
            secondary_only=bool(request.form.get("secondary_only")),
            is_new=bool(request.form.get("is_new")),
            is_active=bool(request.form.get("is_active")),
            user_id=services.hub_physician_user(found.hub_id, request.form.get("user", type=int)),
        ),
        _("%(name)sさんの設定を保存しました。", name=member.person.name),
    )
    return _back(found, "members")


@bp.route("/groups/<int:group_id>/unavailability", methods=["POST"])
@roles_required(*HUB_EDITORS)
def member_unavailability(group_id: int):
    """The coordinator enters days a physician cannot do (late ones, or for a physician without a login)."""
    found = _group(group_id)
    member = next((m for m in found.members if m.id == request.form.get("member", type=int)), None)
    if member is None:
        abort(404)

    def add():
        try:
            kind = AvailabilityKind(request.form.get("kind", "unavailable"))
        except ValueError:
            raise services.RotaError(_l("区分を選んでください。"), "kind") from None
        first = _form_date("first_day")
        services.add_unavailability(
            member, kind, first, _form_date("last_day", first.isoformat()), request.form.get("note", "")
        )

    _apply(add, _("%(name)sさんの当番ができない日を登録しました。", name=member.person.name))
    return _back(found, "unavailability")
