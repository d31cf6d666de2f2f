"""Rows → records: finding the header row, skipping what is not data, and one row → one record or its errors.

Values read from several columns of a row (the municipality code, the address, the hours, swapped coordinates)
are assembled here; the parsers of single cells are in :mod:`values`.
"""

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation

from hubapp.common.jptext import to_katakana
from hubapp.directory.parsing.errors import DirectoryFileError, UnknownLayout, _CellError
from hubapp.directory.parsing.layouts import LAYOUTS, T, _Header, _resolve_type, _Row
from hubapp.directory.parsing.mapping import Mapping, imi_mapping, is_property_row, property_headers
from hubapp.directory.parsing.values import (
    _bed_count,
    _care_code,
    _clean_cell,
    _code,
    _coordinate,
    _corporate_number,
    _date,
    _email,
    _functions,
    _labelled,
    _municipality_code,
    _nfkc,
    _one_line,
    _phone,
    _postcode,
    _text,
    _time,
    is_placeholder,
)
from hubapp.directory.records import OrganisationRecord, ParsedFile, RowError, WarningKind

#: What :func:`~hubapp.directory.parsing.values._clean_cell` changes, in a row's cells joined by NUL: a line
#: break, space at either end of a cell, Excel's 「="…"」, a leading 「'」, a written 「(改行)」.
_NEEDS_CLEANING = re.compile(r"\r|改行|(?:^|\x00)(?:\s|'|=\")|\s(?:\x00|$)")

#: Lengths of the database columns (a longer value would fail on PostgreSQL).
_MAX_LENGTHS = {"name": 200, "kana": 300, "address": 300, "phone": 30, "fax": 30, "email": 200, "url": 500}


class _Source:
    """Rows of a file for a delimiter, each with the physical line it begins on; ``delimiters`` to try."""

    def __init__(self, rows: Callable[[str], Iterator[tuple[int, list[str]]]], delimiters: list[str]):
        self.rows, self.delimiters = rows, delimiters


def _parse_rows(source: _Source, encoding: str, filename: str, mapping=None, mappings=()) -> ParsedFile:
    header, rows = _find_header(source, mapping, mappings)
    records: list[OrganisationRecord] = []
    errors: list[RowError] = []
    refused: dict[int, list[str]] = {}
    width = len(header.written)
    last: tuple[int, list[str]] | None = None
    for line, raw in rows:
        # most rows have nothing to clean: one search of the row instead of a call per cell
        cells = [_clean_cell(c) for c in raw] if _NEEDS_CLEANING.search("\x00".join(raw)) else list(raw)
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
            refused[line] = raw
            continue
        result = _build_record(header, line, cells, filename)
        if isinstance(result, OrganisationRecord):
            records.append(result)
        else:
            errors.extend(result)
            refused[line] = raw
    if last is None:
        raise DirectoryFileError("見出し行のほかにデータ行がありません。")
    if _check_unclosed_quote(header, last, records, errors):
        refused[last[0]] = last[1]
    return ParsedFile(
        layout=header.layout or "",
        encoding=encoding,
        records=records,
        errors=errors,
        header=list(header.original),
        refused_rows=refused,
    )


