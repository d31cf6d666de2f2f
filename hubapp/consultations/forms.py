"""The consultation form (shape only; the rules live in services). Choices are filled per request.

Laid out to be filled in under a minute on a phone: radio buttons and check boxes instead of drop-downs
where there are few choices, today's date and time, the user as 担当者 and 「不明」 for the person's
details filled in beforehand.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from hubapp.common.forms import MultiCheckboxField, MultiSelectField
from hubapp.common.vocabulary import Scene
from hubapp.consultations.models import (
    PSEUDONYM_LENGTH,
    AgeBand,
    CareLevel,
    Channel,
    Consultation,
    Requester,
    Response,
    Status,
    Topic,
)
from hubapp.consultations.services import MAX_MINUTES, ConsultationValues, jst_datetime
from hubapp.core.services import JST

_REQUIRED = _l("入力してください。")
_CHOOSE = _l("選んでください。")
#: The municipality choice for 「不明」 (the column's NULL).
UNKNOWN = ""


class ConsultationForm(FlaskForm):
    received_date = DateField(_l("受付日"), validators=[InputRequired(_REQUIRED)])
    received_time = TimeField(_l("受付時刻"), validators=[InputRequired(_REQUIRED)])
    channel = RadioField(_l("相談経路"), validators=[InputRequired(_CHOOSE)], default=Channel.PHONE.value)
    requester = RadioField(_l("相談者"), validators=[InputRequired(_CHOOSE)])
    requester_organisation_id = SelectField(
        _l("相談者の所属機関（地域資源から）"),
        coerce=int,
        validators=[Optional()],
        description=_l("ケアマネ・病院MSWなど専門職からの相談のとき。"),
    )
    scene = RadioField(_l("場面"), validators=[InputRequired(_CHOOSE)])
    topics = MultiCheckboxField(_l("相談内容（複数可）"))
    responses = MultiCheckboxField(_l("対応（複数可）"))
    referral_ids = MultiSelectField(
        _l("紹介先の機関（複数可）"),
        coerce=int,
        validators=[Optional()],
        description=_l("パソコンでは Ctrl（Mac は ⌘）を押しながら選ぶと複数選べます。選ぶと対応に「紹介」が付きます。"),
        render_kw={"size": 8},
    )
    minutes_spent = IntegerField(
        _l("対応時間（分）"),
        validators=[
            InputRequired(_REQUIRED),
            NumberRange(min=0, max=MAX_MINUTES, message=_l("0〜%(n)d分で入力してください。", n=MAX_MINUTES)),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_MINUTES},
    )
    needs_follow_up = BooleanField(_l("フォローアップが必要"))
    status = RadioField(
        _l("フォローアップの状況"),
        validators=[Optional()],
        default=Status.OPEN.value,
        description=_l("フォローアップが不要なら「完了」として記録します。"),
    )
    staff_id = SelectField(_l("担当者"), coerce=int, validators=[DataRequired(_CHOOSE)])
    subject_pseudonym = StringField(
        _l("仮名・イニシャル"),
        validators=[Optional()],
        description=_l("%(n)d文字以内（例: K.T.、Aさん）。氏名・住所は入力しないでください。", n=PSEUDONYM_LENGTH),
        render_kw={"maxlength": PSEUDONYM_LENGTH, "autocomplete": "off", "spellcheck": "false"},
    )
    subject_age_band = RadioField(_l("年齢区分"), validators=[InputRequired(_CHOOSE)], default=AgeBand.UNKNOWN.value)
    subject_municipality_code = SelectField(_l("市町村"), validators=[Optional()], default=UNKNOWN)
    subject_care_level = SelectField(
        _l("要介護度"), validators=[InputRequired(_CHOOSE)], default=CareLevel.UNKNOWN.value
    )

    def fill_choices(
        self,
        organisations: dict[str, list[tuple[int, str]]],
        staff: list[tuple[int, str]],
        municipalities: list[tuple[str, str]],
    ) -> None:
        self.channel.choices = [(c.value, c.label) for c in Channel]
        self.requester.choices = [(r.value, r.label) for r in Requester]
        self.requester_organisation_id.choices = {None: [(0, _l("（選択なし）"))], **organisations}
        self.scene.choices = [(s.value, s.label) for s in Scene]
        self.topics.choices = [(t.value, t.label) for t in Topic]
        self.responses.choices = [(r.value, r.label) for r in Response]
        self.referral_ids.choices = organisations
        self.status.choices = [(s.value, s.label) for s in Status]
        self.staff_id.choices = staff
        self.subject_age_band.choices = [(a.value, a.label) for a in AgeBand]
        self.subject_municipality_code.choices = [(UNKNOWN, _l("不明")), *municipalities]
        self.subject_care_level.choices = [(c.value, c.label) for c in CareLevel]

    def start(self, now: datetime, staff_id: int) -> None:
        """A new entry: now in Japan (to the minute) and the user as 担当者."""
        local = now.astimezone(JST)
        self.received_date.data = local.date()
        self.received_time.data = local.time().replace(second=0, microsecond=0)
        self.staff_id.data = staff_id

    def load(self, consultation: Consultation) -> None:
        """An entry being corrected: its values into the fields."""
        local = consultation.received_at.astimezone(JST)
        self.received_date.data = local.date()
        self.received_time.data = local.time().replace(second=0, microsecond=0)
        self.channel.data = consultation.channel.value
        self.requester.data = consultation.requester.value
        self.requester_organisation_id.data = consultation.requester_organisation_id or 0
        self.scene.data = consultation.scene.value
        self.topics.data = [t.value for t in consultation.topic_values]
        self.responses.data = [r.value for r in consultation.response_values]
        self.referral_ids.data = [r.organisation_id for r in consultation.referrals if r.organisation_id]
        self.minutes_spent.data = consultation.minutes_spent
        self.needs_follow_up.data = consultation.needs_follow_up
        self.status.data = consultation.status.value
        self.staff_id.data = consultation.staff_id or 0
        self.subject_pseudonym.data = consultation.subject_pseudonym
        self.subject_age_band.data = consultation.subject_age_band.value
        self.subject_municipality_code.data = consultation.subject_municipality_code or UNKNOWN
        self.subject_care_level.data = consultation.subject_care_level.value

    def values(self) -> ConsultationValues:
        """The form's data in the services' terms (call after ``validate``)."""
        return ConsultationValues(
            received_at=jst_datetime(self.received_date.data, self.received_time.data),
            channel=Channel(self.channel.data),
            requester=Requester(self.requester.data),
            requester_organisation_id=self.requester_organisation_id.data or None,
            scene=Scene(self.scene.data),
            topics=[Topic(t) for t in self.topics.data or []],
            responses=[Response(r) for r in self.responses.data or []],
            referral_ids=list(self.referral_ids.data or []),
            minutes_spent=self.minutes_spent.data,
            needs_follow_up=bool(self.needs_follow_up.data),
            status=Status(self.status.data or Status.OPEN.value),
            staff_id=self.staff_id.data or None,
            subject_pseudonym=self.subject_pseudonym.data or "",
            subject_age_band=AgeBand(self.subject_age_band.data),
            subject_municipality_code=self.subject_municipality_code.data or None,
            subject_care_level=CareLevel(self.subject_care_level.data),
        )


class StatusForm(FlaskForm):
    status = RadioField(_l("フォローアップの状況"), validators=[InputRequired(_CHOOSE)])

    def fill_choices(self) -> None:
        self.status.choices = [(s.value, s.label) for s in Status]
