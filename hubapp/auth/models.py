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
    __audit_masked__ = frozenset({"password_hash"})

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

    memberships: Mapped[list["HubMembership"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
