"""Fixtures in the flaskr style: an app per test on its own database, a client, a CLI runner, and
callables that make data (``create_hub``, ``create_user``) and log in (``login_as(role)``).

SQLite by default: the schema is built once per run with Alembic into a template file, and every test
gets a fresh copy. With ``HUBAPP_TEST_DATABASE_URL`` (PostgreSQL on CI) the schema is rebuilt once per
run with Alembic and every test starts from empty tables.
"""

import os
import shutil
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from hubapp import create_app
from hubapp.common.roles import Role
from hubapp.extensions import db
from tests.twofactor import TEST_TOTP_SECRET, next_code

TEST_DATABASE_URL = os.environ.get("HUBAPP_TEST_DATABASE_URL")
TEST_PASSWORD = "test-password-1234"


def base_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False,
        # Cheap hashes in tests; production keeps argon2-cffi's defaults (hubapp/config.py).
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        # A short solver limit keeps view tests quick; tests of the solver set their own.
        "ROTA_SOLVER_SECONDS": 1.0,
    }


def build_schema(url: str, instance_path: str) -> None:
    app = create_app(base_config(url), instance_path=instance_path)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


#: Tables whose rows the migrations insert (reference data): restored after each PostgreSQL truncation.
REFERENCE_TABLES = ("directory_functions", "audit_chain")


@pytest.fixture(scope="session")
def schema_source(tmp_path_factory):
    """The migrated database every test starts from: a SQLite template file, or the PostgreSQL URL
    with the reference rows the migrations inserted."""
    instance = str(tmp_path_factory.mktemp("schema-instance"))
    if TEST_DATABASE_URL:
        build_schema(TEST_DATABASE_URL, instance)
        engine = sa.create_engine(_driver_url(TEST_DATABASE_URL))
        with engine.connect() as conn:
            reference = {
                name: [dict(row._mapping) for row in conn.execute(sa.select(db.metadata.tables[name]))]
                for name in REFERENCE_TABLES
            }
        engine.dispose()
        return reference
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    build_schema(f"sqlite:///{path}", instance)
    return path


@pytest.fixture
def database_url(schema_source, tmp_path) -> str:
    if TEST_DATABASE_URL:
        engine = sa.create_engine(_driver_url(TEST_DATABASE_URL))
        with engine.begin() as conn:
            tables = [t.name for t in db.metadata.sorted_tables]
            conn.execute(sa.text(f"TRUNCATE TABLE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            for name, rows in schema_source.items():
                table = db.metadata.tables[name]
                conn.execute(sa.insert(table), rows)
                # the serial must continue after the restored ids
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                    )
                )
        engine.dispose()
        return TEST_DATABASE_URL
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(schema_source, target)
    return f"sqlite:///{target}"


def _driver_url(url: str) -> str:
    return url if "+" in url.split("://")[0] else url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def app_config(database_url) -> dict:
    """Tests may change this dict before ``app`` is created (e.g. to turn CSRF on)."""
    return base_config(database_url)


