"""Page speed as data grows: the dashboard, the hub list and the audit trail.

    make bench            (or: .venv/bin/python bench/hub_pages.py [--hubs 1000] [--audit 100000])

Builds a throw-away SQLite database with Alembic, fills it, and prints the median time and the query
count of each page at a small and a large size, plus the cost of one login (Argon2id at production
settings). Prints figures only; it asserts nothing (speed is not a unit-test matter).
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import Floor, ratio  # noqa: E402

#: The floor page's median in this process (bench/floor.py), measured once in main().
FLOOR = {"ms": 0.0}

from flask_migrate import upgrade  # noqa: E402

from hubapp import create_app  # noqa: E402
from hubapp.audit.models import AuditLog  # noqa: E402
from hubapp.auth import services as accounts  # noqa: E402
from hubapp.common.roles import Role  # noqa: E402
from hubapp.extensions import db  # noqa: E402
from hubapp.hubs import services as hubs  # noqa: E402
from hubapp.hubs.models import OperatorType  # noqa: E402

AREAS = [("122360", "香取市"), ("123421", "神崎町"), ("123471", "多古町")]
PASSWORD = "bench-password-123456"


def make_app(workdir: Path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
              "SECRET_KEY": "bench-" + "x" * 40, "WTF_CSRF_ENABLED": False,
              # The bench times the pages, not the login: its users skip the second factor here.
              "TOTP_REQUIRED_ROLES": []}
    app = create_app(config, instance_path=str(workdir))
    with app.app_context():
        upgrade()
    return app


def fill(app, hub_count: int, audit_count: int) -> None:
    with app.app_context():
        have = db.session.scalar(sa.select(sa.func.count()).select_from(hubs.Hub))
        for n in range(have, hub_count):
            hub = hubs.create_hub(name=f"拠点{n:05d}", name_kana=f"キョテン{n:05d}",
                                  operator_type=OperatorType.MEDICAL_ASSOCIATION, prefecture_code="12")
            for code, name in AREAS:
                hubs.save_municipality(hub, code=code, name=name, population=10_000,
                                       aging_rate=Decimal("35.0"), figures_as_of=date(2026, 4, 1))
        if accounts.find_user("pref") is None:
            accounts.create_user(username="pref", password=PASSWORD, role=Role.PREFECTURE,
                                 display_name="県", prefecture_code="12")
        have = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
        now = datetime.now(UTC)
        rows = [{"at": now, "actor": "bench", "action": "view", "entity": "hubs", "entity_id": i,
                 "hub_id": 1, "changes": {}} for i in range(have, audit_count)]
        for start in range(0, len(rows), 10_000):
            db.session.execute(AuditLog.__table__.insert(), rows[start:start + 10_000])
        db.session.commit()


def measure(app, client, url: str, repeat: int) -> tuple[float, int]:
    with app.app_context():
        engine = db.engine
    counted = {"n": 0}

    def count(*_a, **_k):
        counted["n"] += 1

    timings = []
    for _ in range(repeat):
        counted["n"] = 0
        sa.event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), counted["n"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", type=int, default=1000)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    FLOOR["ms"] = Floor().median_ms()
    print(f"floor page median {FLOOR['ms']:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        print(f"{'size':>22} {'page':<10} {'median ms':>10} {'queries':>8}")
        for hub_count, audit_count in ((10, 1_000), (args.hubs, args.audit)):
            fill(app, hub_count, audit_count)
            client = app.test_client()
            client.post("/login", data={"username": "pref", "password": PASSWORD})
            size = f"{hub_count} hubs/{audit_count} audit"
            for url in ("/", "/hubs/"):
                ms, queries = measure(app, client, url, args.repeat)
                print(f"{size:>22} {url:<10} {ms:10.1f} {queries:8d}   {ratio(ms, FLOOR['ms'])}")
            admin_client = app.test_client()
            with app.app_context():
                if accounts.find_user("root") is None:
                    accounts.create_user(username="root", password=PASSWORD, role=Role.ADMIN, display_name="管理")
                    db.session.commit()
            admin_client.post("/login", data={"username": "root", "password": PASSWORD})
            ms, queries = measure(app, admin_client, "/audit/", args.repeat)
            print(f"{size:>22} {'/audit/':<10} {ms:10.1f} {queries:8d}   {ratio(ms, FLOOR['ms'])}")
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            app.test_client().post("/login", data={"username": "pref", "password": PASSWORD})
            timings.append((time.perf_counter() - started) * 1000)
        print(f"login (Argon2id t=3, m=64 MiB, p=4): median {statistics.median(timings):.0f} ms")


if __name__ == "__main__":
    main()
