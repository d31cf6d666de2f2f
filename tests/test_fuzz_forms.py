"""Property-based fuzzing of every form (issue 8 point 8).

Every form is every POST rule of ``app.url_map``. Its fields are read from the HTML of the pages that post
to it (every GET page, crawled as every role that may see it, and the pages its links with a query string
lead to), or, for a form no page shows, from the WTForms class its view uses or the ``request.form`` names
in the view's source. Hypothesis then posts, as the roles that may use the route, values mixing NUL bytes,
10,000-character strings, full-width text, emoji (ZWJ sequences), odd Unicode (combining marks, RTL marks,
noncharacters; never a lone surrogate, which cannot be encoded) and valid-looking values (the page's own
values, dates, numbers, choices) so that forms get past their validation too, with random bytes in the file
fields. The house rule: bad input gets a clear message and changes nothing — never a 500.

On SQLite two kinds of input are stored silently that PostgreSQL refuses with an error (a 500 there): a
NUL byte in text, and text longer than its ``String(n)`` column. After every request the test looks for
them in the database too, so that the SQLite run finds the 500s of the PostgreSQL deployment.

Then ``<script>`` and an ``onerror`` attribute are stored through every text field of every form, and every
HTML page, as every role that may see it, must show them escaped.

``pytest -s`` prints the figures: forms fuzzed, requests sent, 500s seen. ``FUZZ_EXAMPLES=100`` fuzzes
deeper than the 15 examples per form of the usual run (about a minute).
"""

import inspect
import io
import logging
import os
import re
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from wtforms import SelectMultipleField

from hubapp.common.roles import PUBLIC, Role, declared_roles
from hubapp.extensions import db
from tests.support.routes import sample_arguments

#: Examples per form: about 1,200 requests in all, about a minute.
EXAMPLES_PER_FORM = int(os.environ.get("FUZZ_EXAMPLES", 15))
#: Fields the test does not fuzz: CSRF is off in the test configuration.
SKIPPED_FIELDS = {"csrf_token"}
#: Forms that remove or end their object run last, so that the others still find theirs.
DESTRUCTIVE = re.compile(r"(delete|cancel|revoke|_end|discharge|logout|reject|toggle)$")
#: Markup that must never come back unescaped.
PAYLOADS = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>')
RAW_MARKUP = ("<script>alert(", "<img src=x onerror")
#: Fields that take text as typed (their values are shown on pages).
TEXT_KINDS = {"text", "textarea", "search", "tel", "email", "url", "hidden"}


# --- the forms the pages offer ----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # an <input> type, "select", "textarea", "button"
    values: list[str] = field(default_factory=list)  # the page's own values: value=, options, checkbox values
    multiple: bool = False


@dataclass
class Form:
    action: str  # absolute path, with any query string
    source: str  # where the fields come from: "page", "wtforms", "view source", "none"
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, found: Field) -> None:
        if found.name in SKIPPED_FIELDS:
            return
        known = self.fields.setdefault(found.name, Field(found.name, found.kind))
        known.multiple = known.multiple or found.multiple
        for value in found.values:
            if value not in known.values:
                known.values.append(value)


