"""Programs as data: one TOML file per funding program under hubapp/compliance/programs/, loaded and
checked strictly at start-up. A new prefecture's program is a new file, not new code; a malformed file
stops the app with a message naming the file and the field.

A file has a ``[program]`` table (code, title, seed, the source document's title ``document``, authority,
optional maps_to), ``[[items]]`` (code,
title, passage, quote, domains, rule, optional maps_to and planned) and, for programs whose hubs file a
plan, ``[[menus]]`` (code, title, item, optional amount, start_years). Rules are evaluated by
hubapp/compliance/evaluate.py; :data:`RULES` lists each rule type's parameters and their types.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROGRAM_DIR = Path(__file__).with_name("programs")

MEETING_KINDS = (
    "multidisciplinary", "admin_managers", "training_multidisciplinary", "training_accompanied_visit",
    "training_mutual_understanding", "case_conference", "working_group", "public_lecture", "disaster",
)  # fmt: skip
MEETING_TOPICS = (
    "issue_extraction", "study_case", "disaster", "information_sharing", "admission_discharge", "end_of_life",
    "emergency", "dementia", "other",
)  # fmt: skip
SCENES = ("discharge", "daily_care", "emergency", "end_of_life")
DOMAINS = ("directory", "meetings", "rota", "beds", "consultations", "hubs", "manual")

#: rule type -> {parameter: (type, required, allowed values or None)}
RULES: dict[str, dict[str, tuple[type, bool, tuple | None]]] = {
    "meetings": {
        "min": (int, True, None),
        "kinds": (list, False, MEETING_KINDS),
        "topics": (list, False, MEETING_TOPICS),
        "scenes": (list, False, SCENES),
        "with_admin_officer": (bool, False, None),
        "with_manager": (bool, False, None),
    },
    "consultations": {"min": (int, False, None), "each_quarter": (bool, False, None)},
    "rota_coverage": {},
    "patient_pairs": {"min": (int, True, None)},
    "substitute_visits": {"min": (int, True, None)},
    "bed_agreement": {"all_year": (bool, True, None), "min_beds": (int, False, None)},
    "directory_confirmed": {"max_age_days": (int, True, None), "min_share": (float, True, None)},
    "municipalities": {"min": (int, True, None)},
    "dedicated_staff": {"min": (int, True, None)},
    "manual": {},
}


class ProgramFileError(ValueError):
    """A program file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Rule:
    type: str
    params: dict[str, Any]

    def get(self, name: str, default=None):
        return self.params.get(name, default)


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    passage: str
    quote: str
    domains: tuple[str, ...]
    rule: Rule
    planned: bool = False  #: 望ましい / optional: shown, but not counted as a shortfall
    maps_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Menu:
    code: str
    title: str
    item: str
    amount: str = ""
    start_years: tuple[str, ...] = ()


@dataclass(frozen=True)
class Program:
    code: str
    title: str
    seed: str
    authority: str
    items: tuple[Item, ...]
    #: The source document's title, as cited in pages and exports (the seed file's name is storage only).
    document: str = ""
    menus: tuple[Menu, ...] = ()
    maps_to: str = ""
    file: str = ""
    by_code: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def item(self, code: str) -> Item | None:
        return self.by_code.get(code)


def _keys(where: str, table: dict, required: set[str], optional: set[str]) -> None:
    if not isinstance(table, dict):
        raise ProgramFileError(f"{where}: expected a table")
    missing = sorted(required - table.keys())
    if missing:
        raise ProgramFileError(f"{where}: missing field '{missing[0]}'")
    unknown = sorted(table.keys() - required - optional)
    if unknown:
        raise ProgramFileError(f"{where}: unknown field '{unknown[0]}'")


