"""実績・要件 forms (shape only; which programs, items and meetings exist is the services' rule). The index
page shows one small form per item; each is its own post, and a refused one comes back on that page with
its error beside its field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, Form, FormField, SelectField, StringField, TextAreaField

from hubapp.common.forms import MultiCheckboxField, NumberField


class EnrolForm(FlaskForm):
    #: Not checked against the choices here: the service names the programs it does not know.
    programs = MultiCheckboxField(_l("報告する事業"), validate_choice=False)


class _ItemForm(FlaskForm):
    """The item a post is about (hidden on the page)."""

    program = StringField()
    item = StringField()

    def about(self, program: str, item: str) -> bool:
        return self.program.data == program and self.item.data == item


class LinkForm(_ItemForm):
    meeting = NumberField(_l("会議を手で紐づける"), invalid=_l("この年度の拠点の会議を選んでください。"))
    mode = SelectField(validate_choice=False)

    MODES = ("include", "exclude", "clear")


class EvidenceForm(_ItemForm):
    note = TextAreaField(_l("実施した内容（手入力の記録）"))
    is_done = BooleanField(_l("達成した"))


class DocumentForm(_ItemForm):
    file = FileField(_l("資料（PDF・Office・画像）"))


class _MenuForm(Form):
    subsidy = BooleanField(_l("補助を申請する"))
    start = SelectField(_l("開始年度"), validate_choice=False)
    description = TextAreaField(_l("取り組む内容"), render_kw={"rows": 2, "maxlength": 500})


def plan_form(program, entries: dict):
    """取り組み事項予定 of one program: one group of fields per menu, named ``<menu>-subsidy``,
    ``<menu>-start`` and ``<menu>-description``."""
    form_class = type(
        "PlanForm", (FlaskForm,), {m.code: FormField(_MenuForm, label=m.title, separator="-") for m in program.menus}
    )
    form = form_class()
    for menu in program.menus:
        group = form[menu.code].form  # the group's own fields (a FormField's .description is its help text)
        group.start.choices = [("", _l("（未定）")), *((y, f"{y}〜") for y in menu.start_years)]
        entry = entries.get(menu.code)
        if not form.is_submitted() and entry is not None:
            group.subsidy.data, group.start.data = entry.subsidy_requested, entry.start_year
            group.description.data = entry.description
    return form


def plan_rows(form, program) -> dict[str, dict]:
    groups = {m.code: form[m.code].form for m in program.menus}
    return {
        code: {
            "subsidy_requested": bool(group.subsidy.data),
            "description": group.description.data or "",
            "start_year": group.start.data or "",
        }
        for code, group in groups.items()
    }