class FormParser(HTMLParser):
    """The POST forms of one page: action and fields (input, select with its options, textarea, named buttons)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(urljoin(self.page_url, a["href"]))
        if tag == "form":
            self._form = None
            if a.get("method", "get").lower() == "post":
                self._form = Form(urljoin(self.page_url, a.get("action") or self.page_url), "page")
                self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": ""}
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "reset"):
                kind = "button"
            self._form.add(Field(a["name"], kind, [a["value"]] if "value" in a else [], kind == "checkbox"))
        elif tag == "button":
            self._form.add(Field(a["name"], "button", [a.get("value", "")]))
        elif tag == "textarea":
            self._form.add(Field(a["name"], "textarea"))
        elif tag == "select":
            self._select = Field(a["name"], "select", multiple="multiple" in a)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"]
            self._select.values.append(value if value is not None else self._option["text"].strip())
            self._option = None
        elif tag == "select" and self._select is not None:
            if self._form is not None:
                self._form.add(self._select)
            self._select = None


def parse_page(page_url: str, html: str) -> FormParser:
    parser = FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser


# --- forms no page shows: the WTForms class of the view, or the names the view reads ----------------------

_WTFORMS_KINDS = {
    "DateField": "date",
    "TimeField": "time",
    "DateTimeLocalField": "datetime-local",
    "IntegerField": "number",
    "DecimalField": "number",
    "FloatField": "number",
    "BooleanField": "checkbox",
    "FileField": "file",
    "TextAreaField": "textarea",
    "EmailField": "email",
    "HiddenField": "hidden",
    "SubmitField": "button",
    "SelectField": "select",
    "RadioField": "select",
    "SelectMultipleField": "select",
    "MultiCheckboxField": "checkbox",
}
_FORM_READ = re.compile(r"request\.(form|files)(?:\.(get|getlist)\(|\[)\s*[\"']([^\"']+)[\"']")


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _code_names(const)
    return names


def _form_classes() -> dict[str, type]:
    from flask_wtf import FlaskForm

    found, todo = {}, list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def fallback_form(app, rule, url: str) -> Form:
    """The fields of a form that no page showed: its view's WTForms classes, else the request.form names."""
    view = inspect.unwrap(app.view_functions[rule.endpoint])
    form = Form(url, "none")
    classes = _form_classes()
    for name in sorted(_code_names(view.__code__) & classes.keys()):
        with app.test_request_context(url, method="POST"):
            for f in classes[name](meta={"csrf": False}):
                kinds = [_WTFORMS_KINDS[c.__name__] for c in type(f).__mro__ if c.__name__ in _WTFORMS_KINDS]
                kind = kinds[0] if kinds else "text"
                choices = [str(c[0]) for c in (getattr(f, "choices", None) or []) if isinstance(c, tuple | list)]
                form.add(Field(f.name, kind, choices, isinstance(f, SelectMultipleField)))
                form.source = "wtforms"
    if not form.fields:
        for where, how, name in _FORM_READ.findall(inspect.getsource(view)):
            form.add(Field(name, "file" if where == "files" else "text", multiple=how == "getlist"))
            form.source = "view source"
    return form


# --- the world the forms are fuzzed in --------------------------------------------------------------------

#: Roles tried first when one role is enough: the hub editors see the most forms.
ROLE_PREFERENCE = (Role.COORDINATOR, Role.ADMIN, Role.PHYSICIAN, Role.BED_MANAGER, Role.CONSULTANT, Role.PREFECTURE,
                   Role.MEMBER)  # fmt: skip


def allowed_roles(app, rule) -> list[Role | None]:
    declared = declared_roles(app.view_functions[rule.endpoint])
    if declared == PUBLIC:
        return [None, *ROLE_PREFERENCE]
    return [role for role in ROLE_PREFERENCE if role in declared]


def client_as(app, user):
    """A client whose session has just logged ``user`` in (as tests/test_route_roles.py fakes it)."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session["_since"] = session["_seen"] = time.time()
            session["_factor"] = "done"  # past the second factor
    return client


class ErrorLog(logging.Handler):
    """The tracebacks the app's error handler logs (it answers 500 instead of raising)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if record.exc_info:
            self.records.append(record)

    def last(self) -> str:
        if not self.records:
            return "(no traceback logged)"
        return "".join(traceback.format_exception(*self.records[-1].exc_info)[-4:]).strip()


@dataclass
class Target:
    endpoint: str
    url: str  # what to post to, with the form's query string
    roles: list
    form: Form


@dataclass
class Discovery:
    targets: list[Target]  # every POST rule, the destructive ones last
    pages: list[tuple[str, Role | None]]  # every HTML page and a role that may see it


#: What the crawl found, kept for the next test: every test's world is built the same way (same rows,
#: same ids), so its pages and forms are the same; the crawl takes a quarter of a test's time.
_DISCOVERED: dict[str, Discovery] = {}


