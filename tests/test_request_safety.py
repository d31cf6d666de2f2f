"""Every write needs a CSRF token, and no GET writes to the database (ASVS 4.2 / 50.x; issue 8 point 6).

1. Every POST/PUT/PATCH/DELETE rule of ``app.url_map``, posted by a logged-in user of every role without a
   CSRF token, gets 400 and changes nothing.
2. Every GET rule, requested by every role, sends no INSERT, UPDATE or DELETE — except access records
   kept on purpose: the audit trail's rows (views of personal data, hubapp/audit/services.py) with the tip
   of their hash chain, and the
   ``last_used_at`` stamp of a secret-token calendar feed (so that a coordinator sees whether a URL that
   should be dead is still polled before revoking it), and nothing else in those statements.
"""

import re

import pytest
import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.extensions import db
from tests.support.routes import IGNORED_METHODS, request_as, sample_arguments

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?:\s+(?:INTO|FROM))?\s+\"?(\w+)", re.IGNORECASE)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Writes a GET may make: access records only (see the module docstring).
ACCESS_RECORDS = (
    re.compile(r"^\s*INSERT INTO audit_logs\b", re.IGNORECASE),
    # the tip of the trail's hash chain, moved by the same append (hubapp/audit/chain.py)
    re.compile(r"^\s*UPDATE audit_chain SET last_seq=", re.IGNORECASE),
    re.compile(
        r"^\s*UPDATE (calendar_feeds|rota_feeds) SET last_used_at=[^,]+, updated_at=[\w.]+ WHERE", re.IGNORECASE
    ),
)


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def users(app, hub, create_user):
    return {
        role: create_user(f"safe-{role.value}", role, hubs=() if role in (Role.ADMIN, Role.PREFECTURE) else (hub,))
        for role in Role
    }


@pytest.fixture
def urls(app, hub):
    from sqlalchemy.orm import selectinload

    from hubapp.hubs.models import Hub

    with app.app_context():
        values = sample_arguments(db.session.get(Hub, hub.id, options=[selectinload(Hub.municipalities)]))
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
        found.append((rule, url))
    return found


def _writes(app):
    """Record the tables written to while the block runs."""
    tables: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        match = WRITE.match(statement)
        if match and not any(allowed.match(statement) for allowed in ACCESS_RECORDS):
            tables.append(match.group(2).lower())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    return tables, lambda: sa.event.remove(engine, "before_cursor_execute", listen)


def test_every_write_without_a_csrf_token_is_refused(app, users, urls):
    tables, stop = _writes(app)
    refused, problems = 0, []
    try:
        for rule, url in urls:
            for method in sorted((rule.methods - IGNORED_METHODS) & WRITE_METHODS):
                for role in [None, *Role]:
                    tables.clear()
                    response = request_as(app, users[role] if role else None, method, url)
                    status = response.status_code
                    response.close()
                    written = list(tables)
                    if status != 400 or written:
                        problems.append(f"{method} {url} as {role or 'anonymous'}: {status}, wrote {written}")
                    refused += 1
    finally:
        stop()
    assert refused > 100
    print(f"\nCSRF-less writes refused: {refused}")
    assert problems == []


def test_no_get_writes_to_the_database(app, users, urls):
    tables, stop = _writes(app)
    crawled, problems = 0, []
    try:
        for rule, url in urls:
            if "GET" not in rule.methods:
                continue
            for role in [None, *Role]:
                tables.clear()
                response = request_as(app, users[role] if role else None, "GET", url)
                response.close()
                crawled += 1
                written = sorted(set(tables))
                if written:
                    problems.append(f"GET {url} as {role or 'anonymous'} wrote {written}")
    finally:
        stop()
    assert crawled > 100
    print(f"\nGET requests crawled without a write: {crawled}")
    assert problems == []
