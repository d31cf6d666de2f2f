"""``flask --app hubapp seed-demo``: a demo hub for ``make run``, loaded once."""

import sqlalchemy as sa

from hubapp.audit.models import AuditLog
from hubapp.auth.models import User
from hubapp.demo import CITY_HUB, WIDE_AREA_HUB
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from tests.twofactor import next_code

DEMO_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"

DEMO_USERNAMES = {"admin", "coordinator", "physician", "bedmanager", "consultant", "prefecture", "member"}


def table_counts():
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_seed_demo_loads_once_and_prints_the_logins(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", "demo-password-123")
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert all(name in first.output for name in DEMO_USERNAMES)
    assert "demo-password-123" in first.output
    with app.app_context():
        counts = table_counts()
        usernames = set(db.session.scalars(sa.select(User.username)))
        wide = db.session.scalars(sa.select(Hub).where(Hub.name == WIDE_AREA_HUB)).one()
        assert len(wide.municipalities) == 3
        assert db.session.scalars(sa.select(Hub).where(Hub.name == CITY_HUB)).one().prefecture_code == "12"
    assert usernames >= DEMO_USERNAMES
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "変更なし" in second.output and "demo-password-123" in second.output
    with app.app_context():
        assert table_counts() == counts  # not one row more, not even in the audit trail


def test_random_demo_password_is_kept_in_the_instance_folder(app, runner):
    first = runner.invoke(args=["seed-demo"])
    password = (app.instance_path + "/demo_password")
    with open(password, encoding="utf-8") as f:
        kept = f.read().strip()
    assert len(kept) >= 12 and kept in first.output
    assert kept in runner.invoke(args=["seed-demo"]).output


def test_demo_coordinator_lands_on_the_wide_area_hub(app, runner, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", "demo-password-123")
    monkeypatch.setitem(app.config, "DEMO_TOTP_SECRET", DEMO_SECRET)
    output = runner.invoke(args=["seed-demo"]).output
    assert DEMO_SECRET in output
    response = client.post("/login", data={"username": "coordinator", "password": "demo-password-123"})
    assert response.location == "/login/2fa"
    response = client.post("/login/2fa", data={"code": next_code(app, "coordinator", DEMO_SECRET)})
    assert response.status_code == 302
    page = client.get("/").data.decode()
    assert WIDE_AREA_HUB in page and "広域型（3市町村）" in page
    client.post("/logout")
    client.post("/login", data={"username": "coordinator2", "password": "demo-password-123"})
    client.post("/login/2fa", data={"code": next_code(app, "coordinator2", DEMO_SECRET)})
    page = client.get("/").data.decode()
    assert CITY_HUB in page and WIDE_AREA_HUB not in page


def test_demo_accounts_that_need_a_second_factor_get_one(app, runner):
    """From HUBAPP_DEMO_TOTP_SECRET when set; otherwise a random secret, kept and printed with the logins."""
    output = runner.invoke(args=["seed-demo"]).output
    with open(app.instance_path + "/demo_totp_secret", encoding="utf-8") as f:
        secret = f.read().strip()
    assert len(secret) >= 16 and secret in output and secret != DEMO_SECRET
    with app.app_context():
        secrets = dict(db.session.execute(sa.select(User.username, User.totp_secret)).all())
    assert {name for name, value in secrets.items() if value == secret} == {
        "admin", "coordinator", "coordinator2", "consultant"
    }
    assert secrets["physician"] is None and secrets["member"] is None


def test_a_malformed_demo_totp_secret_is_refused(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_TOTP_SECRET", "not base32!")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "base32" in result.output


def test_seeding_is_audited_as_the_command(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        actors = set(db.session.scalars(sa.select(AuditLog.actor)))
    assert actors == {"cli:seed-demo"}
