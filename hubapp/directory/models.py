"""Organisations, their functions, and people (関係者) of a hub's directory.

The search index: ``Organisation.search_bigrams`` holds the folded name, kana, address and type as
bigram tokens (hubapp/common/jptext.py). SQLite indexes it with an FTS5 table kept in step by
triggers; PostgreSQL with a GIN index on its tsvector. Both are created by the migration.
"""

import functools
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common import jptext
from hubapp.common.vocabulary import (  # noqa: F401 (the directory's own names)
    ORGANISATION_TYPE_LABELS,
    PROFESSION_LABELS,
    OrganisationType,
    Profession,
)
from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db

#: The Japanese labels themselves (search text must not depend on the user's language).
ORGANISATION_TYPE_JA = {
    OrganisationType.HOSPITAL: "病院",
    OrganisationType.CLINIC: "診療所",
    OrganisationType.HOME_CARE_CLINIC: "在宅療養支援診療所",
    OrganisationType.HOME_CARE_HOSPITAL: "在宅療養支援病院",
    OrganisationType.DENTAL_CLINIC: "歯科診療所",
    OrganisationType.PHARMACY: "薬局",
    OrganisationType.VISITING_NURSING: "訪問看護ステーション",
    OrganisationType.CARE_MANAGEMENT: "居宅介護支援事業所",
    OrganisationType.COMMUNITY_CARE_CENTER: "地域包括支援センター",
    OrganisationType.DISABILITY_CONSULTATION: "障害者相談支援事業所",
    OrganisationType.CARE_FACILITY: "介護施設",
    OrganisationType.GOVERNMENT: "行政",
    OrganisationType.OTHER: "その他",
}


organisation_functions = sa.Table(
    "organisation_functions",
    db.metadata,
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("function_id", sa.ForeignKey("directory_functions.id", ondelete="CASCADE"), primary_key=True),
    sa.Index(None, "function_id"),
)


