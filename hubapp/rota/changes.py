"""Changing a rota after 自動作成: the coordinator's hand edits, and swaps between physicians.

Every change is checked against the hard rules of :mod:`hubapp.rota.planning` by the same function that
checks a generated rota (:func:`hubapp.rota.generate.violations`): the duty's month is rebuilt as a
:class:`~hubapp.rota.planning.Plan` from the stored duties with the one change applied, and only the
problems the change would *add* are reported (a rule an earlier entry already breaks — say, an
unavailability entered after publishing — does not block fixing it). The problems are put into Japanese.

Swaps (:class:`SwapRequest`): a physician asks a named colleague, or puts the duty in the open pool; a
colleague accepts (checked); the coordinator approves where the group requires it (checked again), and
the duty changes. Each step is a row change, so the audit trail (hubapp/audit/services.py) records it.

Changes to a published duty are mailed to the physicians affected (:func:`notify`), by the views after
the change, as in hubapp/meetings/notify.py: mail failures are logged and never undo the change.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from hubapp.common import mail
from hubapp.common.jpcalendar import format_wareki
from hubapp.common.vocabulary import LabelledEnum, labelled
from hubapp.core.services import JST
from hubapp.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from hubapp.extensions import db
from hubapp.rota import generate as rules
from hubapp.rota import services
from hubapp.rota.calendar import slot_minutes
from hubapp.rota.models import Duty, GroupMember, PhysicianGroup
from hubapp.rota.planning import Assignment, Plan, Slot, WorkRules
from hubapp.rota.services import RotaError

DEFAULT_YEAR_END = ((12, 29), (1, 3))


# --- hand edits -----------------------------------------------------------------------------------------


def _month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _slot(duty: Duty) -> Slot:
    shift = duty.shift_type
    return Slot(
        f"{duty.day.isoformat()}/{shift.code}",
        duty.day,
        shift.code,
        duty.is_holiday,
        shift.is_night,
        *slot_minutes(shift.starts, shift.ends),
    )


def _plan(duties: list[Duty], changed: Duty | None, primary_id: int | None, secondary_id: int | None) -> Plan:
    return Plan(
        [
            Assignment(_slot(d), primary_id, secondary_id)
            if changed is not None and d.id == changed.id
            else Assignment(_slot(d), d.primary_id, d.secondary_id)
            for d in duties
        ],
        status="MANUAL",
    )


@dataclass
class _Month:
    """A group's month as the rules see it, read once (three queries) and checked against many changes."""

    duties: list[Duty]
    physicians: list
    shift_names: dict[str, str]
    work: WorkRules
    already: set[str]  #: what the month breaks as it stands (not the change's fault)

    def problems(self, duty: Duty, primary_id: int | None, secondary_id: int | None) -> list[str]:
        after = rules.violations(_plan(self.duties, duty, primary_id, secondary_id), self.physicians, self.work)
        return [_japanese(problem, self.shift_names) for problem in after if problem not in self.already]

    def warnings(self, duty: Duty, primary_id: int | None, secondary_id: int | None) -> list[str]:
        """The soft working-hours rules the change would newly break (said, not refused)."""
        plan = _plan(self.duties, duty, primary_id, secondary_id)
        before = set(rules.warnings(_plan(self.duties, None, None, None), self.physicians, self.work))
        return [
            _japanese(w, self.shift_names) for w in rules.warnings(plan, self.physicians, self.work) if w not in before
        ]


def _month(group: PhysicianGroup, day: date, year_end) -> _Month:
    first, last = _month_of(day)
    _slots, physicians = services.planning_input(group, first, last, year_end)
    duties = services.month_duties(group, first, last)
    work = services.work_rules(group)
    already = set(rules.violations(_plan(duties, None, None, None), physicians, work))
    return _Month(duties, physicians, {s.code: s.name for s in group.shift_types}, work, already)


def check_change(
    group: PhysicianGroup, duty: Duty, primary_id: int | None, secondary_id: int | None, year_end=DEFAULT_YEAR_END
) -> list[str]:
    """The hard rules the duty's month would break with this primary and secondary (None = 後方支援病院
    / nobody) that it does not already break: Japanese sentences, empty when the change may be saved."""
    month = _month(group, duty.day, year_end)
    if duty.id not in {d.id for d in month.duties}:  # the duty is of this group (callers check the hub)
        return [str(_l("この当番はこのグループのものではありません。"))]
    return month.problems(duty, primary_id, secondary_id)


