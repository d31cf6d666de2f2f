"""The statistics as files: CSV (UTF-8 with BOM, or cp932 for older Excel) and XLSX with charts.

Pure functions over a :class:`~hubapp.consultations.statistics.YearStatistics`: no request, no database.
Cells are defused against formula injection and cp932 gets the directory export's stand-ins for
characters it lacks (``hubapp.directory.exporting``: the same rules for every file the app writes).

Only counts leave the app this way: no consultation, no pseudonym.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hubapp.common.csvcells import CP932_ERRORS, CSV_ENCODINGS, neutralise
from hubapp.common.jpcalendar import format_month
from hubapp.consultations.statistics import StatRow, StatTable, YearStatistics

SUMMARY_SHEET = "月別"
TOTAL = "年度計"
SUM_ROW = "合計"


def _month_headers(stats: YearStatistics) -> list[str]:
    return [format_month(m) for m in stats.months]


def _summary_rows(stats: YearStatistics) -> list[StatRow]:
    return [stats.consultations, stats.minutes, stats.follow_ups]


def rows(stats: YearStatistics) -> list[list[object]]:
    """The statistics as one table: 集計項目, 項目, the twelve months, 年度計. The summary first (相談件数,
    対応時間, フォローアップあり), then each dimension's rows and its 合計."""
    table: list[list[object]] = [["集計項目", "項目", *_month_headers(stats), TOTAL]]
    for row in _summary_rows(stats):
        table.append(["概要", row.label, *row.by_month, row.total])
    for stat in stats.tables:
        for row in stat.rows:
            table.append([stat.title, row.label, *row.by_month, row.total])
        table.append([stat.title, SUM_ROW, *stat.month_totals, stat.total])
    return table


def to_csv(stats: YearStatistics, encoding: str = "utf-8-sig") -> bytes:
    """CRLF line ends, minimal quoting, every text cell defused; ``encoding`` ``utf-8-sig`` or ``cp932``."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"to_csv: encoding must be one of {CSV_ENCODINGS}, not {encoding!r}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows(stats):
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    text = buffer.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors=CP932_ERRORS)
    return text.encode("utf-8-sig")


# --- XLSX ------------------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
#: Characters a sheet title may not contain.
_SHEET_FORBIDDEN = str.maketrans({ch: "・" for ch in "[]:*?/\\"})


def _text_cell(sheet, row: int, column: int, value: str, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
    cell.data_type = "s"
    if bold:
        cell.font = _BOLD


def _write_table(sheet, stats: YearStatistics, first_header: str, table_rows: list[StatRow], sums=None) -> int:
    """Header, rows (and a 合計 row); returns the last data row (without the 合計)."""
    for column, header in enumerate([first_header, *_month_headers(stats), TOTAL], start=1):
        _text_cell(sheet, 1, column, header, bold=True)
    last = 1
    for last, row in enumerate(table_rows, start=2):
        _text_cell(sheet, last, 1, row.label)
        for column, value in enumerate([*row.by_month, row.total], start=2):
            sheet.cell(row=last, column=column, value=value)
    if sums is not None:
        month_totals, total = sums
        _text_cell(sheet, last + 1, 1, SUM_ROW, bold=True)
        for column, value in enumerate([*month_totals, total], start=2):
            sheet.cell(row=last + 1, column=column, value=value).font = _BOLD
    sheet.column_dimensions["A"].width = 34
    for column in range(2, 16):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.freeze_panes = "B2"
    return last


def _chart(title: str, sheet, *, data_col: int, last_row: int, horizontal: bool, anchor: str) -> None:
    if last_row < 2:
        return
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.legend = None
    chart.height, chart.width = (max(6, 0.6 * (last_row - 1) + 2), 16) if horizontal else (8, 22)
    chart.add_data(Reference(sheet, min_col=data_col, min_row=1, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last_row))
    if horizontal:
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"  # the first row on top, as in the table
    sheet.add_chart(chart, anchor)


def to_xlsx(stats: YearStatistics, title: str) -> bytes:
    """A workbook: 「月別」 (相談件数, 対応時間, フォローアップ by month, with a column chart of the
    consultations), then one sheet per dimension (its rows by month, 合計, and a bar chart of the 年度計)."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    workbook.properties.title = title
    workbook.properties.creator = "hubapp"

    # months as rows here, so the chart reads April to March
    _text_cell(summary, 1, 1, "月", bold=True)
    for column, row in enumerate(_summary_rows(stats), start=2):
        _text_cell(summary, 1, column, row.label, bold=True)
    for index, header in enumerate(_month_headers(stats), start=2):
        _text_cell(summary, index, 1, header)
        for column, row in enumerate(_summary_rows(stats), start=2):
            summary.cell(row=index, column=column, value=row.by_month[index - 2])
    _text_cell(summary, 14, 1, TOTAL, bold=True)
    for column, row in enumerate(_summary_rows(stats), start=2):
        summary.cell(row=14, column=column, value=row.total).font = _BOLD
    summary.column_dimensions["A"].width = 14
    for column in ("B", "C", "D"):
        summary.column_dimensions[column].width = 18
    summary.freeze_panes = "A2"
    _chart(stats.consultations.label, summary, data_col=2, last_row=13, horizontal=False, anchor="F2")

    used: set[str] = {SUMMARY_SHEET}
    for table in stats.tables:
        sheet = workbook.create_sheet(_sheet_title(table, used))
        last = _write_table(sheet, stats, table.title, list(table.rows), (table.month_totals, table.total))
        if table.chart is not None:
            _chart(table.title, sheet, data_col=14, last_row=last, horizontal=True, anchor=f"A{last + 4}")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(table: StatTable, used: set[str]) -> str:
    title = table.title.translate(_SHEET_FORBIDDEN)[:31] or table.key[:31]
    candidate, n = title, 2
    while candidate in used:
        candidate = f"{title[:28]}({n})"
        n += 1
    used.add(candidate)
    return candidate
