"""Login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hubapp.audit.models import AuditAction
from hubapp.audit.services import record
from hubapp.auth import services, throttle
from hubapp.auth.forms import LoginForm
from hubapp.auth.login import start_session
from hubapp.common.roles import ALL_ROLES, public, roles_required
from hubapp.db import utcnow
from hubapp.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("core.dashboard")


def _fresh_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "POST":
        name = services.normalize_username(request.form.get("username", ""))
        if throttle.blocked(name, request.remote_addr):
            record(AuditAction.LOGIN_FAILED, "users", actor=name[:80], details={"throttled": True})
            db.session.commit()
            abort(429)
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            name = services.normalize_username(form.username.data)
            throttle.failed(name, request.remote_addr)
            record(AuditAction.LOGIN_FAILED, "users", actor=name[:80])
            db.session.commit()
            flash(_("ユーザー名またはパスワードが正しくありません。"), "error")
            return render_template("auth/login.html", form=form), 200
        _fresh_session()  # nothing carried over from before the login but the language
        login_user(user)
        start_session()
        record(AuditAction.LOGIN, "users", user.id)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles_required(*ALL_ROLES)
def logout():
    record(AuditAction.LOGOUT, "users", current_user.id)
    current_user.sessions_valid_after = utcnow()  # this and every earlier session of the user end here
    db.session.commit()
    logout_user()
    _fresh_session()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("auth.login"))
