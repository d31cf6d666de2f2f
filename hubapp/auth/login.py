"""Flask-Login wiring: loading the user of a session."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from hubapp.extensions import login_manager


def init_app(app: Flask) -> None:
    from hubapp.auth import throttle

    throttle.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("ログインしてください。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    from hubapp.auth.services import get_user

    try:
        user = get_user(int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None