@dataclass
class World:
    app: object
    users: dict
    values: dict
    errors: ErrorLog
    figures: dict = field(default_factory=lambda: {"forms": 0, "requests": 0, "500s": 0, "pages": 0})

    def client(self, role):
        return client_as(self.app, self.users[role] if role else None)

    def rules(self, method: str):
        """(rule, url) for every rule with ``method``, its URL built from the sample arguments."""
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.rule):
            if method in rule.methods and rule.endpoint != "static":
                yield rule, rule.build({a: self.values[a] for a in rule.arguments}, append_unknown=False)[1]

    def get(self, role, url: str) -> str | None:
        """The page's HTML; None for anything else (a redirect, a refusal, a file). A 500 fails at once."""
        response = self.client(role).get(url)
        self.figures["pages"] += 1
        try:
            if response.status_code >= 500:
                who = role or "anonymous"
                raise AssertionError(f"GET {url} as {who}: {response.status_code}\n{self.errors.last()}")
            if response.status_code == 200 and response.mimetype == "text/html":
                return response.get_data(as_text=True)
            return None
        finally:
            response.close()

    def discover(self) -> Discovery:
        """Every HTML page each role that may see it gets (every GET rule, and the pages its links with a
        query string lead to: another month, a chosen agreement), and the forms they post."""
        key = ",".join(sorted(r.rule for r in self.app.url_map.iter_rules()))
        if key in _DISCOVERED:
            return _DISCOVERED[key]
        adapter = self.app.url_map.bind("localhost")
        shown: dict[str, Form] = {}
        pages: list[tuple[str, Role | None]] = []
        followed: set[str] = set()
        todo = [(url, role, True) for rule, url in self.rules("GET") for role in allowed_roles(self.app, rule)]
        while todo:
            url, role, follow = todo.pop(0)
            html = self.get(role, url)
            if html is None:
                continue
            pages.append((url, role))
            page = parse_page(url, html)
            for form in page.forms:
                merged = shown.setdefault(urlsplit(form.action).path, Form(form.action, "page"))
                for f in form.fields.values():
                    merged.add(f)
            for link in page.links if follow else []:
                parts = urlsplit(link)
                if parts.query and parts.netloc in ("", "localhost") and link not in followed:
                    followed.add(link)
                    try:
                        adapter.match(parts.path, method="GET")
                    except HTTPException:  # a link to a file, or to nothing
                        continue
                    todo.append((f"{parts.path}?{parts.query}", role, False))
        targets = []
        for rule, url in self.rules("POST"):
            form = shown.get(url) or fallback_form(self.app, rule, url)
            targets.append(Target(rule.endpoint, form.action, allowed_roles(self.app, rule), form))
        targets.sort(key=lambda t: (bool(DESTRUCTIVE.search(t.endpoint)), urlsplit(t.url).path))
        _DISCOVERED[key] = Discovery(targets, pages)
        return _DISCOVERED[key]


@pytest.fixture
def app_config(app_config):
    app_config["ROTA_SOLVER_SECONDS"] = 0.2  # 自動作成 is posted a dozen times: a quick solver will do
    return app_config


@pytest.fixture
def world(app, hub, create_user):
    from sqlalchemy.orm import selectinload

    from hubapp.common.jpcalendar import FiscalYear
    from hubapp.compliance import services as compliance
    from hubapp.core.services import today
    from hubapp.hubs.models import Hub
    from hubapp.rota.models import GroupMember

    users = {
        role: create_user(f"fuzz-{role.value}", role, hubs=() if role in (Role.ADMIN, Role.PREFECTURE) else (hub,))
        for role in Role
    }
    with app.app_context():
        values = sample_arguments(db.session.get(Hub, hub.id, options=[selectinload(Hub.municipalities)]))
        # the physician login is the sample rota member, so that 自分の当番 and swaps show their forms
        db.session.get(GroupMember, values["member_id"]).user_id = users[Role.PHYSICIAN].id
        # every program of this 年度, so that the compliance page shows its items' forms
        compliance.set_enrollments(hub.id, FiscalYear.of(today()).year, sorted(compliance.programs()))
        db.session.commit()
    errors = ErrorLog()
    app.logger.addHandler(errors)
    yield World(app, users, values, errors)
    app.logger.removeHandler(errors)


# --- what PostgreSQL would refuse ---------------------------------------------------------------------------


def refused_by_postgresql(column: sa.Column, value) -> tuple[str, object] | None:
    """What PostgreSQL would refuse in a value SQLite stored (a NUL byte in text, text longer than its
    column, a number too large for its column), and a value it would take instead; None when it is fine."""
    kind = column.type
    if isinstance(value, str):
        limit = getattr(kind, "length", None)
        if "\x00" in value:
            return "a NUL byte", value.replace("\x00", "")[:limit]
        if limit and len(value) > limit:
            return f"{len(value)} characters into {kind}", value[:limit]
    elif isinstance(value, int) and isinstance(kind, sa.Integer):
        bits = 15 if isinstance(kind, sa.SmallInteger) else 31
        if not -(2**bits) <= value < 2**bits:
            return f"{value} into {kind}", 0
    elif isinstance(value, Decimal) and abs(value) >= Decimal(10) ** (kind.precision - (kind.scale or 0)):
        return f"{value} into {kind}", Decimal(0)
    return None


