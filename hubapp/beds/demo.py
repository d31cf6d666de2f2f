"""Demo backup beds for the wide-area hub: two agreements (24時間 and 夜間のみ), today's figures, and the
requests of this 年度 so far (accepted, declined with reasons, withdrawn), one of them still waiting."""

import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from hubapp.auth import services as auth
from hubapp.beds import services
from hubapp.beds.models import BedAgreement
from hubapp.common.jpcalendar import FiscalYear
from hubapp.core.services import JST, today
from hubapp.db import utcnow
from hubapp.directory import services as directory
from hubapp.extensions import db

DECLINE_REASONS = ["満床のため", "夜間の受け入れ体制が取れないため", "感染症対応中のため", "専門外の病態のため"]
REASONS = ["誤嚥性肺炎の疑い", "脱水・食事摂取不良", "心不全の増悪", "尿路感染症の疑い", "介護者の急病（レスパイト）"]


def seed(ctx) -> None:
    from hubapp.demo import WIDE_AREA_HUB

    hub = ctx.hubs[WIDE_AREA_HUB]
    if db.session.scalar(sa.select(sa.exists().where(BedAgreement.hub_id == hub.id))):
        return
    hospitals = directory.organisations_by_name(hub.id)
    manager, physician = auth.find_user("bedmanager"), auth.find_user("physician")
    fy = FiscalYear.of(today())
    central = services.save_agreement(
        hub.id,
        None,
        hospital_id=hospitals["北総かとり中央病院"].id,
        beds_secured=2,
        all_day=True,
        starts=None,
        ends=None,
        valid_from=fy.start,
        valid_to=fy.end,
        contract_ref=f"{fy.label_ja}-後方-001",
        note="在宅療養後方支援病院",
        manager_ids=[manager.id] if manager else [],
    )
    night = services.save_agreement(
        hub.id,
        None,
        hospital_id=hospitals["さわら協同病院"].id,
        beds_secured=1,
        all_day=False,
        starts=time(17),
        ends=time(9),
        valid_from=fy.start,
        valid_to=fy.end,
        contract_ref=f"{fy.label_ja}-後方-002",
        note="夜間のみ（市の委託）",
        manager_ids=[manager.id] if manager else [],
    )
    rng = random.Random(20261)
    day = fy.start
    while day < today():  # about five requests a month, answered within minutes to an hour
        if rng.random() < 0.17:
            agreement = central if rng.random() < 0.7 else night
            at = datetime.combine(day, time(rng.choice([9, 13, 19, 22]), rng.randint(0, 59)), tzinfo=JST)
            services.post_availability(
                agreement, day, agreement.beds_secured, manager.id if manager else None, _version(agreement, day), at
            )
            request = services.request_bed(
                agreement,
                physician.id if physician else None,
                patient_code=f"K-{rng.randint(1, 80):04d}",
                age_band=rng.choice(["75_84", "85_plus", "85_plus", "65_74"]),
                reason=rng.choice(REASONS),
                urgency=rng.choice(["immediate", "today", "today"]),
                now=at,
                stale_hours=24,
            )
            answered = at + timedelta(minutes=rng.randint(5, 70))
            outcome = rng.random()
            if outcome < 0.72:
                services.answer(request, manager.id if manager else None, accept=True, reason="", now=answered)
                services.discharge(request, answered + timedelta(days=rng.randint(3, 14)))
            elif outcome < 0.93:
                services.answer(
                    request,
                    manager.id if manager else None,
                    accept=False,
                    reason=rng.choice(DECLINE_REASONS),
                    now=answered,
                )
            else:
                services.cancel(request, answered)
        day += timedelta(days=1)
    now = utcnow()
    services.post_availability(
        central, today(), 1, manager.id if manager else None, _version(central, today()), now - timedelta(hours=2)
    )
    services.post_availability(
        central,
        today() + timedelta(days=1),
        2,
        manager.id if manager else None,
        _version(central, today() + timedelta(days=1)),
        now - timedelta(hours=2),
    )
    services.post_availability(
        night, today(), 1, manager.id if manager else None, _version(night, today()), now - timedelta(hours=15)
    )  # older than 12 h: shown as unconfirmed
    ctx.created.append("後方支援病床の協定 2件と今年度の依頼")


def _version(agreement: BedAgreement, day) -> int | None:
    from hubapp.beds.models import BedAvailability

    return db.session.scalar(
        sa.select(BedAvailability.version).where(
            BedAvailability.agreement_id == agreement.id, BedAvailability.day == day
        )
    )
