"""Physician groups, their shift types and members, unavailability, and the duties of the rota.

Programs C (seed 001 ③) and E (seed 004: 主治医・副主治医制, 休日夜間等不在時の代診制, 受入病床の確保) ask for
a group whose physicians cover each other at night and on 休日, with a backup hospital behind them.
"""

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db


class AppliesOn(StrEnum):
    """Which days a shift type is staffed on."""

    WEEKDAY = "weekday"
    HOLIDAY = "holiday"  #: Saturday, Sunday, national holidays incl. 振替休日, 年末年始, the group's extra days

    @property
    def label(self) -> str:
        return str({AppliesOn.WEEKDAY: _l("平日"), AppliesOn.HOLIDAY: _l("休日")}[self])


class AvailabilityKind(StrEnum):
    UNAVAILABLE = "unavailable"
    PREFER_NOT = "prefer_not"

    @property
    def label(self) -> str:
        return str(
            {AvailabilityKind.UNAVAILABLE: _l("不可"), AvailabilityKind.PREFER_NOT: _l("できれば避けたい")}[self]
        )


class PhysicianGroup(TimestampMixin, db.Model):
    __tablename__ = "physician_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: 急変時受入医療機関: takes the slots no physician can fill.
    backup_hospital_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    #: Swaps need the coordinator's approval.
    swaps_need_approval: Mapped[bool] = mapped_column(default=True)

    shift_types: Mapped[list["ShiftType"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="ShiftType.sort_order"
    )
    members: Mapped[list["GroupMember"]] = relationship(back_populates="group", cascade="all, delete-orphan")
    extra_holidays: Mapped[list["GroupHoliday"]] = relationship(
        cascade="all, delete-orphan", order_by="GroupHoliday.day"
    )


class ShiftType(TimestampMixin, db.Model):
    """e.g. 平日夜間 18:00–翌8:30 (weekdays), 休日日中 8:30–18:00 and 休日夜間 (休日)."""

    __tablename__ = "shift_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(60))
    applies_on: Mapped[AppliesOn] = mapped_column(enum_column(AppliesOn))
    starts: Mapped[time]
    #: When ``ends`` is not after ``starts`` the shift ends the next day (翌8:30).
    ends: Mapped[time]
    #: Night shifts count for the "two free nights between primary nights" rule.
    is_night: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    group: Mapped[PhysicianGroup] = relationship(back_populates="shift_types")

    __table_args__ = (sa.UniqueConstraint("group_id", "code"),)


class GroupHoliday(db.Model):
    """A day the group staffs as a 休日 besides the national calendar (お盆, a local festival …)."""

    __tablename__ = "group_holidays"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), default="")


class GroupMember(TimestampMixin, db.Model):
    """A physician of the group: the directory person, the login (for their own rota), and the rules."""

    __tablename__ = "group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: 常勤換算 (1.00 full time).
    fte: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=Decimal("1.00"))
    #: Cap on duties a month (part-time physicians).
    max_duties_per_month: Mapped[int | None]
    #: May only be 副・バックアップ.
    secondary_only: Mapped[bool] = mapped_column(default=False)
    #: 在宅医療未経験: always paired with an experienced physician.
    is_new: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    group: Mapped[PhysicianGroup] = relationship(back_populates="members")
    person: Mapped["Person"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("group_id", "person_id"),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
    )


class Unavailability(TimestampMixin, db.Model):
    """Days a physician cannot (学会, 休暇) or would rather not be on duty."""

    __tablename__ = "unavailabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("group_members.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    kind: Mapped[AvailabilityKind] = mapped_column(enum_column(AvailabilityKind))
    first_day: Mapped[date]
    last_day: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    __table_args__ = (sa.CheckConstraint("last_day >= first_day", name="range_order"),)


class Duty(TimestampMixin, db.Model):
    """One staffed shift: the primary (当番・主) and the secondary (副・バックアップ). No primary means the
    backup hospital takes it."""

    __tablename__ = "duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"))
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    shift_type_id: Mapped[int] = mapped_column(sa.ForeignKey("shift_types.id", ondelete="CASCADE"))
    day: Mapped[date]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_holiday: Mapped[bool] = mapped_column(default=False)
    primary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_members.id", ondelete="SET NULL"), index=True)
    secondary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_members.id", ondelete="SET NULL"), index=True)
    #: 年度 of the day (fairness and the compliance view look per 年度).
    fiscal_year: Mapped[int]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shift_type: Mapped[ShiftType] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("group_id", "shift_type_id", "day"),
        sa.Index("ix_duties_group_day", "group_id", "day"),
        sa.Index("ix_duties_hub_starts", "hub_id", "starts_at"),
    )
