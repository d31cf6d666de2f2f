"""Importing a directory file into a hub: match rows, preview the changes, apply them all or none.

Each row of the file is *taken*, *taken with a warning* (a value left out or changed, see
:class:`~hubapp.directory.records.RowWarning`), or *refused* (it cannot become an organisation: no name,
values that cannot be aligned to the columns). Rows that stand for one organisation — the same
医療機関コード or 介護保険事業所番号, the same name and address, or matching the same organisation of the
directory — are merged into one (the first row's values win, empty ones are filled from the others,
機能 and 診療科目 are united) with a warning.

Matching an incoming row to an organisation already in the hub's directory, in this order:
医療機関コード, 介護保険事業所番号, then the folded name and address together, then 法人番号 when
exactly one organisation has it (several offices often share a corporation's number). A matched row
updates the organisation; a value the file leaves empty never erases one already there (files of
the older layouts carry only some columns). Importing the same file again changes nothing.

When rows are refused nothing is written unless the coordinator chooses to leave them out
(``skip_refused``); whatever is written is written in one transaction.
"""

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from hubapp.common import jptext
from hubapp.directory.models import DirectoryFunction, Organisation, OrganisationType
from hubapp.directory.parsing import DirectoryFileError, UnknownLayout, parse_file
from hubapp.directory.records import OrganisationRecord, ParsedFile, RowError, RowWarning, WarningKind
from hubapp.directory.services import ORGANISATION_FIELDS
from hubapp.extensions import db

__all__ = ["DirectoryFileError", "ImportPlan", "UnknownLayout", "apply_import", "parse_file", "plan_import"]

#: Fields copied from a record to an organisation (functions are handled apart).
FIELDS = (*ORGANISATION_FIELDS, "last_confirmed_on")


@dataclass
class Update:
    """An organisation of the directory the file changes (by id: the plan holds no ORM object, a national
    list has 100,000 of them)."""

    organisation_id: int
    name: str  #: its name now, for the preview
    record: OrganisationRecord
    #: {field: (old, new)} for display
    changes: dict[str, tuple]
    functions: list[DirectoryFunction] | None = None


@dataclass(frozen=True)
class Gone:
    """An organisation last imported from the publisher's list that this file no longer has."""

    id: int
    name: str
    address: str


@dataclass
class ImportPlan:
    layout: str
    encoding: str
    additions: list[tuple[OrganisationRecord, list[DirectoryFunction]]] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  #: of the refused rows
    warnings: list[RowWarning] = field(default_factory=list)  #: of rows taken with a warning
    header: list[str] = field(default_factory=list)
    refused_rows: dict[int, list[str]] = field(default_factory=dict)
    #: The publisher's list this file is (see :func:`import_key_of`), and the organisations of the hub last
    #: imported from that list that this file no longer has (to archive or keep: the coordinator's choice).
    import_key: str = ""
    disappeared: list[Gone] = field(default_factory=list)
    #: Ids of the organisations the file matched that carry another list's key (or none) yet
    relabel: list[int] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """Rows refused."""
        return len({e.line for e in self.errors})

    @property
    def warned(self) -> int:
        """Rows taken with a warning."""
        return len({w.line for w in self.warnings})

    @property
    def has_changes(self) -> bool:
        return bool(self.additions or self.updates)

    @property
    def can_commit(self) -> bool:
        """Everything can be taken as it is (no row refused)."""
        return not self.errors and (self.has_changes or bool(self.disappeared))

    @property
    def can_commit_skipping(self) -> bool:
        """Some rows are refused, the others can be taken («エラーの行を除いて取り込む»)."""
        return bool(self.errors) and (self.has_changes or bool(self.disappeared))


def _name_address_key(name: str, address: str) -> tuple[str, str]:
    return jptext.fold(name), jptext.fold(address)


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def _merge(first: OrganisationRecord, later: OrganisationRecord, why: str) -> None:
    """``later`` is the same organisation as ``first``: fill what ``first`` lacks, unite functions and
    診療科目, keep the rest of ``later``'s note, and say so on ``later``'s line."""
    for name in FIELDS:
        if name != "note" and _is_empty(getattr(first, name)) and not _is_empty(getattr(later, name)):
            setattr(first, name, getattr(later, name))
    first.functions += [f for f in later.functions if f not in first.functions]
    first.note = _united_note(first.note, later.note)
    first.lines.append(later.line)
    first.warnings += later.warnings
    first.warnings.append(
        RowWarning(
            later.line,
            "名称",
            str(_l("%(line)d行目と同じ機関（%(why)s）として1つにまとめました。", line=first.line, why=why)),
            WarningKind.MERGED,
        )
    )


