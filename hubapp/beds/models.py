"""Backup beds (後方支援病床): agreements with hospitals, the free-bed figures their bed managers post, and
physicians' requests for a bed.

Program C (seed 001 ③: 八千代市 pays a hospital to keep at least one bed free at night), program E (後方病床
協力費) and program A (緊急一時入院ベッド) ask for beds a home-care physician can count on when a patient
deteriorates. The free-bed figure of a day is a counter: a request reserves a bed (the figure goes down
by one, never below zero), a decline or cancellation gives it back, an accepted request becomes an
admission that keeps the bed until discharge, and a discharge gives it back.
"""

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common.vocabulary import LabelledEnum, labelled
from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db

bed_agreement_managers = sa.Table(
    "bed_agreement_managers",
    db.metadata,
    sa.Column("agreement_id", sa.ForeignKey("bed_agreements.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class BedAgreement(TimestampMixin, db.Model):
    """A 協力病院's agreement to keep beds for the hub's patients: how many, when, from when to when."""

    __tablename__ = "bed_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    hospital_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    beds_secured: Mapped[int]
    #: 24時間 when True; else from ``starts`` to ``ends`` (an end not after the start is the next day:
    #: 夜間のみ 17:00–翌9:00)
    all_day: Mapped[bool] = mapped_column(default=True)
    starts: Mapped[time | None]
    ends: Mapped[time | None]
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    #: 契約書番号など
    contract_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    hospital: Mapped["Organisation"] = relationship()  # noqa: F821
    managers: Mapped[list["User"]] = relationship(secondary=bed_agreement_managers)  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("beds_secured >= 1", name="beds_positive"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_order"),
    )

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class BedAvailability(db.Model):
    """Free backup beds of an agreement on one day, as posted by the hospital and kept by the requests.

    ``version`` goes up with every change: a bed manager's form carries the version it was read at, and
    a save against a newer version is refused (「他の人が先に更新しました」) instead of overwriting."""

    __tablename__ = "bed_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("bed_agreements.id", ondelete="CASCADE"))
    day: Mapped[date]
    free_beds: Mapped[int]
    #: when and by whom the figure was last posted by the hospital (requests do not refresh it)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    posted_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "day"),
        sa.CheckConstraint("free_beds >= 0", name="not_negative"),
        sa.Index("ix_bed_availability_hub_day", "hub_id", "day"),
    )


class AgeBand(LabelledEnum):
    UNDER_40 = "under_40"
    AGE_40_64 = "40_64"
    AGE_65_74 = "65_74"
    AGE_75_84 = "75_84"
    AGE_85_PLUS = "85_plus"


labelled(
    AgeBand,
    {
        AgeBand.UNDER_40: _l("39歳以下"),
        AgeBand.AGE_40_64: _l("40〜64歳"),
        AgeBand.AGE_65_74: _l("65〜74歳"),
        AgeBand.AGE_75_84: _l("75〜84歳"),
        AgeBand.AGE_85_PLUS: _l("85歳以上"),
    },
)


class Urgency(LabelledEnum):
    IMMEDIATE = "immediate"
    TODAY = "today"
    TOMORROW = "tomorrow"


labelled(Urgency, {Urgency.IMMEDIATE: _l("至急"), Urgency.TODAY: _l("本日中"), Urgency.TOMORROW: _l("翌日まで")})


class RequestStatus(LabelledEnum):
    REQUESTED = "requested"  #: a bed is held for it
    ACCEPTED = "accepted"  #: admitted: the bed is in use until discharge
    DECLINED = "declined"
    CANCELLED = "cancelled"
    DISCHARGED = "discharged"

    @property
    def holds_bed(self) -> bool:
        return self in (RequestStatus.REQUESTED, RequestStatus.ACCEPTED)


labelled(
    RequestStatus,
    {
        RequestStatus.REQUESTED: _l("依頼中"),
        RequestStatus.ACCEPTED: _l("入院中"),
        RequestStatus.DECLINED: _l("お断り"),
        RequestStatus.CANCELLED: _l("取り下げ"),
        RequestStatus.DISCHARGED: _l("退院"),
    },
)


class BedRequest(TimestampMixin, db.Model):
    """A physician's request for a backup bed for a patient in sudden deterioration (pseudonymous code and
    age band only), the hospital's answer, and the admission it becomes."""

    __tablename__ = "bed_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("bed_agreements.id", ondelete="RESTRICT"), index=True)
    #: the availability row whose bed it holds
    availability_id: Mapped[int] = mapped_column(sa.ForeignKey("bed_availability.id", ondelete="RESTRICT"))
    patient_code: Mapped[str] = mapped_column(sa.String(20))
    age_band: Mapped[AgeBand] = mapped_column(enum_column(AgeBand))
    reason: Mapped[str] = mapped_column(sa.String(200))
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), default=RequestStatus.REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 年度 of the request (statistics per 年度)
    fiscal_year: Mapped[int]

    agreement: Mapped[BedAgreement] = relationship()
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821

    __table_args__ = (sa.Index("ix_bed_requests_hub_year", "hub_id", "fiscal_year"),)
