"""Patients are known by a pseudonymous code only (主治医・副主治医 pairs, 代診 logs, bed requests): one
rule for every domain, so that a code typed on the rota is the same code on a bed request."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from hubapp.common.errors import DomainError

#: Longest patient code (the columns' length).
CODE_LENGTH = 20
#: Letters, digits and hyphens, with at least one digit: "K-0123" — a romanised name ("TANAKA") or
#: anything in kana or kanji is refused.
_CODE = re.compile(r"(?=.*[0-9])[A-Z0-9]+(?:-[A-Z0-9]+)*", re.ASCII)


def clean_patient_code(text: str | None, *, required: bool = True, error: type[DomainError] = DomainError) -> str:
    """The code as stored: full-width letters and digits made half-width, upper case (``k-0012`` and
    ``Ｋ－００１２`` are ``K-0012``). Raises ``error`` (the caller's domain error) for anything that is
    not a code."""
    code = unicodedata.normalize("NFKC", text or "").strip().upper()
    code = code.replace("\u2212", "-").replace("\u30fc", "-")  # minus sign, 長音符 typed for a hyphen
    if not code:
        if required:
            raise error(_l("患者コードを入力してください。"), "patient_code")
        return ""
    if not _CODE.fullmatch(code):
        raise error(
            _l("患者コードは英数字とハイフン（数字を含む）で入力してください。氏名は入力しないでください。"),
            "patient_code",
        )
    if len(code) > CODE_LENGTH:
        raise error(_l("患者コードは%(n)d文字以内で入力してください。", n=CODE_LENGTH), "patient_code")
    return code
