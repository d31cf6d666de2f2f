"""Reading directory files: the open-data layouts as municipalities publish them, and hubapp's own export.

A pure parser (no database, no Flask): ``parse_file(data, filename) -> ParsedFile``. The whole file is
refused (:class:`DirectoryFileError`, a Japanese message) only when it cannot be read at all: empty, not
decodable, no recognisable header. Otherwise every good row becomes an :class:`OrganisationRecord` and
every bad row one :class:`RowError` per bad cell (line numbers are physical lines, the header's line
counted too: a quoted value with a line break in it spans several lines, and a row is reported at the
line where it begins).

What a careful clerk would accept is accepted:
- encodings: UTF-8 (with or without BOM), cp932 (not shift_jis: ①, ㈱, 髙, 﨑 survive), UTF-16 with BOM
  (Excel's 「Unicode テキスト」), an .xlsx workbook (first sheet) and a ZIP holding one CSV (as the
  national files are distributed);
- delimiters: comma, tab or semicolon; title lines above the header; trailing empty columns, short rows
  (missing optional columns), empty rows, the header repeated;
- values: full-width digits, half-width kana, hiragana readings, 「（改行）」 for a line break, and numbers
  Excel has mangled — ``="0123"``, ``1234567890.0``, a dropped leading zero (a 10-digit code left with 9
  digits, a 6-digit postcode, a phone number), a five-digit 全国地方公共団体コード without its check digit.
  An exponent (``1.23457E+12``) has lost digits and is refused with the reason.

Layouts (detected by headers, compared after NFKC and without spaces; the first that fits wins):

- hubapp 標準形式（エクスポート）: 種別 + 名称 (EXPORT_HEADERS);
- 自治体標準オープンデータセット 介護サービス事業所一覧: 介護サービス事業所名称;
- 介護サービス情報公表システム オープンデータ: 事業所名 + (サービスの種類 | 事業所番号);
- 医療情報ネット オープンデータ: 正式名称, or 名称 + 所在地座標（緯度） (the 薬局 file);
- 自治体標準オープンデータセット 医療機関一覧: 名称 + 所在地_* + (医療機関の種類 | 医療機関コード | 診療科目);
- 推奨データセット（旧形式） 医療機関一覧: 名称 + (住所 | 医療機関の種類 | 医療機関コード | a first column
  都道府県コード又は市区町村コード or 市区町村コード) — some publishers keep only a few columns.

Types: the export's 種別 must be one of ORGANISATION_TYPE_JA (or the enum value), else a row error. The
open-data kinds (医療機関の種類, 実施サービス, サービスの種類) go through :data:`KIND_RULES` (first rule
whose keyword is contained wins); anything else becomes OTHER. When the kind text says more than the
type's label, it is kept in the note as 「種類: …」. An empty kind is guessed from the name with the same
rules. 医療情報ネット's 機関区分 is a code: 1 病院, 2 診療所, 3 歯科診療所, 4 助産所, 5 薬局 (an assumption:
the file name — hospital/clinic/dental/maternity/pharmacy — and the name are used when it is missing).
"""

import codecs
import csv
import functools
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hubapp.common.jptext import to_katakana
from hubapp.directory.exporting import unneutralise
from hubapp.directory.models import ORGANISATION_TYPE_JA, OrganisationType
from hubapp.directory.records import FUNCTION_SEPARATOR, OrganisationRecord, ParsedFile, RowError
from hubapp.hubs.services import check_municipality_code

T = OrganisationType

LAYOUT_NEW_MEDICAL = "自治体標準オープンデータセット 医療機関一覧"
LAYOUT_NEW_CARE = "自治体標準オープンデータセット 介護サービス事業所一覧"
LAYOUT_OLD_MEDICAL = "推奨データセット（旧形式） 医療機関一覧"
LAYOUT_KAIGO = "介護サービス情報公表システム オープンデータ"
LAYOUT_MHLW_MEDICAL = "医療情報ネット オープンデータ"
LAYOUT_EXPORT = "hubapp 標準形式（エクスポート）"
LAYOUTS = (LAYOUT_NEW_MEDICAL, LAYOUT_NEW_CARE, LAYOUT_OLD_MEDICAL, LAYOUT_KAIGO, LAYOUT_MHLW_MEDICAL, LAYOUT_EXPORT)