def soft_warnings(
    group: PhysicianGroup, duty: Duty, primary_id: int | None, secondary_id: int | None, year_end=DEFAULT_YEAR_END
) -> list[str]:
    """The soft working-hours rules this change would newly break: Japanese sentences to show beside
    the saved change (a group with hard rules gets none here: :func:`check_change` refuses instead)."""
    return _month(group, duty.day, year_end).warnings(duty, primary_id, secondary_id)


def in_japanese(problems: list[str], group: PhysicianGroup) -> list[str]:
    """The generator's sentences (:func:`hubapp.rota.generate.violations` and ``warnings``) in Japanese."""
    names = {s.code: s.name for s in group.shift_types}
    return [_japanese(problem, names) for problem in problems]


def swap_candidates(
    duties: list[Duty], memberships: list[GroupMember], colleagues: dict[int, list[GroupMember]], year_end
) -> dict[int, list[GroupMember]]:
    """For each of a physician's duties (by id), the colleagues who may take the physician's role on it
    under every hard rule — the only ones a swap may name. Each group's month is read once."""
    mine = {m.group_id: m.id for m in memberships}
    groups: dict[int, PhysicianGroup] = {}
    months: dict[tuple[int, date], _Month] = {}
    found: dict[int, list[GroupMember]] = {}
    for duty in duties:
        key = (duty.group_id, duty.day.replace(day=1))
        if key not in months:
            if duty.group_id not in groups:
                groups[duty.group_id] = services.get_group(duty.hub_id, duty.group_id)
            months[key] = _month(groups[duty.group_id], duty.day, year_end)
        month = months[key]
        is_primary = duty.primary_id == mine.get(duty.group_id)
        found[duty.id] = [
            c
            for c in colleagues.get(duty.group_id, [])
            if not month.problems(duty, *((c.id, duty.secondary_id) if is_primary else (duty.primary_id, c.id)))
        ]
    return found


def _day(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.month}月{day.day}日"


def _where(key: str, shift_names: dict[str, str]) -> str:
    day, _, code = key.partition("/")
    return f"{_day(day)} {shift_names.get(code, code)}"


#: The sentences of :func:`hubapp.rota.generate.violations`, and how each is said in Japanese.
_PATTERNS = [
    (
        re.compile(r"^(?P<key>\S+): (?:primary|secondary) \S+ is not a physician of the group$"),
        lambda m, s: _l("%(where)s: 選んだ医師はこのグループの当番医ではありません。", where=_where(m["key"], s)),
    ),
    (
        re.compile(r"^(?P<key>\S+): (?P<name>.+) is unavailable on (?P<day>[\d-]+)$"),
        lambda m, s: _l("%(name)sさんは%(day)sは当番ができない日です。", name=m["name"], day=_day(m["day"])),
    ),
    (
        re.compile(r"^(?P<key>\S+): (?P<name>.+) is secondary-only but is primary$"),
        lambda m, s: _l("%(name)sさんは副・バックアップのみの医師です。当番（主）にはできません。", name=m["name"]),
    ),
    (
        re.compile(r"^(?P<key>\S+): the same physician is primary and secondary$"),
        lambda m, s: _l("同じ医師を当番（主）と副・バックアップの両方にはできません。"),
    ),
    (
        re.compile(r"^(?P<key>\S+): new physician (?P<name>.+) has no experienced partner$"),
        lambda m, s: _l("%(name)sさんは在宅医療未経験のため、経験のある医師と組む必要があります。", name=m["name"]),
    ),
    (
        re.compile(r"^(?P<day>[\d-]+): (?P<name>.+) has (?P<n>\d+) duties \(.*\)$"),
        lambda m, s: _l("%(name)sさんは%(day)sに当番が重なります（1日1回まで）。", name=m["name"], day=_day(m["day"])),
    ),
    (
        re.compile(
            r"^(?P<name>.+): primary nights on (?P<a>[\d-]+) and (?P<b>[\d-]+) without \d+ free nights between$"
        ),
        lambda m, s: _l(
            "%(name)sさんの夜間の当番（主）が%(a)sと%(b)sで、間に2晩以上空いていません。",
            name=m["name"],
            a=_day(m["a"]),
            b=_day(m["b"]),
        ),
    ),
    (
        re.compile(r"^(?P<name>.+): (?P<n>\d+) duties, more than the cap of (?P<cap>\d+)$"),
        lambda m, s: _l(
            "%(name)sさんの当番が%(n)s回になり、上限の%(cap)s回を超えます。", name=m["name"], n=m["n"], cap=m["cap"]
        ),
    ),
]


