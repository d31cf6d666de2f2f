"""The consultation log (相談支援): one row per consultation received by the hub.

Program D (seed 003) item (オ) and the 在宅医療・介護連携推進事業 ask the hub to run a consultation desk for
professionals and residents and to report what was asked, by whom, and what the hub did. The person the
consultation is about is recorded minimally — a pseudonym or initials, an age band, the municipality and
the 要介護度 — and never by name or address: there are no columns for them.

Statistics group by ``fiscal_year`` and ``received_on`` (the day in Japan), which are set from
``received_at`` on every save, so that a 年度's figures come from one index range
(``ix_consultations_hub_fiscal_year``) on SQLite and PostgreSQL alike.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import LabelledEnum, OrganisationType, Scene, labelled
from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db

#: Longest pseudonym or initials of the person concerned (「K.T.」, 「Aさん」, 「相談12」).
PSEUDONYM_LENGTH = 10
#: A municipality value for a person who lives outside the hub's area (the column otherwise holds a
#: 全国地方公共団体コード; NULL is 「不明」).
OUTSIDE_AREA = "out"


class Channel(LabelledEnum):
    """相談経路."""

    PHONE = "phone"
    WALK_IN = "walk_in"
    VISIT = "visit"
    EMAIL = "email"
    FAX = "fax"
    ONLINE = "online"


class Requester(LabelledEnum):
    """相談者: who asked."""

    SELF = "self"
    FAMILY = "family"
    CARE_MANAGER = "care_manager"
    VISITING_NURSE = "visiting_nurse"
    HOSPITAL_MSW = "hospital_msw"
    CLINIC = "clinic"
    PHARMACY = "pharmacy"
    COMMUNITY_CARE_CENTER = "community_care_center"
    DISABILITY_CONSULTATION = "disability_consultation"
    GOVERNMENT = "government"
    RESIDENT = "resident"
    OTHER = "other"

    @property
    def is_professional(self) -> bool:
        """Professionals come from an organisation of the directory; 本人, 家族 and 住民 do not."""
        return self not in (Requester.SELF, Requester.FAMILY, Requester.RESIDENT)


class Topic(LabelledEnum):
    """相談内容 (several per consultation)."""

    HOME_PHYSICIAN = "home_physician"
    VISITING_NURSING = "visiting_nursing"
    MEDICAL_PROCEDURE = "medical_procedure"
    CARE_SERVICE = "care_service"
    DISABILITY_WELFARE = "disability_welfare"
    COST = "cost"
    SYSTEM = "system"
    OTHER = "other"


class Response(LabelledEnum):
    """対応 (several per consultation)."""

    ADVICE = "advice"
    INFORMATION = "information"
    REFERRAL = "referral"
    COORDINATION = "coordination"


class AgeBand(LabelledEnum):
    """年齢区分 of the person concerned. Children are their own band (医療的ケア児)."""

    CHILD = "child"
    AGE_18_39 = "18_39"
    AGE_40_64 = "40_64"
    AGE_65_74 = "65_74"
    AGE_75_84 = "75_84"
    AGE_85_PLUS = "85_plus"
    UNKNOWN = "unknown"


class CareLevel(LabelledEnum):
    """要介護度 of the person concerned."""

    INDEPENDENT = "independent"
    SUPPORT_1 = "support_1"
    SUPPORT_2 = "support_2"
    CARE_1 = "care_1"
    CARE_2 = "care_2"
    CARE_3 = "care_3"
    CARE_4 = "care_4"
    CARE_5 = "care_5"
    APPLYING = "applying"
    NOT_APPLIED = "not_applied"
    UNKNOWN = "unknown"


class Status(LabelledEnum):
    """The follow-up's state; a consultation without follow-up is closed when it is logged."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


