"""Importing a directory file into a hub: match rows, preview the changes, apply them all or none.

Matching an incoming row to an organisation already in the hub's directory, in this order:
医療機関コード, 介護保険事業所番号, then the folded name and address together, then 法人番号 when
exactly one organisation has it (several offices often share a corporation's number). A matched row
updates the organisation; a value the file leaves empty never erases one already there (files of
the older layouts carry only some columns). Importing the same file again changes nothing.

Nothing is written when any row is rejected: the preview lists every rejected row by line and column,
and the commit refuses until the file is corrected.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common import jptext
from hubapp.directory.models import DirectoryFunction, Organisation, OrganisationType
from hubapp.directory.parsing import DirectoryFileError, parse_file
from hubapp.directory.records import OrganisationRecord, ParsedFile, RowError
from hubapp.directory.services import ORGANISATION_FIELDS
from hubapp.extensions import db

__all__ = ["DirectoryFileError", "ImportPlan", "plan_import", "apply_import", "parse_file"]

#: Fields copied from a record to an organisation (functions are handled apart).
FIELDS = (*ORGANISATION_FIELDS, "last_confirmed_on")


@dataclass
class Update:
    organisation: Organisation
    record: OrganisationRecord
    #: {field: (old, new)} for display
    changes: dict[str, tuple]
    functions: list[DirectoryFunction] | None = None


@dataclass
class ImportPlan:
    layout: str
    encoding: str
    additions: list[tuple[OrganisationRecord, list[DirectoryFunction]]] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def can_commit(self) -> bool:
        return not self.errors and bool(self.additions or self.updates)


def _name_address_key(name: str, address: str) -> tuple[str, str]:
    return jptext.fold(name), jptext.fold(address)


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def plan_import(hub_id: int, parsed: ParsedFile) -> ImportPlan:
    """What importing ``parsed`` into the hub would do. Reads, never writes (three queries)."""
    plan = ImportPlan(layout=parsed.layout, encoding=parsed.encoding, errors=list(parsed.errors))
    existing = list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.hub_id == hub_id).options(selectinload(Organisation.functions))
        )
    )
    by_medical = {o.medical_code: o for o in existing if o.medical_code}
    by_care = {o.care_code: o for o in existing if o.care_code}
    by_name = {_name_address_key(o.name, o.address): o for o in existing}
    corporate: dict[str, list[Organisation]] = {}
    for o in existing:
        if o.corporate_number:
            corporate.setdefault(o.corporate_number, []).append(o)
    functions = {jptext.fold(f.label): f for f in db.session.scalars(sa.select(DirectoryFunction))}

    seen: dict[int, int] = {}  # organisation id -> line that matched it
    seen_codes: dict[tuple[str, str], int] = {}
    for record in parsed.records:
        duplicate = _duplicate_in_file(record, seen_codes)
        if duplicate:
            plan.errors.append(duplicate)
            continue
        wanted_functions = None
        if record.functions:
            wanted_functions, unknown = [], []
            for label in record.functions:
                found = functions.get(jptext.fold(label))
                (wanted_functions.append(found) if found else unknown.append(label))
            if unknown:
                plan.errors.append(
                    RowError(
                        record.line,
                        "機能",
                        str(
                            _l(
                                "機能「%(labels)s」は機能の一覧にありません（管理者が追加できます）。",
                                labels="、".join(unknown),
                            )
                        ),
                    )
                )
                continue
        match = (
            (record.medical_code and by_medical.get(record.medical_code))
            or (record.care_code and by_care.get(record.care_code))
            or by_name.get(_name_address_key(record.name, record.address))
            or (
                record.corporate_number
                and len(corporate.get(record.corporate_number, [])) == 1
                and corporate[record.corporate_number][0]
            )
            or None
        )
        if match is None:
            plan.additions.append((record, wanted_functions or []))
            continue
        if match.id in seen:
            plan.errors.append(
                RowError(
                    record.line,
                    "名称",
                    str(
                        _l(
                            "%(line)d行目と同じ機関に当たります（コードまたは名称と所在地が同じです）。",
                            line=seen[match.id],
                        )
                    ),
                )
            )
            continue
        seen[match.id] = record.line
        changes = {
            name: (getattr(match, name), getattr(record, name))
            for name in FIELDS
            if _should_change(name, getattr(match, name), getattr(record, name))
        }
        function_change = wanted_functions is not None and {f.id for f in wanted_functions} != {
            f.id for f in match.functions
        }
        if changes or function_change:
            plan.updates.append(Update(match, record, changes, wanted_functions if function_change else None))
        else:
            plan.unchanged += 1
    plan.errors.sort(key=lambda e: (e.line, e.column))
    return plan


def _should_change(name: str, old, new) -> bool:
    if _is_empty(new) or new == old:
        return False
    if name == "type" and new == OrganisationType.OTHER:
        return False  # open data's catch-all kind never overrides a type someone chose
    # a file's note never replaces the hub's own
    return not (name == "note" and old)


def _duplicate_in_file(record: OrganisationRecord, seen_codes: dict) -> RowError | None:
    for column, value in (("医療機関コード", record.medical_code), ("介護保険事業所番号", record.care_code)):
        if value:
            key = (column, value)
            if key in seen_codes:
                return RowError(
                    record.line,
                    column,
                    str(
                        _l(
                            "%(column)s %(code)s は%(line)d行目にもあります。",
                            column=column,
                            code=value,
                            line=seen_codes[key],
                        )
                    ),
                )
            seen_codes[key] = record.line
    return None


class ImportRefused(ValueError):
    """The plan has rejected rows: nothing was written."""


def apply_import(hub_id: int, plan: ImportPlan, source: str) -> tuple[int, int]:
    """Write the plan (the caller commits once). Returns (added, updated)."""
    if plan.errors:
        raise ImportRefused(str(_l("エラーのある行があるため、取り込みませんでした。")))
    for record, functions in plan.additions:
        organisation = Organisation(hub_id=hub_id, source=source)
        for name in FIELDS:
            value = getattr(record, name)
            if not _is_empty(value):
                setattr(organisation, name, value)
        organisation.functions = functions
        db.session.add(organisation)
    for update in plan.updates:
        for name, (_old, new) in update.changes.items():
            setattr(update.organisation, name, new)
        if update.functions is not None:
            update.organisation.functions = update.functions
        update.organisation.source = source
    db.session.flush()
    return len(plan.additions), len(plan.updates)


def read_and_plan(hub_id: int, data: bytes, filename: str) -> ImportPlan:
    """Parse and plan in one step; raises DirectoryFileError for a file that cannot be read at all."""
    return plan_import(hub_id, parse_file(data, filename))
