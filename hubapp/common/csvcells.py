"""Cells of the CSV and XLSX files people take away, for every domain that writes them: a cell a
spreadsheet would run as a formula is defused (``neutralise``; the importer undoes it with
``unneutralise``), and text cp932 lacks is written as its nearest cp932 look-alike or 〓
(``str.encode("cp932", errors=CP932_ERRORS)``)."""

import codecs
import unicodedata

#: The encodings a CSV is offered in: UTF-8 with BOM (Excel reads it), or cp932 on request.
CSV_ENCODINGS = ("utf-8-sig", "cp932")
#: A cell beginning with one of these is read as a formula by spreadsheet software (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: 〓 (geta mark): the traditional stand-in for a character the encoding does not have.
GETA = "〓"


def neutralise(value: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula: prefix ``'`` when it begins with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return (OWASP's advice for CSV injection; done in XLSX too).

    The apostrophe stays visible in the cell; that is the accepted cost. Nothing numeric is exported as
    text here (latitude, longitude and bed counts of Japanese organisations are never negative, and
    phone numbers are written domestically, 「0478-…」), so no real number is turned into text by it; an
    international 「+81 …」 phone number would show as 「'+81 …」.

    A value that already begins with apostrophes in front of a trigger gets one more, so that
    ``unneutralise`` restores every value exactly (「'=x」 → 「''=x」 → 「'=x」).
    """
    if value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse of ``neutralise``, for the importer: ``unneutralise(neutralise(v)) == v`` for every v.
    A value that ``neutralise`` would have left alone comes back unchanged."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


#: Characters cp932 lacks that have a cp932 look-alike NFKC does not find.
_CP932_SUBSTITUTES = {
    "\u2014": "\u2015",  # EM DASH → HORIZONTAL BAR (cp932's 「―」, 0x815C)
    "\u2013": "\uff0d",  # EN DASH → FULLWIDTH HYPHEN-MINUS 「－」 (e.g. 「9:00–17:00」)
}


def _invisible(ch: str) -> bool:
    """Variation selectors (incl. the IVS of 異体字 names, 「葛󠄀」) and the zero-width joiner: the base
    character alone is the right text in cp932."""
    code = ord(ch)
    return code == 0x200D or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _cp932_fallback(ch: str) -> str:
    if _invisible(ch):
        return ""
    if ch in _CP932_SUBSTITUTES:
        return _CP932_SUBSTITUTES[ch]
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch:
        try:
            folded.encode("cp932")
        except UnicodeEncodeError:
            pass
        else:
            return folded  # 「㋿」→「令和」, 「⑴」→「(1)」
    return GETA


def _cp932_geta(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    unencodable = error.object[error.start : error.end]
    return "".join(_cp932_fallback(ch) for ch in unencodable), error.end


#: Error handler name for ``str.encode("cp932", errors=CP932_ERRORS)``.
CP932_ERRORS = "hubapp-cp932-geta"
codecs.register_error(CP932_ERRORS, _cp932_geta)
