"""Meeting forms (shape only; rules in services). Choices are filled per request."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from hubapp.common.forms import MultiCheckboxField, NumberField
from hubapp.common.vocabulary import Profession
from hubapp.meetings.models import IssueStatus, MeetingKind, Scene, Topic

_REQUIRED = _l("入力してください。")


def _count(label):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("0以上で入力してください。"))],
        render_kw={"inputmode": "numeric"},
    )


#: The days a meeting may be held on (0001-01-01 at 00:00 JST is no day in UTC, and no meeting anyway).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _plausible_day(form, field):
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("開催日は2000年から2100年までの日付で入力してください。"))


class MeetingForm(FlaskForm):
    kind = SelectField(_l("種類"), validators=[DataRequired(_REQUIRED)])
    title = StringField(_l("名称"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    day = DateField(_l("開催日"), validators=[InputRequired(_REQUIRED), _plausible_day])
    start_time = TimeField(_l("開始"), validators=[InputRequired(_REQUIRED)])
    end_time = TimeField(_l("終了"), validators=[InputRequired(_REQUIRED)])
    place = StringField(_l("会場"), validators=[Optional(), Length(max=200)])
    online_url = StringField(
        _l("オンライン会議のURL"),
        validators=[Optional(), URL(message=_l("URLの形式が正しくありません。")), Length(max=500)],
    )
    topics = MultiCheckboxField(_l("議題の分類"))
    scenes = MultiCheckboxField(_l("4つの場面"))
    agenda = TextAreaField(_l("議題・内容"), validators=[Optional(), Length(max=10000)])
    summary = TextAreaField(_l("議事要旨"), validators=[Optional(), Length(max=20000)])
    organizer_name = StringField(_l("主催者（招待状の差出人）"), validators=[Optional(), Length(max=120)])
    organizer_email = StringField(
        _l("主催者のメールアドレス"),
        validators=[Optional(), Email(_l("メールアドレスの形式が正しくありません。")), Length(max=200)],
    )

    def fill_choices(self) -> None:
        self.kind.choices = [(k.value, k.label) for k in MeetingKind]
        self.topics.choices = [(t.value, t.label) for t in Topic]
        self.scenes.choices = [(s.value, s.label) for s in Scene]


class InviteForm(FlaskForm):
    people = MultiCheckboxField(_l("関係者"), coerce=int)
    organisations = MultiCheckboxField(_l("機関（所属する関係者全員）"), coerce=int)
    professions = MultiCheckboxField(_l("職種（その職種の関係者全員）"))

    def fill_choices(self, people, organisations) -> None:
        self.people.choices = people
        self.organisations.choices = organisations
        self.professions.choices = [(p.value, p.label) for p in Profession]


class WalkInForm(FlaskForm):
    name = StringField(_l("氏名"), validators=[DataRequired(_REQUIRED), Length(max=80)])
    profession = SelectField(_l("職種"), validators=[DataRequired(_REQUIRED)])
    organisation_name = StringField(_l("所属"), validators=[Optional(), Length(max=200)])

    def fill_choices(self) -> None:
        self.profession.choices = [(p.value, p.label) for p in Profession]


class HeadcountForm(FlaskForm):
    #: The form's own 保存 button (the page has two forms posting to one URL).
    submit = SubmitField()
    headcount_residents = _count(_l("住民"))
    headcount_families = _count(_l("家族"))
    headcount_professionals = _count(_l("専門職"))

    def counts(self) -> tuple:
        """Residents, families, professionals (``services.set_headcounts``' order)."""
        return self.headcount_residents.data, self.headcount_families.data, self.headcount_professionals.data


class SurveyForm(FlaskForm):
    #: The form's own 保存 button (the page has two forms posting to one URL).
    submit = SubmitField()
    survey_responses = _count(_l("回答数"))
    survey_satisfied = _count(_l("満足"))
    survey_neutral = _count(_l("どちらともいえない"))
    survey_dissatisfied = _count(_l("不満"))
    survey_comments = TextAreaField(_l("自由記述"), validators=[Optional(), Length(max=10000)])

    def answers(self) -> tuple:
        """Responses, satisfied, neutral, dissatisfied, comments (``services.set_survey``' order)."""
        return (
            self.survey_responses.data,
            self.survey_satisfied.data,
            self.survey_neutral.data,
            self.survey_dissatisfied.data,
            self.survey_comments.data or "",
        )


class IssueForm(FlaskForm):
    title = StringField(_l("課題"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    description = TextAreaField(_l("内容"), validators=[Optional(), Length(max=5000)])
    owner = StringField(_l("担当"), validators=[Optional(), Length(max=120)])
    due_on = DateField(_l("期限"), validators=[Optional()])
    countermeasure = TextAreaField(_l("対応策"), validators=[Optional(), Length(max=5000)])


class CountermeasureForm(FlaskForm):
    #: The form's own 保存 button (the page has two forms posting to one URL).
    submit = SubmitField()
    description = TextAreaField(_l("対応策"), validators=[DataRequired(_REQUIRED), Length(max=5000)])
    owner = StringField(_l("担当"), validators=[Optional(), Length(max=120)])
    due_on = DateField(_l("期限"), validators=[Optional()])
    meeting_id = SelectField(_l("検討した会議"), coerce=int, validators=[Optional()])


class IssueStatusForm(FlaskForm):
    #: The form's own 保存 button (the page has two forms posting to one URL).
    submit = SubmitField()
    status = SelectField(_l("状態"))

    def fill_choices(self) -> None:
        self.status.choices = [(s.value, s.label) for s in IssueStatus]


class MarkForm(FlaskForm):
    """One participant's attendance: the status button pressed, and who came in their place."""

    participant = NumberField()
    status = StringField()
    proxy_name = StringField(render_kw={"maxlength": 120})


class LinkWalkInForm(FlaskForm):
    person_id = NumberField()


class FeedForm(FlaskForm):
    label = StringField(_l("名前（どこで使うURLかの覚え書き）"))
