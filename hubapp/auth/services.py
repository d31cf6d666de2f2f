"""Accounts: Argon2id password hashes, authentication, creating users."""

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


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, or None. Rehashes when the cost settings changed."""
    user = find_user(username)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal which names exist.
        _hasher().hash(password)
        return None
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.is_active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    display_kana: str = "",
    hub_ids: list[int] = (),
    prefecture_code: str | None = None,
) -> User:
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
    db.session.add(user)
    db.session.flush()
    hubs.set_memberships(user, list(hub_ids))
    return user
