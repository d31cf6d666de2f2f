"""The wide-area hub reports to 千葉県's program (C) and the municipality's 推進事業 this 年度; one manual
item is recorded, so that the page shows met, partly met, unmet and manual items side by side."""

import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance import services
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.extensions import db


def seed(ctx) -> None:
    from hubapp.demo import WIDE_AREA_HUB

    hub = ctx.hubs[WIDE_AREA_HUB]
    if db.session.scalar(sa.select(sa.exists().where(Enrollment.hub_id == hub.id))):
        return
    year = FiscalYear.of(today()).year
    services.set_enrollments(hub.id, year, ["C", "SUISHIN"])
    manual = next((p.code, i.code) for p in (services.programs()["C"],) for i in p.items if i.rule.type == "manual")
    services.save_evidence(
        hub.id,
        year,
        *manual,
        "MCS（医療介護専用SNS）で情報共有のルールを定め、管内の多職種に運用を始めた。",
        True,
        None,
    )
    ctx.created.append("実績・要件: 千葉県在宅医療連携促進支援事業と在宅医療・介護連携推進事業に登録")
