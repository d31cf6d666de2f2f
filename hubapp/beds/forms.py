"""Backup-bed forms (shape only; the rules — who may, how many, which days — live in services). Choices
are filled per request."""

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from hubapp.beds.models import AgeBand, Urgency
from hubapp.common.forms import ClockField, DayField, MultiCheckboxField, NumberField

_CHOOSE = _l("（選択）")


class AgreementForm(FlaskForm):
    hospital = SelectField(_l("協力病院"), coerce=int, validators=[Optional()])
    beds_secured = NumberField(
        _l("確保病床数"),
        invalid=_l("確保病床数は1〜99で入力してください。"),
        default=1,
        render_kw={"inputmode": "numeric"},
    )
    hours = SelectField(_l("受け入れ時間"), default="all_day")
    starts = ClockField(_l("開始"), default=time(17, 0))
    ends = ClockField(_l("終了（開始より前なら翌日）"), default=time(9, 0))
    valid_from = DayField(_l("契約開始日"))
    valid_to = DayField(_l("契約終了日（空欄は期限なし）"))
    contract_ref = StringField(_l("契約番号"), render_kw={"maxlength": 60})
    note = StringField(_l("備考"), render_kw={"maxlength": 200})
    #: Not checked against the choices here: the service says which managers may be chosen, in its words.
    managers = MultiCheckboxField(_l("空床数を登録する病床管理者"), coerce=int, validate_choice=False)

    def fill_choices(self, hospitals: list[tuple[int, str]], managers: list[tuple[int, str]]) -> None:
        self.hospital.choices = [(0, _CHOOSE), *hospitals]
        self.hours.choices = [("all_day", _l("24時間")), ("partial", _l("時間帯を指定"))]
        self.managers.choices = managers

    def load(self, agreement) -> None:
        self.hospital.data, self.beds_secured.data = agreement.hospital_id, agreement.beds_secured
        self.hours.data = "all_day" if agreement.all_day else "partial"
        if not agreement.all_day:
            self.starts.data, self.ends.data = agreement.starts, agreement.ends
        self.valid_from.data, self.valid_to.data = agreement.valid_from, agreement.valid_to
        self.contract_ref.data, self.note.data = agreement.contract_ref, agreement.note
        self.managers.data = [m.id for m in agreement.managers]

    def values(self) -> dict:
        return {
            "hospital_id": self.hospital.data or None,
            "beds_secured": self.beds_secured.data,
            "all_day": self.hours.data != "partial",
            "starts": self.starts.data,
            "ends": self.ends.data,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
            "contract_ref": self.contract_ref.data or "",
            "note": self.note.data or "",
            "manager_ids": list(self.managers.data or ()),
        }


class AvailabilityForm(FlaskForm):
    """One hospital's figure for one day: the page shows one per agreement and day, each its own post."""

    agreement = NumberField(_l("協定"))
    day = DayField(_l("日"), invalid=_l("今日と明日の空床数だけ登録できます。"))
    free_beds = NumberField(_l("空床数"), invalid=_l("空床数を選んでください。"))
    version = NumberField(_l("版"))


class BedRequestForm(FlaskForm):
    patient_code = StringField(_l("患者コード（氏名は入力しない）"), render_kw={"maxlength": 20, "autocomplete": "off"})
    age_band = SelectField(_l("年齢帯"), default=AgeBand.AGE_75_84.value)
    urgency = SelectField(_l("緊急度"))
    reason = StringField(_l("理由（病状の変化など）"), render_kw={"maxlength": 200})

    def fill_choices(self) -> None:
        # not validated against the choices here: the service refuses a band or urgency it does not know
        self.age_band.choices = [(b.value, b.label) for b in AgeBand]
        self.urgency.choices = [(u.value, u.label) for u in Urgency]
        self.age_band.validate_choice = self.urgency.validate_choice = False

    def values(self) -> dict:
        return {
            "patient_code": self.patient_code.data or "",
            "age_band": self.age_band.data or "",
            "urgency": self.urgency.data or "",
            "reason": self.reason.data or "",
        }


class AnswerForm(FlaskForm):
    """受け入れる or お断りする (the button pressed; anything but 受け入れる declines, and then needs a reason)."""

    decision = StringField(_l("回答"))
    decline_reason = StringField(_l("お断りの理由"), render_kw={"maxlength": 200})

    @property
    def accept(self) -> bool:
        return self.decision.data == "accept"