LABELS: dict[type, dict] = {
    Channel: {
        Channel.PHONE: _l("電話"),
        Channel.WALK_IN: _l("来所"),
        Channel.VISIT: _l("訪問"),
        Channel.EMAIL: _l("メール"),
        Channel.FAX: _l("FAX"),
        Channel.ONLINE: _l("オンライン"),
    },
    Requester: {
        Requester.SELF: _l("本人"),
        Requester.FAMILY: _l("家族"),
        Requester.CARE_MANAGER: _l("ケアマネ"),
        Requester.VISITING_NURSE: _l("訪問看護"),
        Requester.HOSPITAL_MSW: _l("病院MSW"),
        Requester.CLINIC: _l("診療所"),
        Requester.PHARMACY: _l("薬局"),
        Requester.COMMUNITY_CARE_CENTER: _l("地域包括"),
        Requester.DISABILITY_CONSULTATION: _l("障害者相談支援"),
        Requester.GOVERNMENT: _l("行政"),
        Requester.RESIDENT: _l("住民"),
        Requester.OTHER: _l("その他"),
    },
    Topic: {
        Topic.HOME_PHYSICIAN: _l("在宅医紹介"),
        Topic.VISITING_NURSING: _l("訪問看護紹介"),
        Topic.MEDICAL_PROCEDURE: _l("医療処置"),
        Topic.CARE_SERVICE: _l("介護サービス"),
        Topic.DISABILITY_WELFARE: _l("障害福祉"),
        Topic.COST: _l("費用"),
        Topic.SYSTEM: _l("制度"),
        Topic.OTHER: _l("その他"),
    },
    Response: {
        Response.ADVICE: _l("助言"),
        Response.INFORMATION: _l("情報提供"),
        Response.REFERRAL: _l("紹介"),
        Response.COORDINATION: _l("調整"),
    },
    AgeBand: {
        AgeBand.CHILD: _l("18歳未満"),
        AgeBand.AGE_18_39: _l("18〜39歳"),
        AgeBand.AGE_40_64: _l("40〜64歳"),
        AgeBand.AGE_65_74: _l("65〜74歳"),
        AgeBand.AGE_75_84: _l("75〜84歳"),
        AgeBand.AGE_85_PLUS: _l("85歳以上"),
        AgeBand.UNKNOWN: _l("不明"),
    },
    CareLevel: {
        CareLevel.INDEPENDENT: _l("自立（非該当）"),
        CareLevel.SUPPORT_1: _l("要支援1"),
        CareLevel.SUPPORT_2: _l("要支援2"),
        CareLevel.CARE_1: _l("要介護1"),
        CareLevel.CARE_2: _l("要介護2"),
        CareLevel.CARE_3: _l("要介護3"),
        CareLevel.CARE_4: _l("要介護4"),
        CareLevel.CARE_5: _l("要介護5"),
        CareLevel.APPLYING: _l("申請中"),
        CareLevel.NOT_APPLIED: _l("未申請"),
        CareLevel.UNKNOWN: _l("不明"),
    },
    Status: {
        Status.OPEN: _l("未着手"),
        Status.IN_PROGRESS: _l("対応中"),
        Status.CLOSED: _l("完了"),
    },
}
for _enum, _labels in LABELS.items():
    labelled(_enum, _labels)


