"""Backup-bed rules against the database: posting figures with the version check, requests that hold a
bed, answers, discharges, staleness, and the 年度 figures."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hubapp.beds import services
from hubapp.beds.models import BedAgreement, BedAvailability, BedRequest, RequestStatus
from hubapp.extensions import db

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 JST
TODAY = date(2026, 11, 23)


def _request(agreement, now=NOW, code="K-0001"):
    return services.request_bed(
        agreement,
        None,
        patient_code=code,
        age_band="75_84",
        reason="肺炎の疑い",
        urgency="immediate",
        now=now,
        stale_hours=12,
    )


def _free(agreement_id, day=TODAY):
    return db.session.scalars(
        sa.select(BedAvailability.free_beds).where(
            BedAvailability.agreement_id == agreement_id, BedAvailability.day == day
        )
    ).one()


def test_a_request_holds_the_last_bed_and_the_next_is_refused(app_ctx, beds):
    central = db.session.get(BedAgreement, beds["central"])
    services.post_availability(central, TODAY, 1, beds["manager"], None, NOW)
    db.session.commit()
    first = _request(central)
    db.session.commit()
    assert first.status == RequestStatus.REQUESTED and _free(central.id) == 0
    with pytest.raises(services.BedError, match="空きベッドがありません"):
        _request(central, code="K-0002")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BedRequest)) == 1

    services.answer(first, beds["manager"], accept=False, reason="満床のため", now=NOW + timedelta(minutes=12))
    db.session.commit()
    assert first.status == RequestStatus.DECLINED and _free(central.id) == 1  # the bed is given back
    with pytest.raises(services.BedError, match="すでに処理"):
        services.answer(first, beds["manager"], accept=True, reason="", now=NOW)
    db.session.rollback()

    second = _request(central, code="K-0002")
    services.answer(second, beds["manager"], accept=True, reason="", now=NOW + timedelta(minutes=30))
    db.session.commit()
    assert second.status == RequestStatus.ACCEPTED and _free(central.id) == 0  # admitted: the bed stays used
    services.discharge(second, NOW + timedelta(days=0, hours=5))
    db.session.commit()
    assert second.status == RequestStatus.DISCHARGED and _free(central.id) == 1


def test_a_decline_needs_a_reason_and_a_cancel_gives_the_bed_back(app_ctx, beds):
    night = db.session.get(BedAgreement, beds["night"])
    services.post_availability(night, TODAY, 2, beds["other_manager"], None, NOW)
    request = _request(night)
    db.session.commit()
    with pytest.raises(services.BedError, match="お断りの理由"):
        services.answer(request, None, accept=False, reason=" ", now=NOW)
    db.session.rollback()
    services.cancel(request, NOW)
    db.session.commit()
    assert request.status == RequestStatus.CANCELLED and _free(night.id) == 2


def test_an_old_figure_is_shown_as_unconfirmed_and_cannot_be_requested(app_ctx, beds):
    central = db.session.get(BedAgreement, beds["central"])
    services.post_availability(central, TODAY, 1, beds["manager"], None, NOW - timedelta(hours=13))
    db.session.commit()
    line = next(line for line in services.board(central.hub_id, NOW, 12) if line.agreement.id == central.id)
    assert line.today.stale and line.today.free is None and line.tomorrow.row is None
    with pytest.raises(services.BedError):
        _request(central)
    db.session.rollback()
    fresh = services.board(central.hub_id, NOW - timedelta(hours=2), 12)
    assert next(x for x in fresh if x.agreement.id == central.id).today.free == 1


def test_the_second_writer_of_a_figure_is_told_and_loses_nothing(app_ctx, beds):
    central = db.session.get(BedAgreement, beds["central"])
    row = services.post_availability(central, TODAY, 1, beds["manager"], None, NOW)
    db.session.commit()
    read_by_both = row.version
    services.post_availability(central, TODAY, 0, beds["manager"], read_by_both, NOW + timedelta(minutes=1))
    db.session.commit()
    with pytest.raises(services.BedError, match="他の人が先に更新しました"):
        services.post_availability(central, TODAY, 1, beds["manager"], read_by_both, NOW + timedelta(minutes=2))
    db.session.rollback()
    assert _free(central.id) == 0
    with pytest.raises(services.BedError, match="他の人が先に更新しました"):  # both thought there was no figure yet
        services.post_availability(central, TODAY, 1, beds["manager"], None, NOW)
    db.session.rollback()
    with pytest.raises(services.BedError, match="0〜1"):
        services.post_availability(central, TODAY, 2, beds["manager"], 2, NOW)
    db.session.rollback()
    assert _free(central.id) == 0


def test_night_only_hours(app_ctx, beds):
    night = db.session.get(BedAgreement, beds["night"])
    lines = {line.agreement.id: line for line in services.board(night.hub_id, NOW, 12)}  # 10:00 JST
    assert lines[beds["central"]].open_now and not lines[beds["night"]].open_now
    at_night = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 翌0:00 JST
    assert {line.agreement.id: line for line in services.board(night.hub_id, at_night, 12)}[night.id].open_now


def test_bad_requests_change_nothing(app_ctx, beds):
    central = db.session.get(BedAgreement, beds["central"])
    services.post_availability(central, TODAY, 1, beds["manager"], None, NOW)
    db.session.commit()
    for values, message in (
        ({"patient_code": "山田 太郎"}, "氏名は入力しないでください"),
        ({"patient_code": ""}, "患者コード"),
        ({"age_band": "old"}, "年齢帯"),
        ({"reason": ""}, "理由"),
    ):
        arguments = {"patient_code": "K-1", "age_band": "75_84", "reason": "発熱", "urgency": "today"} | values
        with pytest.raises(services.BedError, match=message):
            services.request_bed(central, None, now=NOW, stale_hours=12, **arguments)
        db.session.rollback()
    assert _free(central.id) == 1 and db.session.scalar(sa.select(sa.func.count()).select_from(BedRequest)) == 0


def test_year_figures(app_ctx, beds):
    central = db.session.get(BedAgreement, beds["central"])
    for day, minutes, accept in (
        (date(2026, 5, 10), 10, True),
        (date(2026, 5, 20), 30, False),
        (date(2026, 6, 1), 20, True),
    ):
        at = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)
        services.post_availability(central, day, 1, beds["manager"], None, at)
        request = _request(central, now=at)
        services.answer(
            request, None, accept=accept, reason="" if accept else "満床", now=at + timedelta(minutes=minutes)
        )
    db.session.commit()
    months, total, declines = services.year_figures(central.hub_id, 2026)
    may = months[1]
    assert (may.requests, may.accepted, may.declined, may.median_answer_minutes) == (2, 1, 1, 20.0)
    assert (total.requests, total.accepted, total.median_answer_minutes) == (3, 2, 20.0)
    # central: 1 bed from April 1 (30 days in April); night: 2 beds
    assert months[0].secured_bed_days == 30 * 1 + 30 * 2
    assert total.secured_bed_days == 365 * 3
    assert [r.decline_reason for r in declines] == ["満床"]
