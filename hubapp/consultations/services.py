"""The consultation log's rules: logging and correcting a consultation, its follow-up, the month's list and
the open follow-ups.

Every function takes the hub explicitly; callers pass the request's hub, so one hub's consultations are
never visible from another. Only consultation staff, coordinators and admins read them
(:data:`CONSULTATION_ROLES`); the views record every view of an entry in the audit trail.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.errors import DomainError
from hubapp.common.japantime import jst_datetime  # noqa: F401 (also this service's name)
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.common.vocabulary import Scene
from hubapp.consultations import tallies
from hubapp.consultations.models import (
    OUTSIDE_AREA,
    PSEUDONYM_LENGTH,
    AgeBand,
    CareLevel,
    Channel,
    Consultation,
    ConsultationReferral,
    ConsultationResponse,
    ConsultationTopic,
    Requester,
    Response,
    Status,
    Topic,
)
from hubapp.core.services import JST
from hubapp.directory import services as directory
from hubapp.extensions import db

if TYPE_CHECKING:  # names for annotations only: other domains' entities, used through their services
    from hubapp.auth.models import User
    from hubapp.directory.models import Organisation
    from hubapp.hubs.models import Hub

#: Who reads and writes the log (of their own hub; admins of any hub).
CONSULTATION_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CONSULTANT})
#: Who may delete an entry logged by mistake.
DELETERS = frozenset({Role.ADMIN, Role.COORDINATOR})
PAGE_SIZE = 30
#: How many open follow-ups the list page shows (oldest first); the count says when there are more.
FOLLOW_UP_LIMIT = 100
#: A follow-up open this many days is flagged on the list.
OVERDUE_DAYS = 14
#: Longest time a consultation can take, in minutes (the column's check constraint).
MAX_MINUTES = 24 * 60
#: Dates before this are typing mistakes.
EARLIEST = date(2000, 1, 1)
#: A clock a little ahead of the server's is not "in the future".
CLOCK_SLACK = timedelta(minutes=10)
#: Three kanji in a row look like a name (「山田太郎」「佐藤花」), not a pseudonym or initials.
_NAME_LIKE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f々〆]{3}")


class ConsultationError(DomainError):
    """A rule of the consultation log was broken; the message is for the user."""


@dataclass
class ConsultationValues:
    """What the staff member entered, in the services' terms (the form's ``values()``)."""

    received_at: datetime
    channel: Channel
    requester: Requester
    scene: Scene
    minutes_spent: int
    topics: list[Topic] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    requester_organisation_id: int | None = None
    referral_ids: list[int] = field(default_factory=list)
    needs_follow_up: bool = False
    status: Status = Status.OPEN
    staff_id: int | None = None
    subject_pseudonym: str = ""
    subject_age_band: AgeBand = AgeBand.UNKNOWN
    subject_municipality_code: str | None = None
    subject_care_level: CareLevel = CareLevel.UNKNOWN


# --- the person concerned -------------------------------------------------------------------------------


def clean_pseudonym(text: str | None) -> str:
    """The pseudonym or initials as stored: NFKC (full-width letters made half-width), trimmed.

    Refuses what looks like a full name — a space between two parts (「山田 太郎」) or three kanji in a
    row (「山田太郎」) — and anything longer than :data:`PSEUDONYM_LENGTH` characters."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return ""
    if any(ch.isspace() for ch in value) or _NAME_LIKE.search(value):
        raise ConsultationError(
            _l("氏名は記録しません。仮名またはイニシャル（例: K.T.、Aさん）で入力してください。"), "subject_pseudonym"
        )
    if len(value) > PSEUDONYM_LENGTH:
        raise ConsultationError(
            _l("仮名・イニシャルは%(n)d文字以内で入力してください。", n=PSEUDONYM_LENGTH), "subject_pseudonym"
        )
    return value


