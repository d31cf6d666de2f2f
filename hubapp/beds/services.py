"""Backup beds: agreements, posting free-bed figures, requests that hold a bed, answers, discharges,
and the month's and 年度's figures.

Concurrency. Two rules are kept by the database, not by reading then writing:
- a request takes a bed with ``UPDATE … SET free_beds = free_beds - 1 WHERE id = … AND free_beds > 0``
  and goes on only when one row changed. PostgreSQL re-checks the condition after a concurrent update
  commits (READ COMMITTED), SQLite serialises writers; either way, of many requests for the last bed
  exactly one succeeds and the figure never goes below zero (also a CHECK constraint).
- a bed manager's save carries the ``version`` the form was read at: ``UPDATE … WHERE version = …``;
  when someone saved first, nothing is overwritten and they are told 「他の人が先に更新しました」.
Answers use the same pattern on the request's status, so one request is never answered twice.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hubapp.beds.models import (
    AgeBand,
    BedAgreement,
    BedAvailability,
    BedRequest,
    RequestStatus,
    Urgency,
    bed_agreement_managers,
)
from hubapp.common import pseudonyms
from hubapp.common.errors import DomainError
from hubapp.common.japantime import jst_day  # noqa: F401 (also this service's name)
from hubapp.common.jpcalendar import FiscalYear
from hubapp.core.services import JST
from hubapp.extensions import db


class BedError(DomainError):
    """A backup-bed rule was broken; the message is for the user."""


# --- agreements -----------------------------------------------------------------------------------------


def agreements(hub_id: int, on: date | None = None) -> list[BedAgreement]:
    """The hub's agreements (valid on ``on`` when given), with hospital and managers, in kana order."""
    statement = (
        sa.select(BedAgreement)
        .where(BedAgreement.hub_id == hub_id)
        .options(selectinload(BedAgreement.hospital), selectinload(BedAgreement.managers))
    )
    if on is not None:
        statement = statement.where(
            BedAgreement.valid_from <= on, sa.or_(BedAgreement.valid_to.is_(None), BedAgreement.valid_to >= on)
        )
    found = db.session.scalars(statement)
    return sorted(found, key=lambda a: (a.hospital.kana_key, a.valid_from, a.id))


def get_agreement(hub_id: int, agreement_id: int) -> BedAgreement | None:
    """The hub's agreement with its hospital and managers (what its pages show)."""
    statement = (
        sa.select(BedAgreement)
        .where(BedAgreement.id == agreement_id, BedAgreement.hub_id == hub_id)
        .options(selectinload(BedAgreement.hospital), selectinload(BedAgreement.managers))
    )
    return db.session.scalars(statement).first()


def hospital_choices(hub_id: int) -> list[tuple[int, str]]:
    from hubapp.directory.services import hospital_choices as hospitals

    return hospitals(hub_id)


def bed_manager_choices(hub_id: int) -> list[tuple[int, str]]:
    """Logins with the bed-manager role in this hub."""
    from hubapp.common.roles import Role
    from hubapp.hubs import services as hubs

    return [(uid, f"{name}（{username}）") for uid, name, username in hubs.member_logins(hub_id, [Role.BED_MANAGER])]


