"""The directory's rules: searching, saving, confirming, archiving, and the data import and export use.

Every function takes the hub explicitly; callers pass the request's hub (``g.hub``), so one hub's
directory is never visible from another.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common import jptext
from hubapp.common.errors import DomainError
from hubapp.db import utcnow
from hubapp.directory import search
from hubapp.directory.models import (
    DirectoryFunction,
    Organisation,
    OrganisationType,
    Person,
    Profession,
    organisation_functions,
)
from hubapp.extensions import db

PAGE_SIZE = 30


class DirectoryError(DomainError):
    """A directory rule was broken; the message is for the user."""


@dataclass(frozen=True)
class OrganisationFilter:
    query: str = ""
    type: OrganisationType | None = None
    municipality_code: str | None = None
    function_id: int | None = None
    include_archived: bool = False


def _filtered(hub_id: int, flt: OrganisationFilter) -> sa.Select:
    statement = sa.select(Organisation).where(Organisation.hub_id == hub_id)
    if not flt.include_archived:
        statement = statement.where(Organisation.archived_at.is_(None))
    if flt.type is not None:
        statement = statement.where(Organisation.type == flt.type)
    if flt.municipality_code:
        statement = statement.where(Organisation.municipality_code == flt.municipality_code)
    if flt.function_id:
        statement = statement.where(
            sa.exists().where(
                organisation_functions.c.organisation_id == Organisation.id,
                organisation_functions.c.function_id == flt.function_id,
            )
        )
    if flt.query.strip():
        clause = search.matches(flt.query, db.engine.dialect.name, db.session)
        if clause is not None:
            statement = statement.where(clause)
    return statement


def search_organisations(hub_id: int, flt: OrganisationFilter, page: int = 1, per_page: int = PAGE_SIZE):
    """One page of the hub's organisations matching ``flt``, in 五十音順.

    A fixed number of statements whatever the size: the page, its functions, a count that stops
    after :data:`search.COUNT_CAP` (``page.total`` is then ``COUNT_CAP + 1``: show 「1,000件以上」),
    and with a query on SQLite one look at the index. Pages past the cap are not offered."""
    filtered = _filtered(hub_id, flt)
    statement = filtered.options(selectinload(Organisation.functions)).order_by(Organisation.kana_key, Organisation.id)
    result = db.paginate(statement, page=page, per_page=per_page, error_out=False, max_per_page=200, count=False)
    capped = filtered.with_only_columns(Organisation.id).order_by(None).limit(search.COUNT_CAP + 1).subquery()
    result.total = db.session.scalar(sa.select(sa.func.count()).select_from(capped))
    return result


def all_organisations(hub_id: int, flt: OrganisationFilter | None = None) -> list[Organisation]:
    """Every matching organisation of the hub (exports, the printable list), functions loaded."""
    statement = (
        _filtered(hub_id, flt or OrganisationFilter())
        .options(selectinload(Organisation.functions))
        .order_by(Organisation.kana_key, Organisation.id)
    )
    return list(db.session.scalars(statement))


def get_organisation(hub_id: int, organisation_id: int) -> Organisation | None:
    statement = (
        sa.select(Organisation)
        .where(Organisation.id == organisation_id, Organisation.hub_id == hub_id)
        .options(selectinload(Organisation.functions), selectinload(Organisation.people))
    )
    return db.session.scalars(statement).first()


def functions(include_inactive: bool = False) -> list[DirectoryFunction]:
    statement = sa.select(DirectoryFunction).order_by(DirectoryFunction.sort_order, DirectoryFunction.id)
    if not include_inactive:
        statement = statement.where(DirectoryFunction.is_active.is_(True))
    return list(db.session.scalars(statement))


ORGANISATION_FIELDS = (
    "type",
    "name",
    "name_kana",
    "medical_code",
    "care_code",
    "corporate_number",
    "municipality_code",
    "postcode",
    "address",
    "latitude",
    "longitude",
    "phone",
    "fax",
    "email",
    "url",
    "bed_count",
    "hours_note",
    "note",
)


def save_organisation(
    hub_id: int,
    values: dict,
    function_ids: list[int],
    organisation: Organisation | None = None,
    *,
    source: str = "manual",
) -> Organisation:
    """Create or change an organisation of the hub. Codes must be unique within the hub."""
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"save_organisation: unknown fields {sorted(unknown)}")
    if not (values.get("name") or "").strip():
        raise DirectoryError(_l("名称を入力してください。"), "name")
    for column, label in (("medical_code", _l("医療機関コード")), ("care_code", _l("介護保険事業所番号"))):
        code = values.get(column)
        if code:
            clash = db.session.scalar(
                sa.select(Organisation.id).where(
                    Organisation.hub_id == hub_id,
                    getattr(Organisation, column) == code,
                    Organisation.id != (organisation.id if organisation else -1),
                )
            )
            if clash is not None:
                raise DirectoryError(_l("この%(label)sはすでに登録されています。", label=label), column)
    if organisation is None:
        organisation = Organisation(hub_id=hub_id, source=source)
        db.session.add(organisation)
    for key, value in values.items():
        setattr(organisation, key, value)
    organisation.functions = _functions_by_id(function_ids)
    db.session.flush()
    return organisation


def _functions_by_id(function_ids: list[int]) -> list[DirectoryFunction]:
    if not function_ids:
        return []
    return list(db.session.scalars(sa.select(DirectoryFunction).where(DirectoryFunction.id.in_(function_ids))))


def confirm(organisation: Organisation, user_id: int, today: date) -> None:
    """最終確認: the coordinator checked the row is still right."""
    organisation.last_confirmed_on = today
    organisation.confirmed_by_id = user_id
    db.session.flush()


def is_referenced(organisation: Organisation) -> bool:
    """Whether other records point at the organisation (then it is archived, never deleted)."""
    return db.session.scalar(sa.select(sa.exists().where(Person.organisation_id == organisation.id)))


def remove(organisation: Organisation) -> bool:
    """Delete the organisation, or archive it when other records point at it. True when deleted."""
    if is_referenced(organisation):
        organisation.archived_at = utcnow()
        db.session.flush()
        return False
    db.session.delete(organisation)
    db.session.flush()
    return True


def restore(organisation: Organisation) -> None:
    organisation.archived_at = None
    db.session.flush()


def stale_organisations(hub_id: int, today: date, max_age_days: int, page: int = 1):
    """Rows not confirmed for ``max_age_days`` (or never), oldest first: the re-confirmation list."""
    limit = today - timedelta(days=max_age_days)
    statement = (
        sa.select(Organisation)
        .where(
            Organisation.hub_id == hub_id,
            Organisation.archived_at.is_(None),
            sa.or_(Organisation.last_confirmed_on.is_(None), Organisation.last_confirmed_on < limit),
        )
        .order_by(Organisation.last_confirmed_on.is_not(None), Organisation.last_confirmed_on, Organisation.kana_key)
    )
    return db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)


# --- people -----------------------------------------------------------------------------------------

PERSON_FIELDS = (
    "name",
    "name_kana",
    "profession",
    "organisation_id",
    "job_title",
    "is_manager",
    "is_admin_officer",
    "phone",
    "email",
    "note",
)


def search_people(hub_id: int, query: str = "", profession: Profession | None = None, page: int = 1):
    """People of the hub by kana, name or affiliation, in 五十音順 (three queries per page)."""
    statement = (
        sa.select(Person)
        .where(Person.hub_id == hub_id, Person.archived_at.is_(None))
        .options(selectinload(Person.organisation))
        .order_by(Person.kana_key, Person.id)
    )
    if profession is not None:
        statement = statement.where(Person.profession == profession)
    folded = jptext.fold(query)
    if folded:
        # People are few per hub (hundreds): a LIKE on the folded key and name is enough here.
        statement = statement.where(
            sa.or_(
                Person.kana_key.contains(folded, autoescape=True),
                Person.name.contains(query.strip(), autoescape=True),
            )
        )
    return db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)


def get_person(hub_id: int, person_id: int) -> Person | None:
    statement = (
        sa.select(Person)
        .where(Person.id == person_id, Person.hub_id == hub_id)
        .options(selectinload(Person.organisation))
    )
    return db.session.scalars(statement).first()


def save_person(hub_id: int, values: dict, person: Person | None = None) -> Person:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"save_person: unknown fields {sorted(unknown)}")
    if not (values.get("name") or "").strip():
        raise DirectoryError(_l("氏名を入力してください。"), "name")
    organisation_id = values.get("organisation_id")
    if organisation_id and get_organisation(hub_id, organisation_id) is None:
        raise DirectoryError(_l("所属機関が見つかりません。"), "organisation_id")
    if person is None:
        person = Person(hub_id=hub_id)
        db.session.add(person)
    for key, value in values.items():
        setattr(person, key, value)
    db.session.flush()
    return person


def organisation_choices(hub_id: int) -> list[tuple[int, str]]:
    """(id, name) of the hub's current organisations in 五十音順, for an affiliation picker."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.hub_id == hub_id, Organisation.archived_at.is_(None))
        .order_by(Organisation.kana_key, Organisation.id)
    )
    return [(row.id, row.name) for row in rows]