#: Open-data kind text → type: the first rule with a keyword contained in the text wins (order matters:
#: 「在宅療養支援病院」 before 「病院」, 「歯科」 before 「診療所」, care homes before 「病院」).
KIND_RULES: tuple[tuple[tuple[str, ...], OrganisationType], ...] = (
    (("在宅療養支援診療所", "在支診"), T.HOME_CARE_CLINIC),
    (("在宅療養支援病院", "在支病"), T.HOME_CARE_HOSPITAL),
    (("歯科",), T.DENTAL_CLINIC),
    (("薬局",), T.PHARMACY),
    (("訪問看護",), T.VISITING_NURSING),  # 定期巡回・随時対応型訪問介護看護 does not contain it: OTHER
    (("地域包括支援センター", "地域包括", "包括支援センター"), T.COMMUNITY_CARE_CENTER),
    (("居宅介護支援",), T.CARE_MANAGEMENT),
    (("相談支援",), T.DISABILITY_CONSULTATION),  # 特定相談支援, 一般相談支援, 障害児相談支援
    (
        (
            "介護老人福祉施設", "特別養護老人ホーム", "介護老人保健施設", "老人保健施設", "介護医療院",
            "介護療養型医療施設", "認知症対応型共同生活介護", "グループホーム", "特定施設入居者生活介護",
            "小規模多機能", "有料老人ホーム", "サービス付き高齢者向け住宅", "軽費老人ホーム", "ケアハウス",
            "養護老人ホーム",
        ),
        T.CARE_FACILITY,
    ),
    (("病院",), T.HOSPITAL),
    (("診療所", "クリニック", "医院", "医科"), T.CLINIC),
    (("保健所", "保健センター", "市役所", "区役所", "町役場", "村役場"), T.GOVERNMENT),
)
#: 医療情報ネット 機関区分 (see the module docstring) and the kind text kept for the note.
MHLW_KIND_CODES = {
    "1": (T.HOSPITAL, "病院"),
    "2": (T.CLINIC, "診療所"),
    "3": (T.DENTAL_CLINIC, "歯科診療所"),
    "4": (T.OTHER, "助産所"),
    "5": (T.PHARMACY, "薬局"),
}
_MHLW_FILE_KINDS = (("hospital", "1"), ("clinic", "2"), ("dental", "3"), ("maternity", "4"), ("pharmacy", "5"))

#: Field → headers that carry it, in order of preference (the first non-empty one is used).
_FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "type": ("種別",),
    "kind": ("医療機関の種類", "実施サービス", "サービスの種類", "機関区分"),
    "name": ("名称", "介護サービス事業所名称", "事業所名", "正式名称"),
    "kana": (
        "名称_カナ", "介護サービス事業所名称_カナ", "事業所名カナ", "正式名称（フリガナ）", "フリガナ", "名称（カナ）",
    ),
    "medical_code": ("医療機関コード",),
    "care_code": ("介護保険事業所番号", "事業所番号"),
    "corporate_number": ("法人番号",),
    "municipality_code": (
        "所在地_全国地方公共団体コード", "全国地方公共団体コード", "都道府県コード又は市区町村コード",
        "都道府県コード又は市町村コード", "市区町村コード",
    ),
    "prefecture_code": ("都道府県コード",),
    "postcode": ("郵便番号",),
    "address": ("所在地_連結表記", "所在地", "住所"),
    "address_prefecture": ("所在地_都道府県",),
    "address_city": ("所在地_市区町村",),
    "address_town": ("所在地_町字",),
    "address_number": ("所在地_番地以下",),
    "building": ("建物名等(方書)", "方書", "方書（ビル名等）"),
    "prefecture_name": ("都道府県名",),
    "city_name": ("市区町村名",),
    "latitude": ("緯度", "所在地座標（緯度）"),
    "longitude": ("経度", "所在地座標（経度）"),
    "phone": ("電話番号",),
    "extension": ("内線番号",),
    "fax": ("FAX番号", "ファックス番号"),
    "email": ("連絡先メールアドレス", "メールアドレス"),
    "url": ("URL", "案内用ホームページアドレス"),
    "bed_count": ("病床数", "合計病床数"),
    "functions": ("機能",),
    "hours": ("受付時間・休日",),
    "days": ("診療曜日", "利用可能曜日"),
    "start": ("診療開始時間",),
    "end": ("診療終了時間",),
    "hours_special": ("診療日時特記事項", "利用可能曜日特記事項"),
    "after_hours": ("時間外における対応",),
    "note": ("備考",),
    "departments": ("診療科目",),
    "corporation": ("法人の名称",),
    "capacity": ("定員",),
    "contact_note": ("連絡先備考（その他、SNSなど）",),
    "status": ("状況",),
    "last_confirmed_on": ("最終確認日",),
}
#: Lengths of the database columns (a longer value would fail on PostgreSQL).
_MAX_LENGTHS = {"name": 200, "kana": 300, "address": 300, "phone": 30, "fax": 30, "email": 200, "url": 500}
_EMPTY_MARKS = {"-", "ー", "―", "‐", "なし", "無", "無し", "不明"}
_MAX_INNER_FILE = 200 * 1024 * 1024


