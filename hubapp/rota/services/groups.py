"""Physician groups: their shift types, extra holidays and members, whose memberships a login
has, and the choices their forms offer."""

from datetime import date, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.directory import services as directory
from hubapp.extensions import db
from hubapp.rota.models import (
    AppliesOn,
    Duty,
    GroupHoliday,
    GroupMember,
    PhysicianGroup,
    ShiftType,
)

if TYPE_CHECKING:
    from hubapp.directory.models import Person
from hubapp.rota.planning import WorkRules
from hubapp.rota.services.errors import RotaError

#: The usual shifts of a home-care group (the issue's example): code, name, applies on, start, end, night.
DEFAULT_SHIFTS = (
    ("weekday_night", "平日夜間", AppliesOn.WEEKDAY, time(18, 0), time(8, 30), True),
    ("holiday_day", "休日日中", AppliesOn.HOLIDAY, time(8, 30), time(18, 0), False),
    ("holiday_night", "休日夜間", AppliesOn.HOLIDAY, time(18, 0), time(8, 30), True),
)


def create_group(hub_id: int, name: str, backup_hospital_id: int | None = None) -> PhysicianGroup:
    """A physician group of the hub with the usual shifts. ``backup_hospital_id`` must be one of
    :func:`hospital_choices` (checked: never another hub's hospital)."""
    if not name.strip():
        raise RotaError(_l("グループ名を入力してください。"), "name")
    if len(name.strip()) > 120:
        raise RotaError(_l("グループ名は120文字以内で入力してください。"), "name")
    if backup_hospital_id is not None and backup_hospital_id not in {i for i, _n in hospital_choices(hub_id)}:
        raise RotaError(_l("後方支援病院は地域資源の病院から選んでください。"), "backup_hospital")
    group = PhysicianGroup(hub_id=hub_id, name=name.strip(), backup_hospital_id=backup_hospital_id)
    for n, (code, label, applies_on, starts, ends, night) in enumerate(DEFAULT_SHIFTS):
        group.shift_types.append(
            ShiftType(
                code=code,
                name=label,
                applies_on=applies_on,
                starts=starts,
                ends=ends,
                is_night=night,
                sort_order=n * 10,
            )
        )
    db.session.add(group)
    db.session.flush()
    return group


def groups(hub_id: int) -> list[PhysicianGroup]:
    return list(
        db.session.scalars(sa.select(PhysicianGroup).where(PhysicianGroup.hub_id == hub_id).order_by(PhysicianGroup.id))
    )


def get_group(hub_id: int, group_id: int) -> PhysicianGroup | None:
    statement = (
        sa.select(PhysicianGroup)
        .where(PhysicianGroup.id == group_id, PhysicianGroup.hub_id == hub_id)
        .options(
            selectinload(PhysicianGroup.shift_types),
            selectinload(PhysicianGroup.extra_holidays),
            selectinload(PhysicianGroup.members).selectinload(GroupMember.person),
        )
    )
    return db.session.scalars(statement).first()


def add_member(
    group: PhysicianGroup,
    person: "Person",
    *,
    user_id: int | None = None,
    fte=1,
    cap: int | None = None,
    secondary_only: bool = False,
    is_new: bool = False,
) -> GroupMember:
    if person.hub_id != group.hub_id:
        raise RotaError(_l("別の拠点の関係者は加えられません。"), "person")
    if any(m.person_id == person.id for m in group.members):
        raise RotaError(_l("この医師はすでにグループにいます。"), "person")
    if not (0 < float(fte) <= 1):
        raise RotaError(_l("常勤換算は0.1〜1.0で入力してください。"), "fte")
    if cap is not None and cap < 0:
        raise RotaError(_l("月の上限は0以上で入力してください。"), "cap")
    member = GroupMember(
        person=person, user_id=user_id, fte=fte, max_duties_per_month=cap, secondary_only=secondary_only, is_new=is_new
    )
    group.members.append(member)
    db.session.flush()
    return member


def add_member_by_id(group: PhysicianGroup, person_id: int | None, **settings) -> GroupMember:
    """:func:`add_member` for the physician chosen on the group's page (one of the hub's people)."""
    person = directory.get_person(group.hub_id, person_id or 0)
    if person is None:
        raise RotaError(_l("医師を選んでください。"), "person")
    return add_member(group, person, **settings)