def is_stale(organisation: Organisation, today: date, max_age_days: int) -> bool:
    confirmed = organisation.last_confirmed_on
    return confirmed is None or confirmed < today - timedelta(days=max_age_days)


def add_function(label: str) -> DirectoryFunction:
    """Add a function to the controlled list (admins)."""
    if any(separator in label for separator in ("、", ",", "・")):
        raise DirectoryError(_l("機能の名称に「、」「,」「・」は使えません（ファイルでは区切りに使います）。"), "label")
    exists = db.session.scalar(sa.select(DirectoryFunction.id).where(DirectoryFunction.label == label))
    if exists is not None:
        raise DirectoryError(_l("この機能はすでにあります。"), "label")
    last = db.session.scalar(sa.select(sa.func.max(DirectoryFunction.sort_order))) or 0
    number = db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryFunction)) + 1
    function = DirectoryFunction(code=f"custom_{number}", label=label, sort_order=last + 10)
    db.session.add(function)
    db.session.flush()
    return function


def set_function_active(function: DirectoryFunction, active: bool) -> None:
    """Retire (or bring back) a function: organisations keep it, new choices no longer offer it."""
    function.is_active = active
    db.session.flush()


def hospital_choices(hub_id: int) -> list[tuple[int, str]]:
    """The hub's hospitals, in kana order (backup hospitals of the rota, bed agreements)."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(
            Organisation.hub_id == hub_id,
            Organisation.archived_at.is_(None),
            Organisation.type.in_([OrganisationType.HOSPITAL, OrganisationType.HOME_CARE_HOSPITAL]),
        )
        .order_by(Organisation.kana_key)
    )
    return [(r.id, r.name) for r in rows]


def confirmed_since(hub_id: int, oldest: date) -> tuple[int, int]:
    """(active organisations confirmed on or after ``oldest``, active organisations) (one query)."""
    confirmed, active = db.session.execute(
        sa.select(sa.func.sum(sa.case((Organisation.last_confirmed_on >= oldest, 1), else_=0)), sa.func.count()).where(
            Organisation.hub_id == hub_id, Organisation.archived_at.is_(None)
        )
    ).one()
    return int(confirmed or 0), int(active or 0)


def type_counts(hub_id: int) -> list[tuple[str, int]]:
    """(type label, active organisations of it) in the types' order — the region's resources (one query)."""
    return [
        (kind.label, count)
        for kind, count in db.session.execute(
            sa.select(Organisation.type, sa.func.count())
            .where(Organisation.hub_id == hub_id, Organisation.archived_at.is_(None))
            .group_by(Organisation.type)
            .order_by(Organisation.type)
        )
    ]


def organisations_by_name(hub_id: int) -> dict[str, Organisation]:
    """The hub's organisations (archived too) by name, for the demo data and tests that name them."""
    statement = sa.select(Organisation).where(Organisation.hub_id == hub_id).order_by(Organisation.id)
    return {o.name: o for o in db.session.scalars(statement)}


