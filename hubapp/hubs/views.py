"""Hub pages: the list a user may see, a hub's profile and area, editing them, switching hub."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import found_or_404
from hubapp.common.forms import commit_change
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, roles_required
from hubapp.hubs import context, services
from hubapp.hubs.forms import HubForm, HubSelectForm, MunicipalityForm
from hubapp.hubs.models import OperatorType


def _hub_or_404(hub_id: int):
    hub = found_or_404(services.get_visible_hub(current_user, hub_id))
    return hub


def _editable_hub_or_403(hub_id: int):
    hub = _hub_or_404(hub_id)
    if not services.can_edit_hub(current_user, hub):
        abort(403)
    return hub


@roles_required(*ALL_ROLES)
def index():
    page = services.visible_hubs_page(current_user, request.args.get("page", 1, type=int))
    rows = [(hub, services.area_summary(hub)) for hub in page.items]
    return render_template("hubs/index.html", rows=rows, page=page)


@roles_required(*ALL_ROLES)
def detail(hub_id: int):
    hub = _hub_or_404(hub_id)
    return render_template(
        "hubs/detail.html",
        hub=hub,
        summary=services.area_summary(hub),
        can_edit=services.can_edit_hub(current_user, hub),
        delete_form=MunicipalityForm(formdata=None),
    )


@roles_required(*HUB_EDITORS)
def edit(hub_id: int):
    hub = _editable_hub_or_403(hub_id)
    form = HubForm(obj=hub)
    if request.method == "GET":
        form.operator_type.data = hub.operator_type.value
    if form.validate_on_submit() and commit_change(
        lambda: services.update_hub(
            hub,
            name=form.name.data.strip(),
            name_kana=form.name_kana.data.strip(),
            operator_type=OperatorType(form.operator_type.data),
            operator_name=(form.operator_name.data or "").strip(),
            dedicated_staff_count=form.dedicated_staff_count.data,
            phone=(form.phone.data or "").strip(),
            address=(form.address.data or "").strip(),
            pack_attendee_names=bool(form.pack_attendee_names.data),
        ),
        _("拠点の情報を保存しました。"),
        form,
    ):
        return redirect(url_for("hubs.detail", hub_id=hub.id))
    return render_template("hubs/edit.html", hub=hub, form=form)


@roles_required(*HUB_EDITORS)
def municipality(hub_id: int, area_id: int | None = None):
    hub = _editable_hub_or_403(hub_id)
    area = None if area_id is None else found_or_404(next((a for a in hub.municipalities if a.id == area_id), None))
    form = MunicipalityForm(obj=area)
    if form.validate_on_submit() and commit_change(
        lambda: services.save_municipality(
            hub,
            area=area,
            code=form.code.data,
            name=form.name.data.strip(),
            population=form.population.data,
            aging_rate=form.aging_rate.data,
            figures_as_of=form.figures_as_of.data,
        ),
        _("圏域の市区町村を保存しました。"),
        form,
    ):
        return redirect(url_for("hubs.detail", hub_id=hub.id))
    return render_template("hubs/municipality.html", hub=hub, area=area, form=form)


@roles_required(*HUB_EDITORS)
def municipality_delete(hub_id: int, area_id: int):
    hub = _editable_hub_or_403(hub_id)
    area = found_or_404(next((a for a in hub.municipalities if a.id == area_id), None))
    commit_change(lambda: services.remove_municipality(area), _("%(name)sを圏域から外しました。", name=area.name))
    return redirect(url_for("hubs.detail", hub_id=hub.id))


@roles_required(*ALL_ROLES)
def select():
    form = HubSelectForm()
    hub = _hub_or_404(form.hub_id.data or 0)
    context.select_hub(hub.id)
    # a page of this app only (the prefecture's table opens a hub's report)
    return redirect(form.back_to(url_for("core.dashboard")))