def update_group(
    group: PhysicianGroup,
    *,
    name: str,
    backup_hospital_id: int | None,
    swaps_need_approval: bool,
    deadline_day: int | None,
    has_overnight_permit: bool,
    started_on: date | None = None,
    work: dict | None = None,
) -> None:
    """The group's settings. ``backup_hospital_id`` must be one of :func:`hospital_choices` (checked).
    ``work``: the working-hours rules by column name (``no_day_after_night``, ``max_consecutive_days``,
    ``rest_interval_hours``, ``longer_rest_without_permit``, ``work_rules_hard``); left as they are when None."""
    if not name.strip():
        raise RotaError(_l("グループ名を入力してください。"), "name")
    if len(name.strip()) > 120:
        raise RotaError(_l("グループ名は120文字以内で入力してください。"), "name")
    if backup_hospital_id is not None and backup_hospital_id not in {i for i, _n in hospital_choices(group.hub_id)}:
        raise RotaError(_l("後方支援病院は地域資源の病院から選んでください。"), "backup_hospital")
    if deadline_day is not None and not 1 <= deadline_day <= 28:
        raise RotaError(_l("締切日は1〜28日で入力してください。"), "deadline_day")
    group.name = name.strip()
    group.backup_hospital_id = backup_hospital_id
    group.swaps_need_approval = swaps_need_approval
    group.unavailability_deadline_day = deadline_day
    if work is not None:
        run, rest = work.get("max_consecutive_days"), work.get("rest_interval_hours")
        if run is not None and not 1 <= run <= 14:
            raise RotaError(_l("連続勤務の上限は1〜14日で入力してください（空欄は上限なし）。"), "max_consecutive_days")
        if rest is not None and not 1 <= rest <= 24:
            raise RotaError(
                _l("勤務間インターバルは1〜24時間で入力してください（空欄は確認しない）。"), "rest_interval_hours"
            )
        group.max_consecutive_days, group.rest_interval_hours = run, rest
        group.no_day_after_night = bool(work.get("no_day_after_night"))
        group.longer_rest_without_permit = bool(work.get("longer_rest_without_permit"))
        group.work_rules_hard = bool(work.get("work_rules_hard"))
    group.has_overnight_permit = has_overnight_permit
    group.started_on = started_on
    db.session.flush()


def work_rules(group: PhysicianGroup) -> WorkRules:
    """The group's working-hours rules as generation and the hand edits check them."""
    return WorkRules(
        no_day_after_night=group.no_day_after_night,
        max_consecutive_days=group.max_consecutive_days,
        rest_hours=group.rest_interval_hours,
        rest_hours_after_overnight=18 if group.longer_rest_without_permit and not group.has_overnight_permit else None,
        hard=group.work_rules_hard,
    )


def save_shift_type(
    group: PhysicianGroup,
    shift: ShiftType | None,
    *,
    name: str,
    applies_on: AppliesOn | None,
    starts: time,
    ends: time,
    is_night: bool,
) -> ShiftType:
    """Add a shift type (``shift`` None) or change one. Stored duties keep their times; the change applies
    to the drafts generated from now on."""
    if applies_on is None:
        raise RotaError(_l("平日か休日かを選んでください。"), "applies_on")
    name = name.strip()
    if not name or len(name) > 60:
        raise RotaError(_l("シフト名を60文字以内で入力してください。"), "name")
    if starts == ends:
        raise RotaError(_l("開始と終了を別の時刻にしてください。"), "ends")
    if any(s.name == name and s is not shift for s in group.shift_types):
        raise RotaError(_l("同じ名前のシフトがあります。"), "name")
    if shift is None:
        used = {s.code for s in group.shift_types}
        number = len(group.shift_types) + 1
        while f"shift_{number}" in used:
            number += 1
        shift = ShiftType(
            code=f"shift_{number}", sort_order=max((s.sort_order for s in group.shift_types), default=0) + 10
        )
        group.shift_types.append(shift)
    elif shift.applies_on != applies_on and _shift_in_use(shift.id):
        raise RotaError(
            _l("当番表で使われているシフトの平日・休日は変えられません。新しいシフトを作ってください。"), "applies_on"
        )
    shift.name, shift.applies_on, shift.starts, shift.ends, shift.is_night = name, applies_on, starts, ends, is_night
    db.session.flush()
    return shift


def _shift_in_use(shift_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Duty.shift_type_id == shift_id))))


def delete_shift_type(group: PhysicianGroup, shift: ShiftType) -> None:
    if _shift_in_use(shift.id):
        raise RotaError(_l("当番表で使われているシフトは削除できません。"))
    group.shift_types.remove(shift)
    db.session.flush()


def add_group_holiday(group: PhysicianGroup, day: date | None, name: str) -> None:
    """A day the group staffs as a 休日 (お盆, a local festival …). Drafts generated from now on use it."""
    if day is None:
        raise RotaError(_l("日付を正しく入力してください。"), "day")
    if any(h.day == day for h in group.extra_holidays):
        raise RotaError(_l("この日はすでに登録されています。"), "day")
    if len(name.strip()) > 60:
        raise RotaError(_l("名前は60文字以内で入力してください。"), "name")
    group.extra_holidays.append(GroupHoliday(day=day, name=name.strip()))
    db.session.flush()


