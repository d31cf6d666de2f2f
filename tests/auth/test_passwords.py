"""Password rules (issue 8 point 1): 13 characters at least, 64-character passphrases welcome, the 30,000
most used passwords refused whatever their case, not the username, and no composition rule."""

import pytest

from hubapp.auth import passwords, services
from hubapp.common.roles import Role


def _create(password: str, username: str = "kato-mayumi"):
    return services.create_user(username=username, password=password, role=Role.MEMBER, display_name="加藤")


def test_the_blocklist_is_large():
    assert len(passwords.blocklist()) >= 3000
    assert "password" in passwords.blocklist() and "1qaz2wsx3edc4rfv" in passwords.blocklist()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kakinoki-123", "13文字以上"),  # 12 characters
        ("1qaz2wsx3edc4rfv", "よく使われている"),  # long, but on every attacker's list
        ("1QAZ2WSX3EDC4RFV", "よく使われている"),
        ("kato-mayumi-01", None),
        ("x" * 129, "128文字以内"),
    ],
)
def test_rules(app_ctx, password, message):
    if message is None:
        assert _create(password).username == "kato-mayumi"
    else:
        with pytest.raises(services.AccountError, match=message):
            _create(password)


def test_long_passphrases_and_no_composition_rule(app_ctx):
    passphrase = "ひまわりが咲く坂道を毎朝自転車でのぼる" * 3 + "!" * 7
    assert len(passphrase) == 64 and _create(passphrase, "long-one")  # no digits, no upper case
    assert _create("correct horse battery staple", "spaces-ok")  # only lower-case letters and spaces
    with pytest.raises(services.AccountError, match="ユーザー名と同じ"):
        _create("kato-mayumi-long", "kato-mayumi-long")