def municipality_options(hub: "Hub") -> list[tuple[str, str]]:
    """(value, label) for the person's municipality: the hub's municipalities, then 圏域外."""
    return [(m.code, m.name) for m in hub.municipalities] + [(OUTSIDE_AREA, str(_l("圏域外")))]


def municipality_label(hub: "Hub", code: str | None) -> str:
    if code is None:
        return str(_l("不明"))
    if code == OUTSIDE_AREA:
        return str(_l("圏域外"))
    return {m.code: m.name for m in hub.municipalities}.get(code, code)


# --- choices --------------------------------------------------------------------------------------------


def staff_choices(hub_id: int, acting: "User", keep_id: int | None = None) -> list[tuple[int, str]]:
    """(user id, name) of the hub's active consultation staff and coordinators, the acting user (an admin
    is nobody's member) and ``keep_id``, the 担当者 of the entry being corrected even if they have left.
    One query (two with a departed 担当者)."""
    from hubapp.hubs import services as hubs

    choices = [(uid, name) for uid, name, _login in hubs.member_logins(hub_id, [Role.CONSULTANT, Role.COORDINATOR])]
    if acting.id not in {user_id for user_id, _name in choices}:
        choices.insert(0, (acting.id, acting.display_name))
    if keep_id is not None and keep_id not in {user_id for user_id, _name in choices}:
        from hubapp.auth import services as auth

        kept = auth.get_user(keep_id)
        if kept is not None:
            choices.append((kept.id, kept.display_name))
    return choices


# --- logging a consultation -----------------------------------------------------------------------------


def _staff_name(hub_id: int, staff_id: int | None, acting: "User", keep_id: int | None) -> str:
    if staff_id is None:
        raise ConsultationError(_l("担当者を選んでください。"), "staff_id")
    names = dict(staff_choices(hub_id, acting, keep_id))
    if staff_id not in names:
        raise ConsultationError(_l("担当者が見つかりません。"), "staff_id")
    return names[staff_id]


def _check(hub: "Hub", values: ConsultationValues, now: datetime) -> None:
    received_on = values.received_at.astimezone(JST).date()
    if received_on < EARLIEST:
        raise ConsultationError(_l("受付日を正しく入力してください。"), "received_date")
    if values.received_at > now + CLOCK_SLACK:
        raise ConsultationError(_l("受付日時が未来になっています。"), "received_date")
    if not 0 <= values.minutes_spent <= MAX_MINUTES:
        raise ConsultationError(_l("対応時間は0〜%(n)d分で入力してください。", n=MAX_MINUTES), "minutes_spent")
    if not values.topics:
        raise ConsultationError(_l("相談内容を1つ以上選んでください。"), "topics")
    if not values.responses and not values.referral_ids:
        raise ConsultationError(_l("対応を1つ以上選んでください。"), "responses")
    if values.requester_organisation_id and not values.requester.is_professional:
        raise ConsultationError(
            _l("本人・家族・住民からの相談には、相談者の所属機関は選べません。"), "requester_organisation_id"
        )
    code = values.subject_municipality_code
    if code is not None and code not in {value for value, _label in municipality_options(hub)}:
        raise ConsultationError(_l("市町村は拠点の圏域から選んでください。"), "subject_municipality_code")