@pytest.fixture
def app(app_config, tmp_path):
    """No application context stays pushed: each request gets its own, as in production (a shared
    one would carry ``g`` and Flask-Login's cached user from one request to the next)."""
    app = create_app(app_config, instance_path=str(tmp_path / "instance"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path):
    """``make_app(config_changes)``: another app on the test database with changed settings; its
    connections are closed at the end of the test (as the ``app`` fixture's are)."""
    made = []

    def make(database_url: str, **changes):
        app = create_app(base_config(database_url) | changes, instance_path=str(tmp_path / f"instance-{len(made)}"))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """For service tests that call domain functions directly (no client requests inside)."""
    with app.app_context():
        yield app
        db.session.rollback()


def detached(obj):
    """Load ``obj`` fully and detach it, so that tests read its attributes outside any context."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_hub(app):
    from hubapp.hubs import services
    from hubapp.hubs.models import OperatorType

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, areas=(("122360", "香取市", 70_000, "38.0"),), **values):
        n = next(counter)
        spec = {
            "name": name or f"テスト拠点{n}",
            "name_kana": values.pop("name_kana", f"テストキョテン{n:04d}"),
            "operator_type": values.pop("operator_type", OperatorType.MEDICAL_ASSOCIATION),
            "prefecture_code": values.pop("prefecture_code", "12"),
            **values,
        }
        with app.app_context():
            hub = services.create_hub(**spec)
            for code, area_name, population, rate in areas:
                services.save_municipality(
                    hub,
                    code=code,
                    name=area_name,
                    population=population,
                    aging_rate=Decimal(rate),
                    figures_as_of=date(2026, 4, 1),
                )
            db.session.commit()
            return detached(hub)

    return make


@pytest.fixture
def hub(create_hub):
    """The hub most tests work in: 広域型, three municipalities of 千葉県."""
    return create_hub(
        "北総テスト在宅医療連携センター",
        areas=(
            ("122360", "香取市", 70_000, "38.0"),
            ("123421", "神崎町", 6_000, "39.0"),
            ("123471", "多古町", 14_000, "40.0"),
        ),
        dedicated_staff_count=2,
    )


@pytest.fixture
def create_user(app):
    from hubapp.auth import services

    def make(
        username: str, role: Role, *, hubs=(), prefecture_code=None, password=TEST_PASSWORD, totp=None, **values
    ):
        """``totp``: enrol the second factor with ``TEST_TOTP_SECRET`` (default: when the role needs it)."""
        with app.app_context():
            from hubapp.auth import totp as second_factor

            user = services.create_user(
                username=username,
                password=password,
                role=role,
                display_name=values.pop("display_name", username),
                hub_ids=[h.id for h in hubs],
                prefecture_code=prefecture_code if role != Role.PREFECTURE else (prefecture_code or "12"),
                **values,
            )
            if totp if totp is not None else second_factor.required_for(role):
                user.totp_secret = TEST_TOTP_SECRET
            db.session.commit()
            return detached(user)

    return make


@pytest.fixture
def login(client, app):
    """Log in through the real forms: the password, then the second factor when the account has one (field
    ``code``); returns the response of the last POST."""

    def do(username: str, password: str = TEST_PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        if response.status_code == 302 and response.location.startswith("/login/2fa"):
            response = client.post("/login/2fa", data={"code": next_code(app, username)})
        return response

    return do


@pytest.fixture
def login_as(create_user, login, hub):
    """``login_as(role)``: make a user of that role in ``hub`` (prefecture: of its prefecture) and log in."""

    def do(role: Role | str, *, hubs=None):
        role = Role(role)
        member_of = () if role in (Role.ADMIN, Role.PREFECTURE) else (hubs if hubs is not None else (hub,))
        username = f"{role.value}-user"
        user = create_user(username, role, hubs=member_of)
        response = login(username)
        assert response.status_code == 302, response.data.decode()
        return user

    return do


@pytest.fixture
def create_organisation(app, hub):
    from hubapp.directory import services as directory
    from hubapp.directory.models import OrganisationType

    def make(name: str, type_: "OrganisationType | None" = None, *, hub_id: int | None = None, functions=(), **values):
        with app.app_context():
            codes = {f.code: f.id for f in directory.functions(include_inactive=True)}
            organisation = directory.save_organisation(
                hub_id or hub.id,
                {"type": type_ or OrganisationType.CLINIC, "name": name, **values},
                [codes[c] for c in functions],
            )
            db.session.commit()
            return detached(organisation)

    return make


@pytest.fixture
def create_person(app, hub):
    from hubapp.directory import services as directory
    from hubapp.directory.models import Profession

    def make(name: str, profession: "Profession | None" = None, *, hub_id: int | None = None, **values):
        with app.app_context():
            person = directory.save_person(
                hub_id or hub.id, {"name": name, "profession": profession or Profession.NURSE, **values}
            )
            db.session.commit()
            return detached(person)

    return make


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counted: ...`` then ``counted.n``: statements sent to the database."""
    from contextlib import contextmanager

    class Counter:
        n = 0

    @contextmanager
    def counting():
        counter = Counter()

        def before(*_args, **_kwargs):
            counter.n += 1

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def create_meeting(app, hub):
    """``create_meeting(title, day=date(...), kind=..., hub_id=...)`` through the real service."""
    from datetime import time

    from hubapp.meetings import services as meetings
    from hubapp.meetings.models import MeetingKind

    def make(
        title: str = "多職種連携会議",
        *,
        day: date,
        start=time(18, 30),
        end=time(20, 0),
        kind=None,
        hub_id: int | None = None,
        topics=(),
        scenes=(),
        **values,
    ):
        with app.app_context():
            meeting, _changed = meetings.save_meeting(
                hub_id or hub.id,
                {
                    "kind": kind or MeetingKind.MULTIDISCIPLINARY,
                    "title": title,
                    "starts_at": meetings.jst_datetime(day, start),
                    "ends_at": meetings.jst_datetime(day, end),
                    "place": values.pop("place", "香取市役所 会議室"),
                    "online_url": "",
                    "agenda": "",
                    "summary": "",
                    "organizer_name": "",
                    "organizer_email": "",
                    **values,
                },
                list(topics),
                list(scenes),
            )
            db.session.commit()
            return detached(meeting)

    return make


@pytest.fixture
def beds(app, hub, create_organisation, create_user):
    """Two agreements: 北総中央病院 1 bed 24時間 (managed by user "bm-hokuso"), 香取夜間病院 2 beds 17:00–翌9:00."""
    from datetime import date, time

    from hubapp.beds import services
    from hubapp.directory.models import OrganisationType

    manager = create_user("bm-hokuso", Role.BED_MANAGER, hubs=(hub,))
    other_manager = create_user("bm-katori", Role.BED_MANAGER, hubs=(hub,))
    central = create_organisation("北総中央病院", OrganisationType.HOSPITAL, phone="0478-00-0001")
    night = create_organisation("香取夜間病院", OrganisationType.HOSPITAL, phone="0478-00-0002")
    with app.app_context():
        a = services.save_agreement(
            hub.id,
            None,
            hospital_id=central.id,
            beds_secured=1,
            all_day=True,
            starts=None,
            ends=None,
            valid_from=date(2026, 4, 1),
            valid_to=None,
            contract_ref="R8-001",
            manager_ids=[manager.id],
        )
        b = services.save_agreement(
            hub.id,
            None,
            hospital_id=night.id,
            beds_secured=2,
            all_day=False,
            starts=time(17),
            ends=time(9),
            valid_from=date(2026, 4, 1),
            valid_to=None,
            manager_ids=[other_manager.id],
        )
        db.session.commit()
        return {"central": a.id, "night": b.id, "manager": manager.id, "other_manager": other_manager.id}