def _find_header(
    source: _Source, mapping: Mapping | None = None, mappings: tuple[Mapping, ...] = ()
) -> tuple[_Header, Iterator[tuple[int, list[str]]]]:
    """The header row within the first rows, trying each likely delimiter: a known layout, the IMI style's
    ``#property`` row, or a saved mapping whose headers are all there (``mapping``: only that one). Raises
    :class:`UnknownLayout` with the likeliest header and the rows under it when none fits."""
    first_seen: tuple[_Header, str] | None = None
    for delimiter in source.delimiters:
        rows = source.rows(delimiter)
        seen = 0
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            if is_property_row(cells):
                headers = property_headers(cells)
                found = mapping or imi_mapping(headers)
                if found is not None:
                    header = _Header(line, headers, found)
                    header.original = [c.strip() for c in cells]  # the refused rows go back with the marker
                    return header, (r for r in rows if not _is_meta_row(r[1]))
            if mapping is not None:
                if mapping.fits(cells):
                    return _Header(line, cells, mapping), rows
            else:
                header = _Header(line, cells)
                if header.layout:
                    return header, rows
                saved = next((m for m in mappings if m.fits(cells)), None)
                if saved is not None:
                    return _Header(line, cells, saved), rows
            candidate = _Header(line, cells)
            if first_seen is None or len(candidate.written) > len(first_seen[0].written):
                first_seen = (candidate, delimiter)  # the likeliest header row, for the message and the mapping
            seen += 1
            if seen >= 10:
                break
    if mapping is not None:
        wanted = "、".join(mapping.fields)[:300]
        raise DirectoryFileError(f"保存した対応「{mapping.name}」の列（{wanted}）がこのファイルの見出しにそろっていません。")
    written = first_seen[0].written if first_seen else []
    found = "、".join(h for h in written if h)[:400] or "（なし）"
    message = (
        f"見出し行を認識できませんでした。見つかった見出し: {found}。"
        f"読み込める形式: {'、'.join(LAYOUTS)}（見出し行はデータの上に1行で置いてください）。"
    )
    if first_seen is None or sum(1 for h in first_seen[0].written if h) < 2:
        raise DirectoryFileError(message)  # not a table a mapping could read
    header, delimiter = first_seen
    samples = []
    for line, cells in source.rows(delimiter):
        if line > header.line and any(c.strip() for c in cells):
            samples.append([_clean_cell(c) for c in cells])
            if len(samples) == 3:
                break
    raise UnknownLayout(message, header.line, header.written, samples)


def _is_meta_row(cells: list[str]) -> bool:
    """A row under a ``#property`` header that describes the columns (``#type``…), not an organisation."""
    return bool(cells) and cells[0].strip().startswith("#")


def _check_unclosed_quote(header: _Header, last, records, errors) -> bool:
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
            return True
    return False


def _build_record(header: _Header, line: int, cells: list[str], filename: str):
    """One row: an :class:`OrganisationRecord` (with its warnings), or the row's refusals. A row is refused
    only when it cannot become an organisation (no name, or a name too long to keep); a value that cannot be
    trusted is left out with a warning and its published text kept in the note."""
    row = _Row(header, line, cells)
    name, name_column = row.get("name")
    name = _one_line(name)
    if not name:
        row.errors.append(RowError(line, name_column, f"{name_column}が空です。"))
    elif len(name) > _MAX_LENGTHS["name"]:
        row.errors.append(
            RowError(line, name_column, f"{name_column}が長すぎます（{len(name)}文字、{_MAX_LENGTHS['name']}文字まで）。")
        )
    if row.errors:
        return row.errors
    organisation_type, kind_note = _resolve_type(header.layout, row, name, filename)
    notes = [kind_note, _text(row.text("note"))]
    latitude, longitude = _coordinates(row)
    record = OrganisationRecord(
        line=line,
        type=organisation_type or T.OTHER,
        name=name,
        name_kana=_one_line(to_katakana(row.text("kana"))),
        medical_code=row.convert("medical_code", _code, 10, True),
        care_code=row.convert("care_code", _care_code),
        corporate_number=row.convert("corporate_number", _corporate_number),
        municipality_code=_municipality_of(row),
        postcode=row.convert("postcode", _postcode) or "",
        address=_address(row),
        latitude=latitude,
        longitude=longitude,
        phone=_phone_of(row, "phone"),
        fax=_phone_of(row, "fax"),
        email=row.convert("email", _email) or "",
        url=_nfkc(row.text("url")),
        bed_count=row.convert("bed_count", _bed_count),
        hours_note=_hours_note(row),
        functions=_functions(row.text("functions")),
        last_confirmed_on=row.convert("last_confirmed_on", _date),
        lines=[line],
    )
    notes += [
        _labelled("診療科目", row.text("departments")),
        _labelled("法人", row.text("corporation")),
        _labelled("定員", _nfkc(row.text("capacity"))),
        _labelled("内線", _nfkc(row.text("extension"))),
        _labelled("連絡先備考", row.text("contact_note")),
        _labelled("状況", row.text("status")),  # 休止中, 廃止 …: the importer's user should see it
    ]
    for field, limit in _MAX_LENGTHS.items():
        attribute = "name_kana" if field == "kana" else field
        value = getattr(record, attribute)
        if len(value) > limit:
            column = row.get(field)[1] or field
            row.distrust(column, value, f"{column}が長すぎます（{len(value)}文字、{limit}文字まで）。")
            setattr(record, attribute, "")
    record.note = "\n".join(n for n in [*notes, *row.kept] if n)
    if len(row.warnings) > 1:
        position = header.position
        record.warnings = sorted(row.warnings, key=lambda w: position.get(w.column, len(position)))  # the file's order
    else:
        record.warnings = row.warnings
    return record