class StoredInput:
    """What SQLite stores but PostgreSQL refuses with an error (a 500 there): see
    :func:`refused_by_postgresql`. ``take()`` lists what the requests since its last call wrote, and cleans it
    out of the database, so that replaying a request finds the same again (Hypothesis replays a failing
    example). Only the tables written to are read."""

    WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)

    def __init__(self, app):
        self.app = app
        self.written: set[str] = set()
        self.checks = {}
        for table in db.metadata.sorted_tables:
            conditions, columns = [], []
            for c in table.columns:
                if isinstance(c.type, sa.Enum | sa.BigInteger | sa.Boolean) or c.primary_key:
                    continue
                if isinstance(c.type, sa.String):
                    conditions.append(sa.func.instr(sa.cast(c, sa.LargeBinary), sa.literal(b"\x00")) > 0)
                    conditions += [sa.func.length(c) > c.type.length] if c.type.length else []
                elif isinstance(c.type, sa.Integer):
                    conditions.append(sa.func.abs(c) >= 2 ** (15 if isinstance(c.type, sa.SmallInteger) else 31))
                elif isinstance(c.type, sa.Numeric) and c.type.precision:
                    conditions.append(sa.func.abs(c) >= 10 ** (c.type.precision - (c.type.scale or 0)))
                else:
                    continue
                columns.append(c)
            if columns:
                key = list(table.primary_key.columns)
                self.checks[table.name] = (table, key, columns, sa.select(*key, *columns).where(sa.or_(*conditions)))

    def _listen(self, _conn, _cursor, statement, *_args):
        match = self.WRITE.match(statement)
        if match:
            self.written.add(match.group(1).lower())

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        self.active = self.engine.dialect.name == "sqlite"  # PostgreSQL refuses them itself: a 500 the test sees
        if self.active:
            sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        return self

    def __exit__(self, *_exc):
        if self.active:
            sa.event.remove(self.engine, "before_cursor_execute", self._listen)

    def take(self) -> list[str]:
        found, tables = [], [self.checks[name] for name in sorted(self.written) if name in self.checks]
        self.written.clear()
        if not tables:
            return found
        with self.app.app_context():
            for table, key, columns, select in tables:
                for row in db.session.execute(select).all():
                    where = sa.and_(*(k == v for k, v in zip(key, row[: len(key)], strict=True)))
                    for column, value in zip(columns, row[len(key) :], strict=True):
                        refused = refused_by_postgresql(column, value)
                        if refused:
                            found.append(f"{table.name}.{column.name} stored {refused[0]}: a 500 on PostgreSQL")
                            db.session.execute(sa.update(table).where(where).values({column.name: refused[1]}))
            db.session.commit()
            self.written.clear()  # the clean-up's own writes
        return found


# --- values --------------------------------------------------------------------------------------------------

