"""利用者の管理 (admins): accounts, their role and hubs, temporary passwords, resetting a lost second factor.

A password is never typed by the admin: the app issues a temporary one, shown once, which works once
within 24 hours and leads its user straight to the password change.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.auth import services, totp
from hubapp.auth.forms import UserForm
from hubapp.auth.models import User
from hubapp.common.current import found_or_404
from hubapp.common.roles import Role, roles_required
from hubapp.extensions import db
from hubapp.hubs import services as hubs


def _form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.role.choices = [(r.value, r.label) for r in Role]
    form.hub_ids.choices = hubs.visible_hub_choices(current_user)
    if user is not None and not form.is_submitted():
        form.role.data = user.role.value
        form.hub_ids.data = [m.hub_id for m in user.memberships]
    return form


def _get(user_id: int) -> User:
    user = found_or_404(services.get_user(user_id))
    return user


def _issued(user: User, password: str):
    hours = current_app.config["TEMPORARY_PASSWORD_HOURS"]
    return render_template("users/issued.html", user=user, password=password, hours=hours)


@roles_required(Role.ADMIN)
def index():
    return render_template("users/index.html", users=services.all_users(), totp_required=totp.required_for)


@roles_required(Role.ADMIN)
def create():
    form = _form()
    if form.validate_on_submit():
        password = services.temporary_password()
        try:
            user = services.create_user(
                username=form.username.data,
                password=password,
                role=Role(form.role.data),
                display_name=form.display_name.data.strip(),
                display_kana=(form.display_kana.data or "").strip(),
                hub_ids=_hub_ids(form),
                prefecture_code=form.prefecture_code.data or None,
                temporary=True,
            )
            user.is_active = bool(form.is_active.data)
        except services.AccountError as error:
            db.session.rollback()
            form.username.errors.append(str(error))
        else:
            db.session.commit()
            return _issued(user, password)
    return render_template("users/edit.html", form=form, user=None)


def _hub_ids(form: UserForm) -> list[int]:
    allowed = {hub_id for hub_id, _name in form.hub_ids.choices}
    if Role(form.role.data) in (Role.ADMIN, Role.PREFECTURE):
        return []
    return [hub_id for hub_id in (form.hub_ids.data or []) if hub_id in allowed]


@roles_required(Role.ADMIN)
def edit(user_id: int):
    user = _get(user_id)
    form = _form(user)
    del form.username  # the login name never changes (it is in the audit trail)
    if form.validate_on_submit():
        role, active = Role(form.role.data), bool(form.is_active.data)
        if user.id == current_user.id and (role != Role.ADMIN or not active):
            flash(_("自分自身の役割の変更や利用停止はできません（管理者がいなくなるのを防ぐため）。"), "error")
            return render_template("users/edit.html", form=form, user=user), 400
        try:
            services.update_user(
                user,
                display_name=form.display_name.data.strip(),
                display_kana=(form.display_kana.data or "").strip(),
                role=role,
                hub_ids=_hub_ids(form),
                prefecture_code=form.prefecture_code.data or None,
                is_active=active,
            )
        except services.AccountError as error:
            db.session.rollback()
            form.prefecture_code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("「%(name)s」を保存しました。", name=user.display_name), "info")
            return redirect(url_for("users.index"))
    return render_template("users/edit.html", form=form, user=user)


@roles_required(Role.ADMIN)
def temporary_password(user_id: int):
    user = _get(user_id)
    password = services.issue_temporary_password(user)
    db.session.commit()
    return _issued(user, password)


@roles_required(Role.ADMIN)
def reset_second_factor(user_id: int):
    """For a lost phone: the second factor is removed and the user's sessions end; a role that needs one
    enrols again at the next login."""
    user = _get(user_id)
    services.reset_second_factor(user)
    db.session.commit()
    flash(_("「%(name)s」の二要素認証を解除しました。次のログインで設定し直します。", name=user.display_name), "info")
    return redirect(url_for("users.edit", user_id=user.id))
