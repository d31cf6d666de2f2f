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
#: "done" once this session has passed the second factor (or needs none). Which step is still to take is
#: derived from the account on each request (``pending_step``), never stored.
FACTOR = "_factor"
FACTOR_DONE = "done"
FACTOR_PENDING = "pending"


def start_session(user) -> None:
    """Called right after login_user: the session's start and last activity (signed into the cookie), and
    the second-factor step it still has to take."""
    from hubapp.auth import totp

    now = utcnow().timestamp()
    session[SINCE] = session[SEEN] = now
    session[FACTOR] = FACTOR_PENDING if user.has_totp or totp.required_for(user.role) else FACTOR_DONE


def restart_session() -> None:
    """After a password change has ended the user's sessions: this one begins again now."""
    session[SINCE] = session[SEEN] = utcnow().timestamp()


def pending_step(user) -> str | None:
    """The endpoint this session must go to before anything else, or None.

    A session that passed only the password reaches nothing but the second-factor page (or, for a role that
    needs one and has none yet, the enrolment page); then a temporary password must be changed."""
    from hubapp.auth import totp

    if session.get(FACTOR) != FACTOR_DONE:
        # Decided by the account as it is now (a factor enrolled or reset in another session meanwhile), so
        # that no step can lead back to itself.
        if user.has_totp:
            return "auth.second_factor"
        if totp.required_for(user.role):
            return "auth.totp_setup"
    if user.password_must_change:
        return "auth.change_password"
    return None


def factor_passed() -> None:
    session[FACTOR] = FACTOR_DONE


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
        or (ended_at is not None and since < ended_at)
    ):
        session.clear()
        return None
    session[SEEN] = now
    return user
