"""The shape directory rows take between files and the database (import and export share it)."""

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from hubapp.directory.models import OrganisationType

#: hubapp's own CSV/XLSX layout: export writes it, import reads it back (round trip).
#: Names are a contract (users keep spreadsheets in this layout): add columns at the end only.
EXPORT_HEADERS = (
    "種別",
    "名称",
    "名称_カナ",
    "医療機関コード",
    "介護保険事業所番号",
    "法人番号",
    "全国地方公共団体コード",
    "郵便番号",
    "所在地",
    "緯度",
    "経度",
    "電話番号",
    "FAX番号",
    "メールアドレス",
    "URL",
    "病床数",
    "機能",
    "受付時間・休日",
    "備考",
    "最終確認日",
)
#: The organisation field behind each export header: the one Japanese label of a field for the import's
#: preview, the export and the refused-rows file alike.
FIELD_LABELS = dict(
    zip(
        (
            "type", "name", "name_kana", "medical_code", "care_code", "corporate_number", "municipality_code",
            "postcode", "address", "latitude", "longitude", "phone", "fax", "email", "url", "bed_count",
            "functions", "hours_note", "note", "last_confirmed_on",
        ),
        EXPORT_HEADERS,
        strict=True,
    )
)  # fmt: skip
#: Separator of several functions inside the 機能 cell.
FUNCTION_SEPARATOR = "、"


@dataclass(slots=True)  # slots: a national file is 100,000 of them (a fifth of the memory of a __dict__ each)
class OrganisationRecord:
    """One organisation as read from a file, before it is matched against the directory."""

    line: int  #: 1-based line number in the file (the header is line 1)
    type: OrganisationType
    name: str
    name_kana: str = ""
    medical_code: str | None = None
    care_code: str | None = None
    corporate_number: str | None = None
    municipality_code: str | None = None
    postcode: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str = ""
    fax: str = ""
    email: str = ""
    url: str = ""
    bed_count: int | None = None
    hours_note: str = ""
    note: str = ""
    #: Function labels as written in the file (matched against the controlled list on import).
    functions: list[str] = field(default_factory=list)
    last_confirmed_on: date | None = None
    #: What was not taken as written (the row is still taken): see :class:`RowWarning`.
    warnings: list["RowWarning"] = field(default_factory=list)
    #: Lines of the file this record stands for (several when duplicates were merged into it).
    lines: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a row is refused (it cannot become an organisation): line (1-based, header = 1), column header,
    message (Japanese)."""

    line: int
    column: str
    message: str


class WarningKind:
    """Why a value was not taken as written; the preview counts warnings by column and kind."""

    PLACEHOLDER = "placeholder"  #: 「-」「なし」「不明」…: no value
    DISTRUSTED = "distrusted"  #: a value that cannot be trusted: left empty, the published text in the note
    SPLIT = "split"  #: two phone numbers in one cell: the second in the note
    SWAPPED = "swapped"  #: latitude and longitude exchanged back
    MERGED = "merged"  #: the same organisation on several rows: one organisation
    UNKNOWN_FUNCTION = "unknown_function"  #: a 機能 not in the list: kept in the note
    TYPE = "type"  #: a 種別 that is not one of the app's: その他

    LABELS = {
        PLACEHOLDER: "値なしの記号",
        DISTRUSTED: "信頼できない値（備考に残した）",
        SPLIT: "2つの番号（2つ目は備考）",
        SWAPPED: "緯度と経度の入れ替え",
        MERGED: "重複行をまとめた",
        UNKNOWN_FUNCTION: "一覧にない機能（備考に残した）",
        TYPE: "種別が読めない（その他）",
    }


@dataclass(frozen=True, slots=True)
class RowWarning:
    """A row taken with a value changed or left out: line, column header, message (Japanese), kind."""

    line: int
    column: str
    message: str
    kind: str = WarningKind.DISTRUSTED


@dataclass
class ParsedFile:
    layout: str  #: e.g. "自治体標準オープンデータセット 医療機関一覧"
    encoding: str  #: "utf-8", "utf-8-sig" or "cp932"
    records: list[OrganisationRecord]
    errors: list[RowError]  #: of the refused rows
    #: The header row as written, and the refused rows' cells by line (to hand them back as a file).
    header: list[str] = field(default_factory=list)
    refused_rows: dict[int, list[str]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[RowWarning]:
        return [w for r in self.records for w in r.warnings]


#: The record's fields in the order :func:`plain_parse` writes them.
_RECORD_FIELDS = tuple(f.name for f in fields(OrganisationRecord))


def plain_parse(parsed: ParsedFile) -> dict:
    """``parsed`` as JSON-able data (kept beside an upload so that its commit does not read the file again:
    a national file of 100,000 rows takes longer to parse than to plan). :func:`parse_from_plain` reverses it."""

    def cell(name, value):
        if name == "warnings":
            return [[w.line, w.column, w.message, w.kind] for w in value]
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, OrganisationType):
            return value.value
        return value

    return {
        "layout": parsed.layout,
        "encoding": parsed.encoding,
        "header": parsed.header,
        "errors": [[e.line, e.column, e.message] for e in parsed.errors],
        "refused_rows": [[line, cells] for line, cells in parsed.refused_rows.items()],
        "records": [[cell(name, getattr(r, name)) for name in _RECORD_FIELDS] for r in parsed.records],
    }


def parse_from_plain(plain: dict) -> ParsedFile:
    """The :class:`ParsedFile` that :func:`plain_parse` wrote."""
    position = {name: n for n, name in enumerate(_RECORD_FIELDS)}
    decimals = [position["latitude"], position["longitude"]]
    kind, confirmed, warnings = position["type"], position["last_confirmed_on"], position["warnings"]
    records = []
    for values in plain["records"]:
        for n in decimals:
            if values[n] is not None:
                values[n] = Decimal(values[n])
        values[kind] = OrganisationType(values[kind])
        if values[confirmed] is not None:
            values[confirmed] = date.fromisoformat(values[confirmed])
        values[warnings] = [RowWarning(*w) for w in values[warnings]]
        records.append(OrganisationRecord(*values))
    return ParsedFile(
        layout=plain["layout"],
        encoding=plain["encoding"],
        records=records,
        errors=[RowError(*e) for e in plain["errors"]],
        header=plain["header"],
        refused_rows={line: cells for line, cells in plain["refused_rows"]},
    )