class DirectoryFileError(ValueError):
    """The whole file cannot be read; ``message`` (Japanese) says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _CellError(Exception):
    pass


def _key(header: str) -> str:
    """A header as compared: NFKC, no spaces, no stray quotes or BOM."""
    text = unicodedata.normalize("NFKC", header.replace("\ufeff", ""))
    return re.sub(r"[\s\"']", "", text)


_HEADER_FIELDS = {field: tuple(_key(h) for h in headers) for field, headers in _FIELD_HEADERS.items()}


# --- bytes → rows ---------------------------------------------------------------------------------


def parse_file(data: bytes, filename: str = "") -> ParsedFile:
    """Read a directory file (see the module docstring). Raises DirectoryFileError when nothing can be read."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise DirectoryFileError("ファイルが空です。")
    if data.startswith(b"PK\x03\x04"):
        return _parse_zip(data, filename)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DirectoryFileError("古い Excel 形式（.xls）は読み込めません。.xlsx か CSV で保存し直してください。")
    text, encoding = _decode(data)
    return _parse_rows(_csv_source(text), encoding, filename)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DirectoryFileError(
                f"UTF-8 の印（BOM）があるのに、{_line_of(data, exc.start)}行目に UTF-8 として読めない文字があります。"
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DirectoryFileError("UTF-16 として読めない文字があります。") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # Mostly good UTF-8 with a few broken bytes (a damaged or pasted-together file) would read as cp932
        # mojibake without complaint: say where it broke instead. cp932 text is almost never valid UTF-8.
        loose = data.decode("utf-8", errors="replace")
        broken = loose.count("\ufffd")
        readable = len(loose) - len(loose.encode("ascii", errors="ignore")) - broken
        if readable >= 10 * broken:
            raise DirectoryFileError(
                f"UTF-8 のファイルのようですが、{_line_of(data, exc.start)}行目に UTF-8 として読めない文字があります。"
                "ファイルが壊れていないか確かめてください。"
            ) from exc
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(
            "文字コードを判別できませんでした。このファイルは UTF-8 でも Shift_JIS（cp932）でもありません"
            f"（{_line_of(data, exc.start)}行目に読めない文字があります）。"
            "CSV を UTF-8 か Shift_JIS で保存し直してください。"
        ) from exc


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


class _Source:
    """Rows of a file for a delimiter, each with the physical line it begins on; ``delimiters`` to try."""

    def __init__(self, rows: Callable[[str], Iterator[tuple[int, list[str]]]], delimiters: list[str]):
        self.rows, self.delimiters = rows, delimiters


def _csv_source(text: str) -> _Source:
    def rows(delimiter: str) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
        previous = 0
        try:
            for cells in reader:
                yield previous + 1, cells
                previous = reader.line_num
        except csv.Error as exc:
            raise DirectoryFileError(
                f"{previous + 1}行目付近を CSV として読めませんでした（{exc}）。"
                "閉じていない「\"」がないか確かめてください。"
            ) from exc

    first_lines = "\n".join(text.splitlines()[:10])
    counts = {d: first_lines.count(d) for d in (",", "\t", ";")}
    order = sorted(counts, key=lambda d: -counts[d])  # stable: comma first on a tie
    return _Source(rows, [d for d in order if counts[d]] or [","])


def _parse_zip(data: bytes, filename: str) -> ParsedFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DirectoryFileError("ZIP（または .xlsx）ファイルが壊れていて開けません。") from exc
    if "xl/workbook.xml" in names:
        return _parse_xlsx(data, filename)
    inner = [i for i in archive.infolist() if i.filename.lower().endswith((".csv", ".tsv", ".txt"))]
    if len(inner) != 1:
        raise DirectoryFileError(
            "ZIP ファイルには CSV ファイルを1つだけ入れてください（展開してから読み込むこともできます）。"
        )
    if inner[0].file_size > _MAX_INNER_FILE:
        raise DirectoryFileError("ZIP の中の CSV ファイルが大きすぎます。")
    return parse_file(archive.read(inner[0]), inner[0].filename)


def _parse_xlsx(data: bytes, filename: str) -> ParsedFile:
    import openpyxl  # only needed for workbooks

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not know
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise DirectoryFileError("Excel ファイル（.xlsx）を開けませんでした。CSV で保存し直してください。") from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
    rows = [(n, [_xlsx_text(v) for v in cells]) for n, cells in enumerate(values, 1)]
    return _parse_rows(_Source(lambda _delimiter: iter(rows), ["xlsx"]), "xlsx", filename)


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


# --- header and rows ------------------------------------------------------------------------------


class _Header:
    """The header row: which column holds which field, and the header as written (for messages)."""

    def __init__(self, line: int, cells: list[str]):
        self.line = line
        self.written = [c.replace("\ufeff", "").strip() for c in cells]
        while self.written and not self.written[-1]:
            self.written.pop()
        self.keys = [_key(c) for c in self.written]
        self.key_set = {k for k in self.keys if k}
        self.layout = _detect_layout(self.key_set, self.keys)
        self._columns = {
            field: [(self.keys.index(k), self.written[self.keys.index(k)]) for k in keys if k in self.key_set]
            for field, keys in _HEADER_FIELDS.items()
        }

    def columns(self, field: str) -> list[tuple[int, str]]:
        """(index, header as written) of the columns carrying ``field``, in order of preference."""
        return self._columns[field]

    def is_repeated(self, cells: list[str]) -> bool:
        """Whether a row is this header again (files pasted together)."""
        if not cells or cells[0] != self.written[0] or any(cells[len(self.written):]):
            return False
        return [_key(c) for c in cells[: len(self.written)]] == self.keys


def _detect_layout(keys: set[str], ordered: list[str]) -> str | None:
    def has(*headers: str) -> bool:
        return any(_key(h) in keys for h in headers)

    address_parts = ("所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下",
                     "所在地_全国地方公共団体コード")
    medical_marks = ("医療機関の種類", "医療機関コード", "診療科目")
    if has("種別") and has("名称"):
        return LAYOUT_EXPORT
    if has("介護サービス事業所名称"):
        return LAYOUT_NEW_CARE
    if has("事業所名") and has("サービスの種類", "事業所番号"):
        return LAYOUT_KAIGO
    if has("正式名称") or (has("名称") and has("所在地座標（緯度）")):
        return LAYOUT_MHLW_MEDICAL
    if has("名称") and has(*address_parts) and has(*medical_marks):
        return LAYOUT_NEW_MEDICAL
    first_is_code = bool(ordered) and ordered[0] in {_key("都道府県コード又は市区町村コード"), _key("市区町村コード")}
    if has("名称") and (has("住所", *medical_marks) or first_is_code):
        return LAYOUT_OLD_MEDICAL
    return None


def _parse_rows(source: _Source, encoding: str, filename: str) -> ParsedFile:
    header, rows = _find_header(source)
    records: list[OrganisationRecord] = []
    errors: list[RowError] = []
    width = len(header.written)
    last: tuple[int, list[str]] | None = None
    for line, raw in rows:
        cells = [_clean_cell(c) for c in raw]
        if not any(cells):
            continue
        if header.is_repeated(cells):
            continue
        last = (line, raw)
        extra = [c for c in cells[width:] if c]
        if extra:
            message = (
                f"値の数が見出しより多くなっています（見出し {width} 列、この行 {len(cells)} 列）。"
                "値の中に区切り文字（「,」など）があるときは、値を「\"」で囲んでください。"
            )
            errors.append(RowError(line, "列数", message))
            continue
        result = _build_record(header, line, cells, filename)
        if isinstance(result, OrganisationRecord):
            records.append(result)
        else:
            errors.extend(result)
    if last is None:
        raise DirectoryFileError("見出し行のほかにデータ行がありません。")
    _check_unclosed_quote(header, last, records, errors)
    return ParsedFile(layout=header.layout or "", encoding=encoding, records=records, errors=errors)


def _find_header(source: _Source) -> tuple[_Header, Iterator[tuple[int, list[str]]]]:
    """The first recognisable header within the first rows, trying each likely delimiter."""
    first_seen: _Header | None = None
    for delimiter in source.delimiters:
        rows = source.rows(delimiter)
        seen = 0
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            header = _Header(line, cells)
            if header.layout:
                return header, rows
            if first_seen is None or len(header.written) > len(first_seen.written):
                first_seen = header  # the likeliest header row, for the message
            seen += 1
            if seen >= 10:
                break
    found = "、".join(h for h in (first_seen.written if first_seen else []) if h)[:400] or "（なし）"
    raise DirectoryFileError(
        f"見出し行を認識できませんでした。見つかった見出し: {found}。"
        f"読み込める形式: {'、'.join(LAYOUTS)}（見出し行はデータの上に1行で置いてください）。"
    )


_WRITTEN_LINE_BREAK = re.compile(r"[（(]改行[）)]")


def _clean_cell(value: str) -> str:
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):  # Excel's way of keeping leading zeros
        value = value[2:-1].strip()
    if value.startswith("'"):  # the export's defused formula (「'=…」, 「'-…」)
        value = unneutralise(value).strip()
    if "改行" in value:
        value = _WRITTEN_LINE_BREAK.sub("\n", value)
    return value


