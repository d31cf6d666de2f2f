"""Object-level authorization (issue 8 point 7): every URL that names an object by id — meetings,
attachments, consultations, bed requests and agreements, rota groups, duties and records, compliance
evidence, directory entries, hubs — asked for by a user of another hub, in every role and with every
method, gets 404 or 403, and changes nothing."""

import time

import pytest
import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.extensions import db
from tests.support.routes import IGNORED_METHODS, sample_arguments

#: URL arguments that are not object ids of a hub (files of static/, secret feed tokens, plan codes).
NOT_OBJECTS = {"filename", "token", "program_code"}


@pytest.fixture
def strangers(create_hub, create_user):
    other = create_hub("よその在宅医療連携センター", name_kana="ヨソノザイタクイリョウレンケイセンター")
    return {
        role: create_user(f"stranger-{role.value}", role, hubs=(other,))
        for role in Role
        if role not in (Role.ADMIN, Role.PREFECTURE)  # admin sees every hub; prefecture its prefecture's
    }


def _as(app, user, method, url):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_since"] = session["_seen"] = time.time()
        session["_factor"] = "done"
    response = client.open(url, method=method)
    response.close()
    return response.status_code


def _row_counts(app):
    with app.app_context():
        return {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables
            if t.name != "audit_logs"
        }


def test_another_hubs_objects_are_not_found(app, hub, strangers):
    from sqlalchemy.orm import selectinload

    from hubapp.hubs.models import Hub

    with app.app_context():
        values = sample_arguments(db.session.get(Hub, hub.id, options=[selectinload(Hub.municipalities)]))
    before = _row_counts(app)
    asked, problems = 0, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        ids = set(rule.arguments) - NOT_OBJECTS
        if not ids:
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - IGNORED_METHODS):
            for role, user in strangers.items():
                status = _as(app, user, method, url)
                asked += 1
                if status not in (403, 404):
                    problems.append(f"{method} {url} as {role.value} of another hub: {status}")
    assert asked > 200
    print(f"\ncross-hub object requests refused: {asked}")
    assert problems == []
    assert _row_counts(app) == before
