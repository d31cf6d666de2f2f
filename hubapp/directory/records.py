"""The shape directory rows take between files and the database (import and export share it)."""

from dataclasses import dataclass, field
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
#: Separator of several functions inside the 機能 cell.
FUNCTION_SEPARATOR = "、"


@dataclass
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


@dataclass(frozen=True)
class RowError:
    """Why a row cannot be imported: line (1-based, header = 1), column header, message (Japanese)."""

    line: int
    column: str
    message: str


@dataclass
class ParsedFile:
    layout: str  #: e.g. "自治体標準オープンデータセット 医療機関一覧"
    encoding: str  #: "utf-8", "utf-8-sig" or "cp932"
    records: list[OrganisationRecord]
    errors: list[RowError]