def _check_unclosed_quote(header: _Header, last, records, errors) -> None:
    """An unclosed 「"」 makes the csv reader swallow the rest of the file into the last row's value: lines
    with delimiters in it, ending with the file's last line break (a real value hardly ever does)."""
    line, cells = last
    for index, cell in enumerate(cells):
        if cell.endswith(("\n", "\r")) and re.search(r"[\r\n][^\r\n]*[,\t;]", cell):
            records[:] = [r for r in records if r.line != line]
            column = header.written[index] if index < len(header.written) else "列数"
            message = (
                "「\"」で始まる値が閉じられていないため、ファイルの最後までが1つの値として読まれました。"
                "この値の「\"」を確かめてください。"
            )
            errors.append(RowError(line, column, message))
            return


# --- one row → record -----------------------------------------------------------------------------


class _Row:
    def __init__(self, header: _Header, line: int, cells: list[str]):
        self.header, self.line, self.cells = header, line, cells
        self.errors: list[RowError] = []

    def get(self, field: str) -> tuple[str, str]:
        """(value, header as written) of the first non-empty column carrying ``field``."""
        columns = self.header.columns(field)
        for index, written in columns:
            value = self.cells[index] if index < len(self.cells) else ""
            if value:
                return value, written
        return "", (columns[0][1] if columns else "")

    def text(self, field: str) -> str:
        return self.get(field)[0]

    def convert(self, field: str, function, *args):
        value, column = self.get(field)
        if not value:
            return None
        try:
            return function(value, column, *args)
        except _CellError as exc:
            self.errors.append(RowError(self.line, column, str(exc)))
            return None

    def error(self, field: str, message: str) -> None:
        self.errors.append(RowError(self.line, self.get(field)[1] or field, message))