#: A Japanese phone number inside a longer text (「0478-52-1111（代表）／0478-52-2222（夜間）」).
_PHONE_NUMBER = re.compile(r"(?:\+81[-\s]?|0)\d{1,4}(?:[-(（)）\s]\s*)?\d{1,4}(?:[-)）\s]\s*)?\d{3,4}")


def _phone_of(row: _Row, field: str) -> str:
    """The phone (or FAX) number; a cell holding two numbers gives the first, the others go to the note."""
    value, column = row.get(field)
    if not value:
        return ""
    text = row.convert(field, _phone)
    if text is None:
        return ""
    numbers = _PHONE_NUMBER.findall(text)
    if len(numbers) >= 2:
        row.warn(
            column,
            f"{column}に2つ以上の番号が書かれていたため、最初の番号を{column}に、ほかを備考に入れました（\"{value}\"）。",
            WarningKind.SPLIT,
        )
        row.kept.append(f"{column}（ほかの番号）: {'、'.join(n.strip() for n in numbers[1:])}")
        return numbers[0].strip()
    if len(text) > _MAX_LENGTHS["phone"]:
        if numbers:
            row.warn(column, f"{column}の番号のほかの文字は備考に残しました（\"{value}\"）。", WarningKind.SPLIT)
            row.kept.append(f"{column}（公開データの値: {_one_line(value)}）")
            return numbers[0].strip()
        row.distrust(column, value, f"{column}が長すぎます（{len(text)}文字、{_MAX_LENGTHS['phone']}文字まで）。")
        return ""
    return text


def _coordinates(row: _Row) -> tuple[Decimal | None, Decimal | None]:
    """Latitude and longitude; exchanged back when a publisher swapped them (緯度 140.5, 経度 35.9)."""
    latitude, longitude = _nfkc(row.text("latitude")), _nfkc(row.text("longitude"))
    try:
        swapped = 122 <= Decimal(latitude) <= 154 and 20 <= Decimal(longitude) <= 46
    except InvalidOperation:
        swapped = False
    if not swapped:
        return (
            row.convert("latitude", _coordinate, "緯度", 20, 46),
            row.convert("longitude", _coordinate, "経度", 122, 154),
        )
    column = row.get("latitude")[1]
    row.warn(
        column,
        f"緯度と経度が入れ替わっていたため、入れ替えて取り込みました（緯度 \"{latitude}\"、経度 \"{longitude}\"）。",
        WarningKind.SWAPPED,
    )
    return _coordinate(longitude, column, "緯度", 20, 46), _coordinate(latitude, column, "経度", 122, 154)


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
        if is_placeholder(value):
            continue
        try:
            code = _municipality_code(value, column)
        except _CellError as exc:
            row.distrust(column, value, str(exc))
            return None
        if code:
            return code
    return None


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