def _united_note(first: str, later: str) -> str:
    """Notes of merged rows: 「診療科目: 内科」 and 「診療科目: 外科」 become 「診療科目: 内科、外科」; other lines
    of the later note are added when they are new."""
    lines = first.split("\n") if first else []
    for line in later.split("\n") if later else []:
        label, _sep, value = line.partition(": ")
        same = next((n for n, existing in enumerate(lines) if value and existing.startswith(label + ": ")), None)
        if same is not None and label == "診療科目":
            values = lines[same].partition(": ")[2].split("、")
            lines[same] = f"{label}: " + "、".join([*values, *(v for v in value.split("、") if v not in values)])
        elif line not in lines:
            lines.append(line)
    return "\n".join(lines)


def import_key_of(layout: str, filename: str) -> str:
    """The publisher's list a file is: its layout (or saved mapping) and its file name without the dates,
    numbers and separators that change from one edition to the next (「iryo_2026-04.csv」, 「iryo_2026-10.csv」)."""
    import re
    import unicodedata

    stem = unicodedata.normalize("NFKC", filename.rsplit("/", 1)[-1]).rsplit(".", 1)[0]
    stem = re.sub(r"令和|平成|時点|現在|版|[0-9年月日_\-\s.()（）]", "", stem)
    return f"{layout}|{stem}"[:200]


#: Rows per fetch when reading the hub's directory (streamed: a national directory has 100,000 rows).
READ_BATCH = 5_000


@dataclass
class _Keys:
    """What matching needs of the hub's directory, by organisation id (a few strings per row, never the
    organisations themselves)."""

    by_medical: dict[str, int] = field(default_factory=dict)
    by_care: dict[str, int] = field(default_factory=dict)
    by_name: dict[tuple[str, str], int] = field(default_factory=dict)
    corporate: dict[str, list[int]] = field(default_factory=dict)
    of_this_list: set[int] = field(default_factory=set)  #: not archived, last imported from this list
    of_other_lists: set[int] = field(default_factory=set)


def _directory_keys(hub_id: int, import_key: str) -> _Keys:
    """One streamed query over the hub's organisations."""
    keys = _Keys()
    query = (
        sa.select(
            Organisation.id,
            Organisation.medical_code,
            Organisation.care_code,
            Organisation.name,
            Organisation.address,
            Organisation.corporate_number,
            Organisation.import_key,
            Organisation.archived_at,
        )
        .where(Organisation.hub_id == hub_id)
        .order_by(Organisation.id)
        .execution_options(yield_per=READ_BATCH)
    )
    for row in db.session.execute(query):
        if row.medical_code:
            keys.by_medical[row.medical_code] = row.id
        if row.care_code:
            keys.by_care[row.care_code] = row.id
        keys.by_name[_name_address_key(row.name, row.address)] = row.id
        if row.corporate_number:
            keys.corporate.setdefault(row.corporate_number, []).append(row.id)
        if row.import_key != import_key:
            keys.of_other_lists.add(row.id)
        elif row.archived_at is None:
            keys.of_this_list.add(row.id)
    return keys