def _build_record(header: _Header, line: int, cells: list[str], filename: str):
    row = _Row(header, line, cells)
    name, name_column = row.get("name")
    name = _one_line(name)
    if not name:
        row.errors.append(RowError(line, name_column, f"{name_column}が空です。"))
    organisation_type, kind_note = _resolve_type(header.layout, row, name, filename)
    notes = [kind_note, _text(row.text("note"))]
    record = OrganisationRecord(
        line=line,
        type=organisation_type or T.OTHER,
        name=name,
        name_kana=_one_line(to_katakana(row.text("kana"))),
        medical_code=row.convert("medical_code", _code, 10, True),
        care_code=row.convert("care_code", _code, 10, True),
        corporate_number=row.convert("corporate_number", _corporate_number),
        municipality_code=_municipality_of(row),
        postcode=row.convert("postcode", _postcode) or "",
        address=_address(row),
        latitude=row.convert("latitude", _coordinate, "緯度", 20, 46),
        longitude=row.convert("longitude", _coordinate, "経度", 122, 154),
        phone=row.convert("phone", _phone) or "",
        fax=row.convert("fax", _phone) or "",
        email=row.convert("email", _email) or "",
        url=_nfkc(row.text("url")),
        bed_count=row.convert("bed_count", _bed_count),
        hours_note=_hours_note(row),
        functions=_functions(row.text("functions")),
        last_confirmed_on=row.convert("last_confirmed_on", _date),
    )
    _check_swapped_coordinates(row)
    notes += [
        _labelled("診療科目", row.text("departments")),
        _labelled("法人", row.text("corporation")),
        _labelled("定員", _nfkc(row.text("capacity"))),
        _labelled("内線", _nfkc(row.text("extension"))),
        _labelled("連絡先備考", row.text("contact_note")),
        _labelled("状況", row.text("status")),  # 休止中, 廃止 …: the importer's user should see it
    ]
    record.note = "\n".join(n for n in notes if n)
    for field, limit in _MAX_LENGTHS.items():
        value = getattr(record, {"kana": "name_kana"}.get(field, field))
        if len(value) > limit:
            row.error(field, f"{row.get(field)[1] or field}が長すぎます（{len(value)}文字、{limit}文字まで）。")
    if row.errors:
        position = {written: index for index, written in reversed(list(enumerate(header.written)))}
        return sorted(row.errors, key=lambda e: position.get(e.column, len(position)))  # in the file's order
    return record


