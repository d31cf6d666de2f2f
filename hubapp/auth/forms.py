"""Account forms. Login posts ``username`` and ``password``, the second factor ``code`` (names kept for
users' scripts)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(
        _l("ユーザー名"),
        validators=[DataRequired(_l("ユーザー名を入力してください。")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("パスワード"),
        validators=[DataRequired(_l("パスワードを入力してください。")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


def _code_field(description) -> StringField:
    """A one-time code as phones fill it in (the keypad, the code from an SMS-style autofill)."""
    return StringField(
        _l("確認コード"),
        validators=[DataRequired(_l("確認コードを入力してください。")), Length(max=32)],
        description=description,
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"},
    )


class SecondFactorForm(FlaskForm):
    """The second step of login: posts ``code`` (a 6-digit TOTP code or a recovery code)."""

    code = _code_field(
        _l("認証アプリに表示されている6桁の数字。スマートフォンをなくしたときは回復コードを入力します。")
    )


class TotpSetupForm(FlaskForm):
    code = _code_field(_l("認証アプリに登録したあと、アプリに表示される6桁の数字を入力します。"))
    #: The button pressed once enrolled: new recovery codes ("recovery") or turning the factor off.
    action = StringField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("現在のパスワード"),
        validators=[DataRequired(_l("現在のパスワードを入力してください。")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("新しいパスワード"),
        validators=[DataRequired(_l("新しいパスワードを入力してください。")), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[
            DataRequired(_l("確認のため、もう一度入力してください。")),
            EqualTo("new_password", _l("確認用のパスワードが一致しません。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class UserForm(FlaskForm):
    """An account as an admin sets it up. The password is never typed here: a temporary one is issued."""

    username = StringField(
        _l("ユーザー名"),
        validators=[DataRequired(_l("ユーザー名を入力してください。")), Length(max=64)],
        description=_l("半角英小文字・数字・「._-」。あとから変えられません。"),
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(_l("氏名"), validators=[DataRequired(_l("氏名を入力してください。")), Length(max=80)])
    display_kana = StringField(_l("よみ（カナ）"), validators=[Optional(), Length(max=160)])
    role = SelectField(_l("役割"), choices=[], validate_choice=True)  # choices set per request (labels translated)
    hub_ids = SelectMultipleField(_l("所属する拠点"), coerce=int, validate_choice=False)
    prefecture_code = StringField(
        _l("都道府県コード"),
        validators=[Optional(), Regexp(r"^\d{2}$", message=_l("都道府県コードは2桁の数字です。"))],
        description=_l("都道府県担当のときだけ。例: 千葉県は 12"),
    )
    is_active = BooleanField(_l("利用中（外すとすぐにログインできなくなります）"), default=True)
