"""Accounts: who logs in, with which role, in which hubs."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common.roles import Role
from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    #: Written to the audit trail with this value masked.
    __audit_masked__ = frozenset({"password_hash", "totp_secret"})

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-case.
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    #: 氏名のよみ (katakana), for kana ordering.
    display_kana: Mapped[str] = mapped_column(sa.String(160), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: For the prefecture role: the 都道府県コード whose hubs this officer reads.
    prefecture_code: Mapped[str | None] = mapped_column(sa.String(2))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Sessions that began before this moment are over (set at logout: a cookie captured earlier no
    #: longer works, on any device).
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set with a temporary password from an admin: every page leads to the password change until done.
    password_must_change: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: A temporary password stops working at this moment (24 hours after it was set, or at its first use).
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: TOTP second factor (RFC 6238): the base32 secret, None until enrolled.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    #: The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    memberships: Mapped[list["HubMembership"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class RecoveryCode(db.Model):
    """Single-use codes for a lost phone: only a SHA-256 of each is stored (they carry 60 random bits,
    so a slow hash would add nothing but login time)."""

    __tablename__ = "recovery_codes"
    __audit_masked__ = frozenset({"code_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
