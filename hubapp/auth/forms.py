"""Login form: posts ``username`` and ``password`` (names kept for users' scripts)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


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