def save_agreement(
    hub_id: int,
    agreement: BedAgreement | None,
    *,
    hospital_id: int | None,
    beds_secured: int | None,
    all_day: bool,
    starts: time | None,
    ends: time | None,
    valid_from: date | None,
    valid_to: date | None,
    contract_ref: str = "",
    note: str = "",
    manager_ids: list[int] = (),
) -> BedAgreement:
    from hubapp.auth import services as auth

    if hospital_id not in {i for i, _n in hospital_choices(hub_id)}:
        raise BedError(_l("協力病院を地域資源の病院から選んでください。"), "hospital")
    if beds_secured is None or not 1 <= beds_secured <= 99:
        raise BedError(_l("確保病床数は1〜99で入力してください。"), "beds_secured")
    if not all_day and (starts is None or ends is None or starts == ends):
        raise BedError(_l("受け入れ時間の開始と終了を入力してください（24時間なら「24時間」を選択）。"), "starts")
    if valid_from is None:
        raise BedError(_l("契約の開始日を入力してください。"), "valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise BedError(_l("契約の終了日は開始日以降にしてください。"), "valid_to")
    if len(contract_ref.strip()) > 60 or len(note.strip()) > 200:
        raise BedError(_l("契約番号は60文字、備考は200文字までです。"), "contract_ref")
    allowed = {i for i, _n in bed_manager_choices(hub_id)}
    if set(manager_ids) - allowed:
        raise BedError(_l("病床の担当者はこの拠点の病床管理者から選んでください。"), "managers")
    if agreement is None:
        agreement = BedAgreement(hub_id=hub_id)
        db.session.add(agreement)
    agreement.hospital_id, agreement.beds_secured, agreement.all_day = hospital_id, beds_secured, all_day
    agreement.starts, agreement.ends = (None, None) if all_day else (starts, ends)
    agreement.valid_from, agreement.valid_to = valid_from, valid_to
    agreement.contract_ref, agreement.note = contract_ref.strip(), note.strip()
    agreement.managers = (
        auth.users_by_ids(manager_ids)
    )
    db.session.flush()
    return agreement


def managed_agreement_ids(user) -> set[int]:
    """The agreements a bed manager posts figures and answers requests for."""
    rows = db.session.scalars(
        sa.select(bed_agreement_managers.c.agreement_id).where(bed_agreement_managers.c.user_id == user.id)
    )
    return set(rows)


def may_manage(user, agreement: BedAgreement) -> bool:
    from hubapp.common.roles import HUB_EDITORS

    return user.role in HUB_EDITORS or agreement.id in managed_agreement_ids(user)


def may_cancel(user, request: "BedRequest") -> bool:
    """A request is withdrawn by the physician who made it, or by the hub's coordinators."""
    from hubapp.common.roles import HUB_EDITORS

    return user.role in HUB_EDITORS or request.requested_by_id == user.id


# --- the board and the figures --------------------------------------------------------------------------


@dataclass
class Figure:
    """One day's free-bed figure of an agreement as the board shows it."""

    row: BedAvailability | None
    stale: bool

    @property
    def free(self) -> int | None:
        """Free beds, or None when unknown or too old to count on."""
        return None if self.row is None or self.stale else self.row.free_beds


@dataclass
class BoardLine:
    agreement: BedAgreement
    today: Figure
    tomorrow: Figure
    open_now: bool


def _is_open(agreement: BedAgreement, moment: datetime) -> bool:
    if agreement.all_day:
        return True
    local = moment.astimezone(JST).time()
    if agreement.starts < agreement.ends:
        return agreement.starts <= local < agreement.ends
    return local >= agreement.starts or local < agreement.ends  # 17:00–翌9:00


def board(hub_id: int, now: datetime, stale_hours: float) -> list[BoardLine]:
    """Every agreement valid today with today's and tomorrow's figures (four queries)."""
    today = jst_day(now)
    lines = agreements(hub_id, on=today)
    rows = {
        (r.agreement_id, r.day): r
        for r in db.session.scalars(
            sa.select(BedAvailability)
            .where(
                BedAvailability.agreement_id.in_([a.id for a in lines]),
                BedAvailability.day.in_([today, today + timedelta(days=1)]),
            )
            .options(selectinload(BedAvailability.posted_by))
        )
    }
    oldest = now - timedelta(hours=stale_hours)

    def figure(agreement: BedAgreement, day: date) -> Figure:
        row = rows.get((agreement.id, day))
        return Figure(row, row is not None and row.posted_at < oldest)

    return [BoardLine(a, figure(a, today), figure(a, today + timedelta(days=1)), _is_open(a, now)) for a in lines]


def post_availability(
    agreement: BedAgreement, day: date, free_beds: int, user_id: int, read_version: int | None, now: datetime
) -> BedAvailability:
    """The hospital's figure for ``day``. ``read_version``: the version the form showed (None when it showed
    no figure yet); a figure changed since then is not overwritten."""
    if not 0 <= free_beds <= agreement.beds_secured:
        raise BedError(
            _l("空床数は0〜%(n)dで入力してください（確保病床数まで）。", n=agreement.beds_secured), "free_beds"
        )
    conflict = BedError(_l("他の人が先に更新しました。最新の数を確認してから、もう一度保存してください。"))
    if read_version is None:
        row = BedAvailability(
            hub_id=agreement.hub_id,
            agreement_id=agreement.id,
            day=day,
            free_beds=free_beds,
            posted_at=now,
            posted_by_id=user_id,
            version=1,
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            raise conflict from None
        return row
    changed = db.session.execute(
        sa.update(BedAvailability)
        .where(
            BedAvailability.agreement_id == agreement.id,
            BedAvailability.day == day,
            BedAvailability.version == read_version,
        )
        .values(free_beds=free_beds, posted_at=now, posted_by_id=user_id, version=BedAvailability.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise conflict
    row = db.session.scalars(
        sa.select(BedAvailability).where(BedAvailability.agreement_id == agreement.id, BedAvailability.day == day)
    ).one()
    db.session.refresh(row)
    return row


def post_figure(
    agreement: BedAgreement, day: date | None, free_beds: int | None, user_id: int, read_version, now: datetime
) -> BedAvailability:
    """A bed manager's post: today's or tomorrow's figure only (older days are history, later ones guesses)."""
    today = jst_day(now)
    if day not in (today, today + timedelta(days=1)):
        raise BedError(_l("今日と明日の空床数だけ登録できます。"), "day")
    if free_beds is None:
        raise BedError(_l("空床数を選んでください。"), "free_beds")
    return post_availability(agreement, day, free_beds, user_id, read_version, now)


# --- requests -------------------------------------------------------------------------------------------


def validate_patient_code(code: str) -> str:
    """The shared rule of :mod:`hubapp.common.pseudonyms` (the same codes as the rota's), raising
    :class:`BedError`."""
    return pseudonyms.clean_patient_code(code, error=BedError)


def request_bed(
    agreement: BedAgreement,
    user_id: int,
    *,
    patient_code: str,
    age_band: str,
    reason: str,
    urgency: str,
    now: datetime,
    stale_hours: float,
) -> BedRequest:
    """Hold one of today's free beds for a patient and ask the hospital. Refused, with nothing changed,
    when no bed is free (another request may have just taken the last one) or the figure is too old."""
    code = validate_patient_code(patient_code)
    try:
        band, level = AgeBand(age_band), Urgency(urgency)
    except ValueError:
        raise BedError(_l("年齢帯と緊急度を選んでください。"), "age_band") from None
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise BedError(_l("依頼の理由を200文字以内で入力してください。"), "reason")
    today = jst_day(now)
    if not agreement.valid_on(today):
        raise BedError(_l("この病院との協定は今日は有効ではありません。"))
    taken = db.session.execute(
        sa.update(BedAvailability)
        .where(
            BedAvailability.agreement_id == agreement.id,
            BedAvailability.day == today,
            BedAvailability.free_beds > 0,
            BedAvailability.posted_at >= now - timedelta(hours=stale_hours),
        )
        .values(free_beds=BedAvailability.free_beds - 1, version=BedAvailability.version + 1)
        .returning(BedAvailability.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        raise BedError(
            _l(
                "空きベッドがありません（他の依頼が先に入ったか、空床情報が確認されていません）。病院に電話で確認してください。"
            )
        )
    request = BedRequest(
        hub_id=agreement.hub_id,
        agreement_id=agreement.id,
        availability_id=taken,
        patient_code=code,
        age_band=band,
        reason=reason,
        urgency=level,
        requested_at=now,
        requested_by_id=user_id,
        fiscal_year=FiscalYear.of(today).year,
    )
    db.session.add(request)
    db.session.flush()
    return request


def _release(availability_id: int, beds_secured: int) -> None:
    """Give a held bed back to the figure it was taken from (never above the beds secured)."""
    db.session.execute(
        sa.update(BedAvailability)
        .where(BedAvailability.id == availability_id, BedAvailability.free_beds < beds_secured)
        .values(free_beds=BedAvailability.free_beds + 1, version=BedAvailability.version + 1)
        .execution_options(synchronize_session=False)
    )


def _move(request: BedRequest, from_status: RequestStatus, **values) -> None:
    """Change the request's status only if it still has ``from_status`` (one answer per request)."""
    changed = db.session.execute(
        sa.update(BedRequest)
        .where(BedRequest.id == request.id, BedRequest.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise BedError(_l("この依頼はすでに処理されています。画面を更新してください。"))
    # the same values through the ORM as well: the audit trail records the change from the loaded state
    for key, value in values.items():
        setattr(request, key, value)


def answer(request: BedRequest, user_id: int, *, accept: bool, reason: str, now: datetime) -> None:
    """The hospital accepts (the held bed becomes an admission) or declines with a reason (the bed is
    given back)."""
    reason = reason.strip()
    if not accept and not reason:
        raise BedError(_l("お断りの理由を入力してください。"), "decline_reason")
    if len(reason) > 200:
        raise BedError(_l("理由は200文字以内で入力してください。"), "decline_reason")
    status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    _move(
        request,
        RequestStatus.REQUESTED,
        status=status,
        answered_at=now,
        answered_by_id=user_id,
        decline_reason="" if accept else reason,
    )
    if not accept:
        _release(request.availability_id, request.agreement.beds_secured)
    db.session.flush()


def cancel(request: BedRequest, now: datetime) -> None:
    _move(request, RequestStatus.REQUESTED, status=RequestStatus.CANCELLED, answered_at=None)
    _release(request.availability_id, request.agreement.beds_secured)
    db.session.flush()


def discharge(request: BedRequest, now: datetime) -> None:
    """The admission ends: the bed is free again (today's figure goes up when the hospital has posted one)."""
    _move(request, RequestStatus.ACCEPTED, status=RequestStatus.DISCHARGED, discharged_at=now)
    db.session.execute(
        sa.update(BedAvailability)
        .where(
            BedAvailability.agreement_id == request.agreement_id,
            BedAvailability.day == jst_day(now),
            BedAvailability.free_beds < request.agreement.beds_secured,
        )
        .values(free_beds=BedAvailability.free_beds + 1, version=BedAvailability.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def get_request(hub_id: int, request_id: int) -> BedRequest | None:
    found = db.session.get(BedRequest, request_id)
    return found if found is not None and found.hub_id == hub_id else None


def requests_for(hub_id: int, *, agreement_ids: set[int] | None = None, requested_by: int | None = None, limit=100):
    """Recent requests, newest first: all (coordinator), a bed manager's hospitals, or a physician's own."""
    statement = (
        sa.select(BedRequest)
        .where(BedRequest.hub_id == hub_id)
        .options(
            selectinload(BedRequest.agreement).selectinload(BedAgreement.hospital),
            selectinload(BedRequest.requested_by),
        )
        .order_by(BedRequest.requested_at.desc(), BedRequest.id.desc())
        .limit(limit)
    )
    if agreement_ids is not None:
        statement = statement.where(BedRequest.agreement_id.in_(agreement_ids or {0}))
    if requested_by is not None:
        statement = statement.where(BedRequest.requested_by_id == requested_by)
    return list(db.session.scalars(statement))


# --- figures for the reports -----------------------------------------------------------------------------


@dataclass
class MonthFigures:
    first: date
    secured_bed_days: int = 0
    requests: int = 0
    accepted: int = 0
    declined: int = 0
    cancelled: int = 0
    answer_minutes: list[float] = None

    @property
    def median_answer_minutes(self) -> float | None:
        return statistics.median(self.answer_minutes) if self.answer_minutes else None


def _bed_days(agreement: BedAgreement, first: date, last: date) -> int:
    start = max(first, agreement.valid_from)
    end = min(last, agreement.valid_to or last)
    return max(0, (end - start).days + 1) * agreement.beds_secured


def year_figures(hub_id: int, fiscal_year: int) -> tuple[list[MonthFigures], MonthFigures, list[BedRequest]]:
    """Per month of the 年度 and for the whole 年度: secured bed-days, requests, acceptances, declines,
    cancellations, median minutes to answer; and the declined requests with their reasons (two queries)."""
    fy = FiscalYear(fiscal_year)
    months = []
    first = fy.start
    while first <= fy.end:
        months.append(MonthFigures(first, answer_minutes=[]))
        first = (first + timedelta(days=32)).replace(day=1)
    total = MonthFigures(fy.start, answer_minutes=[])
    all_agreements = list(db.session.scalars(sa.select(BedAgreement).where(BedAgreement.hub_id == hub_id)))
    for month in months:
        last = (month.first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        month.secured_bed_days = sum(_bed_days(a, month.first, last) for a in all_agreements)
    declines = []
    rows = db.session.scalars(
        sa.select(BedRequest)
        .where(BedRequest.hub_id == hub_id, BedRequest.fiscal_year == fiscal_year)
        .options(selectinload(BedRequest.agreement).selectinload(BedAgreement.hospital))
        .order_by(BedRequest.requested_at)
    )
    for r in rows:
        month = months[(jst_day(r.requested_at).month - 4) % 12]
        for bucket in (month, total):
            bucket.requests += 1
            bucket.accepted += r.status in (RequestStatus.ACCEPTED, RequestStatus.DISCHARGED)
            bucket.declined += r.status == RequestStatus.DECLINED
            bucket.cancelled += r.status == RequestStatus.CANCELLED
            if r.answered_at is not None:
                bucket.answer_minutes.append((r.answered_at - r.requested_at).total_seconds() / 60)
        if r.status == RequestStatus.DECLINED:
            declines.append(r)
    total.secured_bed_days = sum(m.secured_bed_days for m in months)
    return months, total, declines


def secured_bed_days(hub_id: int, fy: FiscalYear) -> dict[date, int]:
    """Beds secured by the hub's 協定 on each day of the 年度 (days with none are absent; one query)."""
    bed_days: dict[date, int] = {}
    for first, last, beds in db.session.execute(
        sa.select(BedAgreement.valid_from, BedAgreement.valid_to, BedAgreement.beds_secured).where(
            BedAgreement.hub_id == hub_id,
            BedAgreement.valid_from <= fy.end,
            sa.or_(BedAgreement.valid_to.is_(None), BedAgreement.valid_to >= fy.start),
        )
    ):
        day = max(first, fy.start)
        while day <= min(last or fy.end, fy.end):
            bed_days[day] = bed_days.get(day, 0) + beds
            day += timedelta(days=1)
    return bed_days
