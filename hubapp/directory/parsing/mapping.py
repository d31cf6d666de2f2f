"""Layouts the parser does not know: which column carries which field, proposed from the headers and
corrected by the coordinator, then kept for the hub as a named mapping: the next file of that publisher imports without questions.

A mapping is plain data — ``{header key: field}`` plus, optionally, one organisation type for the whole
file (a pharmacy list is all 薬局) — so the parser stays free of the database. Header keys are compared as
:func:`hubapp.directory.parsing.layouts._key` compares them (NFKC, no spaces), lower-cased for the English
property names of the IMI 共通語彙基盤 style (a ``#property`` header row: name, address, telephone…).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from hubapp.directory.models import OrganisationType

#: The fields a column can be mapped to, with the label the mapping page shows.
MAPPABLE_FIELDS: dict[str, str] = {
    "name": "名称",
    "kana": "名称（カナ）",
    "kind": "種類（種別を決める）",
    "address": "所在地",
    "building": "方書（建物名）",
    "postcode": "郵便番号",
    "phone": "電話番号",
    "fax": "FAX番号",
    "email": "メールアドレス",
    "url": "URL",
    "latitude": "緯度",
    "longitude": "経度",
    "medical_code": "医療機関コード",
    "care_code": "介護保険事業所番号",
    "corporate_number": "法人番号",
    "municipality_code": "全国地方公共団体コード",
    "bed_count": "病床数",
    "departments": "診療科目",
    "hours": "受付時間・休日",
    "note": "備考",
}

#: Headers (Japanese, and the English property names of IMI / schema.org) that propose a field, most
#: specific first: a header is compared whole first, then by what it contains (「施設正式名称」 → 名称).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "kana": ("名称_カナ", "名称カナ", "名称(カナ)", "フリガナ", "ふりがな", "カナ", "よみ", "読み", "kana", "namekana",
             "furigana", "yomi"),
    "medical_code": ("医療機関コード", "医療機関番号", "medicalinstitutioncode"),
    "care_code": ("介護保険事業所番号", "事業所番号", "careprovidernumber"),
    "corporate_number": ("法人番号", "corporatenumber"),
    "municipality_code": ("全国地方公共団体コード", "地方公共団体コード", "市区町村コード", "localgovernmentcode",
                          "municipalitycode"),
    "postcode": ("郵便番号", "〒", "postalcode", "postcode", "zipcode", "zip"),
    "building": ("方書", "建物名", "ビル名", "building"),
    "address": ("所在地", "住所", "所在", "address", "location", "streetaddress"),
    "fax": ("fax番号", "ファックス", "fax", "faxnumber"),
    "phone": ("電話番号", "電話", "tel", "telephone", "telephonenumber", "phone", "phonenumber"),
    "email": ("メールアドレス", "メール", "email", "e-mail", "mail"),
    "url": ("url", "ホームページ", "ウェブサイト", "website", "homepage"),
    "latitude": ("緯度", "latitude", "lat"),
    "longitude": ("経度", "longitude", "lon", "lng", "long"),
    "bed_count": ("病床数", "病床", "beds", "bedcount"),
    "departments": ("診療科目", "診療科", "標榜科目", "departments", "medicalspecialty"),
    "hours": ("受付時間", "診療時間", "開館時間", "営業時間", "openinghours", "hours"),
    "kind": ("医療機関の種類", "サービスの種類", "施設種別", "種別", "種類", "区分", "分類", "業種", "category", "kind",
             "type"),
    "name": ("施設正式名称", "正式名称", "施設名称", "施設名", "医療機関名", "事業所名", "薬局名", "名称", "名前", "name",
             "officialname", "facilityname"),
    "note": ("備考", "特記事項", "note", "notes", "description", "remarks"),
}  # fmt: skip


def key(header: str) -> str:
    """A header as mappings compare it: NFKC, lower case, no spaces, quotes or BOM."""
    text = unicodedata.normalize("NFKC", header.replace("\ufeff", "")).lower()
    return re.sub(r"[\s\"'()（）\[\]【】]", "", text)


_SYNONYM_KEYS = {name: tuple(key(s) for s in words) for name, words in _SYNONYMS.items()}


#: When a header contains synonyms of several fields (「施設名称カナ」, 「所在地座標（緯度）」), the more specific
#: field wins: this order.
_PRIORITY = (
    "kana", "latitude", "longitude", "fax", "postcode", "building", "medical_code", "care_code", "corporate_number",
    "municipality_code", "email", "url", "bed_count", "departments", "hours", "kind", "name", "address", "phone", "note",
)  # fmt: skip


def propose(headers: list[str]) -> list[str | None]:
    """A field per column (None: not used), each field at most once: whole-header matches first, then
    headers that contain a synonym (the more specific field first, then the longer synonym)."""
    keys = [key(h) for h in headers]
    proposal: list[str | None] = [None] * len(headers)
    taken: set[str] = set()
    for whole in (True, False):
        candidates = sorted(
            (_PRIORITY.index(name), -len(s), n, name)
            for n, k in enumerate(keys)
            if k
            for name, words in _SYNONYM_KEYS.items()
            for s in words
            if (k == s if whole else (len(s) >= 2 and s in k))
        )
        for _rank, _length, n, name in candidates:
            if proposal[n] is None and name not in taken:
                proposal[n] = name
                taken.add(name)
    return proposal


@dataclass(frozen=True)
class Mapping:
    """A saved (or about to be saved) mapping: its name, ``{header key: field}``, and the one type of every
    row when the file has no kind column."""

    name: str
    fields: dict[str, str] = field(default_factory=dict)
    organisation_type: OrganisationType | None = None

    def fits(self, headers: list[str]) -> bool:
        """Whether a file with these headers can be read with this mapping: every mapped header is there."""
        present = {key(h) for h in headers}
        return bool(self.fields) and set(self.fields) <= present

    def columns(self, headers: list[str]) -> dict[str, list[tuple[int, str]]]:
        """Field → [(index, header as written)] for the parser."""
        found: dict[str, list[tuple[int, str]]] = {}
        for index, header in enumerate(headers):
            name = self.fields.get(key(header))
            if name:
                found.setdefault(name, []).append((index, header))
        return found


def is_property_row(cells: list[str]) -> bool:
    """The IMI 共通語彙基盤 style: a header row marked ``#property`` (its own first cell, or a prefix of it)."""
    return bool(cells) and unicodedata.normalize("NFKC", cells[0]).strip().lower().startswith("#property")


def property_headers(cells: list[str]) -> list[str]:
    """The property names of a ``#property`` row, one per column: the marker cell itself becomes an unused
    column, a prefixed first name (``#property:name``) keeps its name."""
    first = re.sub(r"(?i)^#property[\s:：=]*", "", unicodedata.normalize("NFKC", cells[0]).strip())
    return [first, *cells[1:]]


def imi_mapping(headers: list[str]) -> Mapping | None:
    """A ``#property`` file read without asking: its English property names proposed, when that finds a name."""
    proposal = propose(headers)
    if "name" not in proposal:
        return None
    return Mapping("IMI 共通語彙基盤（#property）", {key(h): f for h, f in zip(headers, proposal, strict=True) if f})
