"""Hubs (在宅医療連携拠点) and their service areas: the region figures the 事業報告書 asks for."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common.vocabulary import LabelledEnum, labelled
from hubapp.db import TimestampMixin, enum_column
from hubapp.extensions import db


class OperatorType(LabelledEnum):
    """Who runs the hub (実施主体)."""

    MUNICIPALITY = "municipality"
    MEDICAL_ASSOCIATION = "medical_association"
    MEDICAL_INSTITUTION = "medical_institution"
    OTHER = "other"


OPERATOR_LABELS = labelled(
    OperatorType,
    {
        OperatorType.MUNICIPALITY: _l("市町村"),
        OperatorType.MEDICAL_ASSOCIATION: _l("医師会"),
        OperatorType.MEDICAL_INSTITUTION: _l("医療機関"),
        OperatorType.OTHER: _l("その他"),
    },
)


class Hub(TimestampMixin, db.Model):
    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_kana: Mapped[str] = mapped_column(sa.String(240))
    #: 実施主体の種別 — program A §5 (seed 002) reports the operator.
    operator_type: Mapped[OperatorType] = mapped_column(enum_column(OperatorType))
    #: 実施主体の名称 (e.g. ○○郡市医師会).
    operator_name: Mapped[str] = mapped_column(sa.String(120), default="")
    #: 都道府県コード (JIS X 0401, two digits): the prefecture officer of this code reads the hub.
    prefecture_code: Mapped[str] = mapped_column(sa.String(2), index=True)
    #: 専任者数 — program B (seed 000) requires at least one dedicated staff member.
    dedicated_staff_count: Mapped[int] = mapped_column(default=0)
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    #: Whether the evidence pack carries a 出席者名簿 (names of attendees); some hubs must not send names.
    pack_attendee_names: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    address: Mapped[str] = mapped_column(sa.String(200), default="")

    municipalities: Mapped[list["HubMunicipality"]] = relationship(
        back_populates="hub", cascade="all, delete-orphan", order_by="HubMunicipality.code"
    )

    __table_args__ = (sa.CheckConstraint("dedicated_staff_count >= 0", name="staff_not_negative"),)

    @property
    def audit_hub_id(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<Hub {self.id} {self.name}>"


class HubMunicipality(TimestampMixin, db.Model):
    """A municipality in a hub's service area, with its population figures as of a date.

    Program A §5 (seed 002) asks for the region's population and aging rate; program B (seed 000)
    calls a hub 広域型 when its area spans several municipalities.
    """

    __tablename__ = "hub_municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    #: 全国地方公共団体コード, six digits with the check digit.
    code: Mapped[str] = mapped_column(sa.String(6))
    name: Mapped[str] = mapped_column(sa.String(40))
    #: 人口
    population: Mapped[int]
    #: 高齢化率 (65歳以上人口の割合, %).
    aging_rate: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    #: 基準日 of the figures.
    figures_as_of: Mapped[date]

    hub: Mapped[Hub] = relationship(back_populates="municipalities")

    __table_args__ = (
        sa.UniqueConstraint("hub_id", "code"),
        sa.CheckConstraint("population >= 0", name="population_not_negative"),
        sa.CheckConstraint("aging_rate >= 0 AND aging_rate <= 100", name="aging_rate_percent"),
    )

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]


class HubMembership(TimestampMixin, db.Model):
    """A user's membership of a hub: the hubs whose data the user sees (admins and prefecture
    officers see by role instead)."""

    __tablename__ = "hub_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)

    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
    hub: Mapped[Hub] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "hub_id"),)
