"""Translations: the English catalog covers every Japanese msgid in the sources, the shipped .mo matches
the .po, and the app really switches language (its own text and WTForms' messages).

When a test here fails after you added or changed UI text: run ``make translations``, translate the
new entries (empty ``msgstr``) in hubapp/translations/en/LC_MESSAGES/messages.po, and run it again.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
CATALOG_DIR = ROOT / "hubapp" / "translations" / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "messages.po"
MO_FILE = CATALOG_DIR / "messages.mo"

FIX = (
    "run `make translations`, translate the empty msgstr entries in "
    f"{PO_FILE.relative_to(ROOT)}, then run it again"
)

#: Hiragana, katakana, CJK ideographs and full-width punctuation: text that is still Japanese.
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


def japanese_in(html: str) -> list[str]:
    return JAPANESE.findall(html)


# --- the catalog against the sources -------------------------------------------------------------


def _mapping() -> tuple[list, dict, dict]:
    """babel.cfg's method map and options, and the keywords its sections declare (merged)."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(BABEL_CFG))
    keywords: dict = {}
    for options in options_map.values():
        declared = options.get("keywords") or {}
        # Babel >= 2.18 parses per-section keywords itself; older versions hand over the raw string.
        keywords.update(parse_keywords(declared.split()) if isinstance(declared, str) else declared)
    return method_map, options_map, keywords


def _scanned(path: str) -> bool:
    """The Makefile's ``--ignore-dirs '.* __pycache__'``: unlike Babel's default, keep folders starting
    with "_" (templates/_macros)."""
    name = Path(path).name
    return not (name.startswith(".") or name == "__pycache__")


def extracted_messages() -> dict:
    """(msgctxt, msgid) -> (file, line) of its first use, extracted as `make translations` does.

    The msgid is a tuple (singular, plural) for ngettext calls."""
    method_map, options_map, keywords = _mapping()
    assert keywords, "babel.cfg declares no keywords; _l and lazy_gettext would be missed"
    found: dict = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords, directory_filter=_scanned
    ):
        found.setdefault((context, message), (filename, lineno))
    return found


@pytest.fixture(scope="module")
def po_catalog():
    with PO_FILE.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def sources():
    return extracted_messages()


def test_extraction_finds_the_ui_text(sources):
    # A guard for the guard: extraction that silently found nothing would pass every check below.
    ids = {message for _context, message in sources}
    assert "ログイン" in ids  # a template
    assert "ダッシュボード" in ids  # a lazy_gettext (_l) call in Python
    assert "ユーザー名またはパスワードが正しくありません。" in ids  # a gettext (_) call in Python
    assert "必須" in ids  # a macro in templates/_macros (a folder Babel skips by default)


def test_every_source_msgid_is_translated(sources, po_catalog):
    missing, untranslated, fuzzy, broken = [], [], [], []
    for (context, msgid), (filename, lineno) in sorted(sources.items(), key=lambda item: item[1]):
        entry = po_catalog.get(msgid, context=context)
        shown = f"{filename}:{lineno}: {msgid!r}"
        if entry is None:
            missing.append(shown)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(shown)
        elif entry.fuzzy:
            fuzzy.append(shown)
        else:
            broken += [f"{shown}: {error}" for error in entry.check(po_catalog)]
    problems = [
        (f"{len(items)} {label}:\n  " + "\n  ".join(items))
        for label, items in (
            ("msgids not in the catalog", missing),
            ("msgids without an English msgstr", untranslated),
            ("fuzzy entries", fuzzy),
            ("translations whose placeholders do not match the msgid", broken),
        )
        if items
    ]
    assert not problems, "\n".join(problems) + f"\nTo fix: {FIX}."


