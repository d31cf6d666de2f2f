"""Physician groups, their shift types and members, unavailability, and the duties of the rota.

Programs C (seed 001 ③) and E (seed 004: 主治医・副主治医制, 休日夜間等不在時の代診制, 受入病床の確保) ask for
a group whose physicians cover each other at night and on 休日, with a backup hospital behind them.
"""

from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common.vocabulary import LabelledEnum, labelled
from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db


class AppliesOn(LabelledEnum):
    """Which days a shift type is staffed on."""

    WEEKDAY = "weekday"
    HOLIDAY = "holiday"  #: Saturday, Sunday, national holidays incl. 振替休日, 年末年始, the group's extra days


labelled(AppliesOn, {AppliesOn.WEEKDAY: _l("平日"), AppliesOn.HOLIDAY: _l("休日")})


class AvailabilityKind(LabelledEnum):
    UNAVAILABLE = "unavailable"
    PREFER_NOT = "prefer_not"


labelled(
    AvailabilityKind, {AvailabilityKind.UNAVAILABLE: _l("不可"), AvailabilityKind.PREFER_NOT: _l("できれば避けたい")}
)


class PhysicianGroup(TimestampMixin, db.Model):
    __tablename__ = "physician_groups"
    __table_args__ = (
        sa.CheckConstraint(
            "unavailability_deadline_day IS NULL OR unavailability_deadline_day BETWEEN 1 AND 28", name="deadline_day"
        ),
        sa.CheckConstraint("max_consecutive_days IS NULL OR max_consecutive_days BETWEEN 1 AND 14", name="run_days"),
        sa.CheckConstraint("rest_interval_hours IS NULL OR rest_interval_hours BETWEEN 1 AND 24", name="rest_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: 急変時受入医療機関: takes the slots no physician can fill.
    backup_hospital_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    #: Swaps need the coordinator's approval.
    swaps_need_approval: Mapped[bool] = mapped_column(default=True)
    #: Physicians enter a month's unavailability until this day of the month before (None: no deadline).
    unavailability_deadline_day: Mapped[int | None]
    #: 宿日直許可: the group's night and holiday duties are permitted 宿日直 (at most one 宿直 a week and one
    #: 日直 a month per physician), so the coordinator sees those counts.
    has_overnight_permit: Mapped[bool] = mapped_column(default=False)
    #: 運用開始日: the rota is kept in the app from this day; C-3-c coverage counts from
    #: max(年度 start, started_on). None: counts from the 年度 start.
    started_on: Mapped[date | None]
    #: Working hours (医師の働き方改革; off until the coordinator sets them), checked by generation and every hand edit (hubapp/rota/planning.py
    #: WorkRules): no day duty on the morning a night duty ends;
    no_day_after_night: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: at most this many days in a row with a duty, as 主 or 副 (None: no limit);
    max_consecutive_days: Mapped[int | None]
    #: 勤務間インターバル: hours free between two duties (None: not checked);
    rest_interval_hours: Mapped[int | None]
    #: 18 hours free after a 宿日直 when the group has no 宿日直許可;
    longer_rest_without_permit: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: the rules are hard (never broken) rather than soft (avoided, and shown as warnings).
    work_rules_hard: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

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


class PatientPair(TimestampMixin, db.Model):
    """主治医・副主治医 of an enrolled patient, kept with a pseudonymous code only (no name, no birth date):
    the hub needs to know which two physicians cover each other, not who the patient is."""

    __tablename__ = "patient_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"), index=True)
    #: e.g. "K-0123": the code the clinic uses in its own records.
    patient_code: Mapped[str] = mapped_column(sa.String(20))
    attending_id: Mapped[int] = mapped_column(sa.ForeignKey("group_members.id", ondelete="RESTRICT"), index=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("group_members.id", ondelete="RESTRICT"), index=True)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    attending: Mapped[GroupMember] = relationship(foreign_keys=[attending_id])
    deputy: Mapped[GroupMember] = relationship(foreign_keys=[deputy_id])

    __table_args__ = (
        sa.UniqueConstraint("group_id", "patient_code"),
        sa.CheckConstraint("attending_id <> deputy_id", name="two_physicians"),
    )


class DutyLogKind(LabelledEnum):
    SUBSTITUTE = "substitute"  #: 代診: a visit made for an absent colleague
    CALL_OUT = "call_out"  #: 出動: called out during an on-call duty


labelled(DutyLogKind, {DutyLogKind.SUBSTITUTE: _l("代診"), DutyLogKind.CALL_OUT: _l("出動")})


class DutyLog(TimestampMixin, db.Model):
    """A 代診 or a call-out actually made, with its start and end (for the monthly and 年度 totals and the
    rest-interval information of the 2024 医師の働き方改革)."""

    __tablename__ = "duty_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("group_members.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[DutyLogKind] = mapped_column(enum_column(DutyLogKind))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The on-call duty it happened in, when there was one.
    duty_id: Mapped[int | None] = mapped_column(sa.ForeignKey("duties.id", ondelete="SET NULL"))
    #: Pseudonymous, as in :class:`PatientPair`; optional.
    patient_code: Mapped[str] = mapped_column(sa.String(20), default="")
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    fiscal_year: Mapped[int]

    member: Mapped[GroupMember] = relationship()

    __table_args__ = (
        sa.CheckConstraint("ended_at >= started_at", name="time_order"),
        sa.Index("ix_duty_logs_group_started", "group_id", "started_at"),
    )


class SummaryDocument(TimestampMixin, db.Model):
    """The file behind manual month summaries: the rota the group kept before 運用開始日 (its Excel, a
    scanned sheet), under instance/uploads/rota/<hub>/ and checked by content like the meetings' documents.
    Deleting it deletes the summaries it backs: a summary never stands without its evidence."""

    __tablename__ = "rota_summary_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    months: Mapped[list["MonthSummary"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="MonthSummary.month"
    )


class MonthSummary(TimestampMixin, db.Model):
    """A month before the group's 運用開始日, summarised by hand from its evidence: how many night and
    休日 slots there were (in the days of the month before 運用開始日) and how many had a 主 and a 副.
    C-3-c adds them to the app's own count and shows them as 「手入力の集計（資料あり）」."""

    __tablename__ = "rota_month_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("physician_groups.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("rota_summary_documents.id", ondelete="CASCADE"))
    month: Mapped[date]  #: its first day
    slots: Mapped[int]  #: night and 休日 slots to cover
    covered: Mapped[int]  #: of them, with both 主 and 副
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    document: Mapped[SummaryDocument] = relationship(back_populates="months")

    __table_args__ = (
        sa.UniqueConstraint("group_id", "month"),
        sa.CheckConstraint("covered >= 0 AND covered <= slots", name="covered_within_slots"),
        sa.Index("ix_rota_month_summaries_hub_month", "hub_id", "month"),
    )
