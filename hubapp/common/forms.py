"""Form fields every domain's forms share."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

_INVALID = _l("選択肢が正しくありません。")


class MultiSelectField(SelectMultipleField):
    """Several choices; anything not offered gets one Japanese message (WTForms' own is English).

    No ``Optional()`` on these fields: choosing nothing is already valid, and ``Optional()`` would clear
    the error of a value that is not offered when the first value sent is blank."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(_INVALID) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_INVALID) from None


class MultiCheckboxField(MultiSelectField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
