"""Every URL rule declares its roles, and the declaration holds for every role and for anonymous users.

When this fails for a new route: declare it with ``@roles_required(...)`` or ``@public``, and add a
sample value for any new URL argument to ``sample_arguments()`` in ``tests/support/routes.py``.
"""

import pytest

from hubapp.common.roles import PUBLIC, Role, declared_roles
from hubapp.extensions import db
from tests.support.routes import IGNORED_METHODS, request_as, sample_arguments


def undeclared_rules(app) -> list[str]:
    return [
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if declared_roles(app.view_functions[rule.endpoint]) is None
    ]


def test_every_rule_declares_its_roles(app):
    assert undeclared_rules(app) == [], f"views without a role declaration: {undeclared_rules(app)}"


def test_a_view_without_a_declaration_is_reported_and_refused_to_everyone(app, login_as):
    @app.route("/forgotten")
    def forgotten():
        return "should never be served"

    assert undeclared_rules(app) == ["/forgotten (forgotten)"]
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403
    login_as("admin")  # logs in the shared `client` fixture's session, not this one: log in here too
    client.post("/login", data={"username": "admin-user", "password": "test-password-1234"})
    assert client.get("/forgotten").status_code == 403


@pytest.fixture
def users(app, hub, create_user):
    made = {
        role: create_user(f"walk-{role.value}", role, hubs=() if role in (Role.ADMIN, Role.PREFECTURE) else (hub,))
        for role in Role
    }
    return made


def test_route_role_matrix(app, hub, users):
    from sqlalchemy.orm import selectinload

    from hubapp.hubs.models import Hub

    with app.app_context():
        loaded = db.session.get(Hub, hub.id, options=[selectinload(Hub.municipalities)])
        values = sample_arguments(loaded)
    problems = []
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        declared = declared_roles(app.view_functions[rule.endpoint])
        missing = [arg for arg in rule.arguments if arg not in values]
        if missing:
            problems.append(f"{rule.rule}: add sample values for {missing} to sample_arguments()")
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - IGNORED_METHODS):
            for role in [None, *Role]:
                response = request_as(app, users[role] if role else None, method, url)
                checked += 1
                status, location = response.status_code, response.headers.get("Location", "")
                response.close()
                # The role check sends anonymous users to the login page with ?next=; a view's own
                # redirect to /login (logout) is not a refusal.
                to_login = status == 302 and location.startswith("/login?next=")
                who = role.value if role else "anonymous"
                if declared == PUBLIC:
                    ok = status not in (401, 403) and not to_login and status < 500
                elif role is None:
                    ok = to_login
                elif role in declared:
                    ok = status not in (401, 403) and not to_login and status < 500
                else:
                    ok = status == 403
                if not ok:
                    problems.append(f"{method} {url} as {who}: {status} {location}")
    assert checked > 0
    assert problems == [], "\n".join(problems)
    print(f"\nroute × role matrix: {checked} requests ({len(list(app.url_map.iter_rules()))} rules)")
