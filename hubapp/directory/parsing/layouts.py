"""Which published layout a header row is, which column carries which field, and the organisation type."""

import functools
import re
import unicodedata

from hubapp.directory.models import ORGANISATION_TYPE_JA, OrganisationType
from hubapp.directory.parsing.errors import _CellError
from hubapp.directory.parsing.mapping import Mapping
from hubapp.directory.parsing.values import _nfkc, _one_line, is_placeholder
from hubapp.directory.records import RowError, RowWarning, WarningKind

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
#: 医療情報ネット 機関区分 (see the package docstring) and the kind text kept for the note.
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


def _key(header: str) -> str:
    """A header as compared: NFKC, no spaces, no stray quotes or BOM."""
    text = unicodedata.normalize("NFKC", header.replace("\ufeff", ""))
    return re.sub(r"[\s\"']", "", text)


_HEADER_FIELDS = {field: tuple(_key(h) for h in headers) for field, headers in _FIELD_HEADERS.items()}


class _Header:
    """The header row: which column holds which field, and the header as written (for messages)."""

    def __init__(self, line: int, cells: list[str], mapping: Mapping | None = None):
        self.line = line
        self.written = [c.replace("\ufeff", "").strip() for c in cells]
        while self.written and not self.written[-1]:
            self.written.pop()
        #: the header row as the file has it (the same as ``written`` but for a ``#property`` row)
        self.original = list(self.written)
        self.keys = [_key(c) for c in self.written]
        self.key_set = {k for k in self.keys if k}
        #: a saved (or the IMI) mapping reads the file instead of a known layout
        self.mapping = mapping
        if mapping is not None:
            self.layout = mapping_layout(mapping)
            columns = mapping.columns(self.written)
            self._columns = {field: columns.get(field, []) for field in _HEADER_FIELDS}
            return
        self.layout = _detect_layout(self.key_set, self.keys)
        self._columns = {
            field: [(self.keys.index(k), self.written[self.keys.index(k)]) for k in keys if k in self.key_set]
            for field, keys in _HEADER_FIELDS.items()
        }

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Each header as written → its first column (warnings are listed in the file's order)."""
        return {written: index for index, written in reversed(list(enumerate(self.written)))}

    @functools.cached_property
    def present(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """(field, its columns) of the fields this file has a column for."""
        return [(field, columns) for field, columns in self._columns.items() if columns]

    @functools.cached_property
    def nothing(self) -> dict[str, tuple[str, str]]:
        """What :meth:`_Row.get` gives for each field when the row has no value for it."""
        return {field: ("", columns[0][1] if columns else "") for field, columns in self._columns.items()}

    def columns(self, field: str) -> list[tuple[int, str]]:
        """(index, header as written) of the columns carrying ``field``, in order of preference."""
        return self._columns[field]

    def is_repeated(self, cells: list[str]) -> bool:
        """Whether a row is this header again (files pasted together)."""
        if not cells or cells[0] != self.written[0] or any(cells[len(self.written):]):
            return False
        return [_key(c) for c in cells[: len(self.written)]] == self.keys


def mapping_layout(mapping: Mapping) -> str:
    """How the preview names the layout of a file read with a mapping."""
    return f"保存した対応「{mapping.name}」"


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


class _Row:
    """One data row being read: its refusals (``errors``), its warnings, and the published values it did not
    trust (``kept``: lines for the organisation's note)."""

    def __init__(self, header: _Header, line: int, cells: list[str]):
        self.header, self.line, self.cells = header, line, cells
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self.kept: list[str] = []
        # each field's value once (a row is asked for about forty, a national file has 100,000 rows)
        found: dict[str, tuple[str, str]] = {}
        width = len(cells)
        for field, columns in header.present:
            for index, written in columns:
                if index < width and cells[index]:
                    found[field] = (cells[index], written)
                    break
        self._found = found

    def get(self, field: str) -> tuple[str, str]:
        """(value, header as written) of the first non-empty column carrying ``field``."""
        return self._found.get(field) or self.header.nothing[field]

    def text(self, field: str) -> str:
        return (self._found.get(field) or self.header.nothing[field])[0]

    def convert(self, field: str, function, *args):
        """The cell parsed by ``function``; a placeholder (「-」「なし」…) is no value, and a value that cannot
        be parsed is left out with a warning and kept in the note as published."""
        value, column = self.get(field)
        if not value:
            return None
        if is_placeholder(value):
            self.warn(column, f"{column}「{value}」は値がないものとして扱いました。", WarningKind.PLACEHOLDER)
            return None
        try:
            return function(value, column, *args)
        except _CellError as exc:
            self.distrust(column, value, str(exc))
            return None

    def distrust(self, column: str, value: str, message: str) -> None:
        """Leave the value out: a warning, and the published text in the note."""
        self.warn(column, f"{message} 空欄で取り込み、公開データの値を備考に残します。", WarningKind.DISTRUSTED)
        self.kept.append(f"{column}（公開データの値: {_one_line(value)}）")

    def warn(self, column: str, message: str, kind: str) -> None:
        self.warnings.append(RowWarning(self.line, column, message, kind))

    def error(self, field: str, message: str) -> None:
        self.errors.append(RowError(self.line, self.get(field)[1] or field, message))


def _resolve_type(layout: str | None, row: _Row, name: str, filename: str) -> tuple[OrganisationType | None, str]:
    """The type, and a note keeping the kind text («種類: …») when it says more than the type's label."""
    if layout == LAYOUT_EXPORT:
        value, column = row.get("type")
        label = _nfkc(value)
        if not label:
            row.warn(column, f"{column}が空のため「その他」として取り込みます。", WarningKind.TYPE)
            return T.OTHER, ""
        for organisation_type, ja in ORGANISATION_TYPE_JA.items():
            if label in (ja, organisation_type.value):
                return organisation_type, ""
        choices = "、".join(ORGANISATION_TYPE_JA.values())
        message = f"{column}「{value}」は使えないため「その他」として取り込みます（使える種別: {choices}）。"
        row.warn(column, message, WarningKind.TYPE)
        return T.OTHER, f"種類: {_one_line(value)}"
    kind = _one_line(row.text("kind"))
    fixed = row.header.mapping.organisation_type if row.header.mapping is not None else None
    if fixed is not None and not kind:
        return fixed, ""  # the whole file is of one type (a pharmacy list is all 薬局)
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

