"""Demo physician group for the wide-area hub, with a published rota for this month and the next."""

from datetime import time, timedelta

import sqlalchemy as sa
from flask import current_app

from hubapp.auth import services as auth
from hubapp.common.jpcalendar import format_month
from hubapp.common.vocabulary import Profession
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.directory import services as directory
from hubapp.extensions import db
from hubapp.rota import changes, records, services
from hubapp.rota.models import AvailabilityKind, DutyLogKind, PhysicianGroup

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
    by_name = directory.people_by_name(hub.id)
    physician_user = auth.find_user("physician")
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
        if name == "小川 正":  # away with 鈴木 on two days: their patient K-0015 shows a warning
            first = today() + timedelta(days=11)
            services.add_unavailability(member, AvailabilityKind.UNAVAILABLE, first, first + timedelta(days=2), "休暇")
    this_month = today().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    after = (next_month + timedelta(days=32)).replace(day=1)
    limit = min(3.0, float(current_app.config["ROTA_SOLVER_SECONDS"]))
    services.generate(group, this_month, after - timedelta(days=1), time_limit=limit)
    services.publish(group, this_month, after - timedelta(days=1))
    group.has_overnight_permit = True
    #: the rota moved into the app this month (運用開始日): 24時間体制 is counted from here, not from April
    group.started_on = this_month
    group.unavailability_deadline_day = 20  # a month's days off are due by the 20th of the month before
    _seed_records(group, this_month, next_month - timedelta(days=1))
    swap = _seed_swap(group, current_app.config["YEAR_END_HOLIDAYS"])
    summarised = _seed_summaries(group)
    ctx.created.append(
        f"当番表 {group.name}（{format_month(this_month)}〜{next_month.month}月、運用開始日 {this_month.month}月1日"
        + (f"、それより前の{summarised}は旧Excelの当番表から手入力の集計" if summarised else "")
        + (f"、{swap}" if swap else "")
        + "）"
    )


def _seed_swap(group: PhysicianGroup, year_end) -> str:
    """髙橋 has asked a colleague without a login (大野 里美 when the rules allow her, else the first who
    may take it) to take one of his coming duties: the coordinator's swaps page offers to accept for them."""
    members = {m.person.name: m for m in group.members}
    asking = members["髙橋 健一"]
    coming = [d for d in services.published_duties_of([asking.id], utcnow()) if d.day >= today() + timedelta(days=5)]
    offered = changes.swap_candidates(coming, [asking], services.colleagues([asking]), year_end)
    for duty in coming:
        takers = sorted((c for c in offered[duty.id] if c.user_id is None), key=lambda c: c.person.name != "大野 里美")
        if takers:
            role = "primary" if duty.primary_id == asking.id else "secondary"
            changes.request_swap(duty, asking, role, takers[0], year_end)
            return f"髙橋→{takers[0].person.name}の交代依頼"
    return ""


def _seed_summaries(group: PhysicianGroup) -> str:
    """The months of the 年度 before 運用開始日, as the group kept them: an Excel rota (one row per slot, 主
    and 副 by name; over お盆 two August nights had no 副) uploaded as the evidence of their manual
    summary. The figures are counted from that workbook. Returns the months' label ("" in April)."""
    import io

    import openpyxl

    from hubapp.db import utcnow
    from hubapp.rota import calendar as rota_calendar
    from hubapp.rota import summaries

    months = summaries.summary_months(group, current_app.config["YEAR_END_HOLIDAYS"])
    if not months:
        return ""
    names = [m.person.name for m in group.members]
    calendar = services.holiday_calendar(group, current_app.config["YEAR_END_HOLIDAYS"])
    shift_names = {s.code: s.name for s in group.shift_types}
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    rows: dict = {}
    n = 0
    for month in months:
        sheet = workbook.create_sheet(f"{month.month.month}月")
        sheet.append(["日付", "シフト", "主", "副"])
        covered = 0
        slots = rota_calendar.slots(group.shift_types, month.month, month.last, calendar)
        for slot in slots:
            primary, secondary = names[n % len(names)], names[(n + 3) % len(names)]
            n += 1
            if slot.day.month == 8 and slot.day.day in (13, 14) and slot.is_night:
                secondary = ""  # お盆: no 副 on two nights
            covered += bool(secondary)
            sheet.append([slot.day, shift_names[slot.shift], primary, secondary])
            sheet.cell(sheet.max_row, 1).number_format = "yyyy/mm/dd"
        rows[month.month] = (len(slots), covered)
    out = io.BytesIO()
    workbook.save(out)
    coordinator = auth.find_user("coordinator")
    fy_months = summaries.months_label(list(rows))
    summaries.store(
        group,
        rows,
        f"当番表_{fy_months}.xlsx",
        out.getvalue(),
        "運用開始日より前にExcelで作っていた当番表",
        coordinator.id if coordinator else None,
        utcnow(),
        current_app.config["YEAR_END_HOLIDAYS"],
    )
    return fy_months


