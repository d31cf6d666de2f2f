"""Directory forms (shape only; the rules live in services). Choices are filled per request."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, Regexp

from hubapp.common.forms import MultiCheckboxField
from hubapp.directory.models import OrganisationType, Profession

_REQUIRED = _l("入力してください。")


def _digits(count: int, label):
    return Regexp(rf"^\d{{{count}}}$", message=_l("%(label)sは%(n)d桁の数字で入力してください。", label=label, n=count))


class OrganisationForm(FlaskForm):
    type = SelectField(_l("種別"), validators=[DataRequired(_REQUIRED)])
    name = StringField(_l("名称"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    name_kana = StringField(
        _l("名称（カナ）"), validators=[Optional(), Length(max=300)], description=_l("五十音順の並びと検索に使います。")
    )
    medical_code = StringField(
        _l("医療機関コード"),
        validators=[Optional(), _digits(10, _l("医療機関コード"))],
        render_kw={"inputmode": "numeric"},
    )
    care_code = StringField(
        _l("介護保険事業所番号"),
        validators=[
            Optional(),
            # 3桁目 (事業所区分番号) may be an upper-case letter: 介護医療院 01B…, see parsing/values.py
            Regexp(
                r"^\d{2}[0-9A-HJ-NPR-Z]\d{7}$",
                message=_l("介護保険事業所番号は10桁（3桁目は数字か英大文字）で入力してください。"),
            ),
        ],
    )
    corporate_number = StringField(
        _l("法人番号"), validators=[Optional(), _digits(13, _l("法人番号"))], render_kw={"inputmode": "numeric"}
    )
    municipality_code = SelectField(_l("市区町村"), validators=[Optional()])
    postcode = StringField(
        _l("郵便番号"),
        validators=[
            Optional(),
            Regexp(r"^\d{3}-?\d{4}$", message=_l("郵便番号は「123-4567」の形で入力してください。")),
        ],
    )
    address = StringField(_l("所在地"), validators=[Optional(), Length(max=300)])
    latitude = DecimalField(
        _l("緯度"),
        places=6,
        validators=[
            Optional(),
            NumberRange(min=20, max=46, message=_l("日本国内の緯度（20〜46）を入力してください。")),
        ],
    )
    longitude = DecimalField(
        _l("経度"),
        places=6,
        validators=[
            Optional(),
            NumberRange(min=122, max=154, message=_l("日本国内の経度（122〜154）を入力してください。")),
        ],
    )
    phone = StringField(_l("電話番号"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "tel"})
    fax = StringField(_l("FAX番号"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "tel"})
    email = StringField(
        _l("メールアドレス"),
        validators=[Optional(), Email(_l("メールアドレスの形式が正しくありません。")), Length(max=200)],
    )
    url = StringField(
        _l("URL"), validators=[Optional(), URL(message=_l("URLの形式が正しくありません。")), Length(max=500)]
    )
    bed_count = IntegerField(
        _l("病床数"), validators=[Optional(), NumberRange(min=0, max=5000, message=_l("0〜5000で入力してください。"))]
    )
    functions = MultiCheckboxField(_l("機能"), coerce=int)
    hours_note = TextAreaField(_l("受付時間・休日"), validators=[Optional(), Length(max=2000)])
    note = TextAreaField(_l("備考"), validators=[Optional(), Length(max=4000)])

    def fill_choices(self, municipalities: list[tuple[str, str]], functions: list[tuple[int, str]]) -> None:
        self.type.choices = [(t.value, t.label) for t in OrganisationType]
        self.municipality_code.choices = [("", _l("（選択なし）")), *municipalities]
        self.functions.choices = functions

    def values(self) -> dict:
        """The form's data in the services' terms."""
        text = lambda field: (field.data or "").strip()  # noqa: E731
        return {
            "type": OrganisationType(self.type.data),
            "name": text(self.name),
            "name_kana": text(self.name_kana),
            "medical_code": text(self.medical_code) or None,
            "care_code": text(self.care_code) or None,
            "corporate_number": text(self.corporate_number) or None,
            "municipality_code": self.municipality_code.data or None,
            "postcode": text(self.postcode),
            "address": text(self.address),
            "latitude": self.latitude.data,
            "longitude": self.longitude.data,
            "phone": text(self.phone),
            "fax": text(self.fax),
            "email": text(self.email),
            "url": text(self.url),
            "bed_count": self.bed_count.data,
            "hours_note": text(self.hours_note),
            "note": text(self.note),
        }


class PersonForm(FlaskForm):
    name = StringField(_l("氏名"), validators=[DataRequired(_REQUIRED), Length(max=80)])
    name_kana = StringField(_l("氏名（カナ）"), validators=[Optional(), Length(max=160)])
    profession = SelectField(_l("職種"), validators=[DataRequired(_REQUIRED)])
    organisation_id = SelectField(_l("所属機関"), coerce=int, validators=[Optional()])
    job_title = StringField(_l("役職"), validators=[Optional(), Length(max=80)])
    is_manager = BooleanField(_l("管理者"))
    is_admin_officer = BooleanField(_l("行政担当"))
    phone = StringField(_l("電話番号"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "tel"})
    email = StringField(
        _l("メールアドレス"),
        validators=[Optional(), Email(_l("メールアドレスの形式が正しくありません。")), Length(max=200)],
    )
    note = TextAreaField(_l("備考"), validators=[Optional(), Length(max=2000)])

    def fill_choices(self, organisations: list[tuple[int, str]]) -> None:
        self.profession.choices = [(p.value, p.label) for p in Profession]
        self.organisation_id.choices = [(0, _l("（所属なし）")), *organisations]

    def values(self) -> dict:
        text = lambda field: (field.data or "").strip()  # noqa: E731
        return {
            "name": text(self.name),
            "name_kana": text(self.name_kana),
            "profession": Profession(self.profession.data),
            "organisation_id": self.organisation_id.data or None,
            "job_title": text(self.job_title),
            "is_manager": bool(self.is_manager.data),
            "is_admin_officer": bool(self.is_admin_officer.data),
            "phone": text(self.phone),
            "email": text(self.email),
            "note": text(self.note),
        }


class FunctionForm(FlaskForm):
    label = StringField(_l("機能の名称"), validators=[DataRequired(_REQUIRED), Length(max=60)])


class ImportForm(FlaskForm):
    file = FileField(
        _l("ファイル"),
        validators=[FileRequired(_l("ファイルを選んでください。"))],
        description=_l(
            "CSV（UTF-8 または Shift_JIS）、TSV、Excel（.xlsx）。自治体標準オープンデータセット、推奨データセット、"
            "介護サービス情報公表システム、医療情報ネットの形式と、このアプリのエクスポート形式を読めます。"
        ),
    )


class CommitImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    #: 「1」: take the other rows when some are refused («エラーの行を除いて取り込む»)
    skip_refused = HiddenField()
    #: 「1」: archive the organisations that disappeared from the publisher's list (else they are kept)
    archive_disappeared = HiddenField()


def mapping_form(columns: int, token: str):
    """A publisher's own layout: which field each of the file's ``columns`` is (``field-0``…), the name to
    save the mapping under and the type of every row; with the upload's token (its CSRF token guards it)."""
    fields = {f"field-{n}": StringField() for n in range(columns)}
    fields |= {"mapping_name": StringField(), "organisation_type": StringField()}
    form = type("MappingForm", (CommitImportForm,), fields)(token=token)
    return form


def mapping_choices(form, columns: int) -> list[str]:
    return [form[f"field-{n}"].data or "" for n in range(columns)]
