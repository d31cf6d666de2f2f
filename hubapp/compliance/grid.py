"""The prefecture officer's table (管内の拠点): every hub the officer may see × every item of the programs
those hubs report to, with each item's status and figure, 必須 n/m per hub; sorted on the server
(``?sort=``) so the header links work without JavaScript; the same table as XLSX.

Sort keys (``-`` in front reverses; ties always fall back to kana order):

- ``kana`` (default): the hub's name in kana order (Hub.name_kana);
- ``required``: share of the hub's required items (not ``planned``) that are 達成, lowest first;
- ``item:<program>:<item>``: that item's status, 未達成 first (hubs not reporting to it last).
"""

import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from hubapp.common.csvcells import neutralise
from hubapp.compliance.evaluate import Result, Status
from hubapp.compliance.programs import Item, Program

#: Worst first: the order of an item's statuses when sorting by it.
STATUS_ORDER = {Status.UNMET: 0, Status.PARTIAL: 1, Status.MANUAL: 2, Status.MET: 3}
DEFAULT_SORT = "kana"


@dataclass(frozen=True)
class Column:
    """One item of one program: a column of the table (a row of a hub's card on a phone)."""

    program: Program
    item: Item

    @property
    def key(self) -> str:
        return f"{self.program.code}:{self.item.code}"

    @property
    def label(self) -> str:
        return f"{self.item.code} {self.item.title}"


@dataclass
class HubRow:
    hub: object
    programs: list[Program]
    results: dict[str, Result] = field(default_factory=dict)  #: by Column.key

    @property
    def required(self) -> int:
        return sum(1 for r in self.results.values() if not r.item.planned)

    @property
    def met(self) -> int:
        return sum(1 for r in self.results.values() if not r.item.planned and r.status == Status.MET)

    @property
    def share(self) -> float | None:
        return self.met / self.required if self.required else None

    def result(self, column: Column) -> Result | None:
        return self.results.get(column.key)


@dataclass
class Grid:
    groups: list[tuple[Program, list[Column]]]  #: the columns, grouped by program (catalogue order)
    rows: list[HubRow]
    sort: str

    @property
    def columns(self) -> list[Column]:
        return [c for _program, columns in self.groups for c in columns]

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def toggle(self, key: str, *, descending_first: bool = False) -> str:
        """The ``sort`` value a header link for ``key`` points to: the other direction when the table
        is already sorted by it."""
        if self.sort_key == key:
            return key if self.descending else f"-{key}"
        return f"-{key}" if descending_first else key

    def aria_sort(self, key: str) -> str | None:
        if self.sort_key != key:
            return None
        return "descending" if self.descending else "ascending"

    def choices(self) -> list[tuple[str, str]]:
        """Every sort as (value, Japanese label): the form above the table (phones, no header links)."""
        options = [
            ("kana", _("拠点名の五十音順")),
            ("required", _("必須の達成率が低い順")),
            ("-required", _("必須の達成率が高い順")),
        ]
        for column in self.columns:
            options.append((f"item:{column.key}", _("%(item)s：未達成から", item=column.label)))
        return options


def build(hub_results: list[tuple[object, list[tuple[Program, list[Result]]]]], catalogue: dict, sort: str) -> Grid:
    """The table from each hub's evaluated programs (hubs in kana order, as visible_hubs gives them)."""
    used = {program.code for _hub, results in hub_results for program, _items in results}
    groups = [
        (program, [Column(program, item) for item in program.items])
        for code, program in catalogue.items()
        if code in used
    ]
    rows = []
    for hub, results in hub_results:
        row = HubRow(hub, [program for program, _items in results])
        for program, items in results:
            for r in items:
                row.results[f"{program.code}:{r.item.code}"] = r
        rows.append(row)
    keys = {"kana", "required"} | {f"item:{c.key}" for _p, columns in groups for c in columns}
    if sort.removeprefix("-") not in keys:
        sort = DEFAULT_SORT
    grid = Grid(groups, rows, sort)
    grid.rows = _sorted(rows, grid.sort_key, grid.descending)
    return grid


def _sorted(rows: list[HubRow], key: str, descending: bool) -> list[HubRow]:
    by_kana = sorted(rows, key=lambda r: (r.hub.name_kana or "", r.hub.id))
    if key == "kana":
        return list(reversed(by_kana)) if descending else by_kana
    if key == "required":
        value = lambda r: r.share  # noqa: E731
    else:
        column_key = key.removeprefix("item:")

        def value(r: HubRow):
            found = r.results.get(column_key)
            return None if found is None else STATUS_ORDER[found.status]

    known = [r for r in by_kana if value(r) is not None]
    unknown = [r for r in by_kana if value(r) is None]  # nothing to compare: last, in either direction
    # sorted() is stable with reverse=True too, so ties stay in kana order
    return sorted(known, key=value, reverse=descending) + unknown


# --- XLSX -------------------------------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def workbook(grid: Grid, title: str) -> bytes:
    """One sheet: a row per hub (拠点, 報告する事業, 必須 n/m, then 状況 and 実績 per item). Three header
    rows (program title, item code and title, 状況/実績), frozen with the hub's name. The labels are
    Japanese whatever the interface language, as in the evidence pack (hubapp/compliance/pack.py): the
    file goes to the prefecture."""
    book = Workbook()
    sheet = book.active
    sheet.title = _cell(title)[:31]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fixed = ["拠点", "報告する事業", "必須"]
    for n, label in enumerate(fixed, start=1):
        sheet.cell(row=1, column=n, value=label)
        sheet.merge_cells(start_row=1, start_column=n, end_row=3, end_column=n)
    column = len(fixed) + 1
    for program, columns in grid.groups:
        sheet.cell(row=1, column=column, value=_cell(program.title))
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 2 * len(columns) - 1)
        for c in columns:
            label = c.label + ("（望ましい）" if c.item.planned else "")
            sheet.cell(row=2, column=column, value=_cell(label))
            sheet.merge_cells(start_row=2, start_column=column, end_row=2, end_column=column + 1)
            sheet.cell(row=3, column=column, value="状況")
            sheet.cell(row=3, column=column + 1, value="実績")
            column += 2
    last = column - 1
    for row in sheet.iter_rows(min_row=1, max_row=3, max_col=last):
        for cell in row:
            cell.font, cell.alignment = bold, wrap
    for n, hub_row in enumerate(grid.rows, start=4):
        values = [
            hub_row.hub.name,
            "、".join(p.title for p in hub_row.programs),
            f"{hub_row.met}/{hub_row.required}",
        ]
        for c in grid.columns:
            found = hub_row.result(c)
            values += [str(found.status.label), found.figure] if found else ["対象外", ""]
        for m, value in enumerate(values, start=1):
            sheet.cell(row=n, column=m, value=_cell(value)).alignment = wrap
    sheet.freeze_panes = "B4"
    widths = [24, 30, 8] + [12, 28] * len(grid.columns)
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.row_dimensions[2].height = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
