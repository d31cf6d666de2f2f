"""Japanese text for search and ordering: one normal form for what people type and what is stored.

``fold`` makes the spellings a user may type for the same thing equal:
- NFKC: full-width ↔ half-width (「ﾎｳﾓﾝ」→「ホウモン」, 「１２３」→「123」), compatibility characters;
- katakana → hiragana (「ホウモン」→「ほうもん」);
- small kana → large (「ょ」→「よ」) and the long-vowel mark dropped (「ステーション」≈「ステション」);
- a few common variant kanji → their usual form (髙→高, 﨑→崎 …);
- spaces and punctuation dropped (addresses: 「1-2-3」≈「１－２－３」≈「1 2 3」).

``bigrams`` turns folded text into the tokens the search index stores; a query matches when its
bigrams appear consecutively (a phrase), which is an exact substring test that an index can answer
for queries of two characters or more (a trigram index cannot answer 2-character queries such as
「薬局」 or 「病院」).
"""

import re
import unicodedata

_SMALL_TO_LARGE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
#: Variant kanji (異体字) found in names and addresses, folded to the form people type.
_VARIANTS = str.maketrans(
    {
        "髙": "高", "﨑": "崎", "嵜": "崎", "德": "徳", "邊": "辺", "邉": "辺", "齋": "斎", "齊": "斉",
        "濵": "浜", "濱": "浜", "櫻": "桜", "澤": "沢", "廣": "広", "國": "国", "會": "会", "藏": "蔵",
        "眞": "真", "槇": "槙", "籠": "篭", "冨": "富", "塚": "塚", "﨔": "欅",
    }
)
_LONG_VOWELS = {"ー", "〜", "～"}


def _composed_table() -> dict[int, str | None]:
    """katakana → hiragana, then small → large, then variant kanji, and the long-vowel marks dropped, as one
    table for ``str.translate`` (a national directory folds 400,000 names and addresses)."""
    table: dict[int, str | None] = {}
    katakana = {code: chr(code - 0x60) for code in range(0x30A1, 0x30F7)}  # ァ..ヶ
    for code in {*katakana, *_SMALL_TO_LARGE, *_VARIANTS}:
        ch = katakana.get(code, chr(code))
        ch = ch.translate(_SMALL_TO_LARGE).translate(_VARIANTS)
        if ch != chr(code):
            table[code] = ch
    for mark in _LONG_VOWELS:
        table[ord(mark)] = None
    return table


_FOLD = _composed_table()
#: What ``fold`` drops once translated: all but letters (kana, kanji, latin) and digits — ``\w`` is letters,
#: digits and the underscore.
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def fold(text: str | None) -> str:
    """The search form of ``text`` (see the module docstring). Empty for None."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    return _NOT_LETTER_OR_DIGIT.sub("", text)


def kana_key(kana: str | None, fallback: str | None = None) -> str:
    """The 五十音順 sort key of a reading (hiragana order; voiced after unvoiced as in dictionaries).
    Without a reading, the folded name, so that such rows still sort deterministically (last)."""
    return kana_key_of_folded(fold(kana), fold(fallback))


def kana_key_of_folded(folded_kana: str, folded_fallback: str) -> str:
    """:func:`kana_key` of text already folded."""
    return folded_kana or "\uffff" + folded_fallback


def to_katakana(text: str | None) -> str:
    """A reading as katakana, full width (「ﾎｳﾓﾝ」 or 「ほうもん」 → 「ホウモン」), for storing 名称_カナ."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(ch) + 0x60) if 0x3041 <= ord(ch) <= 0x3096 else ch for ch in text)


def bigrams(folded: str) -> list[str]:
    """Overlapping two-character tokens of already-folded text; a single character stays as it is."""
    if len(folded) < 2:
        return [folded] if folded else []
    return [folded[i : i + 2] for i in range(len(folded) - 1)]


def index_text(*fields: str | None) -> str:
    """The text stored for the search index: each field folded and cut into bigrams.

    No phrase runs from one field into the next: the two characters either side of a boundary never
    form an indexed bigram, so a query of two bigrams or more cannot match across it."""
    return index_folded(*(fold(field) for field in fields))


def index_folded(*folded: str) -> str:
    """:func:`index_text` of fields already folded."""
    tokens: list[str] = []
    for field in folded:
        tokens.extend(bigrams(field))
    return " ".join(tokens)


#: Abbreviations people type (left) and what they stand for in names and type labels (right).
ABBREVIATIONS = {
    "訪看": "訪問看護",
    "ほうかん": "ほうもんかんご",
    "訪介": "訪問介護",
    "訪リハ": "訪問リハビリ",
    "訪診": "訪問診療",
    "在支診": "在宅療養支援診療所",
    "在支病": "在宅療養支援病院",
    "特養": "特別養護老人ホーム",
    "老健": "介護老人保健施設",
    "包括": "地域包括支援センタ",
    "ケアマネ": "居宅介護支援",
    "小多機": "小規模多機能",
    "看多機": "看護小規模多機能",
    "グルホ": "グループホーム",
    "デイ": "通所",
}


def query_variants(query: str) -> list[str]:
    """The folded query, and the query with a typed abbreviation spelled out (「訪看」→「訪問看護」)."""
    folded = fold(query)
    if not folded:
        return []
    variants = [folded]
    for short, long in ABBREVIATIONS.items():
        short_folded, long_folded = fold(short), fold(long)
        if short_folded and short_folded in folded and short_folded != long_folded:
            expanded = folded.replace(short_folded, long_folded)
            if expanded not in variants:
                variants.append(expanded)
    return variants
