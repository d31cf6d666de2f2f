"""What a hub records for the compliance view: the programs it is enrolled in per 年度, the activities it
tags to (or unlinks from) an item by hand, manual evidence for items the app cannot see, and the plan it
files for programs with menus (program D's 取り組み事項予定)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db


class Enrollment(TimestampMixin, db.Model):
    """A hub reports to a program for a 年度 (often to a prefecture program and the municipality's
    推進事業 at once)."""

    __tablename__ = "compliance_enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    program_code: Mapped[str] = mapped_column(sa.String(20))

    __table_args__ = (sa.UniqueConstraint("hub_id", "fiscal_year", "program_code"),)


class LinkMode(StrEnum):
    INCLUDE = "include"  #: counts for the item although the rule does not see it
    EXCLUDE = "exclude"  #: a wrong automatic match: does not count


class ItemLink(TimestampMixin, db.Model):
    """A meeting tagged to an item by hand, or unlinked from it."""

    __tablename__ = "compliance_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    program_code: Mapped[str] = mapped_column(sa.String(20))
    item_code: Mapped[str] = mapped_column(sa.String(20))
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    mode: Mapped[LinkMode] = mapped_column(enum_column(LinkMode, length=16))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.UniqueConstraint("hub_id", "fiscal_year", "program_code", "item_code", "meeting_id"),
        sa.Index("ix_compliance_links_hub_year", "hub_id", "fiscal_year"),
    )


class ManualEvidence(TimestampMixin, db.Model):
    """The coordinator's account of an item the app cannot see (an ICT system introduced, a council set
    up): what was done, and whether it is done."""

    __tablename__ = "compliance_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    program_code: Mapped[str] = mapped_column(sa.String(20))
    item_code: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    is_done: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("hub_id", "fiscal_year", "program_code", "item_code"),)


class PlanEntry(TimestampMixin, db.Model):
    """Program D's 取り組み事項予定: per menu, whether subsidy is requested, what will be done, from when."""

    __tablename__ = "compliance_plan_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    program_code: Mapped[str] = mapped_column(sa.String(20))
    menu_code: Mapped[str] = mapped_column(sa.String(20))
    subsidy_requested: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    start_year: Mapped[str] = mapped_column(sa.String(8), default="")

    __table_args__ = (sa.UniqueConstraint("hub_id", "fiscal_year", "program_code", "menu_code"),)


class EvidenceDocument(TimestampMixin, db.Model):
    """A document kept as evidence of an item (a council's minutes, an ICT contract, a pamphlet). The file
    is under instance/uploads/compliance/<hub>/, checked by content like the meetings' documents."""

    __tablename__ = "compliance_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    program_code: Mapped[str] = mapped_column(sa.String(20))
    item_code: Mapped[str] = mapped_column(sa.String(20))
    filename: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.Index("ix_compliance_documents_hub_year", "hub_id", "fiscal_year"),)
