"""Setting up a physician group: its name, backup hospital and members (FTE, caps, roles)."""

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hubapp.common.roles import HUB_EDITORS, roles_required
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.views import _hub, bp


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
    found = services.get_group(hub.id, group_id)
    if found is None:
        abort(404)
    if request.method == "POST":
        try:
            fte = Decimal(request.form.get("fte", "1") or "1")
            cap = request.form.get("cap", type=int)
            person = services.hub_person(hub.id, request.form.get("person", type=int) or 0)
            if person is None:
                raise services.RotaError(_("医師を選んでください。"), "person")
            services.add_member(
                found,
                person,
                user_id=services.hub_physician_user(hub.id, request.form.get("user", type=int)),
                fte=fte,
                cap=cap,
                secondary_only=bool(request.form.get("secondary_only")),
                is_new=bool(request.form.get("is_new")),
            )
        except (InvalidOperation, services.RotaError) as error:
            db.session.rollback()
            flash(
                str(error) if isinstance(error, services.RotaError) else _("常勤換算は0.1〜1.0で入力してください。"),
                "error",
            )
        else:
            db.session.commit()
            flash(_("医師を加えました。"), "success")
        return redirect(url_for("rota.group", group_id=found.id))
    return render_template(
        "rota/group.html",
        group=found,
        people=services.physician_choices(hub.id, found),
        users=services.physician_user_choices(hub.id),
    )