def plan_import(hub_id: int, parsed: ParsedFile, filename: str = "") -> ImportPlan:
    """What importing ``parsed`` into the hub would do. Reads, never writes (four queries, whatever the
    size of the file or of the directory: the directory is streamed, its keys first, then the values of the
    organisations the file matched)."""
    plan = ImportPlan(
        layout=parsed.layout,
        encoding=parsed.encoding,
        errors=list(parsed.errors),
        header=parsed.header,
        refused_rows=dict(parsed.refused_rows),
        import_key=import_key_of(parsed.layout, filename),
    )
    keys = _directory_keys(hub_id, plan.import_key)
    functions = {jptext.fold(f.label): f for f in db.session.scalars(sa.select(DirectoryFunction))}

    # One organisation per group of rows: rows sharing a code, a name and address, or a match.
    groups: list[tuple[OrganisationRecord, int | None]] = []
    # key -> index in groups, by kind of key (one dict per kind: no tuple per key, 300,000 keys for a
    # national file)
    owner: dict[str, dict] = {"medical": {}, "care": {}, "name": {}, "match": {}}
    for record in parsed.records:
        shared = record.corporate_number and keys.corporate.get(record.corporate_number, [])
        name_key = _name_address_key(record.name, record.address)
        match = (
            (record.medical_code and keys.by_medical.get(record.medical_code))
            or (record.care_code and keys.by_care.get(record.care_code))
            or keys.by_name.get(name_key)
            or (shared[0] if shared and len(shared) == 1 else None)
            or None
        )
        group_keys = [
            ("medical", record.medical_code) if record.medical_code else None,
            ("care", record.care_code) if record.care_code else None,
            ("name", name_key),
            ("match", match) if match is not None else None,
        ]
        group_keys = [k for k in group_keys if k is not None]
        found = next((k for k in group_keys if k[1] in owner[k[0]]), None)
        if found is not None:
            index = owner[found[0]][found[1]]
            _merge(groups[index][0], record, _why_merged(*found))
            groups[index] = (groups[index][0], groups[index][1] or match)
        else:
            index = len(groups)
            groups.append((record, match))
        for kind, value in group_keys:
            owner[kind].setdefault(value, index)
    del owner
    plan.relabel = sorted(keys.of_other_lists.intersection(m for _r, m in groups if m is not None))
    gone_ids = keys.of_this_list
    del keys  # the directory's keys are no longer needed

    matched: dict[int, tuple[OrganisationRecord, list[DirectoryFunction] | None]] = {}
    for record, match in groups:
        plan.warnings += record.warnings
        wanted_functions = _wanted_functions(plan, record, functions)
        if match is None:
            plan.additions.append((record, wanted_functions or []))
        else:
            matched[match] = (record, wanted_functions)
    del groups
    gone_ids.difference_update(matched)
    _compare(hub_id, plan, matched, gone_ids)
    plan.errors.sort(key=lambda e: (e.line, e.column))
    plan.warnings.sort(key=lambda w: w.line)
    return plan


def _why_merged(kind: str, value) -> str:
    """Why a row was merged into an earlier one, for its warning (translated only for rows merged)."""
    if kind == "medical":
        return str(_l("医療機関コード %(code)s", code=value))
    if kind == "care":
        return str(_l("介護保険事業所番号 %(code)s", code=value))
    if kind == "name":
        return str(_l("名称と所在地が同じ"))
    return str(_l("登録済みの同じ機関に当たる"))


def _wanted_functions(plan: ImportPlan, record: OrganisationRecord, functions: dict) -> list | None:
    """The record's 機能 as the directory's functions; labels not in the list go to the note, with a warning."""
    if not record.functions:
        return None
    wanted, unknown = [], []
    for label in record.functions:
        found = functions.get(jptext.fold(label))
        (wanted.append(found) if found else unknown.append(label))
    if unknown:
        labels = "、".join(unknown)
        plan.warnings.append(
            RowWarning(
                record.line,
                "機能",
                str(_l("機能「%(labels)s」は機能の一覧にないため、備考に残しました（管理者が一覧に追加できます）。", labels=labels)),
                WarningKind.UNKNOWN_FUNCTION,
            )
        )
        record.note = "\n".join(n for n in (record.note, f"機能（一覧にないもの）: {labels}") if n)
    return wanted


def _compare(hub_id: int, plan: ImportPlan, matched: dict, gone_ids: set[int]) -> None:
    """The matched organisations' values against their records (two streamed queries): updates, unchanged,
    and the organisations that disappeared from the list."""
    from hubapp.directory.models import organisation_functions

    links: dict[int, set[int]] = {}
    query = (
        sa.select(organisation_functions.c.organisation_id, organisation_functions.c.function_id)
        .join(Organisation, Organisation.id == organisation_functions.c.organisation_id)
        .where(Organisation.hub_id == hub_id)
        .execution_options(yield_per=READ_BATCH)
    )
    for organisation_id, function_id in db.session.execute(query):
        if organisation_id in matched:
            links.setdefault(organisation_id, set()).add(function_id)
    columns = [getattr(Organisation, name) for name in FIELDS]
    query = (
        sa.select(Organisation.id, Organisation.kana_key, *columns)
        .where(Organisation.hub_id == hub_id)
        .order_by(Organisation.id)
        .execution_options(yield_per=READ_BATCH)
    )
    gone = []
    for row in db.session.execute(query):
        if row.id in gone_ids:
            gone.append((row.kana_key, Gone(row.id, row.name, row.address)))
        if row.id not in matched:
            continue
        record, wanted_functions = matched[row.id]
        changes = {
            name: (getattr(row, name), getattr(record, name))
            for name in FIELDS
            if _should_change(name, getattr(row, name), getattr(record, name))
        }
        function_change = bool(wanted_functions) and {f.id for f in wanted_functions} != links.get(row.id, set())
        if changes or function_change:
            plan.updates.append(
                Update(row.id, row.name, record, changes, wanted_functions if function_change else None)
            )
        else:
            plan.unchanged += 1
    plan.updates.sort(key=lambda u: u.record.line)  # the file's order, as the preview lists them
    gone.sort(key=lambda item: item[0])
    plan.disappeared = [g for _kana, g in gone]


