"""Rota forms (shape only; the rules — ranges, deadlines, who may — live in services). Choices are
filled per request. A group's page shows many small forms; each is its own post, and a refused one comes
back on the page (:class:`hubapp.common.forms.Refused`) with its errors beside its fields."""

from datetime import time
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, SelectField, StringField
from wtforms.validators import InputRequired

from hubapp.common.forms import ClockField, DayField, NumberField, ReadOrNone, id_or_none
from hubapp.rota.models import AppliesOn, AvailabilityKind

_FTE = _l("常勤換算は0.1〜1.0で入力してください。")
_CAP = _l("月の上限は0〜31回で入力してください。")
_TIME = _l("時刻を「18:00」の形で入力してください。")
_DAY = _l("日付を正しく入力してください。")


class FteField(ReadOrNone, StringField):
    """常勤換算: a decimal, kept to two places (the range is the service's rule)."""

    default_invalid = _FTE
    blank_value = Decimal("1.00")

    @staticmethod
    def read(text: str) -> Decimal:
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
        if not value.is_finite() or not 0 < value <= 1:  # a 40-digit value would not even round to 0.01
            raise ValueError(text)
        return value.quantize(Decimal("0.01"))

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class NewGroupForm(FlaskForm):
    name = StringField(_l("グループ名"), render_kw={"maxlength": 120})
    backup_hospital = SelectField(_l("後方支援病院"), coerce=id_or_none, validate_choice=False)

    def fill_choices(self, hospitals) -> None:
        self.backup_hospital.choices = [("", _l("（選択なし）")), *hospitals]


class GroupSettingsForm(NewGroupForm):
    swaps_need_approval = BooleanField(_l("当番の交代にコーディネーターの承認が必要"))
    deadline_day = NumberField(
        _l("当番ができない日の締切（前月の何日まで、空欄は締切なし）"),
        invalid=_l("締切日は1〜28日で入力してください。"),
    )
    has_overnight_permit = BooleanField(_l("宿日直許可あり（宿直 週1回・日直 月1回の目安を表示）"))
    started_on = DayField(_l("運用開始日"))
    no_day_after_night = BooleanField(_l("夜間の当番明けの日中の当番にしない"))
    max_consecutive_days = NumberField(
        _l("連続勤務の上限（日、主・副とも。空欄は上限なし）"),
        invalid=_l("連続勤務の上限は1〜14日で入力してください（空欄は上限なし）。"),
    )
    rest_interval_hours = NumberField(
        _l("勤務間インターバル（時間。空欄は確認しない）"),
        invalid=_l("勤務間インターバルは1〜24時間で入力してください（空欄は確認しない）。"),
    )
    longer_rest_without_permit = BooleanField(_l("宿日直許可のない宿日直の後は18時間空ける"))
    work_rules_hard = BooleanField(_l("勤務のルールを必ず守る（外すと、できるだけ守り、守れない所を警告）"))

    def work(self) -> dict:
        """The working-hours rules as :func:`hubapp.rota.services.update_group` takes them."""
        names = (
            "no_day_after_night",
            "max_consecutive_days",
            "rest_interval_hours",
            "longer_rest_without_permit",
            "work_rules_hard",
        )
        return {name: self[name].data for name in names}


class ShiftForm(FlaskForm):
    shift = NumberField()
    name = StringField(_l("シフト名"), render_kw={"maxlength": 60})
    applies_on = SelectField(_l("対象の日"), validate_choice=False)
    starts = ClockField(_l("開始"), invalid=_TIME, validators=[InputRequired(_TIME)], default=time(18, 0))
    ends = ClockField(_l("終了（開始より前なら翌日）"), invalid=_TIME, validators=[InputRequired(_TIME)])
    is_night = BooleanField(_l("夜間"))

    def fill_choices(self) -> None:
        self.applies_on.choices = [(a.value, a.label) for a in AppliesOn]

    def applies(self) -> AppliesOn | None:
        try:
            return AppliesOn(self.applies_on.data)
        except ValueError:
            return None


class HolidayForm(FlaskForm):
    day = DayField(_l("日付"), invalid=_DAY)
    name = StringField(_l("名前"), render_kw={"maxlength": 60})
    remove = DayField(invalid=_DAY)

    @property
    def removing(self) -> bool:
        """The 外す button of a listed day was pressed (it posts ``remove``)."""
        return any(v.strip() for v in self.remove.raw_data or ())


