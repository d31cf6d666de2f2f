"""Accounts: Argon2id password hashes, authentication, creating users."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _

from hubapp.auth import passwords
from hubapp.auth.models import User
from hubapp.common.roles import Role
from hubapp.db import utcnow
from hubapp.extensions import db
from hubapp.hubs import services as hubs

USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    """A rule about accounts was broken; the message is for the user (Japanese)."""


class WrongPassword(AccountError):
    """The current password given to confirm a change is wrong."""


class TemporaryPasswordExpired(AccountError):
    """The right temporary password, but after its 24 hours or its one use."""


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )  # argon2-cffi's PasswordHasher is Argon2id


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalize_username(username: str) -> str:
    return username.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_user(username: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.username == normalize_username(username))).first()


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, or None. Rehashes when the cost settings changed.

    A temporary password works once, within its hours: the login that uses it ends it (the session goes
    on to the password change); afterwards it raises ``TemporaryPasswordExpired``."""
    user = find_user(username)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal which names exist.
        _hasher().hash(password)
        return None
    if not check_password(user, password) or not user.is_active:
        return None
    now = utcnow()
    if user.password_expires_at is not None:
        if user.password_expires_at <= now:
            raise TemporaryPasswordExpired(
                _("仮パスワードの有効期限が切れています。システム管理者に再発行を依頼してください。")
            )
        user.password_expires_at = now  # used once: it opens this session and no other
    hasher = _hasher()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = now
    db.session.flush()
    return user


def temporary_password() -> str:
    """16 characters a person can read out over the phone (no 0/O, 1/l/I)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def issue_temporary_password(user: User) -> str:
    """A new temporary password for ``user`` (shown once to the admin): it works once within
    ``TEMPORARY_PASSWORD_HOURS`` and leads to the password change. The user's sessions end now."""
    password = temporary_password()
    now = utcnow()
    user.password_hash = hash_password(password)
    user.password_must_change = True
    user.password_expires_at = now + timedelta(hours=current_app.config["TEMPORARY_PASSWORD_HOURS"])
    user.sessions_valid_after = now
    db.session.flush()
    return password


def reset_second_factor(user: User) -> None:
    """A lost phone: the factor and its recovery codes go, and the user's sessions end; a role that needs
    one enrols again at the next login."""
    from hubapp.auth import totp

    totp.disable(user)
    user.sessions_valid_after = utcnow()
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password proves it is them; the new one follows the rules
    (8 characters are enough with a second factor on). Other sessions of the user end."""
    if not check_password(user, current):
        raise WrongPassword(_("現在のパスワードが正しくありません。"))
    if new == current:
        raise AccountError(_("新しいパスワードは、現在のものと違うものにしてください。"))
    wrong = passwords.problem(new, user.username, with_totp=user.has_totp)
    if wrong:
        raise AccountError(wrong)
    user.password_hash = hash_password(new)
    user.password_must_change = False
    user.password_expires_at = None
    user.sessions_valid_after = utcnow()
    db.session.flush()


def update_user(user: User, *, display_name: str, display_kana: str, role: Role, hub_ids: list[int],
                prefecture_code: str | None, is_active: bool) -> None:
    """An admin's edit of an account. Taking the account out of use ends its sessions at once."""
    role = Role(role)
    if role == Role.PREFECTURE and not prefecture_code:
        raise AccountError(_("都道府県担当には都道府県コードが必要です。"))
    user.display_name = display_name
    user.display_kana = display_kana
    user.role = role
    user.prefecture_code = prefecture_code if role == Role.PREFECTURE else None
    if user.is_active and not is_active:
        user.sessions_valid_after = utcnow()
    user.is_active = is_active
    hubs.set_memberships(user, [] if role in (Role.ADMIN, Role.PREFECTURE) else list(hub_ids))
    db.session.flush()


def users_by_ids(user_ids) -> list[User]:
    """The accounts among ``user_ids`` (in id order; unknown ids are left out)."""
    if not user_ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(sorted(set(user_ids)))).order_by(User.id)))


def all_users() -> list[User]:
    """Every account, by kana then login name, with their hubs (one query for each relationship)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            sa.select(User)
            .options(selectinload(User.memberships))
            .order_by(User.display_kana, User.username)
        )
    )


def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    display_kana: str = "",
    hub_ids: list[int] = (),
    prefecture_code: str | None = None,
    temporary: bool = False,
) -> User:
    """A new account. ``temporary``: the password is a temporary one (see ``issue_temporary_password``)."""
    username = normalize_username(username)
    if not username or not set(username) <= USERNAME_CHARS:
        raise AccountError(_("ユーザー名は半角英小文字・数字・「._-」で入力してください。"))
    if find_user(username) is not None:
        raise AccountError(_("ユーザー名「%(name)s」はすでに使われています。", name=username))
    wrong = passwords.problem(password, username)
    if wrong:
        raise AccountError(wrong)
    role = Role(role)
    if role == Role.PREFECTURE and not prefecture_code:
        raise AccountError(_("都道府県担当には都道府県コードが必要です。"))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or username,
        display_kana=display_kana,
        prefecture_code=prefecture_code,
    )
    if temporary:
        user.password_must_change = True
        user.password_expires_at = utcnow() + timedelta(hours=current_app.config["TEMPORARY_PASSWORD_HOURS"])
    db.session.add(user)
    db.session.flush()
    hubs.set_memberships(user, list(hub_ids))
    return user