def test_catalog_has_no_fuzzy_entries(po_catalog):
    fuzzy = [m.id for m in po_catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries are left out of the .mo; review them and drop the flag: {fuzzy}"


# --- the compiled catalog against the .po -------------------------------------------------------


def test_mo_matches_po(po_catalog):
    assert MO_FILE.exists(), f"{MO_FILE.relative_to(ROOT)} is missing: run `make translations`"
    with MO_FILE.open("rb") as f:
        mo_catalog = read_mo(f)
    # pybabel compile leaves out fuzzy and untranslated entries, so the comparison does too.
    from_po = {m.id: m.string for m in po_catalog if m.id and m.string and not m.fuzzy}
    from_mo = {m.id: m.string for m in mo_catalog if m.id}
    stale = sorted(
        str(msgid) for msgid in from_po.keys() | from_mo.keys() if from_po.get(msgid) != from_mo.get(msgid)
    )
    assert not stale, (
        f"messages.mo is out of date with messages.po for {len(stale)} msgid(s): {stale[:20]}; "
        "run `make translations` (or `pybabel compile -d hubapp/translations`) and commit the .mo"
    )


# --- the running app ----------------------------------------------------------------------------


def _switch_to(client, lang: str, next_path: str = "/") -> None:
    response = client.post("/language", data={"lang": lang, "next": next_path})
    assert response.status_code == 302


def _without_language_switch(html: str) -> str:
    """The page minus the footer's 「日本語」 button, the one Japanese word an English page should show."""
    return html.replace('lang="ja">日本語</button>', 'lang="ja"></button>')


def _nav(html: str) -> str:
    match = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert match, "no main navigation on the page"
    return match.group(0)


def _user_menu(html: str) -> str:
    match = re.search(r'<details class="user-menu">.*?</details>', html, re.S)
    assert match, "no user menu on the page"
    return match.group(0)


def test_login_page_is_japanese_by_default(client):
    page = client.get("/login").data.decode()
    assert '<html lang="ja">' in page
    assert "ログイン" in page
    assert "ユーザー名" in page
    assert "Log in" not in page


def test_login_page_in_english(client):
    _switch_to(client, "en", "/login")
    page = client.get("/login").data.decode()
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert "Username" in page and "Password" in page
    assert "Home Care Collaboration Hub" in page
    assert not japanese_in(_without_language_switch(page)), japanese_in(_without_language_switch(page))


def test_switching_back_to_japanese(client):
    _switch_to(client, "en", "/login")
    _switch_to(client, "ja", "/login")
    page = client.get("/login").data.decode()
    assert '<html lang="ja">' in page and "<h1>ログイン</h1>" in page


def test_unknown_language_is_ignored(client):
    _switch_to(client, "fr", "/login")
    assert '<html lang="ja">' in client.get("/login").data.decode()


def test_dashboard_in_english_has_no_japanese_navigation(client, login_as):
    login_as("coordinator")
    _switch_to(client, "en")
    page = client.get("/").data.decode()
    assert '<html lang="en">' in page
    nav = _nav(page)
    assert "Dashboard" in nav
    assert "ダッシュボード" not in page
    assert not japanese_in(nav), f"untranslated navigation labels: {japanese_in(nav)}"
    menu = _user_menu(page)
    assert "Coordinator" in menu and "Log out" in menu
    assert not japanese_in(menu), f"untranslated user menu: {japanese_in(menu)}"
    # The dashboard's own labels (the hub's name, dates and holiday names are data and stay Japanese).
    assert "Hub overview" in page and "Upcoming holidays" in page
    assert "Wide-area (3 municipalities)" in page
    assert "Medical association" in page
    assert "拠点の概要" not in page and "広域型" not in page


def test_error_page_in_english(client):
    _switch_to(client, "en", "/login")
    response = client.get("/no-such-page")
    page = response.data.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in page and "Page not found" in page
    assert not japanese_in(page), japanese_in(page)


def test_language_chosen_before_login_survives_login(client, create_user, login, hub):
    create_user("english-speaker", "coordinator", hubs=(hub,))
    _switch_to(client, "en", "/login")
    assert login("english-speaker").status_code == 302
    assert '<html lang="en">' in client.get("/").data.decode()


def test_language_survives_logout(client, login_as):
    login_as("coordinator")
    _switch_to(client, "en")
    page = client.post("/logout", follow_redirects=True).data.decode()
    assert '<html lang="en">' in page and "You have been logged out." in page


# --- WTForms' own messages ----------------------------------------------------------------------


def _edit_hub_with_bad_staff_count(client, hub) -> str:
    response = client.post(
        f"/hubs/{hub.id}/edit",
        data={
            "name": hub.name,
            "name_kana": hub.name_kana,
            "operator_type": hub.operator_type.value,
            "operator_name": "",
            "dedicated_staff_count": "abc",
            "phone": "",
            "address": "",
        },
    )
    assert response.status_code == 200, "the form should be shown again with its errors"
    return response.data.decode()


def _field_errors(html: str) -> list[str]:
    return re.findall(r'<p class="field__error" id="dedicated_staff_count-error">(.*?)</p>', html)


def test_wtforms_messages_are_japanese(client, login_as, hub):
    login_as("coordinator")
    page = _edit_hub_with_bad_staff_count(client, hub)
    errors = _field_errors(page)
    assert errors, "no error shown for dedicated_staff_count"
    assert "Not a valid" not in page, errors
    assert "無効な整数です。" in errors  # WTForms' bundled ja catalog, through Flask-WTF


def test_wtforms_messages_follow_the_english_locale(client, login_as, hub):
    login_as("coordinator")
    _switch_to(client, "en")
    errors = _field_errors(_edit_hub_with_bad_staff_count(client, hub))
    assert "Not a valid integer value." in errors
    assert not any(japanese_in(e) for e in errors), errors
