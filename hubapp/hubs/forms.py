"""Forms for a hub's profile and its service-area municipalities (shape only; rules in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from hubapp.common.forms import BackForm, NumberField
from hubapp.hubs.models import OperatorType

_REQUIRED = _l("入力してください。")


class HubForm(FlaskForm):
    name = StringField(_l("拠点名"), validators=[DataRequired(_REQUIRED), Length(max=120)])
    name_kana = StringField(
        _l("拠点名（カナ）"),
        validators=[DataRequired(_REQUIRED), Length(max=240)],
        description=_l("並び順に使います。"),
    )
    operator_type = SelectField(_l("実施主体の種別"), choices=[], validators=[DataRequired(_REQUIRED)])
    operator_name = StringField(_l("実施主体の名称"), validators=[Optional(), Length(max=120)])
    dedicated_staff_count = IntegerField(
        _l("専任者数"),
        validators=[InputRequired(_REQUIRED), NumberRange(min=0, max=999, message=_l("0〜999で入力してください。"))],
    )
    phone = StringField(_l("電話番号"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("所在地"), validators=[Optional(), Length(max=200)])
    pack_attendee_names = BooleanField(_l("証拠書類に出席者名簿（氏名）を入れる"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.operator_type.choices = [(t.value, t.label) for t in OperatorType]


class MunicipalityForm(FlaskForm):
    code = StringField(
        _l("全国地方公共団体コード"),
        validators=[
            DataRequired(_REQUIRED),
            Regexp(r"^\d{6}$", message=_l("6桁の数字（検査数字を含む）で入力してください。")),
        ],
        render_kw={"inputmode": "numeric", "maxlength": 6},
    )
    name = StringField(_l("市区町村名"), validators=[DataRequired(_REQUIRED), Length(max=40)])
    population = IntegerField(
        _l("人口"),
        validators=[InputRequired(_REQUIRED), NumberRange(min=0, message=_l("0以上で入力してください。"))],
        render_kw={"inputmode": "numeric"},
    )
    aging_rate = DecimalField(
        _l("高齢化率（%）"),
        places=1,
        validators=[
            InputRequired(_REQUIRED),
            NumberRange(min=0, max=100, message=_l("0〜100で入力してください。")),
        ],
        render_kw={"inputmode": "decimal", "step": "0.1"},
    )
    figures_as_of = DateField(_l("基準日"), validators=[InputRequired(_REQUIRED)])


class HubSelectForm(BackForm):
    """The hub switcher: which hub, and the page to go back to."""

    hub_id = NumberField()
