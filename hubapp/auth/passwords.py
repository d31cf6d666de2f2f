"""Password rules (the MHLW guideline's Q&A and ASVS V6.2): length, not composition.

- at least ``PASSWORD_MIN_LENGTH`` characters (13: the guideline's option for accounts without a second
  factor; 8 with TOTP on, its option for two-factor accounts), at most 128 — a 64-character passphrase is welcome;
- not one of the 30,000 most used passwords (zxcvbn's list), compared without case, and not the
  username;
- no rules about character classes and no forced periodic change (ASVS forbids both).
"""

from functools import cache

from flask import current_app
from flask_babel import gettext as _

MAX_LENGTH = 128


@cache
def blocklist() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def problem(password: str, username: str = "", *, with_totp: bool = False) -> str | None:
    """What is wrong with ``password`` (a Japanese sentence), or None when it may be used. With a TOTP
    second factor on, ``PASSWORD_MIN_LENGTH_WITH_TOTP`` (8) characters are enough."""
    config = current_app.config
    minimum = int(config["PASSWORD_MIN_LENGTH_WITH_TOTP"] if with_totp else config["PASSWORD_MIN_LENGTH"])
    if len(password) < minimum:
        return _(
            "パスワードは%(n)d文字以上にしてください（文の一部や単語の組み合わせが覚えやすく安全です）。", n=minimum
        )
    if len(password) > MAX_LENGTH:
        return _("パスワードは%(n)d文字以内にしてください。", n=MAX_LENGTH)
    if password.lower() in blocklist():
        return _("よく使われているパスワードです。別のものにしてください。")
    if username and password.lower() == username.lower():
        return _("ユーザー名と同じパスワードは使えません。")
    return None