def _resolve_type(layout: str | None, row: _Row, name: str, filename: str) -> tuple[OrganisationType | None, str]:
    """The type, and a note keeping the kind text («種類: …») when it says more than the type's label."""
    if layout == LAYOUT_EXPORT:
        value, column = row.get("type")
        label = _nfkc(value)
        if not label:
            row.errors.append(RowError(row.line, column, f"{column}が空です。"))
            return None, ""
        for organisation_type, ja in ORGANISATION_TYPE_JA.items():
            if label in (ja, organisation_type.value):
                return organisation_type, ""
        choices = "、".join(ORGANISATION_TYPE_JA.values())
        message = f"{column}「{value}」は使えません。次のいずれかを入力してください: {choices}。"
        row.errors.append(RowError(row.line, column, message))
        return None, ""
    kind = _one_line(row.text("kind"))
    if layout == LAYOUT_MHLW_MEDICAL:
        code = _nfkc(kind).removesuffix(".0")
        if not code:
            code = next((c for word, c in _MHLW_FILE_KINDS if word in filename.lower()), "")
        if code in MHLW_KIND_CODES:
            organisation_type, text = MHLW_KIND_CODES[code]
            return organisation_type, (f"種類: {text}" if organisation_type == T.OTHER else "")
        if code.isdigit():
            return _kind_type(name) or T.OTHER, f"機関区分: {code}"
    if not kind:
        return _kind_type(name) or T.OTHER, ""
    organisation_type = _kind_type(kind) or T.OTHER
    label = ORGANISATION_TYPE_JA[organisation_type]
    says_more = organisation_type == T.OTHER or not (kind in label or label in kind)
    return organisation_type, (f"種類: {kind}" if says_more else "")


@functools.lru_cache(maxsize=1024)
def _kind_type(text: str) -> OrganisationType | None:
    text = unicodedata.normalize("NFKC", text)
    for keywords, organisation_type in KIND_RULES:
        if any(k in text for k in keywords):
            return organisation_type
    return None


# --- values ---------------------------------------------------------------------------------------


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


_HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_SPACES = re.compile(r"\s+")


def _text(value: str) -> str:
    """Free text as written, but half-width kana made full-width (㈱, ①, 髙 stay as they are)."""
    if not value:
        return ""
    return _HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value).strip()