def remove_group_holiday(group: PhysicianGroup, day: date) -> None:
    found = next((h for h in group.extra_holidays if h.day == day), None)
    if found is None:
        raise RotaError(_l("この日は登録されていません。"), "day")
    group.extra_holidays.remove(found)
    db.session.flush()


def update_member(
    member: GroupMember,
    *,
    fte,
    cap: int | None,
    secondary_only: bool,
    is_new: bool,
    is_active: bool,
    user_id: int | None,
) -> None:
    """A physician's rules in the group. An inactive physician gets no new duties; the duties already
    stored stay until the coordinator changes them."""
    if not (0 < float(fte) <= 1):
        raise RotaError(_l("常勤換算は0.1〜1.0で入力してください。"), "fte")
    if cap is not None and not 0 <= cap <= 31:
        raise RotaError(_l("月の上限は0〜31回で入力してください。"), "cap")
    member.fte, member.max_duties_per_month = fte, cap
    member.secondary_only, member.is_new, member.is_active, member.user_id = secondary_only, is_new, is_active, user_id
    db.session.flush()


def colleagues(memberships: list[GroupMember]) -> dict[int, list[GroupMember]]:
    """For each of a login's memberships (by group id), the group's other active members with their
    people, in the order they joined: whom a duty can be handed to. One query."""
    mine = {m.group_id: m.id for m in memberships}
    found: dict[int, list[GroupMember]] = {group_id: [] for group_id in mine}
    if not mine:
        return found
    statement = (
        sa.select(GroupMember)
        .where(GroupMember.group_id.in_(mine), GroupMember.is_active.is_(True))
        .options(selectinload(GroupMember.person))
        .order_by(GroupMember.id)
    )
    for member in db.session.scalars(statement):
        if member.id != mine[member.group_id]:
            found[member.group_id].append(member)
    return found


def hub_memberships(user_id: int, hub_id: int) -> list[GroupMember]:
    """A login's active memberships in one hub's groups, with their groups, by group name."""
    return list(
        db.session.scalars(
            sa.select(GroupMember)
            .join(PhysicianGroup, PhysicianGroup.id == GroupMember.group_id)
            .where(
                GroupMember.user_id == user_id,
                GroupMember.is_active.is_(True),
                PhysicianGroup.hub_id == hub_id,
            )
            .options(selectinload(GroupMember.group))
            .order_by(PhysicianGroup.name, GroupMember.id)
        )
    )


def group_member(group_id: int, member_id: int | None) -> GroupMember | None:
    """A member of ``group_id`` (None for another group's, or none)."""
    found = db.session.get(GroupMember, member_id) if member_id else None
    return found if found is not None and found.group_id == group_id else None


def group_names(hub_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(PhysicianGroup.id, PhysicianGroup.name).where(PhysicianGroup.hub_id == hub_id)
        ).all()
    )


def own_memberships(user_id: int) -> list[GroupMember]:
    """The active memberships of a physician's login, with their groups."""
    return list(
        db.session.scalars(
            sa.select(GroupMember)
            .where(GroupMember.user_id == user_id, GroupMember.is_active.is_(True))
            .options(selectinload(GroupMember.group))
        )
    )


def hospital_choices(hub_id: int) -> list[tuple[int, str]]:
    """Candidates for the backup hospital (the directory's hospitals)."""
    from hubapp.directory.services import hospital_choices as hospitals

    return hospitals(hub_id)


def physician_choices(hub_id: int, group: PhysicianGroup) -> list[tuple[int, str]]:
    """The hub's physicians from the directory who are not yet in the group."""
    from hubapp.common.vocabulary import Profession

    taken = {m.person_id for m in group.members}
    return [(pid, name) for pid, name in directory.profession_choices(hub_id, Profession.PHYSICIAN) if pid not in taken]


def physician_user_choices(hub_id: int) -> list[tuple[int, str]]:
    """Logins with the physician role in this hub (to link a member to the account they use)."""
    from hubapp.common.roles import Role
    from hubapp.hubs import services as hubs

    return [(uid, f"{name}（{username}）") for uid, name, username in hubs.member_logins(hub_id, [Role.PHYSICIAN])]


def hub_physician_user(hub_id: int, user_id: int | None) -> int | None:
    """``user_id`` if it is a physician login of this hub, else None."""
    if not user_id:
        return None
    return user_id if user_id in {uid for uid, _ in physician_user_choices(hub_id)} else None
