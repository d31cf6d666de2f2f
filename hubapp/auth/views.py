"""Login and logout."""

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from hubapp.audit.services import record
from hubapp.auth import services, throttle, totp
from hubapp.auth.forms import LoginForm, PasswordChangeForm, SecondFactorForm, TotpSetupForm
from hubapp.auth.login import FACTOR, FACTOR_DONE, factor_passed, pending_step, restart_session, start_session
from hubapp.common.roles import ALL_ROLES, public, roles_required
from hubapp.common.vocabulary import AuditAction
from hubapp.db import utcnow
from hubapp.extensions import db


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


@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "POST":
        name = services.normalize_username(form.username.data or "")
        if throttle.blocked(name, request.remote_addr):
            record(AuditAction.LOGIN_FAILED, "users", actor=name[:80], details={"throttled": True})
            db.session.commit()
            abort(429)
    if form.validate_on_submit():
        name = services.normalize_username(form.username.data)
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.TemporaryPasswordExpired as expired:
            db.session.rollback()
            return _login_refused(form, name, str(expired), {"temporary_expired": True})
        if user is None:
            return _login_refused(form, name, _("ユーザー名またはパスワードが正しくありません。"))
        _fresh_session()  # nothing carried over from before the login but the language
        login_user(user)
        start_session(user)
        session[NEXT] = _safe_next(request.args.get("next"))
        record(AuditAction.LOGIN, "users", user.id)
        db.session.commit()
        return _onwards()
    return render_template("auth/login.html", form=form)


def _login_refused(form: LoginForm, name: str, message: str, details: dict | None = None):
    """A failed login: counted against the name and address, on the trail, and the form shown again."""
    throttle.failed(name, request.remote_addr)
    record(AuditAction.LOGIN_FAILED, "users", actor=name[:80], details=details)
    db.session.commit()
    flash(message, "error")
    return render_template("auth/login.html", form=form), 200


#: Where to go once every login step is done (kept in the signed session between the steps).
NEXT = "_next"


def _onwards():
    """The next login step, or the page the user asked for."""
    step = pending_step(current_user)
    if step is not None:
        return redirect(url_for(step))
    return redirect(_safe_next(session.pop(NEXT, None)))


@roles_required(*ALL_ROLES)
def second_factor():
    """The second step of login: a TOTP code, or a recovery code (posted as ``code``)."""
    if session.get(FACTOR) == FACTOR_DONE or not current_user.has_totp:
        return _onwards()
    form = SecondFactorForm()
    if request.method == "POST" and throttle.blocked(current_user.username, request.remote_addr):
        record(AuditAction.MFA_FAILED, "users", current_user.id, details={"throttled": True})
        db.session.commit()
        abort(429)
    if form.validate_on_submit():
        method = None
        if totp.verify(current_user, form.code.data):
            method = "totp"
        elif totp.use_recovery_code(current_user, form.code.data):
            method = "recovery_code"
        if method is None:
            throttle.failed(current_user.username, request.remote_addr)
            record(AuditAction.MFA_FAILED, "users", current_user.id)
            db.session.commit()
            flash(_("確認コードが正しくないか、すでに使われています。新しいコードを入力してください。"), "error")
            return render_template("auth/second_factor.html", form=form)
        factor_passed()
        record(AuditAction.MFA, "users", current_user.id, details={"method": method})
        if method == "recovery_code":
            left = totp.recovery_codes_left(current_user)
            flash(_("回復コードでログインしました。残りは%(n)d個です。", n=left), "warning" if left < 4 else "info")
        db.session.commit()
        return _onwards()
    return render_template("auth/second_factor.html", form=form)


CANDIDATE = "_totp_candidate"


@roles_required(*ALL_ROLES)
def totp_setup():
    """Turn the second factor on (QR code and a first code), or, when it is on, make new recovery codes
    or turn it off (roles that need it cannot)."""
    step = session.get(FACTOR)
    if current_user.has_totp and step != FACTOR_DONE:
        return redirect(url_for("auth.second_factor"))  # enrolled meanwhile in another session: prove it
    form = TotpSetupForm()
    required = totp.required_for(current_user.role)
    if current_user.has_totp:
        return _totp_manage(form, required)
    return _totp_enrol(form, step, required)


def _totp_manage(form: TotpSetupForm, required: bool):
    """The second factor is on: new recovery codes, or turning it off, each confirmed by a code."""
    if form.validate_on_submit():
        action = form.action.data
        if not totp.verify(current_user, form.code.data):
            record(AuditAction.MFA_FAILED, "users", current_user.id, details={"action": action or ""})
            db.session.commit()
            flash(_("確認コードが正しくないか、すでに使われています。"), "error")
        elif action == "recovery":
            codes = totp.new_recovery_codes(current_user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.totp_setup"))
        elif action == "disable" and not required:
            totp.disable(current_user)
            db.session.commit()
            flash(_("二要素認証を無効にしました。"), "info")
            return redirect(url_for("auth.totp_setup"))
    return render_template(
        "auth/totp_status.html", form=form, required=required, left=totp.recovery_codes_left(current_user)
    )


def _totp_enrol(form: TotpSetupForm, step, required: bool):
    """Turning the second factor on: a secret kept in the session until the first code matches it."""
    secret = session.get(CANDIDATE)
    if not isinstance(secret, str) or not totp.valid_secret(secret):
        secret = session[CANDIDATE] = totp.new_secret()
    if form.validate_on_submit():
        codes = totp.enrol(current_user, secret, form.code.data)
        if codes is None:
            flash(_("確認コードが一致しません。スマートフォンの時刻が正しいかもご確認ください。"), "error")
        else:
            session.pop(CANDIDATE, None)
            factor_passed()
            record(AuditAction.MFA, "users", current_user.id, details={"method": "totp", "enrolled": True})
            db.session.commit()
            following = url_for("auth.continue_login") if step != FACTOR_DONE else url_for("auth.totp_setup")
            return render_template("auth/recovery_codes.html", codes=codes, continue_url=following)
    uri = totp.provisioning_uri(current_user, secret)
    return render_template(
        "auth/totp_setup.html",
        form=form,
        qr=Markup(totp.qr_svg(uri)),  # noqa: S704 - segno's SVG from our own URI, no user text in it
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=required,
        enrolling=step != FACTOR_DONE,
    )


@roles_required(*ALL_ROLES)
def continue_login():
    """After the recovery codes are noted down: the next login step or the page asked for."""
    return _onwards()


@roles_required(*ALL_ROLES)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except services.WrongPassword as error:
            db.session.rollback()
            form.current_password.errors.append(str(error))
        except services.AccountError as error:
            db.session.rollback()
            form.new_password.errors.append(str(error))
        else:
            restart_session()  # the other sessions ended with the change; this one goes on
            db.session.commit()
            flash(_("パスワードを変更しました。ほかの端末のログインは終了しました。"), "info")
            return _onwards()
    minimum = current_app.config["PASSWORD_MIN_LENGTH_WITH_TOTP" if current_user.has_totp else "PASSWORD_MIN_LENGTH"]
    return render_template("auth/change_password.html", form=form, minimum=minimum)


@roles_required(*ALL_ROLES)
def logout():
    record(AuditAction.LOGOUT, "users", current_user.id)
    current_user.sessions_valid_after = utcnow()  # this and every earlier session of the user end here
    db.session.commit()
    logout_user()
    _fresh_session()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("auth.login"))
