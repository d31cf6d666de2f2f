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
  都道府県コード又は市区町村コード or 市区町村コード) — some publishers keep only a few columns;
- the IMI 共通語彙基盤 style: a ``#property`` header row of English property names (name, address,
  telephone, latitude…), read without asking (:mod:`mapping`);
- any other layout through a mapping the coordinator saved for the hub (:class:`Mapping`); without one,
  :class:`UnknownLayout` carries the likeliest header row and its first rows, for the mapping page.

Types: the export's 種別 must be one of ORGANISATION_TYPE_JA (or the enum value), else a row error. The
open-data kinds (医療機関の種類, 実施サービス, サービスの種類) go through :data:`KIND_RULES` (first rule
whose keyword is contained wins); anything else becomes OTHER. When the kind text says more than the
type's label, it is kept in the note as 「種類: …」. An empty kind is guessed from the name with the same
rules. 医療情報ネット's 機関区分 is a code: 1 病院, 2 診療所, 3 歯科診療所, 4 助産所, 5 薬局 (an assumption:
the file name — hospital/clinic/dental/maternity/pharmacy — and the name are used when it is missing).
"""

from hubapp.directory.parsing.decoding import parse_file
from hubapp.directory.parsing.errors import DirectoryFileError, UnknownLayout
from hubapp.directory.parsing.layouts import (
    KIND_RULES,
    LAYOUT_EXPORT,
    LAYOUT_KAIGO,
    LAYOUT_MHLW_MEDICAL,
    LAYOUT_NEW_CARE,
    LAYOUT_NEW_MEDICAL,
    LAYOUT_OLD_MEDICAL,
    LAYOUTS,
    MHLW_KIND_CODES,
)
from hubapp.directory.parsing.mapping import MAPPABLE_FIELDS, Mapping, propose

__all__ = [
    "KIND_RULES",
    "LAYOUTS",
    "LAYOUT_EXPORT",
    "LAYOUT_KAIGO",
    "LAYOUT_MHLW_MEDICAL",
    "LAYOUT_NEW_CARE",
    "LAYOUT_NEW_MEDICAL",
    "LAYOUT_OLD_MEDICAL",
    "MHLW_KIND_CODES",
    "MAPPABLE_FIELDS",
    "DirectoryFileError",
    "Mapping",
    "UnknownLayout",
    "parse_file",
    "propose",
]