#: 主治医・副主治医 of the demo patients (pseudonymous codes only): code, 主治医, 副主治医.
PAIRS = [
    ("K-0012", "髙橋 健一", "山吹 さやか"),
    ("K-0015", "鈴木 一郎", "小川 正"),
    ("K-0021", "大野 里美", "鈴木 一郎"),
    ("K-0034", "小川 正", "髙橋 健一"),
]


def _seed_records(group: PhysicianGroup, first, last) -> None:
    """Patient pairs, and 代診・出動 logs of this month, one of them a night call-out followed by a duty
    within the 9 hours' rest."""
    members = {m.person.name: m for m in group.members}
    coordinator = auth.find_user("coordinator")
    for code, attending, deputy in PAIRS:
        records.add_pair(group, code, members[attending].id, members[deputy].id, first - timedelta(days=90))

    def day(offset: int):
        """A day of this month, ``offset`` days before today when the month has begun that long ago."""
        return max(first, today() - timedelta(days=offset))

    # A night call-out at 01:30–03:00 by the physician whose 休日日中 duty starts at 08:30 that day.
    short_rest = next(
        (
            d
            for d in reversed(services.month_duties(group, first, last))
            if d.shift_type.code == "holiday_day" and d.primary_id and d.day <= today()
        ),
        None,
    )
    by_id = {m.id: m for m in group.members}
    logs = [
        ("髙橋 健一", DutyLogKind.SUBSTITUTE, day(12), time(14, 0), time(15, 0), "K-0015", "鈴木医師不在時の定期訪問"),
        ("鈴木 一郎", DutyLogKind.CALL_OUT, day(10), time(23, 40), time(1, 10), "K-0015", "発熱・呼吸苦"),
        ("山吹 さやか", DutyLogKind.SUBSTITUTE, day(8), time(10, 0), time(11, 30), "K-0012", ""),
        ("大野 里美", DutyLogKind.CALL_OUT, day(6), time(19, 30), time(20, 40), "", "カテーテル閉塞"),
        ("小川 正", DutyLogKind.SUBSTITUTE, day(4), time(13, 0), time(14, 0), "K-0034", ""),
        ("髙橋 健一", DutyLogKind.CALL_OUT, day(3), time(2, 10), time(3, 20), "K-0012", "転倒"),
        ("西村 拓", DutyLogKind.SUBSTITUTE, day(1), time(15, 30), time(16, 10), "", "定期訪問"),
    ]
    if short_rest is not None:
        name = by_id[short_rest.primary_id].person.name
        logs.append((name, DutyLogKind.CALL_OUT, short_rest.day, time(1, 30), time(3, 0), "K-0021", "看取り"))
    else:  # no 休日 of this month is over yet: a 代診 in the morning after the call-out instead
        logs.append(("大野 里美", DutyLogKind.CALL_OUT, day(0), time(1, 30), time(3, 0), "K-0021", "看取り"))
        logs.append(("大野 里美", DutyLogKind.SUBSTITUTE, day(0), time(9, 0), time(10, 0), "K-0012", ""))
    for name, kind, on, start, end, code, note in logs:
        records.add_log(
            members[name],
            kind,
            on,
            start,
            end,
            patient_code=code,
            note=note,
            recorded_by_id=coordinator.id if coordinator else None,
        )
