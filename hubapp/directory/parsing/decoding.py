"""Bytes → rows: the encodings, ZIP and .xlsx containers, the delimiter, and the physical line of each row."""

import codecs
import csv
import io
import warnings
from collections.abc import Iterator
from datetime import date, datetime, time

from hubapp.common import archives
from hubapp.directory.parsing.errors import DirectoryFileError
from hubapp.directory.parsing.rows import _parse_rows, _Source
from hubapp.directory.records import ParsedFile


def parse_file(data: bytes, filename: str = "", *, mapping=None, mappings=()) -> ParsedFile:
    """Read a directory file (see the package docstring). ``mappings``: the hub's saved mappings, tried when
    no known layout fits; ``mapping``: read with that one only. Raises DirectoryFileError when nothing can
    be read (UnknownLayout, a subclass, when the columns need mapping)."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise DirectoryFileError("ファイルが空です。")
    options = {"mapping": mapping, "mappings": tuple(mappings)}
    if data.startswith(b"PK\x03\x04"):
        return _parse_zip(data, filename, options)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DirectoryFileError("古い Excel 形式（.xls）は読み込めません。.xlsx か CSV で保存し直してください。")
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise DirectoryFileError("このファイルは CSV・TSV・Excel（.xlsx）の一覧ではありません（文字でないデータを含んでいます）。")
    return _parse_rows(_csv_source(text), encoding, filename, **options)


def _looks_binary(text: str) -> bool:
    """A program or an image renamed .csv decodes as text full of control characters; a list never has
    NUL, and hardly any other control character but tab and line breaks."""
    head = text[:65536]
    controls = sum(1 for c in head if c < " " and c not in "\t\r\n")
    return "\x00" in head or controls > max(2, len(head) // 200)


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


def _parse_zip(data: bytes, filename: str, options: dict) -> ParsedFile:
    """A workbook, or a ZIP holding one CSV; either only after its listing passed the archive limits
    (hubapp/common/archives.py: ZIP bombs are refused before openpyxl or zipfile unpacks anything)."""
    try:
        archive = archives.open_checked(data)
    except archives.DamagedArchive as exc:
        raise DirectoryFileError("ZIP（または .xlsx）ファイルが壊れていて開けません。") from exc
    except archives.ArchiveError as exc:
        raise DirectoryFileError(str(exc)) from None
    with archive:
        if "xl/workbook.xml" in archive.namelist():
            return _parse_xlsx(data, filename, options)
        inner = [i for i in archive.infolist() if i.filename.lower().endswith((".csv", ".tsv", ".txt"))]
        if len(inner) != 1:
            raise DirectoryFileError(
                "ZIP ファイルには CSV ファイルを1つだけ入れてください（展開してから読み込むこともできます）。"
            )
        try:
            content = archives.read_member(archive, inner[0], archives.configured_limits().max_unpacked)
        except archives.DamagedArchive as exc:
            raise DirectoryFileError("ZIP（または .xlsx）ファイルが壊れていて開けません。") from exc
        except archives.ArchiveError as exc:
            raise DirectoryFileError(str(exc)) from None
    if content.startswith(b"PK\x03\x04"):  # a ZIP inside the ZIP (or one that contains itself)
        raise DirectoryFileError("ZIP ファイルの中の ZIP ファイルは読めません。中の CSV ファイルを取り込んでください。")
    return parse_file(content, inner[0].filename, **options)


def _parse_xlsx(data: bytes, filename: str, options: dict) -> ParsedFile:
    """Only called by :func:`_parse_zip`, after the archive's listing was checked."""
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
    return _parse_rows(_Source(lambda _delimiter: iter(rows), ["xlsx"]), "xlsx", filename, **options)


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