class _MemberFields(FlaskForm):
    user = SelectField(_l("ログイン"), coerce=id_or_none, validate_choice=False)
    fte = FteField(_l("常勤換算"), default=Decimal("1.0"))
    cap = NumberField(_l("月の上限（回）"), invalid=_CAP)
    secondary_only = BooleanField(_l("副のみ"))
    is_new = BooleanField(_l("在宅医療未経験"))

    def fill_choices(self, users) -> None:
        self.user.choices = [("", _l("（なし）")), *users]


class MemberForm(_MemberFields):
    person = SelectField(_l("医師"), coerce=id_or_none, validate_choice=False)


class MemberUpdateForm(_MemberFields):
    is_active = BooleanField(_l("当番に入る（外すと自動作成の対象外）"))


class UnavailabilityForm(FlaskForm):
    member = NumberField(_l("医師"))
    first_day = DayField(_l("開始日"), invalid=_DAY, validators=[InputRequired(_DAY)])
    last_day = DayField(_l("終了日"), invalid=_DAY)
    kind = SelectField(_l("区分"), default=AvailabilityKind.UNAVAILABLE.value, validate_choice=False)
    note = StringField(_l("理由（学会・休暇など）"), render_kw={"maxlength": 200})

    def fill_choices(self) -> None:
        self.kind.choices = [(k.value, k.label) for k in AvailabilityKind]


class MyUnavailabilityForm(FlaskForm):
    """A physician's own days (for every group they are in); ``delete`` is the 取り消す button of an entry."""

    first_day = DayField(_l("開始日"), invalid=_DAY, validators=[InputRequired(_DAY)])
    last_day = DayField(_l("終了日"), invalid=_DAY)
    kind = SelectField(_l("区分"), default=AvailabilityKind.UNAVAILABLE.value, validate_choice=False)
    note = StringField(_l("理由（学会・休暇など）"), render_kw={"maxlength": 200})
    delete = NumberField()

    def fill_choices(self, today) -> None:
        self.kind.choices = [(k.value, k.label) for k in AvailabilityKind]
        self.first_day.render_kw = self.last_day.render_kw = {"min": today.isoformat()}


class PairForm(FlaskForm):
    """主治医・副主治医 of a patient (one form per group on the page)."""

    group = NumberField(invalid=_l("医師グループを選んでください。"))
    patient_code = StringField(_l("患者コード"), render_kw={"maxlength": 20})
    attending = NumberField(_l("主治医"), invalid=_l("主治医を選んでください。"))
    deputy = NumberField(_l("副主治医"), invalid=_l("副主治医を選んでください。"))
    started_on = DayField(_l("開始日"), invalid=_l("開始日を正しく入力してください。"))


_WHEN = _l("日付と時刻を正しく入力してください。")


class DutyLogForm(FlaskForm):
    member = NumberField(_l("医師"), invalid=_l("医師を選んでください。"))
    kind = StringField(_l("区分"), default="call_out")
    day = DayField(_l("日付（開始した日）"), invalid=_WHEN)
    start = ClockField(_l("開始時刻"), invalid=_WHEN)
    end = ClockField(_l("終了時刻"), invalid=_WHEN)
    patient_code = StringField(_l("患者コード（任意）"), render_kw={"maxlength": 20})
    note = StringField(_l("メモ（任意）"), render_kw={"maxlength": 200})


class MemberChoiceField(ReadOrNone, StringField):
    """A member chosen from a list: blank is none (後方支援病院, or the open pool); anything that is no
    member's id ("²", "abc") reads as 0, which the service then refuses as a member not in the group."""

    @staticmethod
    def read(text: str) -> int:
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


class DutyForm(FlaskForm):
    """手動修正 of one duty."""

    primary = MemberChoiceField(_l("当番（主）"))
    secondary = MemberChoiceField(_l("副・バックアップ"))


class SwapRequestForm(FlaskForm):
    role = StringField()
    target = MemberChoiceField(_l("交代先"))


def summary_form(months):
    """The manual summaries of the months before 運用開始日: two numbers per month still open
    (``slots-YYYY-MM``, ``covered-YYYY-MM``), the evidence file and a note."""
    fields = {"file": FileField(_l("資料（当時の当番表: Excel・PDF・画像）")), "note": StringField(_l("メモ（任意）"))}
    for month in months:
        key = month.month.strftime("%Y-%m")
        fields[f"slots-{key}"] = StringField()
        fields[f"covered-{key}"] = StringField()
    return type("SummaryForm", (FlaskForm,), fields)()


def summary_rows(form) -> dict[str, str]:
    """The month numbers as typed, by field name (what :func:`hubapp.rota.summaries.parse_rows` reads)."""
    return {f.name: f.data or "" for f in form if f.name.startswith(("slots-", "covered-"))}


class FeedForm(FlaskForm):
    group = NumberField()
    member = NumberField()