_PATTERNS += [
    (
        re.compile(r"^(?P<name>.+): (?P<a>\S+) then (?P<b>\S+): day duty right after a night duty$"),
        lambda m, s: _l(
            "%(name)sさんは%(a)sの夜間の当番明けに%(b)sの当番になります（夜勤明けの日中の当番はできません）。",
            name=m["name"],
            a=_where(m["a"], s),
            b=_where(m["b"], s),
        ),
    ),
    (
        re.compile(
            r"^(?P<name>.+): (?P<a>\S+) then (?P<b>\S+): (?P<h>\d+)h(?P<mm>\d+) free, less than (?P<need>\d+)h$"
        ),
        lambda m, s: _l(
            "%(name)sさんの%(a)sと%(b)sの間の休息が%(h)s時間%(mm)s分で、勤務間インターバル%(need)s時間に足りません。",
            name=m["name"],
            a=_where(m["a"], s),
            b=_where(m["b"], s),
            h=m["h"],
            mm=m["mm"],
            need=m["need"],
        ),
    ),
    (
        re.compile(r"^(?P<name>.+): (?P<n>\d+) days in a row from (?P<day>[\d-]+), more than (?P<cap>\d+)$"),
        lambda m, s: _l(
            "%(name)sさんの当番が%(day)sから%(n)s日連続になり、連続勤務の上限%(cap)s日を超えます。",
            name=m["name"],
            day=_day(m["day"]),
            n=m["n"],
            cap=m["cap"],
        ),
    ),
]


def _japanese(problem: str, shift_names: dict[str, str]) -> str:
    for pattern, say in _PATTERNS:
        match = pattern.match(problem)
        if match:
            return str(say(match, shift_names))
    return problem  # a rule added to violations() later: its own words rather than nothing


def _changed_members(duty: Duty, primary_id: int | None, secondary_id: int | None) -> list[int]:
    affected: set[int] = set()
    for old, new in ((duty.primary_id, primary_id), (duty.secondary_id, secondary_id)):
        if old != new:
            affected |= {i for i in (old, new) if i is not None}
    return sorted(affected)


def assign(
    group: PhysicianGroup, duty: Duty, primary_id: int | None, secondary_id: int | None, year_end=DEFAULT_YEAR_END
) -> list[int]:
    """Give the duty this primary and secondary, or raise RotaError with every problem. Returns the
    members whose duty changed (old and new), for :func:`notify` when the duty is published."""
    problems = check_change(group, duty, primary_id, secondary_id, year_end)
    if problems:
        raise RotaError(_l("変更できません: %(problems)s", problems=" ".join(problems)), "primary")
    affected = _changed_members(duty, primary_id, secondary_id)
    if affected:
        duty.primary_id, duty.secondary_id = primary_id, secondary_id
        db.session.flush()
        _close_overtaken(duty)
    return affected


def get_duty(hub_id: int, duty_id: int) -> Duty | None:
    return db.session.scalars(
        sa.select(Duty).where(Duty.id == duty_id, Duty.hub_id == hub_id).options(selectinload(Duty.shift_type))
    ).first()


# --- telling the physicians ---------------------------------------------------------------------------------


def _duty_text(duty: Duty) -> str:
    start, end = duty.starts_at.astimezone(JST), duty.ends_at.astimezone(JST)
    return f"{format_wareki(duty.day, weekday=True)} {duty.shift_type.name}（{start:%H:%M}〜{end:%H:%M}）"


def _members(member_ids) -> list[GroupMember]:
    ids = [i for i in member_ids if i is not None]
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(GroupMember).where(GroupMember.id.in_(ids)).options(selectinload(GroupMember.person))
        )
    )


def _mail(members: list[GroupMember], subject: str, lines: list[str]) -> int:
    """One message to each member with an e-mail address: their name, then ``lines``."""
    messages = []
    for member in members:
        email = (member.person.email or "").strip()
        if not email:
            continue
        message = EmailMessage()
        message["Subject"] = subject
        message["To"] = email
        body = [f"{member.person.name} 先生", "", *lines, "", "――", "在宅医療連携ハブから送信"]
        message.set_content("\n".join(body) + "\n", charset="utf-8")
        messages.append(message)
    return mail.send_all(messages)  # logs failures, never raises: the change stands whatever happens


