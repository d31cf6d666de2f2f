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
    errors: list[RowError] = field(default_factory=list)  #: of the refused rows
    warnings: list[RowWarning] = field(default_factory=list)  #: of rows taken with a warning
    header: list[str] = field(default_factory=list)
    refused_rows: dict[int, list[str]] = field(default_factory=dict)
    #: The publisher's list this file is (see :func:`import_key_of`), and the organisations of the hub last
    #: imported from that list that this file no longer has (to archive or keep: the coordinator's choice).
    import_key: str = ""
    disappeared: list[Organisation] = field(default_factory=list)
    #: Organisations the file matched that carry another list's key (or none) yet
    relabel: list[Organisation] = field(default_factory=list)

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


def plan_import(hub_id: int, parsed: ParsedFile, filename: str = "") -> ImportPlan:
    """What importing ``parsed`` into the hub would do. Reads, never writes (three queries)."""
    plan = ImportPlan(
        layout=parsed.layout,
        encoding=parsed.encoding,
        errors=list(parsed.errors),
        header=parsed.header,
        refused_rows=dict(parsed.refused_rows),
        import_key=import_key_of(parsed.layout, filename),
    )
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

    # One organisation per group of rows: rows sharing a code, a name and address, or a match.
    groups: list[tuple[OrganisationRecord, Organisation | None]] = []
    owner: dict[tuple, int] = {}  # key -> index in groups
    for record in parsed.records:
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
        keys = [
            (str(_l("医療機関コード %(code)s", code=record.medical_code)), None) if record.medical_code else None,
            (str(_l("介護保険事業所番号 %(code)s", code=record.care_code)), None) if record.care_code else None,
            (str(_l("名称と所在地が同じ")), _name_address_key(record.name, record.address)),
            (str(_l("登録済みの同じ機関に当たる")), match.id) if match is not None else None,
        ]
        keys = [k for k in keys if k is not None]
        found = next(((owner[k], k[0]) for k in keys if k in owner), None)
        if found is not None:
            index, why = found
            _merge(groups[index][0], record, why)
            groups[index] = (groups[index][0], groups[index][1] or match)
        else:
            index = len(groups)
            groups.append((record, match))
        for k in keys:
            owner.setdefault(k, index)

    matched: set[int] = set()
    for record, match in groups:
        plan.warnings += record.warnings
        wanted_functions = None
        if record.functions:
            wanted_functions, unknown = [], []
            for label in record.functions:
                found = functions.get(jptext.fold(label))
                (wanted_functions.append(found) if found else unknown.append(label))
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
        if match is None:
            plan.additions.append((record, wanted_functions or []))
            continue
        matched.add(match.id)
        if match.import_key != plan.import_key:
            plan.relabel.append(match)
        changes = {
            name: (getattr(match, name), getattr(record, name))
            for name in FIELDS
            if _should_change(name, getattr(match, name), getattr(record, name))
        }
        function_change = bool(wanted_functions) and {f.id for f in wanted_functions} != {
            f.id for f in match.functions
        }
        if changes or function_change:
            plan.updates.append(Update(match, record, changes, wanted_functions if function_change else None))
        else:
            plan.unchanged += 1
    plan.errors.sort(key=lambda e: (e.line, e.column))
    plan.warnings.sort(key=lambda w: w.line)
    plan.disappeared = [
        o for o in existing if o.import_key == plan.import_key and o.id not in matched and o.archived_at is None
    ]
    plan.disappeared.sort(key=lambda o: o.kana_key)
    return plan


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
    for update in plan.updates:
        for name, (_old, new) in update.changes.items():
            setattr(update.organisation, name, new)
        if update.functions is not None:
            update.organisation.functions = update.functions
        update.organisation.source = source
    for organisation in plan.relabel:
        organisation.import_key = plan.import_key
    archived = 0
    if archive_disappeared:
        moment = now or utcnow()
        for organisation in plan.disappeared:
            organisation.archived_at = moment
            archived += 1
    db.session.flush()
    return len(plan.additions), len(plan.updates), archived


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
    from hubapp.db import utcnow
    from hubapp.directory.models import organisation_functions, search_values

    table = Organisation.__table__
    now = utcnow()
    for start in range(0, len(plan.additions), INSERT_BATCH):
        batch = plan.additions[start : start + INSERT_BATCH]
        rows = []
        for record, _functions in batch:
            values = {name: getattr(record, name) for name in FIELDS if not _is_empty(getattr(record, name))}
            values.setdefault("name_kana", "")
            values.setdefault("address", "")
            values.update(hub_id=hub_id, source=source, import_key=plan.import_key, created_at=now, updated_at=now)
            values.update(search_values(values["name"], values["name_kana"], values["address"], values["type"]))
            rows.append({c.name: values.get(c.name, _default(c)) for c in table.columns if c.name != "id"})
        ids = db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        links = [
            {"organisation_id": row["id"], "function_id": function.id}
            for row, (_record, functions) in zip(rows, batch, strict=True)
            for function in functions
        ]
        if links:
            db.session.execute(sa.insert(organisation_functions), links)
        record_inserted(Organisation, rows)


def _default(column):
    """A column's Python-side default (scalar or callable), as the ORM would have applied it."""
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg


def read_and_plan(hub_id: int, data: bytes, filename: str, mapping_name: str | None = None) -> ImportPlan:
    """Parse (a known layout, the IMI style, or a saved mapping of the hub; ``mapping_name``: that one only)
    and plan in one step. Raises DirectoryFileError for a file that cannot be read at all — UnknownLayout
    when its columns need mapping first."""
    mappings = hub_mappings(hub_id)
    mapping = None
    if mapping_name is not None:
        mapping = next((m for m in mappings if m.name == mapping_name), None)
        if mapping is None:
            names = "、".join(m.name for m in mappings) or "（なし）"
            raise UnknownMapping(f"保存した対応「{mapping_name}」はこの拠点にありません（保存した対応: {names}）。")
    return plan_import(hub_id, parse_file(data, filename, mapping=mapping, mappings=mappings), filename)


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
                u.organisation.name,
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