class Consultation(TimestampMixin, db.Model):
    """A consultation the hub received (相談支援, program D item (オ))."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    #: 受付日時 (UTC).
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The day in Japan of ``received_at`` (set on save): the month a consultation counts in.
    received_on: Mapped[date]
    #: 年度 of ``received_on`` (set on save).
    fiscal_year: Mapped[int]
    #: 相談経路.
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    #: 相談者 — the report counts consultations by who asked.
    requester: Mapped[Requester] = mapped_column(enum_column(Requester))
    #: The asking professional's organisation in the directory, if any; its name is kept as of the day.
    requester_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    requester_organisation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: 場面 — the four 場面 of home care (program B, seed 000): 退院支援, 日常の療養支援, 急変時の対応, 看取り.
    scene: Mapped[Scene] = mapped_column(enum_column(Scene))
    # --- the person concerned, minimally: no name, no address -----------------------------------------
    #: 仮名またはイニシャル (at most :data:`PSEUDONYM_LENGTH` characters; may be empty).
    subject_pseudonym: Mapped[str] = mapped_column(sa.String(PSEUDONYM_LENGTH), default="")
    subject_age_band: Mapped[AgeBand] = mapped_column(enum_column(AgeBand), default=AgeBand.UNKNOWN)
    #: 全国地方公共団体コード of one of the hub's municipalities, :data:`OUTSIDE_AREA`, or NULL (不明).
    subject_municipality_code: Mapped[str | None] = mapped_column(sa.String(6))
    subject_care_level: Mapped[CareLevel] = mapped_column(enum_column(CareLevel), default=CareLevel.UNKNOWN)
    # --- what the hub did ---------------------------------------------------------------------------------
    #: 対応時間（分）.
    minutes_spent: Mapped[int]
    needs_follow_up: Mapped[bool] = mapped_column(default=False)
    status: Mapped[Status] = mapped_column(enum_column(Status, length=16), default=Status.CLOSED)
    #: The day in Japan the follow-up was closed (the day it was logged, when none was needed).
    closed_on: Mapped[date | None]
    #: 担当者: the consultation staff member (a user of the hub).
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The staff member's name as of the day (the account may be removed later).
    staff_name: Mapped[str] = mapped_column(sa.String(80), default="")

    topics: Mapped[list["ConsultationTopic"]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationTopic.topic"
    )
    responses: Mapped[list["ConsultationResponse"]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationResponse.response"
    )
    referrals: Mapped[list["ConsultationReferral"]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationReferral.id"
    )

    __table_args__ = (
        sa.Index("ix_consultations_hub_fiscal_year", "hub_id", "fiscal_year", "received_on"),
        sa.Index("ix_consultations_hub_status", "hub_id", "status", "received_on"),
        sa.CheckConstraint("minutes_spent >= 0 AND minutes_spent <= 1440", name="minutes_in_a_day"),
    )

    @property
    def topic_values(self) -> list[Topic]:
        return [t.topic for t in self.topics]

    @property
    def response_values(self) -> list[Response]:
        return [r.response for r in self.responses]

    @property
    def is_open(self) -> bool:
        return self.needs_follow_up and self.status is not Status.CLOSED


@sa.event.listens_for(Consultation, "before_insert")
@sa.event.listens_for(Consultation, "before_update")
def _set_day_and_fiscal_year(mapper, connection, target: Consultation) -> None:
    from hubapp.core.services import JST

    target.received_on = target.received_at.astimezone(JST).date()
    target.fiscal_year = FiscalYear.of(target.received_on).year


class ConsultationTopic(db.Model):
    __tablename__ = "consultation_topics"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[Topic] = mapped_column(enum_column(Topic), primary_key=True)


class ConsultationResponse(db.Model):
    __tablename__ = "consultation_responses"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    response: Mapped[Response] = mapped_column(enum_column(Response), primary_key=True)


class ConsultationReferral(db.Model):
    """紹介先: an organisation the hub referred the consultation to. Its name and type are kept as of the
    day, so the statistics stay right when the directory row is renamed or removed."""

    __tablename__ = "consultation_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    organisation_type: Mapped[OrganisationType] = mapped_column(enum_column(OrganisationType))

    __table_args__ = (sa.UniqueConstraint("consultation_id", "organisation_id"),)


class ConsultationTally(db.Model):
    """Running counts behind the statistics page: per hub, 年度 and month, how many consultations fall in
    each row of each table (``dimension`` = ``channel``, ``topic``, ``referral_organisation`` …, ``key`` =
    the value), plus the month's consultations, minutes and follow-ups.

    Kept in step by the services in the same transaction as every change (hubapp/consultations/tallies.py),
    so that the page reads a few hundred rows whatever the number of consultations instead of grouping
    them all (bench/consultation_stats.py: 100,000 consultations of one 年度). ``tallies.rebuild`` counts
    them again from the consultations (after a bulk load, or as a repair).
    """

    __tablename__ = "consultation_tallies"

    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dimension: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    #: The value counted (an enum value, a municipality code or ``""`` for 不明, ``type:name`` of an
    #: organisation referred to).
    key: Mapped[str] = mapped_column(sa.String(240), primary_key=True)
    #: Calendar month, 1–12.
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: How many (minutes for ``minutes``).
    n: Mapped[int] = mapped_column(default=0)
