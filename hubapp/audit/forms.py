"""The admin's 定期的な確認 form (shape only; the period's rules live in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from hubapp.common.forms import DayField

_DAY = _l("確認した期間の開始日と終了日を 2026-04-01 の形で入力してください。")


class ReviewForm(FlaskForm):
    to = DayField(_l("確認した期間（まで）"), invalid=_DAY)
    note = StringField(_l("所見"), render_kw={"maxlength": 2000})

    @property
    def day_from(self):
        return self["from"].data


# posted as "from" (the trail filter's name too), which is a Python keyword: set on the class by name
setattr(ReviewForm, "from", DayField(_l("確認した期間（から）"), invalid=_DAY))
