"""``jptext.fold`` (one translate table and a regular expression) against its definition, written out a
character at a time as the module docstring states it."""

import unicodedata

import pytest

from hubapp.common import jptext

SMALL, LARGE = "ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ"


def fold_by_definition(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(chr(ord(ch) - 0x60) if 0x30A1 <= ord(ch) <= 0x30F6 else ch for ch in text)
    text = text.translate(str.maketrans(SMALL, LARGE)).translate(jptext._VARIANTS)
    return "".join(
        ch for ch in text if ch not in jptext._LONG_VOWELS and unicodedata.category(ch)[0] in ("L", "N")
    )


def test_every_character_folds_as_defined():
    """Each code point of the Basic Multilingual Plane and the CJK extension B block, alone and between
    letters (so that what it becomes under NFKC meets its neighbours)."""
    for code in [*range(0x0, 0xD800), *range(0xE000, 0x10000), *range(0x20000, 0x20100)]:
        ch = chr(code)
        for text in (ch, f"あ{ch}ア"):
            assert jptext.fold(text) == fold_by_definition(text), f"U+{code:04X}"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ﾎｳﾓﾝｶﾝｺﾞｽﾃｰｼｮﾝ", "ほうもんかんごすてしよん"),
        ("訪問看護ステーション", "訪問看護すてしよん"),
        ("㈱髙橋メディカル", "株高橋めでいかる"),
        ("千葉県香取市佐原ロ１－２－３", "千葉県香取市佐原ろ123"),
        ("ヴァイオリン_教室", "ゔあいおりん教室"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_and_addresses(text, folded):
    assert jptext.fold(text) == folded