def _should_change(name: str, old, new) -> bool:
    if _is_empty(new) or new == old:
        return False
    if name == "type" and new == OrganisationType.OTHER:
        return False  # open data's catch-all kind never overrides a type someone chose
    # a file's note never replaces the hub's own
    return not (name == "note" and old)


class ImportRefused(ValueError):
    """The plan has rejected rows: nothing was written."""


def apply_import(
    hub_id: int,
    plan: ImportPlan,
    source: str,
    *,
    skip_refused: bool = False,
    archive_disappeared: bool = False,
    now=None,
) -> tuple[int, int, int]:
    """Write the plan (the caller commits once). Refused rows stop it unless ``skip_refused`` leaves them
    out; ``archive_disappeared`` archives the organisations the publisher's list no longer has (else they
    are kept as they are). Returns (added, updated, archived)."""
    from hubapp.db import utcnow

    if plan.errors and not skip_refused:
        raise ImportRefused(str(_l("エラーのある行があるため、取り込みませんでした。")))
    _insert(hub_id, plan, source)
    updates = {u.organisation_id: u for u in plan.updates}
    for organisation in _organisations(hub_id, list(updates), with_functions=True):
        update = updates[organisation.id]
        for name, (_old, new) in update.changes.items():
            setattr(organisation, name, new)
        if update.functions is not None:
            organisation.functions = update.functions
        organisation.source = source
    for organisation in _organisations(hub_id, plan.relabel):
        organisation.import_key = plan.import_key
    archived = 0
    if archive_disappeared:
        moment = now or utcnow()
        for organisation in _organisations(hub_id, [g.id for g in plan.disappeared]):
            organisation.archived_at = moment
            archived += 1
    db.session.flush()
    return len(plan.additions), len(plan.updates), archived


#: Organisations changed per flush by an import (the ORM's unit of work, audited, holds each batch only).
UPDATE_BATCH = 1_000


def _organisations(hub_id: int, ids: list[int], *, with_functions: bool = False):
    """The hub's organisations of ``ids`` as ORM objects, a batch at a time, each batch flushed once the
    caller has changed it (so no more than one batch is held in memory)."""
    for start in range(0, len(ids), UPDATE_BATCH):
        query = sa.select(Organisation).where(
            Organisation.hub_id == hub_id, Organisation.id.in_(ids[start : start + UPDATE_BATCH])
        )
        if with_functions:
            query = query.options(selectinload(Organisation.functions))
        yield from db.session.scalars(query).all()
        db.session.flush()


class UnknownMapping(DirectoryFileError):
    """``--mapping NAME`` names no mapping of the hub."""


def hub_mappings(hub_id: int):
    """The hub's saved mappings, as the parser takes them (one query)."""
    from hubapp.directory.models import ImportMapping
    from hubapp.directory.parsing import Mapping

    return [
        Mapping(m.name, dict(m.fields), OrganisationType(m.organisation_type) if m.organisation_type else None)
        for m in db.session.scalars(sa.select(ImportMapping).where(ImportMapping.hub_id == hub_id).order_by(ImportMapping.id))
    ]


#: Organisations inserted per statement (a national file has 15,000 to 100,000 rows).
INSERT_BATCH = 2_000