def _one_line(value: str) -> str:
    return _SPACES.sub(" ", _text(value)).strip() if value else ""


def _labelled(label: str, value: str) -> str:
    value = _text(value)
    return f"{label}: {value}" if value else ""


def _digits(value: str, column: str) -> str:
    """A number as digits, undoing what Excel does to numbers: ``.0``, ``'`` and exact exponents."""
    text = re.sub(r"[\s\-‐－―ー]", "", _nfkc(value)).lstrip("'")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    exponent = re.fullmatch(r"(\d)(?:\.(\d+))?[eE]\+?(\d+)", text)
    if exponent:
        digits = exponent[1] + (exponent[2] or "")
        if len(digits) != int(exponent[3]) + 1:
            raise _CellError(
                f"{column}が Excel によって指数表記（\"{value}\"）に変えられ、桁が失われています。"
                "元のデータから、セルの書式を「文字列」にして貼り直してください。"
            )
        text = digits
    return text


def _code(value: str, column: str, length: int, pad: bool = False) -> str:
    text = _digits(value, column)
    if pad and len(text) == length - 1 and text.isascii() and text.isdigit():
        text = "0" + text  # Excel dropped the leading zero (prefecture codes 01–09)
    if len(text) != length or not (text.isascii() and text.isdigit()):
        raise _CellError(f"{column}は{length}桁の数字です（\"{value}\"）。")
    return text


def _corporate_number(value: str, column: str) -> str:
    number = _code(value, column, 13)
    base = number[1:]
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base), 1))
    if int(number[0]) != 9 - total % 9:
        raise _CellError(f"{column}の検査用数字（先頭の1桁）が合いません（\"{value}\"）。")
    return number


def _municipality_of(row: _Row) -> str | None:
    """The 全国地方公共団体コード of the address: the first column that gives a municipality (not a prefecture)."""
    for index, column in row.header.columns("municipality_code"):
        value = row.cells[index] if index < len(row.cells) else ""
        digits = _nfkc(value)
        prefecture = row.text("prefecture_code")
        if re.fullmatch(r"\d{1,3}", digits) and prefecture:  # 医療情報ネット: 都道府県コード + 市区町村コード
            value = _nfkc(prefecture).zfill(2) + digits.zfill(3)
        if not value:
            continue
        try:
            code = _municipality_code(value, column)
        except _CellError as exc:
            row.errors.append(RowError(row.line, column, str(exc)))
            return None
        if code:
            return code
    return None


@functools.lru_cache(maxsize=4096)
def _municipality_code(value: str, column: str) -> str | None:
    """Six digits with a valid check digit; five digits gain it; a prefecture's code gives None."""
    text = _digits(value, column)
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise _CellError(f"{column}は6桁（検査数字なしなら5桁）の数字です（\"{value}\"）。")
    if len(text) <= 2:
        return None  # a prefecture code (the older layouts' first column may hold one)
    if len(text) == 6:
        if not check_municipality_code(text):
            raise _CellError(f"{column}の検査数字（6桁目）が合いません（\"{value}\"）。")
        return None if text[2:5] == "000" else text
    if len(text) == 5 and not _plausible(text) and check_municipality_code("0" + text):
        return "0" + text  # a six-digit code whose leading zero Excel dropped (北海道〜茨城県)
    five = text.zfill(5)
    if not _plausible(five) and five[2:] != "000":
        raise _CellError(f"{column}は6桁（検査数字なしなら5桁）の数字です（\"{value}\"）。")
    if five[2:] == "000":
        return None
    return next(five + d for d in "0123456789" if check_municipality_code(five + d))


def _plausible(five: str) -> bool:
    """Prefecture 01–47 and a municipality part of 100–799 (wards, cities, towns and villages)."""
    return 1 <= int(five[:2]) <= 47 and 100 <= int(five[2:5]) <= 799


def _postcode(value: str, column: str) -> str:
    text = _digits(value.replace("〒", ""), column)
    if len(text) == 6 and text.isdigit():
        text = "0" + text  # Excel dropped the leading zero (北海道 0xx)
    if len(text) != 7 or not (text.isascii() and text.isdigit()):
        raise _CellError(f"{column}は7桁の数字です（\"{value}\"）。")
    return f"{text[:3]}-{text[3:]}"