def _text(where: str, value, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ProgramFileError(f"{where}: expected a non-empty string")
    return value


def _rule(where: str, raw) -> Rule:
    if not isinstance(raw, dict) or "type" not in raw:
        raise ProgramFileError(f"{where}: expected a table with a 'type'")
    kind = raw["type"]
    if kind not in RULES:
        raise ProgramFileError(f"{where}.type: unknown rule type '{kind}' (known: {', '.join(RULES)})")
    spec = RULES[kind]
    params = {k: v for k, v in raw.items() if k != "type"}
    _keys(where, params, {k for k, (_t, req, _a) in spec.items() if req}, set(spec))
    for name, value in params.items():
        expected, _required, allowed = spec[name]
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            raise ProgramFileError(f"{where}.{name}: expected {expected.__name__}")
        if expected is list:
            if not value:
                raise ProgramFileError(f"{where}.{name}: expected at least one value")
            bad = [v for v in value if v not in allowed]
            if bad:
                raise ProgramFileError(f"{where}.{name}: unknown value '{bad[0]}'")
        if expected is int and value < 0:
            raise ProgramFileError(f"{where}.{name}: expected 0 or more")
    if kind == "consultations" and not params:
        raise ProgramFileError(f"{where}: a consultations rule needs 'min' or 'each_quarter'")
    if kind == "directory_confirmed" and not 0 <= params["min_share"] <= 1:
        raise ProgramFileError(f"{where}.min_share: expected a share from 0 to 1")
    return Rule(kind, {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})


def load_file(path: Path) -> Program:
    """One program file, checked field by field."""
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProgramFileError(f"{name}: not valid TOML: {error}") from None
    _keys(name, raw, {"program", "items"}, {"menus"})
    head = raw["program"]
    _keys(f"{name}: [program]", head, {"code", "title", "seed", "authority", "document"}, {"maps_to"})
    items, seen = [], set()
    if not isinstance(raw["items"], list) or not raw["items"]:
        raise ProgramFileError(f"{name}: items: expected at least one [[items]]")
    for n, entry in enumerate(raw["items"], start=1):
        where = f"{name}: items[{n}]"
        _keys(where, entry, {"code", "title", "passage", "quote", "domains", "rule"}, {"maps_to", "planned"})
        code = _text(f"{where}.code", entry["code"])
        if code in seen:
            raise ProgramFileError(f"{where}.code: '{code}' appears twice")
        seen.add(code)
        domains = entry["domains"]
        if not isinstance(domains, list) or not domains or any(d not in DOMAINS for d in domains):
            raise ProgramFileError(f"{where}.domains: expected a list of {', '.join(DOMAINS)}")
        planned = entry.get("planned", False)
        if not isinstance(planned, bool):
            raise ProgramFileError(f"{where}.planned: expected true or false")
        maps_to = entry.get("maps_to", [])
        if not isinstance(maps_to, list) or not all(isinstance(m, str) for m in maps_to):
            raise ProgramFileError(f"{where}.maps_to: expected a list of item codes")
        items.append(
            Item(
                code=code,
                title=_text(f"{where}.title", entry["title"]),
                passage=_text(f"{where}.passage", entry["passage"]),
                quote=_text(f"{where}.quote", entry["quote"]),
                domains=tuple(domains),
                rule=_rule(f"{where}.rule", entry["rule"]),
                planned=planned,
                maps_to=tuple(maps_to),
            )
        )
    menus = []
    for n, entry in enumerate(raw.get("menus", []), start=1):
        where = f"{name}: menus[{n}]"
        _keys(where, entry, {"code", "title", "item"}, {"amount", "start_years"})
        if entry["item"] not in seen:
            raise ProgramFileError(f"{where}.item: no item '{entry['item']}' in this file")
        years = entry.get("start_years", [])
        if not isinstance(years, list) or not all(isinstance(y, str) for y in years):
            raise ProgramFileError(f'{where}.start_years: expected a list such as ["R8", "R9"]')
        menus.append(
            Menu(
                code=_text(f"{where}.code", entry["code"]),
                title=_text(f"{where}.title", entry["title"]),
                item=entry["item"],
                amount=_text(f"{where}.amount", entry.get("amount", ""), empty=True),
                start_years=tuple(years),
            )
        )
    program = Program(
        code=_text(f"{name}: [program].code", head["code"]),
        title=_text(f"{name}: [program].title", head["title"]),
        seed=_text(f"{name}: [program].seed", head["seed"]),
        authority=_text(f"{name}: [program].authority", head["authority"]),
        items=tuple(items),
        document=_text(f"{name}: [program].document", head["document"]),
        menus=tuple(menus),
        maps_to=head.get("maps_to", ""),
        file=name,
    )
    program.by_code.update({i.code: i for i in program.items})
    return program


def load_programs(directory: Path = PROGRAM_DIR) -> dict[str, Program]:
    """Every ``*.toml`` of ``directory`` by program code; cross-file references checked."""
    programs: dict[str, Program] = {}
    for path in sorted(directory.glob("*.toml")):
        program = load_file(path)
        if program.code in programs:
            raise ProgramFileError(
                f"{path.name}: [program].code: '{program.code}' is also in {programs[program.code].file}"
            )
        programs[program.code] = program
    for program in programs.values():
        if program.maps_to:
            target = programs.get(program.maps_to)
            if target is None:
                raise ProgramFileError(f"{program.file}: [program].maps_to: no program '{program.maps_to}'")
            for item in program.items:
                for code in item.maps_to:
                    if target.item(code) is None:
                        raise ProgramFileError(
                            f"{program.file}: item {item.code}.maps_to: no item '{code}' in {target.file}"
                        )
    return programs
