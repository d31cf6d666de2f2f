"""Flask-Login wiring: loading the user of a session."""

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l

from hubapp.db import utcnow
from hubapp.extensions import login_manager


def init_app(app: Flask) -> None:
    from hubapp.auth import throttle

    throttle.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("ログインしてください。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


SINCE, SEEN = "_since", "_seen"


def start_session() -> None:
    """Called right after login_user: the session's start and last activity (signed into the cookie)."""
    now = utcnow().timestamp()
    session[SINCE] = session[SEEN] = now


@login_manager.user_loader
def load_user(user_id: str):
    """The user of this session, or None when the account is disabled or the session is over: idle longer
    than ``SESSION_IDLE_MINUTES``, older than ``SESSION_ABSOLUTE_HOURS``, or begun before the user's last
    logout (``sessions_valid_after``)."""
    from hubapp.auth.services import get_user

    try:
        user = get_user(int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
        return None
    now = utcnow().timestamp()
    since, seen = session.get(SINCE), session.get(SEEN)
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    ended_at = user.sessions_valid_after.timestamp() if user.sessions_valid_after else None
    if (
        not isinstance(since, float | int)
        or not isinstance(seen, float | int)
        or now - seen > idle
        or now - since > absolute
        or (ended_at is not None and since <= ended_at)
    ):
        session.clear()
        return None
    session[SEEN] = now
    return user