def notify(duty: Duty, member_ids: list[int]) -> int:
    """Mail the members whose published duty changed (in Japanese, each their own message); returns the
    number sent or written to the outbox. Drafts and members without an e-mail address are skipped."""
    if duty.published_at is None or not member_ids:
        return 0
    names = {m.id: m.person.name for m in _members([duty.primary_id, duty.secondary_id])}
    lines = [
        "公開済みの当番が変更されました。",
        "",
        f"日時：{_duty_text(duty)}",
        f"当番（主）：{names.get(duty.primary_id, '後方支援病院')}",
        f"副・バックアップ：{names.get(duty.secondary_id, 'なし')}",
    ]
    return _mail(_members(member_ids), f"【当番変更】{_duty_text(duty)}", lines)


#: The subject and first sentence of :func:`notify_swap`'s mail, by the swap's status.
_SWAP_MAIL = {
    "requested": ("交代の依頼", "次の当番の交代を依頼されました。当番の交代のページで引き受けるか決めてください。"),
    "accepted": (
        "交代の引き受け",
        "次の当番の交代が引き受けられました。コーディネーターの承認後に当番表へ反映されます。",
    ),
    "rejected": ("交代の却下", "次の当番の交代依頼はコーディネーターにより却下されました。当番は変わりません。"),
}


def notify_swap(swap: "SwapRequest") -> int:
    """Tell both sides where a swap stands while the duty itself has not changed (a change is told by
    :func:`notify`): the named colleague of a new request, the requester of an acceptance waiting for
    the coordinator, both of a refusal. Returns the number of messages sent."""
    what = _SWAP_MAIL.get(swap.status)
    if what is None:
        return 0
    subject, sentence = what
    if swap.status == SwapStatus.REQUESTED:
        to = [swap.target_member_id]
    elif swap.status == SwapStatus.ACCEPTED:
        to = [swap.requested_by_id]
    else:
        to = [swap.requested_by_id, swap.accepted_by_id or swap.target_member_id]
    names = {m.id: m.person.name for m in _members([swap.requested_by_id, swap.target_member_id, swap.accepted_by_id])}
    taker = names.get(swap.accepted_by_id or swap.target_member_id, "募集中（どなたでも）")
    lines = [
        sentence,
        "",
        f"日時：{_duty_text(swap.duty)}",
        f"役割：{swap.role.label}",
        f"依頼した医師：{names.get(swap.requested_by_id, '')}",
        f"交代先：{taker}",
    ]
    return _mail(_members(to), f"【{subject}】{_duty_text(swap.duty)}", lines)


# --- swaps --------------------------------------------------------------------------------------------------


