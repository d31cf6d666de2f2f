"""Directory export: CSV (UTF-8 with BOM, or cp932 on request), XLSX, and the groups of the printable list.

Pure functions over loaded ``Organisation`` objects (``services.all_organisations`` loads them with their
functions, in 五十音順): no request, no database access here.

The files use hubapp's own layout (``records.EXPORT_HEADERS``), which the importer reads back. Two
deliberate deviations from "the stored value, verbatim" that the importer has to know about:

- **Formula injection** (OWASP "CSV Injection"): a cell beginning with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return gets a leading apostrophe, in CSV and XLSX alike (``neutralise``). The
  importer undoes it exactly with ``unneutralise``.
- **Line breaks inside a cell** are written as LF: Excel's own form (a CRLF inside a quoted CSV field
  shows as a stray character in Excel). Browsers submit textareas with CRLF, so a stored ``\\r\\n``
  comes back from a file as ``\\n``.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from hubapp.common.csvcells import (  # noqa: F401 (the directory's export and import use these names)
    CP932_ERRORS,
    CSV_ENCODINGS,
    FORMULA_TRIGGERS,
    GETA,
    neutralise,
    unneutralise,
)
from hubapp.directory.models import ORGANISATION_TYPE_JA, Organisation, OrganisationType
from hubapp.directory.records import EXPORT_HEADERS, FUNCTION_SEPARATOR

#: The encodings ``to_csv`` writes: UTF-8 with a BOM (Excel then detects UTF-8) and Windows' Shift_JIS.
#: What the XLSX sheet is called.
SHEET_TITLE = "地域資源"
# --- cells -----------------------------------------------------------------------------------------


def _plain_decimal(value: Decimal) -> str:
    """35.123400 → "35.1234"; never an exponent (Decimal's str can give "1E+1")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _text(value: str | None) -> str:
    if not value:
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def organisation_row(org: Organisation) -> list[str]:
    """The organisation's values in ``EXPORT_HEADERS`` order, all as text, not yet neutralised.

    種別 is the Japanese label; codes as text (leading zeros kept); 緯度/経度 as plain decimals; 病床数
    as digits; 機能 the labels joined with ``FUNCTION_SEPARATOR``; 最終確認日 ``YYYY-MM-DD``; "" for None.
    """
    return [
        ORGANISATION_TYPE_JA[OrganisationType(org.type)],
        _text(org.name),
        _text(org.name_kana),
        org.medical_code or "",
        org.care_code or "",
        org.corporate_number or "",
        org.municipality_code or "",
        _text(org.postcode),
        _text(org.address),
        "" if org.latitude is None else _plain_decimal(Decimal(org.latitude)),
        "" if org.longitude is None else _plain_decimal(Decimal(org.longitude)),
        _text(org.phone),
        _text(org.fax),
        _text(org.email),
        _text(org.url),
        "" if org.bed_count is None else str(int(org.bed_count)),
        FUNCTION_SEPARATOR.join(function.label for function in org.functions),
        _text(org.hours_note),
        _text(org.note),
        "" if org.last_confirmed_on is None else org.last_confirmed_on.isoformat(),
    ]


# --- CSV -------------------------------------------------------------------------------------------


def to_csv(organisations: Iterable[Organisation], encoding: str = "utf-8-sig") -> bytes:
    """The directory as CSV: the ``EXPORT_HEADERS`` row, then one row per organisation.

    CRLF between rows (Excel); fields quoted only when needed (comma, quote, line break), quotes
    doubled; every cell ``neutralise``-d.

    ``encoding`` is ``"utf-8-sig"`` (UTF-8 with a BOM, so that Excel on Windows detects it; the default)
    or ``"cp932"`` (Shift_JIS as Windows writes it, for older software). cp932 covers nearly all
    Japanese text (incl. ①, ㈱, 髙, 﨑, half-width kana); a character it lacks never makes the export
    fail: variation selectors are dropped (the base kanji stays), a dash becomes its cp932 look-alike,
    a character whose NFKC form cp932 has becomes that form (「㋿」→「令和」), and anything else (emoji,
    「𠮷」) becomes a visible 〓 (geta mark), so the reader sees that something was there.
    """
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"to_csv: encoding must be one of {CSV_ENCODINGS}, not {encoding!r}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(EXPORT_HEADERS)
    for org in organisations:
        writer.writerow([neutralise(value) for value in organisation_row(org)])
    text = buffer.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors=CP932_ERRORS)
    return text.encode("utf-8-sig")


