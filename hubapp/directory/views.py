"""Directory pages under /directory/: search, organisations, people, re-confirmation, functions."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.current import hub_or_404 as _hub
from hubapp.common.forms import BackForm, commit_change
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, Role, roles_required
from hubapp.core.services import today
from hubapp.directory import search, services
from hubapp.directory.forms import FunctionForm, OrganisationForm, PersonForm
from hubapp.directory.models import DirectoryFunction, OrganisationType, Profession
from hubapp.extensions import db


def _filter_from_args() -> services.OrganisationFilter:
    args = request.args
    type_value = args.get("type", "")
    municipality = args.get("municipality", "")
    return services.OrganisationFilter(
        query=args.get("q", "")[:100],
        type=OrganisationType(type_value) if type_value in OrganisationType._value2member_map_ else None,
        municipality_code=municipality if municipality.isdigit() else None,
        function_id=args.get("function", type=int),
        include_archived=args.get("archived") == "1",
    )


@roles_required(*ALL_ROLES)
def index():
    hub = _hub()
    flt = _filter_from_args()
    page = services.search_organisations(hub.id, flt, request.args.get("page", 1, type=int))
    return render_template(
        "directory/index.html",
        page=page,
        flt=flt,
        types=list(OrganisationType),
        municipalities=[(m.code, m.name) for m in hub.municipalities],
        functions=services.functions(),
        can_edit=current_user.role in HUB_EDITORS,
        count_cap=search.COUNT_CAP,
    )


@roles_required(*ALL_ROLES)
def detail(organisation_id: int):
    organisation = hub_object_or_404(services.get_organisation, organisation_id)
    max_age = current_app.config["DIRECTORY_STALE_DAYS"]
    return render_template(
        "directory/detail.html",
        organisation=organisation,
        is_stale=services.is_stale(organisation, today(), max_age),
        municipality_name=dict((m.code, m.name) for m in g.hub.municipalities).get(organisation.municipality_code),
        can_edit=current_user.role in HUB_EDITORS,
    )


def _organisation_form(organisation=None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    form.fill_choices(
        [(m.code, m.name) for m in g.hub.municipalities],
        [(f.id, f.label) for f in services.functions()],
    )
    if organisation is not None and request.method == "GET":
        form.type.data = organisation.type.value
        form.municipality_code.data = organisation.municipality_code or ""
        form.functions.data = [f.id for f in organisation.functions]
    return form


@roles_required(*HUB_EDITORS)
def edit(organisation_id: int | None = None):
    hub = _hub()
    organisation = hub_object_or_404(services.get_organisation, organisation_id) if organisation_id else None
    form = _organisation_form(organisation)
    if form.validate_on_submit():
        applied = commit_change(
            lambda: services.save_organisation(hub.id, form.values(), form.functions.data or [], organisation),
            lambda saved: _("「%(name)s」を保存しました。", name=saved.name),
            form,
            {"": "name"},
        )
        if applied:
            return redirect(url_for("directory.detail", organisation_id=applied.value.id))
    return render_template("directory/edit.html", form=form, organisation=organisation)


@roles_required(*HUB_EDITORS)
def confirm(organisation_id: int):
    organisation = hub_object_or_404(services.get_organisation, organisation_id)
    commit_change(
        lambda: services.confirm(organisation, current_user.id, today()),
        _("「%(name)s」を確認済みにしました。", name=organisation.name),
    )
    back = BackForm().back_to("")
    return redirect(
        back if back == url_for("directory.stale") else url_for("directory.detail", organisation_id=organisation.id)
    )


@roles_required(*HUB_EDITORS)
def delete(organisation_id: int):
    organisation = hub_object_or_404(services.get_organisation, organisation_id)
    name = organisation.name
    if services.remove(organisation):
        flash(_("「%(name)s」を削除しました。", name=name), "success")
        target = url_for("directory.index")
    else:
        flash(_("「%(name)s」は他の記録から参照されているため、削除せずにアーカイブしました。", name=name), "info")
        target = url_for("directory.detail", organisation_id=organisation_id)
    db.session.commit()
    return redirect(target)


@roles_required(*HUB_EDITORS)
def restore(organisation_id: int):
    organisation = hub_object_or_404(services.get_organisation, organisation_id)
    commit_change(
        lambda: services.restore(organisation), _("「%(name)s」をアーカイブから戻しました。", name=organisation.name)
    )
    return redirect(url_for("directory.detail", organisation_id=organisation.id))


@roles_required(*HUB_EDITORS)
def stale():
    max_age = current_app.config["DIRECTORY_STALE_DAYS"]
    page = services.stale_organisations(_hub().id, today(), max_age, request.args.get("page", 1, type=int))
    return render_template("directory/stale.html", page=page, max_age=max_age)


# --- people -----------------------------------------------------------------------------------------


@roles_required(*ALL_ROLES)
def people():
    profession = request.args.get("profession", "")
    page = services.search_people(
        _hub().id,
        request.args.get("q", "")[:100],
        Profession(profession) if profession in Profession._value2member_map_ else None,
        request.args.get("page", 1, type=int),
    )
    return render_template(
        "directory/people.html", page=page, professions=list(Profession), can_edit=current_user.role in HUB_EDITORS
    )


@roles_required(*HUB_EDITORS)
def person_edit(person_id: int | None = None):
    hub = _hub()
    person = hub_object_or_404(services.get_person, person_id) if person_id else None
    form = PersonForm(obj=person)
    form.fill_choices(services.organisation_choices(hub.id))
    if person is not None and request.method == "GET":
        form.profession.data = person.profession.value
        form.organisation_id.data = person.organisation_id or 0
    elif request.method == "GET" and request.args.get("organisation", type=int):
        form.organisation_id.data = request.args.get("organisation", type=int)
    if form.validate_on_submit() and commit_change(
        lambda: services.save_person(hub.id, form.values(), person),
        lambda saved: _("「%(name)s」さんを保存しました。", name=saved.name),
        form,
        {"": "name"},
    ):
        return redirect(url_for("directory.people"))
    return render_template("directory/person_edit.html", form=form, person=person)


# --- functions (the controlled list) ---------------------------------------------------------------


@roles_required(Role.ADMIN)
def functions():
    form = FunctionForm()
    if form.validate_on_submit() and commit_change(
        lambda: services.add_function(form.label.data.strip()),
        _("機能「%(label)s」を追加しました。", label=form.label.data.strip()),
        form,
        {"": "label"},
    ):
        return redirect(url_for("directory.functions"))
    return render_template("directory/functions.html", form=form, functions=services.functions(include_inactive=True))


@roles_required(Role.ADMIN)
def function_toggle(function_id: int):
    function = found_or_404(db.session.get(DirectoryFunction, function_id))
    services.set_function_active(function, not function.is_active)
    db.session.commit()
    return redirect(url_for("directory.functions"))