def save_consultation(
    hub: "Hub",
    values: ConsultationValues,
    acting: "User",
    consultation: Consultation | None = None,
    *,
    now: datetime,
) -> Consultation:
    """Log a consultation of the hub, or correct one.

    Organisations (the requester's and those referred to) must be the hub's; their names and types are
    kept as of the day. Referring to an organisation is a 紹介, so 「紹介」 is added to the responses when
    organisations are given. Without a follow-up the consultation is closed on the day it was received.
    The statistics' tallies change with it, in the same transaction (an entry being corrected is locked
    and read again first).
    """
    pseudonym = clean_pseudonym(values.subject_pseudonym)
    _check(hub, values, now)
    staff_name = _staff_name(hub.id, values.staff_id, acting, consultation.staff_id if consultation else None)
    wanted = [values.requester_organisation_id] if values.requester_organisation_id else []
    organisations = directory.organisations_by_ids(hub.id, wanted + list(values.referral_ids))
    if any(organisation_id not in organisations for organisation_id in wanted):
        raise ConsultationError(_l("相談者の所属機関が見つかりません。"), "requester_organisation_id")
    if any(organisation_id not in organisations for organisation_id in values.referral_ids):
        raise ConsultationError(_l("紹介先の機関が見つかりません。"), "referral_ids")

    if consultation is None:
        before = Counter()
        consultation = Consultation(hub_id=hub.id)
        db.session.add(consultation)
    else:
        before = tallies.lock_and_reload(consultation)
    requester_organisation = organisations.get(values.requester_organisation_id or 0)
    consultation.received_at = values.received_at
    consultation.channel = values.channel
    consultation.requester = values.requester
    consultation.requester_organisation_id = requester_organisation.id if requester_organisation else None
    consultation.requester_organisation_name = requester_organisation.name if requester_organisation else ""
    consultation.scene = values.scene
    consultation.subject_pseudonym = pseudonym
    consultation.subject_age_band = values.subject_age_band
    consultation.subject_municipality_code = values.subject_municipality_code
    consultation.subject_care_level = values.subject_care_level
    consultation.minutes_spent = values.minutes_spent
    consultation.staff_id = values.staff_id
    consultation.staff_name = staff_name
    _set_topics(consultation, set(values.topics))
    _set_referrals(consultation, [organisations[i] for i in dict.fromkeys(values.referral_ids)])
    referred = bool(consultation.referrals)  # incl. organisations since removed from the directory
    _set_responses(consultation, set(values.responses) | ({Response.REFERRAL} if referred else set()))
    _set_follow_up(consultation, values.needs_follow_up, values.status, now.astimezone(JST).date())
    db.session.flush()
    tallies.apply(before, tallies.contributions(consultation))
    return consultation


def _set_topics(consultation: Consultation, wanted: set[Topic]) -> None:
    # Rows are changed one by one (never replaced wholesale): a new row with the primary key of one
    # being removed would clash in the same flush.
    for row in list(consultation.topics):
        if row.topic not in wanted:
            consultation.topics.remove(row)
    have = {row.topic for row in consultation.topics}
    consultation.topics.extend(ConsultationTopic(topic=t) for t in sorted(wanted - have))


def _set_responses(consultation: Consultation, wanted: set[Response]) -> None:
    for row in list(consultation.responses):
        if row.response not in wanted:
            consultation.responses.remove(row)
    have = {row.response for row in consultation.responses}
    consultation.responses.extend(ConsultationResponse(response=r) for r in sorted(wanted - have))


def _set_referrals(consultation: Consultation, organisations: list["Organisation"]) -> None:
    wanted = {organisation.id for organisation in organisations}
    for row in list(consultation.referrals):
        # a referral whose organisation left the directory stays: it is history, not a choice
        if row.organisation_id is not None and row.organisation_id not in wanted:
            consultation.referrals.remove(row)
    have = {row.organisation_id for row in consultation.referrals}
    consultation.referrals.extend(
        ConsultationReferral(organisation_id=o.id, organisation_name=o.name, organisation_type=o.type)
        for o in organisations
        if o.id not in have
    )


def _set_follow_up(consultation: Consultation, needed: bool, status: Status, today: date) -> None:
    consultation.needs_follow_up = needed
    if not needed:
        consultation.status = Status.CLOSED
        consultation.closed_on = consultation.received_at.astimezone(JST).date()
        return
    if status is Status.CLOSED:
        if consultation.status is not Status.CLOSED or consultation.closed_on is None:
            consultation.closed_on = today
    else:
        consultation.closed_on = None
    consultation.status = status