#: Pieces of hostile text: NUL, full-width and half-width kana, emoji with ZWJ and skin tones, combining
#: marks, bidi controls, zero-width characters, noncharacters, line separators, digits int() refuses.
PIECES = (
    "\x00", "a\x00b", "ＡＢＣ１２３　全角", "ｱｲｳｴｵﾞ", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "👍🏽", "🧑🏻\u200d⚕️",
    "e\u0301\u0302\u0303", "\u202eevil\u202c", "\u200f\u200e", "\u200b\u2060\ufeff", "\ufffe\uffff\ufdd0",
    "\U0010ffff", "\u2028\u2029", "\r\n", "\t", " ", "　", "²", "①", "１２", "٣", "-1", "0", "9" * 40, "1e309",
    "NaN", "-0", "1,000", "'", '"', "\\", "%s", "{}", "../../", *PAYLOADS,
)  # fmt: skip
_ODD = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_SHORT = st.lists(st.one_of(st.sampled_from(PIECES), _ODD), max_size=4).map("".join)
_LONG = st.one_of(st.sampled_from(PIECES), _SHORT).map(lambda s: ((s or "x") * (10_000 // len(s or "x") + 1))[:10_000])
#: Any hostile text, short or 10,000 characters long.
HOSTILE = st.one_of(_SHORT, _LONG)

_DATES = st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
_ODD_DATES = st.sampled_from(
    ["2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "令和8年4月1日", "２０２６－０４－０１", "2026-4-1"]
)
_TIMES = st.times().map(lambda t: t.strftime("%H:%M"))
_ODD_TIMES = st.sampled_from(["24:00", "25:61", "18:30:00", "１８：３０", "-1:00"])
_NUMBERS = st.one_of(st.integers(-(10**6), 10**6).map(str), st.decimals(-1000, 1000, places=2).map(str))
#: Ids that no row has, and some that no integer column holds (SQLite and PostgreSQL raise on those).
_ODD_IDS = st.sampled_from(["0", "-1", "999999", "2147483648", "9223372036854775808", "9" * 40, "1.5", "１", "²"])
_ODD_NUMBERS = st.sampled_from(["1e309", "NaN", "inf", "-0", "9" * 40, "１２", "²", "①", "1,000", "0x10", " 1 "])

_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_CSV = "名称,住所,電話番号\r\n歩く診療所,千葉県香取市佐原イ1,0478-00-0000\r\n"
_FILE_BYTES = st.one_of(
    st.binary(max_size=4096),
    st.sampled_from([b"", _PDF, _CSV.encode(), _CSV.encode("cp932"), b"\xef\xbb\xbf" + _CSV.encode(), b"PK\x03\x04"]),
)
_ODD_FILE_NAMES = (
    "資料.pdf", "議事要旨.docx", "一覧.csv", "一覧.xlsx", "名簿.CSV", "x.exe", "noext", ".pdf", "..\\..\\evil.pdf",
    "../../etc/passwd", "a\x00.pdf", "👨\u200d👩\u200d👧.pdf", "ＡＢＣ.pdf", "x" * 300 + ".pdf",
)  # fmt: skip
_FILE_NAMES = st.one_of(
    st.sampled_from(_ODD_FILE_NAMES),
    st.tuples(_SHORT, st.sampled_from([".pdf", ".csv", ".xlsx", ".png", ""])).map("".join),
)
FILES = st.tuples(_FILE_BYTES, _FILE_NAMES)


def plausible(f: Field) -> str:
    """A value the form is likely to accept: the page's own, else one that fits the kind or the name."""
    own = [v for v in f.values if v]
    if own and f.kind != "text":
        return own[0]
    kinds = {"date": date.today().isoformat(), "time": "10:00", "number": "1", "month": date.today().strftime("%Y-%m"),
             "email": "fuzz@example.jp", "url": "https://example.jp/", "tel": "0478-00-0000",
             "datetime-local": date.today().isoformat() + "T10:00", "checkbox": "y"}  # fmt: skip
    if f.kind in kinds:
        return kinds[f.kind]
    if own:
        return own[0]
    names = (("phone", "0478-00-0000"), ("fax", "0478-00-0001"), ("email", "fuzz@example.jp"), ("url", "https://example.jp/"),
             ("postcode", "289-0000"), ("patient_code", "P-0001"), ("kana", "テスト"), ("fte", "1.0"), ("day", "1"),
             ("cap", "4"), ("code", "122360"), ("beds", "1"))  # fmt: skip
    return next((value for part, value in names if part in f.name), "テスト")


#: Name parts of text fields that check a format (a phone number, a code): free text is refused there.
FORMATTED = ("phone", "fax", "email", "url", "postcode", "code", "kana", "fte", "day", "cap", "beds", "token", "next")
#: What every form gets first in every free-text field, whatever Hypothesis draws after: a NUL byte,
#: 10,000 characters, and full-width text with emoji, a combining mark, a bidi override and a noncharacter.
EXPLICIT = ("a\x00b", "あ" * 10_000, "ＡＢＣ１２３　全角 👨\u200d👩\u200d👧\u200d👦 e\u0301 \u202eevil\u202c \uffff")


@dataclass
class Plausible:
    """A form filled in plausibly (so that it saves), and its fields by what they take."""

    values: dict
    texts: list[str]  # every field that takes text
    free: list[str]  # the text fields that check no format: names, titles, notes
    files: list[str]

    @classmethod
    def of(cls, form: Form) -> "Plausible":
        fields = list(form.fields.values())
        values = {f.name: [plausible(f)] if f.multiple else plausible(f) for f in fields if f.kind != "file"}
        values |= {f.name: (_PDF, "資料.pdf") for f in fields if f.kind == "file"}
        free = [f.name for f in fields if f.kind in ("text", "textarea") and not any(p in f.name for p in FORMATTED)]
        texts = [f.name for f in fields if f.kind in TEXT_KINDS]
        return cls(values, texts, free, [f.name for f in fields if f.kind == "file"])

    def with_free_text(self, text: str) -> dict:
        return self.values | {name: text for name in self.free}


def markup_submissions(form: Form, payload: str):
    """The form with ``payload`` in each text field alone (the others plausible), in every text field at
    once, and as the name of any file; last in every free-text field with plausible values in the fields
    that check a format, so that the form is saved with as much markup as it takes."""
    filled = Plausible.of(form)
    for name in filled.texts if len(filled.texts) > 1 else []:
        yield filled.values | {name: payload}
    for name in filled.files:  # the directory import shows the file's rows in its preview
        yield filled.values | {name: (f"名称,住所\r\n{payload},{payload}\r\n".encode(), f"{payload}.csv")}
    named = {name: (_PDF, f"{payload}.pdf") for name in filled.files}
    if filled.texts or filled.files:
        yield filled.values | {name: payload for name in filled.texts} | named
    if filled.free:
        yield filled.with_free_text(payload) | named


def valid_values(f: Field):
    """Values that look right for the field (sometimes absent)."""
    if f.kind == "file":
        return st.one_of(st.just((_PDF, "資料.pdf")), st.just((_CSV.encode(), "一覧.csv")), FILES)
    own = [v for v in f.values if v] or [plausible(f)]
    by_kind = {"date": _DATES, "time": _TIMES, "number": _NUMBERS, "month": st.just(plausible(f))}
    one = st.one_of(st.sampled_from(own), by_kind.get(f.kind, st.sampled_from(own)))
    if f.multiple:
        return st.lists(st.sampled_from(own), max_size=3, unique=True)
    return one


def hostile_values(f: Field):
    """Values that break the field's shape (or nothing at all); ids out of any integer column's range."""
    if f.kind == "file":
        return FILES
    by_kind = {"date": _ODD_DATES, "time": _ODD_TIMES, "number": _ODD_NUMBERS}
    one = st.one_of(by_kind.get(f.kind, HOSTILE), HOSTILE, _ODD_IDS, st.just(None))
    return st.lists(st.one_of(HOSTILE, _ODD_IDS), min_size=1, max_size=3) if f.multiple else one


@st.composite
def submissions(draw, form: Form):
    """A form's data: valid-looking values with none, one or every field hostile, and sometimes a stray field."""
    fields = list(form.fields.values())
    data = {f.name: draw(valid_values(f)) for f in fields}
    how = draw(st.sampled_from(["one", "every", "valid"]))
    if how == "one" and fields:
        chosen = draw(st.sampled_from(fields))
        data[chosen.name] = draw(hostile_values(chosen))
    elif how == "every":
        data = {f.name: draw(st.one_of(valid_values(f), hostile_values(f))) for f in fields}
    if draw(st.booleans()) or not fields:
        data[draw(st.sampled_from(["note", "id", "next", "\x00", "ＡＢＣ", "a" * 300]))] = draw(HOSTILE)
    return Submission(data)


class Submission:
    """A form's data with a short repr: Hypothesis prints failing examples, and 10,000 characters are noise."""

    def __init__(self, data: dict):
        self.data = data

    def __repr__(self) -> str:
        return shorten(self.data)


def encode(data: dict) -> dict:
    """The test client's form data: files as (stream, name), absent fields left out."""
    out = {}
    for name, value in data.items():
        if value is None:
            continue
        out[name] = (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
    return out


def shorten(data: dict) -> str:
    """The example, readable: long values cut."""

    def cut(value):
        text = repr(value)
        return text if len(text) < 120 else f"{text[:100]}… ({len(text)} chars)"

    return "{" + ", ".join(f"{k!r}: {cut(v)}" for k, v in data.items()) + "}"


def raw_markup(html: str) -> list[str]:
    return [marker for marker in RAW_MARKUP if marker in html]


# --- the tests -------------------------------------------------------------------------------------------------


def first_failure(error: BaseException) -> str:
    """The failing example's message, out of Hypothesis' wrappers (flaky, several distinct errors)."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return str(error)


def fuzz_property(world: World, target: Target, stored: StoredInput):
    """The property of one form: whatever is posted, no 500, no unescaped markup, nothing PostgreSQL refuses.

    The database is not reset between examples: what one example saved, the next one meets (as in use)."""

    @settings(max_examples=EXAMPLES_PER_FORM, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(role=st.sampled_from(target.roles), data=submissions(target.form))
    def post(role, data):
        where = f"POST {target.url} as {role or 'anonymous'} ({target.form.source} fields) with {data!r}"
        world.figures["requests"] += 1
        try:
            response = world.client(role).post(target.url, data=encode(data.data))
        except Exception as error:  # PROPAGATE_EXCEPTIONS: the app raised instead of answering 500
            world.figures["500s"] += 1
            raise AssertionError(f"{where}: raised {error!r}") from error
        status, html = response.status_code, response.get_data(as_text=True)
        response.close()
        if status >= 500:
            world.figures["500s"] += 1
            raise AssertionError(f"{where}: {status}\n{world.errors.last()}")
        if response.mimetype == "text/html" and raw_markup(html):
            raise AssertionError(f"{where}: the answer shows {raw_markup(html)} unescaped")
        refused = stored.take()
        if refused:
            raise AssertionError(f"{where}: " + "; ".join(refused))

    filled = Plausible.of(target.form)
    for text in EXPLICIT if filled.free else []:
        post = example(role=target.roles[0], data=Submission(filled.with_free_text(text)))(post)
    return post


def test_no_form_answers_500_to_any_input(world, capsys):
    found = world.discover()
    problems: list[str] = []
    started = time.perf_counter()
    with StoredInput(world.app) as stored:
        stored.take()  # the sample data is no finding
        for target in found.targets:
            world.figures["forms"] += 1
            try:
                fuzz_property(world, target, stored)()
            except Exception as error:  # noqa: BLE001 — every form is fuzzed, then all failures are shown
                problems.append(first_failure(error))
    with capsys.disabled():
        print(
            f"\nfuzzed {world.figures['forms']} forms (fields of {sum(t.form.source == 'page' for t in found.targets)} "
            f"from their page): {world.figures['requests']} fuzzed requests sent, {world.figures['500s']} 500s "
            f"seen, {len(problems)} forms failing, in {time.perf_counter() - started:.0f} s"
        )
    assert world.figures["forms"] == len(list(world.rules("POST"))) > 50
    if problems:
        pytest.fail(f"{len(problems)} forms failed:\n\n" + "\n\n".join(problems), pytrace=False)


def test_stored_markup_is_shown_escaped_everywhere(world, capsys):
    """``<script>`` and an ``onerror`` attribute go into every text field of every form that saves
    something; no HTML page, as any role that may see it, shows them unescaped."""
    found = world.discover()
    problems: list[str] = []
    posted = 0
    for target in found.targets:
        if DESTRUCTIVE.search(target.endpoint):
            continue
        role = target.roles[0]
        for payload in PAYLOADS:
            for data in markup_submissions(target.form, payload):
                response = world.client(role).post(target.url, data=encode(data), follow_redirects=True)
                posted += 1
                html = response.get_data(as_text=True)
                if response.status_code >= 500:
                    problems.append(f"POST {target.url} as {role}: {response.status_code}\n{world.errors.last()}")
                elif response.mimetype == "text/html" and raw_markup(html):
                    problems.append(f"POST {target.url} as {role} answers with {raw_markup(html)} unescaped")
                response.close()
    shown_escaped = 0
    for url, role in found.pages:
        html = world.get(role, url)
        if html is None:
            continue
        if raw_markup(html):
            problems.append(f"GET {url} as {role or 'anonymous'} shows {raw_markup(html)} unescaped")
        shown_escaped += "&lt;script&gt;alert(" in html
    with capsys.disabled():
        print(f"\nstored markup through {posted} posts; {len(found.pages)} pages read, {shown_escaped} show it escaped")
    assert not problems, "\n".join(problems)
    assert shown_escaped > 20  # the markup was stored, and is shown: the check above has something to check