def organisations_by_type(hub_id: int) -> dict:
    """The hub's active organisations by 種別, each list in the order they were added."""
    found: dict = {}
    for organisation in db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.hub_id == hub_id, Organisation.archived_at.is_(None))
        .order_by(Organisation.id)
    ):
        found.setdefault(organisation.type, []).append(organisation)
    return found


def people_by_name(hub_id: int) -> dict[str, Person]:
    """The hub's people (archived too) by name, for the demo data."""
    statement = sa.select(Person).where(Person.hub_id == hub_id).order_by(Person.id)
    return {p.name: p for p in db.session.scalars(statement)}


# --- what other domains choose from the directory (one query each) ---------------------------------------


def organisations_by_ids(hub_id: int, ids) -> dict[int, Organisation]:
    """The hub's organisations among ``ids`` (archived too), by id; ids of another hub are left out."""
    if not ids:
        return {}
    found = db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(sorted(set(ids))), Organisation.hub_id == hub_id)
    )
    return {organisation.id: organisation for organisation in found}


def organisation_choices_by_type(hub_id: int, keep_ids=frozenset()) -> dict[str, list[tuple[int, str]]]:
    """The hub's organisations grouped by type label (in ``OrganisationType``'s order, 五十音順 within):
    current ones, and archived ones in ``keep_ids`` (already chosen on the entry being edited)."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.type)
        .where(
            Organisation.hub_id == hub_id,
            sa.or_(Organisation.archived_at.is_(None), Organisation.id.in_(sorted(keep_ids))),
        )
        .order_by(Organisation.kana_key, Organisation.id)
    )
    grouped: dict[OrganisationType, list[tuple[int, str]]] = {t: [] for t in OrganisationType}
    for row in rows:
        grouped[OrganisationType(row.type)].append((row.id, row.name))
    return {t.label: items for t, items in grouped.items() if items}


def organisations_with_people_choices(hub_id: int) -> list[tuple[int, str]]:
    """(id, name) of the hub's current organisations that have current people, 五十音順."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.hub_id == hub_id, Organisation.archived_at.is_(None))
        .where(sa.exists().where(Person.organisation_id == Organisation.id, Person.archived_at.is_(None)))
        .order_by(Organisation.kana_key)
    )
    return [(r.id, r.name) for r in rows]


