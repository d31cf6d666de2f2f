"""Hubs: who sees which hub, the current hub of a request, and changes to a hub's profile and area.

Isolation rule (SPEC, rules of the house 3): an admin sees every hub; a prefecture officer reads every
hub whose 都道府県コード is the officer's; everyone else sees the hubs they are a member of. Every
hub-scoped query of every domain goes through :func:`visible_hub_ids` or :func:`get_visible_hub`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common.errors import DomainError
from hubapp.common.roles import Role
from hubapp.extensions import db
from hubapp.hubs.models import Hub, HubMembership, HubMunicipality, OperatorType

if TYPE_CHECKING:
    from hubapp.auth.models import User


class HubError(DomainError):
    """A rule about hubs was broken; the message is for the user (Japanese)."""


def _visible_filter(user: "User") -> sa.ColumnElement[bool]:
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role == Role.PREFECTURE:
        if not user.prefecture_code:
            return sa.false()
        return Hub.prefecture_code == user.prefecture_code
    member_of = sa.select(HubMembership.hub_id).where(HubMembership.user_id == user.id)
    return Hub.id.in_(member_of)


def _visible_query(user: "User") -> sa.Select:
    return (
        sa.select(Hub)
        .where(_visible_filter(user))
        .options(selectinload(Hub.municipalities))
        .order_by(Hub.name_kana, Hub.id)
    )


def visible_hubs(user: "User") -> list[Hub]:
    """The hubs ``user`` may see, kana order, with their municipalities loaded."""
    return list(db.session.scalars(_visible_query(user)))


def visible_hubs_page(user: "User", page: int, per_page: int = 50):
    """One page of :func:`visible_hubs` (Flask-SQLAlchemy's Pagination): three queries per page."""
    return db.paginate(_visible_query(user), page=page, per_page=per_page, error_out=False)


def visible_hub_choices(user: "User") -> list[tuple[int, str]]:
    """(id, name) of the hubs ``user`` may see, kana order: one light query for the hub switcher."""
    query = sa.select(Hub.id, Hub.name).where(_visible_filter(user)).order_by(Hub.name_kana, Hub.id)
    return [(row.id, row.name) for row in db.session.execute(query)]


def visible_hub_ids(user: "User") -> list[int]:
    return list(db.session.scalars(sa.select(Hub.id).where(_visible_filter(user)).order_by(Hub.id)))


def get_visible_hub(user: "User", hub_id: int) -> Hub | None:
    """The hub, or None when it does not exist *or* the user may not see it (callers answer 404)."""
    query = (
        sa.select(Hub)
        .where(Hub.id == hub_id, _visible_filter(user))
        .options(selectinload(Hub.municipalities))
    )
    return db.session.scalars(query).first()




def can_edit_hub(user: "User", hub: Hub) -> bool:
    """Admins edit every hub; a coordinator edits the hubs they are a member of."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.COORDINATOR:
        return False
    return any(m.hub_id == hub.id for m in user.memberships)


@dataclass(frozen=True)
class AreaSummary:
    """The region figures of a hub (program A §5): totals over its municipalities."""

    municipality_count: int
    population: int
    aging_rate: Decimal | None
    is_wide_area: bool


def area_summary(hub: Hub) -> AreaSummary:
    """Total population and the population-weighted aging rate; 広域型 when ≥2 municipalities."""
    areas = hub.municipalities
    population = sum(a.population for a in areas)
    rate = None
    if population:
        aged = sum(Decimal(a.population) * a.aging_rate for a in areas)
        rate = (aged / population).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return AreaSummary(len(areas), population, rate, len(areas) >= 2)


def check_municipality_code(code: str) -> bool:
    """Whether ``code`` is a well-formed 全国地方公共団体コード (five digits and the check digit)."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
    return int(code[5]) == (11 - total % 11) % 10


def create_hub(
    *,
    name: str,
    name_kana: str,
    operator_type: OperatorType,
    prefecture_code: str,
    operator_name: str = "",
    dedicated_staff_count: int = 0,
    phone: str = "",
    address: str = "",
) -> Hub:
    hub = Hub(
        name=name,
        name_kana=name_kana,
        operator_type=operator_type,
        operator_name=operator_name,
        prefecture_code=prefecture_code,
        dedicated_staff_count=dedicated_staff_count,
        phone=phone,
        address=address,
    )
    db.session.add(hub)
    db.session.flush()
    return hub


def update_hub(hub: Hub, **values) -> Hub:
    allowed = {
        "name", "name_kana", "operator_type", "operator_name", "dedicated_staff_count", "phone", "address",
        "pack_attendee_names",
    }  # fmt: skip
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"update_hub: unknown fields {sorted(unknown)}")
    if values.get("dedicated_staff_count", 0) < 0:
        raise HubError(_l("専任者数は0以上で入力してください。"), "dedicated_staff_count")
    for key, value in values.items():
        setattr(hub, key, value)
    db.session.flush()
    return hub