def _phone(value: str, column: str) -> str:
    text = _nfkc(value)
    if re.fullmatch(r"[1-9]\d{8,9}(\.0+)?", text):
        text = "0" + text.split(".")[0]  # Excel read the number as a number and dropped the zero
    return text


def _email(value: str, column: str) -> str:
    text = _nfkc(value).removeprefix("mailto:")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise _CellError(f"{column}の形式が正しくありません（\"{value}\"）。")
    return text


def _coordinate(value: str, column: str, label: str, low: int, high: int) -> Decimal | None:
    text = _nfkc(value).rstrip("°度")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _CellError(f"{label}が数値ではありません（\"{value}\"）。") from None
    if not number.is_finite():
        raise _CellError(f"{label}が数値ではありません（\"{value}\"）。")
    if number == 0:
        return None  # 0.0 means unknown in the national files
    if not low <= number <= high:
        raise _CellError(f"{label}が日本の範囲（{low}〜{high}）にありません（\"{value}\"）。")
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _check_swapped_coordinates(row: _Row) -> None:
    latitude, longitude = _nfkc(row.text("latitude")), _nfkc(row.text("longitude"))
    try:
        swapped = 122 <= Decimal(latitude) <= 154 and 20 <= Decimal(longitude) <= 46
    except InvalidOperation:
        return
    if swapped:
        column = row.get("latitude")[1]
        row.errors[:] = [e for e in row.errors if e.column not in (column, row.get("longitude")[1])]
        message = f"緯度と経度が入れ替わっているようです（緯度 \"{latitude}\"、経度 \"{longitude}\"）。"
        row.errors.append(RowError(row.line, column, message))


def _bed_count(value: str, column: str) -> int | None:
    text = _nfkc(value).replace(",", "").removesuffix("床").strip()
    if text in _EMPTY_MARKS:
        return None
    if not re.fullmatch(r"\d+(\.0+)?", text):
        raise _CellError(f"{column}が整数ではありません（\"{value}\"）。")
    number = int(text.split(".")[0])
    if number > 5000:
        raise _CellError(f"{column}は0〜5000の整数です（\"{value}\"）。")
    return number


def _date(value: str, column: str) -> date:
    text = _nfkc(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial day number
            return date(1899, 12, 30) + timedelta(days=int(text.split(".")[0]))
    except ValueError:
        pass
    raise _CellError(f"{column}は「2024-04-01」か「2024/04/01」の形で入力してください（\"{value}\"）。")


def _time(value: str) -> str:
    text = _nfkc(value)
    if re.fullmatch(r"0?\.\d+", text):  # Excel's fraction of a day
        minutes = round(float(text) * 24 * 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    match = re.fullmatch(r"(\d{1,2}):(\d{2}):00", text)
    return f"{match[1]}:{match[2]}" if match else text


def _address(row: _Row) -> str:
    address = _one_line(row.text("address"))
    if not address:
        parts = ("address_prefecture", "address_city", "address_town", "address_number")
        address = "".join(_one_line(row.text(p)) for p in parts)
    for part in (row.text("city_name"), row.text("prefecture_name")):  # older layouts: 住所 without them
        part = _one_line(part)
        if address and part and part not in address:
            address = part + address
    building = _one_line(row.text("building"))
    if building and building not in address:
        address = f"{address} {building}".strip()
    return address


def _hours_note(row: _Row) -> str:
    lines = [_text(row.text("hours"))]
    days, start, end = _one_line(row.text("days")), _time(row.text("start")), _time(row.text("end"))
    if days:
        lines.append(f"{row.get('days')[1]}: {days}")
    if start or end:
        lines.append(f"診療時間: {start}〜{end}")
    lines.append(_text(row.text("hours_special")))
    lines.append(_labelled("時間外", row.text("after_hours")))
    return "\n".join(line for line in lines if line)


def _functions(value: str) -> list[str]:
    labels: list[str] = []
    for label in re.split(rf"[{FUNCTION_SEPARATOR},，・;；\n]", _text(value)):
        label = label.strip()
        if label and label not in labels:
            labels.append(label)
    return labels