# --- XLSX ------------------------------------------------------------------------------------------

#: Column widths in Excel's character units (a kanji is about two).
_COLUMN_WIDTHS = {
    "種別": 18,
    "名称": 36,
    "名称_カナ": 30,
    "医療機関コード": 15,
    "介護保険事業所番号": 19,
    "法人番号": 16,
    "全国地方公共団体コード": 12,
    "郵便番号": 10,
    "所在地": 40,
    "緯度": 11,
    "経度": 11,
    "電話番号": 15,
    "FAX番号": 15,
    "メールアドレス": 28,
    "URL": 30,
    "病床数": 8,
    "機能": 36,
    "受付時間・休日": 30,
    "備考": 40,
    "最終確認日": 12,
}
#: Columns written as numbers or dates (sortable in Excel); every other column is text ("@").
_NUMBER_FORMATS = {"緯度": "0.000000", "経度": "0.000000", "病床数": "0", "最終確認日": "yyyy-mm-dd"}
_WRAPPED = {"機能", "受付時間・休日", "備考"}
_TEXT_FORMAT = "@"


def _typed_values(org: Organisation) -> dict[str, object]:
    return {
        "緯度": None if org.latitude is None else Decimal(org.latitude),
        "経度": None if org.longitude is None else Decimal(org.longitude),
        "病床数": org.bed_count,
        "最終確認日": org.last_confirmed_on,
    }


def _set_text(cell, value: str) -> None:
    # openpyxl would store "=…" as a formula and "#N/A" as an error: force a string cell (after
    # neutralising, "=…" cannot occur, but the data type must not depend on that). Control characters
    # other than tab and line breaks are not allowed in XLSX and are dropped.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    cell.data_type = "s"
    cell.number_format = _TEXT_FORMAT


def to_xlsx(organisations: Iterable[Organisation], title: str) -> bytes:
    """The directory as an Excel workbook: one sheet 「地域資源」 in the ``EXPORT_HEADERS`` layout.

    Bold, frozen header row with an autofilter. Codes, phone/FAX numbers and all other text are string
    cells formatted as text ("@"), so leading zeros survive and Excel does not turn 「0478-…」 into a
    number; they are ``neutralise``-d like the CSV (a string cell is never a formula, but Excel makes it
    one when the user edits the cell). 緯度/経度/病床数 are numbers and 最終確認日 a date (yyyy-mm-dd),
    so that they sort and filter; the importer must accept such typed cells. ``title`` becomes the
    document's title property.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    workbook.properties.title = title
    workbook.properties.creator = "hubapp"

    bold = Font(bold=True)
    sheet.append(list(EXPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = bold
        cell.data_type = "s"

    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    row_number = 1
    for row_number, org in enumerate(organisations, start=2):
        texts = organisation_row(org)
        typed = _typed_values(org)
        for column, (header, text) in enumerate(zip(EXPORT_HEADERS, texts, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=column)
            if header in _NUMBER_FORMATS:
                cell.value = typed[header]
                cell.number_format = _NUMBER_FORMATS[header]
            else:
                _set_text(cell, text)
            cell.alignment = wrapped if header in _WRAPPED else top

    for column, header in enumerate(EXPORT_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _COLUMN_WIDTHS.get(header, 14)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_HEADERS))}{row_number}"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the printable list ----------------------------------------------------------------------------


def print_groups(organisations: Sequence[Organisation]) -> list[tuple[OrganisationType, list[Organisation]]]:
    """The organisations grouped by type, in ``OrganisationType``'s order; each group keeps the given
    (五十音) order; types without organisations are left out.

    The key is the ``OrganisationType`` itself (a ``str``): templates show ``group_type.label`` (the
    user's language) and can use ``group_type.value`` as an anchor.
    """
    groups: dict[OrganisationType, list[Organisation]] = {t: [] for t in OrganisationType}
    for org in organisations:
        groups[OrganisationType(org.type)].append(org)
    return [(t, members) for t, members in groups.items() if members]