def save_municipality(
    hub: Hub,
    *,
    code: str,
    name: str,
    population: int,
    aging_rate: Decimal,
    figures_as_of: date,
    area: HubMunicipality | None = None,
) -> HubMunicipality:
    """Add a municipality to the hub's area, or change ``area``; the code must be valid, in the hub's
    prefecture, and not already in the area."""
    if not check_municipality_code(code):
        raise HubError(_l("全国地方公共団体コードは検査数字を含む6桁の数字で入力してください。"), "code")
    if code[:2] != hub.prefecture_code:
        raise HubError(_l("拠点と同じ都道府県の市区町村を入力してください。"), "code")
    if not (Decimal(0) <= aging_rate <= Decimal(100)):
        raise HubError(_l("高齢化率は0〜100の範囲で入力してください。"), "aging_rate")
    if population < 0:
        raise HubError(_l("人口は0以上で入力してください。"), "population")
    clash = db.session.scalar(
        sa.select(HubMunicipality.id).where(
            HubMunicipality.hub_id == hub.id,
            HubMunicipality.code == code,
            HubMunicipality.id != (area.id if area else -1),
        )
    )
    if clash is not None:
        raise HubError(_l("この市区町村はすでに登録されています。"), "code")
    if area is None:
        area = HubMunicipality(hub=hub)
        db.session.add(area)
    area.code, area.name, area.population = code, name, population
    area.aging_rate, area.figures_as_of = aging_rate, figures_as_of
    db.session.flush()
    return area


def remove_municipality(area: HubMunicipality) -> None:
    db.session.delete(area)
    db.session.flush()


def set_memberships(user: "User", hub_ids: list[int]) -> None:
    """Make ``user`` a member of exactly these hubs."""
    current = {m.hub_id: m for m in user.memberships}
    for hub_id in set(current) - set(hub_ids):
        user.memberships.remove(current[hub_id])
    for hub_id in hub_ids:
        if hub_id not in current:
            user.memberships.append(HubMembership(hub_id=hub_id))
    db.session.flush()


def member_logins(hub_id: int, roles) -> list[tuple[int, str, str]]:
    """(user id, display name, username) of the hub's active logins in ``roles``, by kana: the people a
    form offers as 担当者, bed manager or a physician's own login. One query."""
    from hubapp.auth.models import User

    rows = db.session.execute(
        sa.select(User.id, User.display_name, User.username)
        .join(HubMembership, HubMembership.user_id == User.id)
        .where(HubMembership.hub_id == hub_id, User.role.in_(list(roles)), User.is_active.is_(True))
        .order_by(User.display_kana, User.id)
    )
    return [(r.id, r.display_name, r.username) for r in rows]


def find_hub_by_name(name: str) -> Hub | None:
    return db.session.scalars(sa.select(Hub).where(Hub.name == name)).first()


def missing_hub_ids(hub_ids: list[int]) -> list[int]:
    """Those of ``hub_ids`` that name no hub."""
    found = set(db.session.scalars(sa.select(Hub.id).where(Hub.id.in_(hub_ids))))
    return [h for h in hub_ids if h not in found]


def get_hub(hub_id: int) -> Hub | None:
    """A hub by id, whoever asks: for what has its own key (a calendar feed's token, a meeting's hub)."""
    return db.session.get(Hub, hub_id)


def all_hub_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Hub.id).order_by(Hub.id)))