def _insert(hub_id: int, plan: ImportPlan, source: str) -> None:
    """The additions through Core in batches (the ORM's unit of work held every row and its history in
    memory, ten times slower): the same values, search keys and audit rows a flush would have written."""
    from hubapp.audit.services import record_inserted
    from hubapp.db import insert_many, utcnow
    from hubapp.directory.models import organisation_functions, search_values

    table = Organisation.__table__
    now = utcnow()
    # every column, in the table's order: its default, then the record's value when it has one
    defaults = {c.name: _default(c) for c in table.columns if c.name != "id"}
    defaults.update(hub_id=hub_id, source=source, import_key=plan.import_key, created_at=now, updated_at=now)
    for start in range(0, len(plan.additions), INSERT_BATCH):
        batch = plan.additions[start : start + INSERT_BATCH]
        rows = []
        for record, _functions in batch:
            values = dict(defaults)
            for name in FIELDS:
                value = getattr(record, name)
                if value is not None and value != "" and value != []:
                    values[name] = value
            values.update(search_values(values["name"], values["name_kana"], values["address"], values["type"]))
            rows.append(values)
        db.session.flush()  # the unit of work's pending rows first: nothing may come between insert and ids
        new_ids = insert_many(db.session.connection(), table, rows, return_ids=True)
        for row, new_id in zip(rows, new_ids, strict=True):
            row["id"] = new_id
        links = [
            {"organisation_id": row["id"], "function_id": function.id}
            for row, (_record, functions) in zip(rows, batch, strict=True)
            for function in functions
        ]
        if links:
            insert_many(db.session.connection(), organisation_functions, links)
        record_inserted(Organisation, rows)


def _default(column):
    """A column's Python-side default (scalar or callable), as the ORM would have applied it."""
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg


def read_and_plan(
    hub_id: int, data: bytes, filename: str, mapping_name: str | None = None, kept=None
) -> ImportPlan:
    """Parse (a known layout, the IMI style, or a saved mapping of the hub; ``mapping_name``: that one only)
    and plan in one step. Raises DirectoryFileError for a file that cannot be read at all — UnknownLayout
    when its columns need mapping first. ``kept`` (:class:`~hubapp.directory.uploads.KeptParse`): where the
    upload's parse is kept — taken from there when it is the parse of these bytes with these mappings and this
    parser, else made and kept there."""
    from hubapp.directory.records import parse_from_plain, plain_parse

    mappings = hub_mappings(hub_id)
    mapping = None
    if mapping_name is not None:
        mapping = next((m for m in mappings if m.name == mapping_name), None)
        if mapping is None:
            names = "、".join(m.name for m in mappings) or "（なし）"
            raise UnknownMapping(f"保存した対応「{mapping_name}」はこの拠点にありません（保存した対応: {names}）。")
    key = _parse_key(data, filename, mapping_name, mappings)
    plain = kept.load(key) if kept is not None else None
    if plain is not None:
        parsed = parse_from_plain(plain)
    else:
        parsed = parse_file(data, filename, mapping=mapping, mappings=mappings)
        if kept is not None:
            kept.save(key, plain_parse(parsed))
    return plan_import(hub_id, parsed, filename)


def _parse_key(data: bytes, filename: str, mapping_name: str | None, mappings) -> str:
    """What a parse depends on: the bytes and the file's name (a type may come from it), the mapping asked
    for, the hub's mappings and the parser's code."""
    import hashlib
    import json

    described = [
        [m.name, sorted(m.fields.items()), m.organisation_type and m.organisation_type.value] for m in mappings
    ]
    text = json.dumps([_parser_version(), filename, mapping_name, described], ensure_ascii=False)
    return hashlib.sha256(data).hexdigest() + hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _parser_version() -> str:
    """A digest of the parser's source (a parse kept by an older release is not taken as this one's)."""
    import hashlib
    from pathlib import Path

    from hubapp.directory import parsing, records

    files = sorted(Path(parsing.__file__).parent.glob("*.py")) + [Path(records.__file__)]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


#: Warnings and refusals per page of the preview, and rows shown of the additions and updates.
PAGE_SIZE = 100
SAMPLE = 100


def _label(name: str) -> str:
    from hubapp.directory.records import FIELD_LABELS

    return FIELD_LABELS.get(name, name)


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "type":
        return OrganisationType(value).label
    return str(value)