def person_choices(hub_id: int) -> list[tuple[int, str]]:
    """(id, 「氏名（所属）」) of the hub's current people, 五十音順."""
    rows = db.session.execute(
        sa.select(Person.id, Person.name, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(Person.hub_id == hub_id, Person.archived_at.is_(None))
        .order_by(Person.kana_key)
    )
    return [(pid, f"{name}（{org}）" if org else name) for pid, name, org in rows]


def profession_choices(hub_id: int, profession: Profession) -> list[tuple[int, str]]:
    """(id, 氏名) of the hub's current people of ``profession``, 五十音順."""
    rows = db.session.execute(
        sa.select(Person.id, Person.name)
        .where(Person.hub_id == hub_id, Person.archived_at.is_(None), Person.profession == profession)
        .order_by(Person.kana_key)
    )
    return [(r.id, r.name) for r in rows]


def people_to_invite(
    hub_id: int, person_ids: list[int], organisation_ids: list[int], professions: list[Profession]
) -> list[Person]:
    """The hub's current people chosen by person, by organisation and by profession, 所属 loaded."""
    conditions = []
    if person_ids:
        conditions.append(Person.id.in_(person_ids))
    if organisation_ids:
        conditions.append(Person.organisation_id.in_(organisation_ids))
    if professions:
        conditions.append(Person.profession.in_(professions))
    if not conditions:
        return []
    statement = (
        sa.select(Person)
        .where(Person.hub_id == hub_id, Person.archived_at.is_(None), sa.or_(*conditions))
        .options(selectinload(Person.organisation))
        .order_by(Person.kana_key, Person.id)
    )
    return list(db.session.scalars(statement))
