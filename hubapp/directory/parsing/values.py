"""One cell → one value: cleaning what Excel and the publishers do to cells, and a parser per kind of value.

A parser takes the cell and its header as written (for the message) and raises ``_CellError`` with a Japanese
message when the value cannot be accepted.
"""

import functools
import re
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hubapp.directory.exporting import unneutralise
from hubapp.directory.parsing.errors import _CellError
from hubapp.directory.records import FUNCTION_SEPARATOR
from hubapp.hubs.services import check_municipality_code

#: What publishers write for "none" (compared after NFKC: 「－」 is 「-」).
_EMPTY_MARKS = {"-", "ー", "―", "‐", "—", "–", "なし", "無", "無し", "不明", "該当なし", "未定", "未登録", "＊", "*"}
_WRITTEN_LINE_BREAK = re.compile(r"[（(]改行[）)]")


def is_placeholder(value: str) -> bool:
    """「-」「－」「―」「なし」「不明」「該当なし」…: a cell that says there is no value."""
    return _nfkc(value) in _EMPTY_MARKS


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


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip() if value else ""


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


_DASHES_AND_SPACES = re.compile(r"[\s\-‐－―ー]")
_POINT_ZERO = re.compile(r"\d+\.0+")
_EXPONENT = re.compile(r"(\d)(?:\.(\d+))?[eE]\+?(\d+)")


def _digits(value: str, column: str) -> str:
    """A number as digits, undoing what Excel does to numbers: ``.0``, ``'`` and exact exponents."""
    text = _DASHES_AND_SPACES.sub("", _nfkc(value)).lstrip("'")
    if _POINT_ZERO.fullmatch(text):
        text = text.split(".")[0]
    exponent = _EXPONENT.fullmatch(text)
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
    """Digits only, ``length`` of them. 医療機関コード is 10 digits (厚生労働省 保険局: 都道府県番号 2,
    点数表番号 1, then the 7-digit 医療機関コード — 郡市区番号 2, 医療機関番号 4, 検証番号 1)."""
    text = _digits(value, column)
    if pad and len(text) == length - 1 and text.isascii() and text.isdigit():
        text = "0" + text  # Excel dropped the leading zero (prefecture codes 01–09)
    if len(text) != length or not (text.isascii() and text.isdigit()):
        raise _CellError(f"{column}は{length}桁の数字です（\"{value}\"）。")
    return text


#: 介護保険事業所番号 (厚生労働省「介護予防・日常生活支援総合事業における事業所番号の考え方について」):
#: 10 characters — 都道府県番号 2 digits, 事業所区分番号 1 character (a digit, or an upper-case letter other
#: than I, O and Q: 介護医療院 are numbered 「01B…」, 総合事業 「…A…」), 郡市区番号 2, 事業所番号 4 and
#: 検証番号 1 digit. The check digit is not verified: its extension to letters is each 指定権者's to apply.
_CARE_CODE = re.compile(r"\d{2}[0-9A-HJ-NPR-Z]\d{7}")


def _care_code(value: str, column: str) -> str:
    text = _digits(value, column).upper()
    if len(text) == 9 and text.isascii() and text.isdigit():
        text = "0" + text  # Excel dropped the leading zero (prefecture numbers 01–09)
    if not _CARE_CODE.fullmatch(text):
        raise _CellError(
            f"{column}は10桁（3桁目は数字か英大文字）です（\"{value}\"）。"
        )
    return text


def _corporate_number(value: str, column: str) -> str:
    """法人番号: 13 digits, the first a check digit (法人番号の指定等に関する省令 第2条: 9 − (Σ Pn×Qn mod 9),
    Qn = 1 for odd n and 2 for even n, n counted from the lowest of the other 12 digits)."""
    number = _code(value, column, 13)
    base = number[1:]
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base), 1))
    if int(number[0]) != 9 - total % 9:
        raise _CellError(f"{column}の検査用数字（先頭の1桁）が合いません（\"{value}\"）。")
    return number


@functools.lru_cache(maxsize=4096)
def _municipality_code(value: str, column: str) -> str | None:
    """全国地方公共団体コード (総務省, JIS X 0401・0402): six digits, the sixth a check digit (modulus 11,
    hubapp.hubs.services.check_municipality_code); five digits gain it; a prefecture's code gives None."""
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


def _bed_count(value: str, column: str) -> int | None:
    text = _nfkc(value).replace(",", "").removesuffix("床").strip()
    if text in _EMPTY_MARKS:
        return None
    if not re.fullmatch(r"\d+(\.0+)?", text):
        raise _CellError(f"{column}が整数ではありません（\"{value}\"）。")
    whole = text.split(".")[0].lstrip("0") or "0"
    if len(whole) > 4 or int(whole) > 5000:  # the length first: int() refuses more than 4,300 digits
        raise _CellError(f"{column}は0〜5000の整数です（\"{value}\"）。")
    return int(whole)


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
    if not text:
        return ""
    if re.fullmatch(r"0?\.\d+", text):  # Excel's fraction of a day
        minutes = round(float(text) * 24 * 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    match = re.fullmatch(r"(\d{1,2}):(\d{2}):00", text)
    return f"{match[1]}:{match[2]}" if match else text


def _functions(value: str) -> list[str]:
    labels: list[str] = []
    for label in re.split(rf"[{FUNCTION_SEPARATOR},，・;；\n]", _text(value)):
        label = label.strip()
        if label and label not in labels:
            labels.append(label)
    return labels

