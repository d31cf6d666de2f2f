"""Demo physician group for the wide-area hub, with a published rota for this month and the next."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from hubapp.auth.models import User
from hubapp.core.services import today
from hubapp.directory import services as directory
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import services
from hubapp.rota.models import AvailabilityKind, PhysicianGroup

#: (name, kana, phone, secondary only, new to home care) — the first two are in the directory demo already.
PHYSICIANS = [
    ("髙橋 健一", "タカハシ ケンイチ", "090-1234-0001", False, False),
    ("山吹 さやか", "ヤマブキ サヤカ", "090-1234-0002", False, False),
    ("鈴木 一郎", "スズキ イチロウ", "090-1234-0003", False, False),
    ("小川 正", "オガワ タダシ", "090-1234-0004", False, False),
    ("大野 里美", "オオノ サトミ", "090-1234-0005", False, False),
    ("西村 拓", "ニシムラ タク", "090-1234-0006", True, False),
    ("若林 優", "ワカバヤシ ユウ", "090-1234-0007", False, True),
]


def seed(ctx) -> None:
    from hubapp.demo import WIDE_AREA_HUB

    hub = ctx.hubs[WIDE_AREA_HUB]
    if db.session.scalar(sa.select(sa.exists().where(PhysicianGroup.hub_id == hub.id))):
        return
    by_name = {p.name: p for p in db.session.scalars(sa.select(Person).where(Person.hub_id == hub.id))}
    physician_user = db.session.scalars(sa.select(User).where(User.username == "physician")).first()
    group = services.create_group(hub.id, "北総かとり在宅医グループ")
    for name, kana, phone, secondary_only, is_new in PHYSICIANS:
        person = by_name.get(name) or directory.save_person(
            hub.id, {"name": name, "name_kana": kana, "profession": Profession.PHYSICIAN}
        )
        person.phone = person.phone or phone
        member = services.add_member(
            group,
            person,
            secondary_only=secondary_only,
            is_new=is_new,
            user_id=physician_user.id if name == "髙橋 健一" and physician_user else None,
        )
        if name == "鈴木 一郎":
            first = today() + timedelta(days=10)
            services.add_unavailability(member, AvailabilityKind.UNAVAILABLE, first, first + timedelta(days=2), "学会")
    this_month = today().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    after = (next_month + timedelta(days=32)).replace(day=1)
    limit = min(3.0, float(current_app.config["ROTA_SOLVER_SECONDS"]))
    services.generate(group, this_month, after - timedelta(days=1), time_limit=limit)
    services.publish(group, this_month, after - timedelta(days=1))
    ctx.created.append(f"当番表 {group.name}（{this_month:%Y年%m月}〜{next_month:%m月}）")