class DirectoryFunction(TimestampMixin, db.Model):
    """A function an organisation offers (24時間対応, 看取り, 訪問診療 …): a controlled list, admins edit it."""

    __tablename__ = "directory_functions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    label: Mapped[str] = mapped_column(sa.String(60))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Organisation(TimestampMixin, db.Model):
    """An organisation of the hub's area (地域資源)."""

    __tablename__ = "organisations"
    __audit_ignored__ = frozenset({"search_bigrams", "kana_key"})

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Indexed together with kana_key (ix_organisations_hub_kana): the list's filter and its order.
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    type: Mapped[OrganisationType] = mapped_column(enum_column(OrganisationType))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: 名称_カナ (katakana).
    name_kana: Mapped[str] = mapped_column(sa.String(300), default="")
    #: 医療機関コード (10 digits: prefecture 2 + point table 1 + 7).
    medical_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    #: 介護保険事業所番号 (10 digits).
    care_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    #: 法人番号 (13 digits). Several offices of one corporation share it, so it matches only as a last resort.
    corporate_number: Mapped[str | None] = mapped_column(sa.String(13))
    #: 全国地方公共団体コード of the address (six digits).
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    postcode: Mapped[str] = mapped_column(sa.String(8), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    #: FAX: referrals still travel by fax, so it is shown as prominently as the phone.
    fax: Mapped[str] = mapped_column(sa.String(30), default="")
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    bed_count: Mapped[int | None]
    #: 受付時間・休日など (free text).
    hours_note: Mapped[str] = mapped_column(sa.Text, default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: 最終確認日 — program item (ア): the list is kept current.
    last_confirmed_on: Mapped[date | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Where the row came from: ``manual`` or ``import:<file name>``.
    source: Mapped[str] = mapped_column(sa.String(200), default="manual")
    #: The publisher's list it was last imported from (the layout or saved mapping and the file name without
    #: its dates and numbers): a later file of that list shows the organisations that disappeared from it.
    import_key: Mapped[str | None] = mapped_column(sa.String(200))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 五十音順 key: the folded reading.
    kana_key: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Bigram tokens of the folded name, kana, address and type (the search index reads this).
    search_bigrams: Mapped[str] = mapped_column(sa.Text, default="")

    functions: Mapped[list[DirectoryFunction]] = relationship(
        secondary=organisation_functions, order_by=DirectoryFunction.sort_order
    )
    people: Mapped[list["Person"]] = relationship(back_populates="organisation", order_by="Person.kana_key")

    __table_args__ = (
        sa.Index("ix_organisations_hub_kana", "hub_id", "kana_key"),
        sa.Index("ix_organisations_hub_import_key", "hub_id", "import_key"),
        sa.CheckConstraint("bed_count IS NULL OR bed_count >= 0", name="bed_count_not_negative"),
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def source_label(self) -> str:
        """出典 for people: 手入力, or the file it was imported from."""
        if self.source.startswith("import:"):
            return str(_l("取り込み（%(file)s）", file=self.source.removeprefix("import:")))
        return str(_l("手入力"))

    def refresh_search(self) -> None:
        for name, value in search_values(self.name, self.name_kana, self.address, self.type).items():
            setattr(self, name, value)


def search_values(name: str, name_kana: str, address: str, organisation_type) -> dict[str, str]:
    """The 五十音順 key and the search index text of an organisation (also for rows inserted in bulk)."""
    folded_name, folded_kana = jptext.fold(name), jptext.fold(name_kana)
    return {
        "kana_key": jptext.kana_key_of_folded(folded_kana, folded_name),
        "search_bigrams": jptext.index_folded(
            folded_name, folded_kana, jptext.fold(address), _folded_type_label(OrganisationType(organisation_type))
        ),
    }


@functools.cache
def _folded_type_label(organisation_type: "OrganisationType") -> str:
    return jptext.fold(ORGANISATION_TYPE_JA[organisation_type])


class Person(TimestampMixin, db.Model):
    """関係者: a professional of the area. Personal data: kept minimal, every change audited."""

    __tablename__ = "people"
    __audit_ignored__ = frozenset({"kana_key"})

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    name_kana: Mapped[str] = mapped_column(sa.String(160), default="")
    #: 職種 — program A §5 reports meeting attendees by profession.
    profession: Mapped[Profession] = mapped_column(enum_column(Profession))
    #: 所属機関 — program A §5 reports attendees by affiliation.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    job_title: Mapped[str] = mapped_column(sa.String(80), default="")
    #: 管理者 — program A item 1 asks for a meeting with managers of related facilities.
    is_manager: Mapped[bool] = mapped_column(default=False)
    #: 行政担当 — program A item 1 asks for a meeting with local administrative officials.
    is_admin_officer: Mapped[bool] = mapped_column(default=False)
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kana_key: Mapped[str] = mapped_column(sa.String(160), default="", index=True)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")

    def refresh_search(self) -> None:
        self.kana_key = jptext.kana_key(self.name_kana, self.name)


class ImportMapping(TimestampMixin, db.Model):
    """A hub's column mapping for a publisher's own layout (a city's hospital list): which header carries
    which field, and the one type of every row when the file has no kind column. The next file of that
    publisher imports without questions (``import-directory --mapping NAME`` on the command line)."""

    __tablename__ = "directory_import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    #: {header key (hubapp.directory.parsing.mapping.key): field}
    fields: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: The headers as written in the file the mapping was made from (shown when it is edited).
    headers: Mapped[list] = mapped_column(sa.JSON, default=list)
    organisation_type: Mapped[OrganisationType | None] = mapped_column(enum_column(OrganisationType))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("hub_id", "name"),)


@sa.event.listens_for(Organisation, "before_insert")
@sa.event.listens_for(Organisation, "before_update")
@sa.event.listens_for(Person, "before_insert")
@sa.event.listens_for(Person, "before_update")
def _refresh_search(mapper, connection, target) -> None:
    target.refresh_search()