class SwapStatus(LabelledEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"  #: waiting for the coordinator
    APPROVED = "approved"  #: applied to the duty
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    #: the duty changed hands another way (a hand edit, another swap) while the request was open
    OVERTAKEN = "overtaken"


labelled(
    SwapStatus,
    {
        SwapStatus.REQUESTED: _l("依頼中"),
        SwapStatus.ACCEPTED: _l("承認待ち"),
        SwapStatus.APPROVED: _l("交代済み"),
        SwapStatus.REJECTED: _l("却下"),
        SwapStatus.CANCELLED: _l("取り消し"),
        SwapStatus.OVERTAKEN: _l("当番変更で終了"),
    },
)


class SwapRole(LabelledEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


labelled(SwapRole, {SwapRole.PRIMARY: _l("当番（主）"), SwapRole.SECONDARY: _l("副・バックアップ")})


OPEN_STATUSES = (SwapStatus.REQUESTED, SwapStatus.ACCEPTED)


class SwapRequest(TimestampMixin, db.Model):
    """A physician hands one role of a duty to a named colleague (``target_member_id``) or to the open
    pool (no target); whoever accepts takes the role once the change is applied."""

    __tablename__ = "rota_swap_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    duty_id: Mapped[int] = mapped_column(sa.ForeignKey("duties.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("group_members.id", ondelete="CASCADE"), index=True)
    role: Mapped[SwapRole] = mapped_column(enum_column(SwapRole, 16))
    #: None: the open pool (anyone eligible may take it).
    target_member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("group_members.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SwapStatus] = mapped_column(enum_column(SwapStatus, 16), default=SwapStatus.REQUESTED)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_members.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the coordinator accepted for the colleague (a physician without a login): who did
    accepted_for_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    duty: Mapped[Duty] = relationship()
    requested_by: Mapped[GroupMember] = relationship(foreign_keys=[requested_by_id])
    target: Mapped[GroupMember | None] = relationship(foreign_keys=[target_member_id])
    accepted_by: Mapped[GroupMember | None] = relationship(foreign_keys=[accepted_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def accepted_for(self) -> bool:
        """Accepted by the coordinator on the colleague's behalf."""
        return self.accepted_for_by_user_id is not None

    @property
    def may_accept_for(self) -> bool:
        """The coordinator may accept for the named colleague: a request still waiting for a colleague
        who has no login to accept it themselves."""
        return self.status == SwapStatus.REQUESTED and self.target is not None and self.target.user_id is None


def _proposed(swap: SwapRequest, member_id: int) -> tuple[int | None, int | None]:
    duty = swap.duty
    if swap.role == SwapRole.PRIMARY:
        return member_id, duty.secondary_id
    return duty.primary_id, member_id


def _group(duty: Duty) -> PhysicianGroup:
    return services.get_group(duty.hub_id, duty.group_id)


def request_swap(
    duty: Duty, requester: GroupMember, role: str, target: GroupMember | None = None, year_end=DEFAULT_YEAR_END
) -> SwapRequest:
    """Ask ``target`` (or the open pool) to take the requester's ``role`` on the duty. A named colleague
    must be one who may take it under every hard rule (:func:`swap_candidates` offers only those)."""
    try:
        role = SwapRole(role)
    except ValueError:
        raise RotaError(_l("交代する役割を選んでください。"), "role") from None
    holder = duty.primary_id if role == SwapRole.PRIMARY else duty.secondary_id
    if holder != requester.id:
        raise RotaError(_l("自分の当番だけ交代を依頼できます。"), "role")
    if target is not None and (target.group_id != duty.group_id or not target.is_active or target.id == requester.id):
        raise RotaError(_l("交代先はこのグループの他の医師から選んでください。"), "target")
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SwapRequest)
        .where(SwapRequest.duty_id == duty.id, SwapRequest.role == role, SwapRequest.status.in_(OPEN_STATUSES))
    )
    if pending:
        raise RotaError(_l("この当番にはすでに交代の依頼があります。"), "role")
    if target is not None:
        proposed = (target.id, duty.secondary_id) if role == SwapRole.PRIMARY else (duty.primary_id, target.id)
        problems = check_change(_group(duty), duty, *proposed, year_end=year_end)
        if problems:
            raise RotaError(
                _l(
                    "%(name)sさんには交代できません: %(problems)s", name=target.person.name, problems=" ".join(problems)
                ),
                "target",
            )
    swap = SwapRequest(
        hub_id=duty.hub_id,
        duty=duty,
        requested_by_id=requester.id,
        role=role,
        target_member_id=target.id if target is not None else None,
    )
    db.session.add(swap)
    db.session.flush()
    return swap


def _still_valid(swap: SwapRequest) -> None:
    holder = swap.duty.primary_id if swap.role == SwapRole.PRIMARY else swap.duty.secondary_id
    if holder != swap.requested_by_id:
        raise RotaError(_l("当番が変更されたため、この依頼は無効です。"))


def _apply(swap: SwapRequest, year_end) -> list[int]:
    """Mark the swap approved and change the duty (checked); on RotaError the caller rolls back both."""
    primary_id, secondary_id = _proposed(swap, swap.accepted_by_id)
    swap.status = SwapStatus.APPROVED
    swap.decided_at = utcnow()
    affected = assign(_group(swap.duty), swap.duty, primary_id, secondary_id, year_end)
    db.session.flush()
    return affected


def accept(swap: SwapRequest, member: GroupMember, year_end=DEFAULT_YEAR_END) -> list[int]:
    """``member`` takes the swap (the named target, or anyone of the group from the pool). Applied at
    once when the group needs no approval (returns the affected members), else left for the
    coordinator (returns [])."""
    if swap.status != SwapStatus.REQUESTED:
        raise RotaError(_l("この依頼はもう受けられません。"))
    if swap.target_member_id is not None and swap.target_member_id != member.id:
        raise RotaError(_l("この依頼はほかの医師あてです。"))
    if member.group_id != swap.duty.group_id or not member.is_active or member.id == swap.requested_by_id:
        raise RotaError(_l("この依頼は受けられません。"))
    _still_valid(swap)
    group = _group(swap.duty)
    problems = check_change(group, swap.duty, *_proposed(swap, member.id), year_end=year_end)
    if problems:
        raise RotaError(" ".join(problems))
    swap.accepted_by_id = member.id
    swap.accepted_at = utcnow()
    if group.swaps_need_approval:
        swap.status = SwapStatus.ACCEPTED
        db.session.flush()
        return []
    return _apply(swap, year_end)


def accept_for(swap: SwapRequest, user_id: int, year_end=DEFAULT_YEAR_END) -> list[int]:
    """The coordinator accepts on behalf of the named colleague who has no login (a phone call, a fax):
    recorded as such, checked like their own acceptance, and applied at once (the coordinator is the one
    who would approve it). Returns the affected members."""
    if not swap.may_accept_for:
        raise RotaError(_l("代理で受けられるのは、ログインのない医師あての依頼中の交代だけです。"))
    _still_valid(swap)
    problems = check_change(_group(swap.duty), swap.duty, *_proposed(swap, swap.target.id), year_end=year_end)
    if problems:
        raise RotaError(" ".join(problems))
    swap.accepted_by_id = swap.target.id
    swap.accepted_at = utcnow()
    swap.accepted_for_by_user_id = user_id
    swap.decided_by_user_id = user_id
    return _apply(swap, year_end)


def _close_overtaken(duty: Duty) -> None:
    """Open requests of a duty whose role has changed hands (by hand, or by another swap) end with
    「当番変更で終了」: nobody can act on them any more."""
    for swap in db.session.scalars(
        sa.select(SwapRequest).where(SwapRequest.duty_id == duty.id, SwapRequest.status.in_(OPEN_STATUSES))
    ):
        holder = duty.primary_id if swap.role == SwapRole.PRIMARY else duty.secondary_id
        if holder != swap.requested_by_id:
            swap.status = SwapStatus.OVERTAKEN
            swap.decided_at = utcnow()
    db.session.flush()


def approve(swap: SwapRequest, user_id: int, year_end=DEFAULT_YEAR_END) -> list[int]:
    """The coordinator approves an accepted swap: checked again (the month may have changed), then applied."""
    if swap.status != SwapStatus.ACCEPTED:
        raise RotaError(_l("承認待ちの依頼ではありません。"))
    _still_valid(swap)
    swap.decided_by_user_id = user_id
    return _apply(swap, year_end)


def reject(swap: SwapRequest, user_id: int) -> None:
    if not swap.is_open:
        raise RotaError(_l("この依頼はすでに終わっています。"))
    swap.status = SwapStatus.REJECTED
    swap.decided_by_user_id = user_id
    swap.decided_at = utcnow()
    db.session.flush()


def cancel(swap: SwapRequest, member: GroupMember) -> None:
    """The requester withdraws a swap not yet applied."""
    if swap.requested_by_id != member.id:
        raise RotaError(_l("自分の依頼だけ取り消せます。"))
    if not swap.is_open:
        raise RotaError(_l("この依頼はすでに終わっています。"))
    swap.status = SwapStatus.CANCELLED
    swap.decided_at = utcnow()
    db.session.flush()


def _swaps(*conditions) -> list[SwapRequest]:
    return list(
        db.session.scalars(
            sa.select(SwapRequest)
            .join(Duty, SwapRequest.duty_id == Duty.id)
            .where(*conditions)
            .options(
                selectinload(SwapRequest.duty).selectinload(Duty.shift_type),
                selectinload(SwapRequest.requested_by).selectinload(GroupMember.person),
                selectinload(SwapRequest.target).selectinload(GroupMember.person),
                selectinload(SwapRequest.accepted_by).selectinload(GroupMember.person),
            )
            .order_by(Duty.starts_at, SwapRequest.id)
        )
    )


def get_swap(hub_id: int, swap_id: int) -> SwapRequest | None:
    found = _swaps(SwapRequest.id == swap_id, SwapRequest.hub_id == hub_id)
    return found[0] if found else None


def open_swaps(group: PhysicianGroup) -> list[SwapRequest]:
    """The group's open pool: requests without a named colleague that nobody has taken yet."""
    return _swaps(
        Duty.group_id == group.id, SwapRequest.target_member_id.is_(None), SwapRequest.status == SwapStatus.REQUESTED
    )


def swaps_for_member(member: GroupMember) -> list[SwapRequest]:
    """Requests the member made, was asked, or accepted (finished ones included, newest duties last)."""
    return _swaps(
        sa.or_(
            SwapRequest.requested_by_id == member.id,
            SwapRequest.target_member_id == member.id,
            SwapRequest.accepted_by_id == member.id,
        )
    )


def hub_swaps(hub_id: int) -> list[SwapRequest]:
    """Every request of the hub (the coordinator's list)."""
    return _swaps(SwapRequest.hub_id == hub_id)