def set_status(consultation: Consultation, status: Status, today: date) -> None:
    """Move the follow-up along (未着手 → 対応中 → 完了, or back)."""
    if not consultation.needs_follow_up:
        raise ConsultationError(_l("この相談にはフォローアップがありません。"), "status")
    _set_follow_up(consultation, True, status, today)
    db.session.flush()


def delete_consultation(consultation: Consultation) -> None:
    """Delete an entry logged by mistake (the audit trail keeps what it held)."""
    before = tallies.lock_and_reload(consultation)
    db.session.delete(consultation)
    db.session.flush()
    tallies.apply(before, Counter())


# --- reading --------------------------------------------------------------------------------------------


def get_consultation(hub_id: int, consultation_id: int) -> Consultation | None:
    """One consultation of the hub with its topics, responses and referrals (three more queries)."""
    statement = (
        sa.select(Consultation)
        .where(Consultation.id == consultation_id, Consultation.hub_id == hub_id)
        .options(
            selectinload(Consultation.topics),
            selectinload(Consultation.responses),
            selectinload(Consultation.referrals),
        )
    )
    return db.session.scalars(statement).first()


def month_page(hub_id: int, first: date, last: date, page: int = 1):
    """The consultations received from ``first`` to ``last`` (days in Japan), newest first, one page
    with their topics: three queries whatever the size (the page, its topics, the count)."""
    statement = (
        sa.select(Consultation)
        .where(Consultation.hub_id == hub_id, Consultation.received_on.between(first, last))
        .options(selectinload(Consultation.topics))
        .order_by(Consultation.received_at.desc(), Consultation.id.desc())
    )
    return db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)


@dataclass(frozen=True)
class FollowUp:
    consultation: Consultation
    #: Days since the consultation was received (日数).
    age_days: int

    @property
    def is_overdue(self) -> bool:
        """Open for :data:`OVERDUE_DAYS` days or more: shown in the warning colour."""
        return self.age_days >= OVERDUE_DAYS


def open_follow_ups(hub_id: int, today: date, limit: int = FOLLOW_UP_LIMIT) -> tuple[list[FollowUp], int]:
    """The follow-ups not yet closed, oldest first, with their age in days, and how many there are in all
    (two queries)."""
    where = (
        Consultation.hub_id == hub_id,
        Consultation.status.in_([Status.OPEN, Status.IN_PROGRESS]),
        Consultation.needs_follow_up.is_(True),
    )
    rows = db.session.scalars(
        sa.select(Consultation).where(*where).order_by(Consultation.received_at, Consultation.id).limit(limit)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation).where(*where))
    return [FollowUp(row, (today - row.received_on).days) for row in rows], total


# What the 年度's consultations show to the prefecture (compliance's rules, the 事業報告書, the evidence pack).


def quarter_counts(hub_id: int, fy: FiscalYear) -> Counter:
    """Consultations received in each quarter (1–4) of the 年度 (one query)."""
    by_quarter: Counter = Counter()
    for received_on, count in db.session.execute(
        sa.select(Consultation.received_on, sa.func.count())
        .where(Consultation.hub_id == hub_id, Consultation.fiscal_year == fy.year)
        .group_by(Consultation.received_on)
    ):
        by_quarter[fy.quarter_of(received_on)] += count
    return by_quarter


def year_totals(hub_id: int, fiscal_year: int) -> tuple[int, int]:
    """(consultations, minutes spent on them) in the 年度 (one query)."""
    count, minutes = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Consultation.minutes_spent), 0)).where(
            Consultation.hub_id == hub_id, Consultation.fiscal_year == fiscal_year
        )
    ).one()
    return int(count), int(minutes)


def statistics_table(hub: "Hub", fy: FiscalYear) -> list[list[object]]:
    """The 年度's 相談支援 statistics as the rows of its CSV (the same figures as the statistics page)."""
    from hubapp.consultations import exporting, statistics

    return exporting.rows(statistics.year_statistics(hub, fy))