def preview_of(plan: ImportPlan, filename: str) -> dict:
    """Everything the preview's pages show, as plain data (kept beside the upload): the counts, every
    refusal and warning by line and column, their totals by column and kind, and the first additions and
    updates with their changes in Japanese."""
    from collections import Counter

    issues = [[e.line, e.column, e.message, "refused"] for e in plan.errors]
    issues += [[w.line, w.column, w.message, "warning"] for w in plan.warnings]
    issues.sort(key=lambda i: (i[0], i[3] != "refused"))
    kinds = Counter((w.column, WarningKind.LABELS.get(w.kind, w.kind)) for w in plan.warnings)
    return {
        "filename": filename,
        "layout": plan.layout,
        "encoding": plan.encoding,
        "additions": len(plan.additions),
        "updates": len(plan.updates),
        "unchanged": plan.unchanged,
        "warned": plan.warned,
        "refused": plan.refused,
        "can_commit": plan.can_commit,
        "can_commit_skipping": plan.can_commit_skipping,
        "disappeared": len(plan.disappeared),
        "gone": [[o.name, o.address] for o in plan.disappeared[:SAMPLE]],
        "issues": issues,
        "warning_totals": [[column, kind, n] for (column, kind), n in sorted(kinds.items(), key=lambda x: -x[1])],
        "added": [
            [r.line, r.name, r.name_kana, r.type.label, r.address, r.phone] for r, _functions in plan.additions[:SAMPLE]
        ],
        "updated": [
            [
                u.record.line,
                u.name,
                [[_label(name), _shown(name, old), _shown(name, new)] for name, (old, new) in u.changes.items()]
                + (
                    [[_label("functions"), "", "、".join(f.label for f in u.functions)]]
                    if u.functions is not None
                    else []
                ),
            ]
            for u in plan.updates[:SAMPLE]
        ],
    }


REASON_HEADER = "取り込めなかった理由"


def refused_file(plan: ImportPlan) -> bytes:
    """The refused rows in the file's own layout (its header, its cells) with a reason column at the end,
    to correct and import again: CSV in cp932 when the file was cp932, else UTF-8 with BOM."""
    import csv
    import io

    from hubapp.directory.exporting import CP932_ERRORS, neutralise

    reasons: dict[int, list[str]] = {}
    for error in plan.errors:
        reasons.setdefault(error.line, []).append(f"{error.column}: {error.message}")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in [*plan.header, REASON_HEADER]])
    for line, cells in sorted(plan.refused_rows.items()):
        padded = [*cells, *[""] * (len(plan.header) - len(cells))]
        writer.writerow([neutralise(c) for c in [*padded, f"{line}行目 " + " / ".join(reasons.get(line, []))]])
    text = out.getvalue()
    if plan.encoding == "cp932":
        return text.encode("cp932", errors=CP932_ERRORS)
    return text.encode("utf-8-sig")


def save_mapping(
    hub_id: int,
    name: str,
    headers: list[str],
    choices: list[str],
    organisation_type: str,
    user_id: int | None,
):
    """Keep the coordinator's mapping of a layout for the hub (replacing one of the same name): ``choices``
    holds a field (or "") per header. Raises DirectoryError with the message for the page."""
    from hubapp.directory.models import ImportMapping
    from hubapp.directory.parsing import MAPPABLE_FIELDS
    from hubapp.directory.parsing.mapping import key
    from hubapp.directory.services import DirectoryError

    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DirectoryError(_l("対応の名前を100文字以内で入力してください（例: 香取市 病院一覧）。"), "mapping_name")
    if len(choices) != len(headers) or any(c and c not in MAPPABLE_FIELDS for c in choices):
        raise DirectoryError(_l("列の対応を選び直してください。"), "fields")
    chosen = [c for c in choices if c]
    if "name" not in chosen:
        raise DirectoryError(_l("名称の列を選んでください。"), "fields")
    twice = sorted({MAPPABLE_FIELDS[c] for c in chosen if chosen.count(c) > 1})
    if twice:
        raise DirectoryError(_l("「%(fields)s」に2つ以上の列を選んでいます。1つにしてください。", fields="、".join(twice)), "fields")
    fields = {key(h): c for h, c in zip(headers, choices, strict=True) if c and key(h)}
    if organisation_type:
        try:
            fixed = OrganisationType(organisation_type)
        except ValueError:
            raise DirectoryError(_l("種別を選び直してください。"), "organisation_type") from None
    else:
        fixed = None
    mapping = db.session.scalars(
        sa.select(ImportMapping).where(ImportMapping.hub_id == hub_id, ImportMapping.name == name)
    ).first() or ImportMapping(hub_id=hub_id, name=name, created_by_id=user_id)
    mapping.fields, mapping.headers, mapping.organisation_type = fields, list(headers), fixed
    db.session.add(mapping)
    db.session.flush()
    return mapping
