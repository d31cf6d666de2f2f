"""Consultation statistics at scale: the 年度 statistics page over 100,000 consultations of one hub.

    .venv/bin/python bench/consultation_stats.py [--rows 100000] [--database sqlite|postgresql|both]
                                                  [--repeat 30] [--seed 1] [--pg-url URL] [--spread]

Builds the schema with Alembic, creates a hub (3 municipalities, 60 organisations), and bulk-inserts
``--rows`` consultations with their topics (≈1.3 each), responses (≈1.6) and referrals (≈0.5), drawn from
the demo's distributions (hubapp/consultations/demo.py), then counts the statistics' tallies once
(``tallies.rebuild``: the services keep them on every change, a bulk load bypasses the services). By
default every consultation falls in the 年度 measured — the worst case for the page; ``--spread`` spreads
them over five 年度 instead. Then it times

- ``statistics.year_statistics(hub, 年度, month)``, the service the page calls,
- ``GET /consultations/stats`` through the test client as a logged-in consultant (the queries, building the
  tables and charts, and rendering the template),
- what keeping the tallies costs a write: logging a consultation and correcting it through the services,
  each with its commit, and finally whether the tallies kept that way equal a recount,

and prints per database the medians, p95 and the number of statements. Target (the issue): page median ≤
100 ms at 100,000 consultations on SQLite. Prints figures only; it asserts nothing.

SQLite: a throw-away file in a temporary folder.

PostgreSQL (``--database postgresql`` or ``both``; ``both`` is the default when a server answers on
127.0.0.1:5432): without ``--pg-url`` the script creates a database ``hubapp_bench`` on the server (user
``postgres``), works there and drops it at the end; when it cannot, it falls back to the tests' database
``postgresql+psycopg://postgres@127.0.0.1:5432/test``. WARNING: in that fallback and in any ``--pg-url``
database it DROPS SCHEMA public (every table and row in it) — never point it at data you need.
"""

import argparse
import random
import socket
import statistics as stats_module
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
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
from hubapp.auth import services as accounts  # noqa: E402
from hubapp.common.jpcalendar import FiscalYear  # noqa: E402
from hubapp.common.roles import Role  # noqa: E402
from hubapp.consultations import demo, services, statistics, tallies  # noqa: E402
from hubapp.consultations.models import (  # noqa: E402
    Channel,
    Consultation,
    ConsultationReferral,
    ConsultationResponse,
    ConsultationTopic,
    Requester,
    Response,
    Status,
    Topic,
)
from hubapp.core.services import JST  # noqa: E402
from hubapp.directory import services as directory  # noqa: E402
from hubapp.directory.models import Organisation, OrganisationType  # noqa: E402
from hubapp.extensions import db  # noqa: E402
from hubapp.hubs import services as hubs  # noqa: E402
from hubapp.hubs.models import Hub, OperatorType  # noqa: E402
from hubapp.meetings.models import Scene  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "hubapp_bench"
BATCH = 5_000
TARGET_MEDIAN_MS = 100.0
PASSWORD = "bench-password-123456"
AREAS = [
    ("122360", "香取市", 70_100, "38.6"),
    ("123421", "神崎町", 5_700, "39.0"),
    ("123471", "多古町", 13_500, "40.3"),
]
#: Organisations of the bench hub: (type, how many).
ORGANISATIONS = [
    (OrganisationType.HOSPITAL, 4),
    (OrganisationType.CLINIC, 12),
    (OrganisationType.HOME_CARE_CLINIC, 5),
    (OrganisationType.VISITING_NURSING, 8),
    (OrganisationType.CARE_MANAGEMENT, 15),
    (OrganisationType.PHARMACY, 8),
    (OrganisationType.COMMUNITY_CARE_CENTER, 3),
    (OrganisationType.DISABILITY_CONSULTATION, 2),
    (OrganisationType.GOVERNMENT, 3),
]


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def generate(count: int, seed: int, hub_id: int, years: list[FiscalYear], organisations: dict):
    """``count`` consultations (ids 1..count) and their child rows, ready for Core inserts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    parents, topics, responses, referrals = [], [], [], []
    for number in range(1, count + 1):
        fiscal_year = rng.choice(years)
        day = fiscal_year.start + timedelta(days=rng.randrange((fiscal_year.end - fiscal_year.start).days + 1))
        received = datetime.combine(day, clock_time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=JST)
        requester = pick(rng, demo.REQUESTERS)
        requester_types = demo.REQUESTER_TYPES.get(requester, [])
        requester_organisation = rng.choice(organisations[rng.choice(requester_types)]) if requester_types else None
        follow = rng.random() < 0.22
        parents.append(
            {
                "id": number,
                "hub_id": hub_id,
                "received_at": received,
                "received_on": day,
                "fiscal_year": fiscal_year.year,
                "channel": pick(rng, demo.CHANNELS),
                "requester": requester,
                "requester_organisation_id": requester_organisation[0] if requester_organisation else None,
                "requester_organisation_name": requester_organisation[1] if requester_organisation else "",
                "scene": pick(rng, demo.SCENES),
                "subject_pseudonym": "",
                "subject_age_band": pick(rng, demo.AGE_BANDS),
                "subject_municipality_code": pick(rng, demo.MUNICIPALITIES),
                "subject_care_level": pick(rng, demo.CARE_LEVELS),
                "minutes_spent": rng.choice([5, 10, 15, 20, 30, 60]),
                "needs_follow_up": follow,
                "status": Status.IN_PROGRESS if follow and rng.random() < 0.1 else Status.CLOSED,
                "closed_on": day,
                "staff_name": "ベンチ 相談員",
                "created_at": now,
                "updated_at": now,
            }
        )
        chosen = {pick(rng, demo.TOPICS) for _ in range(rng.choice([1, 1, 2]))}
        topics.extend({"consultation_id": number, "topic": topic} for topic in chosen)
        answered = {rng.choice([Response.ADVICE, Response.INFORMATION, Response.COORDINATION])}
        if rng.random() < 0.4:
            kinds = [kind for topic in chosen for kind in demo.REFERRAL_TYPES.get(topic, [])]
            targets = list(dict.fromkeys(o for kind in kinds for o in organisations.get(kind, [])))
            for organisation_id, name, kind in rng.sample(targets, min(len(targets), rng.choice([1, 1, 2]))):
                referrals.append(
                    {
                        "consultation_id": number,
                        "organisation_id": organisation_id,
                        "organisation_name": name,
                        "organisation_type": kind,
                    }
                )
            if targets:
                answered.add(Response.REFERRAL)
        if rng.random() < 0.3:
            answered.add(Response.INFORMATION)
        responses.extend({"consultation_id": number, "response": response} for response in answered)
    return parents, topics, responses, referrals


# --- databases -------------------------------------------------------------------------------------------


def pg_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def bench_pg_url() -> tuple[str, bool]:
    """(URL, created): a fresh ``hubapp_bench`` database, or the tests' database when it cannot be made."""
    server = sa.make_url(DEFAULT_PG_URL)
    try:
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": BENCH_DATABASE})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
        admin.dispose()
    except sa.exc.SQLAlchemyError as error:
        print(
            f"  could not create database {BENCH_DATABASE} ({error.__class__.__name__}); "
            f"using {DEFAULT_PG_URL} (schema public is dropped)"
        )
        return DEFAULT_PG_URL, False
    return server.set(database=BENCH_DATABASE).render_as_string(hide_password=False), True


def drop_bench_database() -> None:
    admin = sa.create_engine(sa.make_url(DEFAULT_PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"'))
    admin.dispose()


def make_app(url: str, instance: Path):
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-" + "x" * 40,
        "WTF_CSRF_ENABLED": False,
        # The bench times the page, not the login: the consultant skips the second factor here.
        "TOTP_REQUIRED_ROLES": [],
    }
    app = create_app(config, instance_path=str(instance))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
    return app


def load(app, rows: int, seed: int, years: list[FiscalYear]) -> int:
    """The hub, its organisations and a consultant, then the consultations in batches. Returns the hub id."""
    with app.app_context():
        hub = hubs.create_hub(
            name="ベンチ在宅医療連携センター",
            name_kana="ベンチザイタクイリョウレンケイセンター",
            operator_type=OperatorType.MEDICAL_ASSOCIATION,
            prefecture_code="12",
        )
        for code, name, population, rate in AREAS:
            hubs.save_municipality(
                hub,
                code=code,
                name=name,
                population=population,
                aging_rate=Decimal(rate),
                figures_as_of=date(2026, 4, 1),
            )
        organisations: dict = {}
        for kind, how_many in ORGANISATIONS:
            for n in range(how_many):
                saved = directory.save_organisation(hub.id, {"type": kind, "name": f"{kind.label}{n + 1:02d}"}, [])
                organisations.setdefault(kind, []).append((saved.id, saved.name, kind))
        accounts.create_user(
            username="consultant",
            password=PASSWORD,
            role=Role.CONSULTANT,
            display_name="ベンチ 相談員",
            hub_ids=[hub.id],
        )
        db.session.commit()
        hub_id = hub.id
        started = time.perf_counter()
        tables = generate(rows, seed, hub_id, years, organisations)
        generated = time.perf_counter() - started
        for model, batch in zip(
            (Consultation, ConsultationTopic, ConsultationResponse, ConsultationReferral), tables, strict=True
        ):
            for start in range(0, len(batch), BATCH):
                db.session.execute(sa.insert(model.__table__), batch[start : start + BATCH])
        if db.engine.dialect.name == "postgresql":
            for table in ("consultations", "consultation_referrals"):
                db.session.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
        db.session.commit()
        inserted = time.perf_counter() - started - generated
        started = time.perf_counter()
        tallies.rebuild(hub_id)  # the services keep the tallies; a bulk load counts them once
        db.session.commit()
        rebuilt = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        parents, topics, responses, referrals = tables
        print(
            f"  loaded {len(parents):,} consultations, {len(topics):,} topics, {len(responses):,} responses, "
            f"{len(referrals):,} referrals (generated {generated:.1f} s, inserted {inserted:.1f} s, "
            f"tallies counted in {rebuilt:.1f} s)"
        )
    return hub_id


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(app, call, repeat: int) -> tuple[list[float], int]:
    """Milliseconds of each call (after one warm-up) and the statements the last one sent."""
    with app.app_context():
        engine = db.engine
    counted = {"n": 0}

    def count(*_args, **_kwargs):
        counted["n"] += 1

    call()
    timings = []
    for _ in range(repeat):
        counted["n"] = 0
        sa.event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        sa.event.remove(engine, "before_cursor_execute", count)
    return timings, counted["n"]


def run(label: str, url: str, instance: Path, args) -> float:
    print(f"\n== {label}: {args.rows:,} consultations ==")
    measured = FiscalYear.of(date.today())
    years = [FiscalYear(measured.year - k) for k in range(5)] if args.spread else [measured]
    started = time.perf_counter()
    app = make_app(url, instance)
    print(f"  schema (alembic upgrade) {time.perf_counter() - started:.1f} s")
    hub_id = load(app, args.rows, args.seed, years)
    with app.app_context():
        in_year = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Consultation)
            .where(Consultation.hub_id == hub_id, Consultation.fiscal_year == measured.year)
        )
    print(f"  {in_year:,} of them in {measured.label} (the 年度 measured)")

    def service():
        with app.test_request_context():
            year = statistics.year_statistics(db.session.get(Hub, hub_id), measured, measured.start)
            assert year.consultations.total == in_year
            db.session.remove()

    client = app.test_client()
    assert client.post("/login", data={"username": "consultant", "password": PASSWORD}).status_code == 302

    def page():
        response = client.get(f"/consultations/stats?fy={measured.year}")
        assert response.status_code == 200
        response.close()

    results = {}
    for name, call in (("year_statistics() (service)", service), ("GET /consultations/stats (page)", page)):
        timings, statements = timed(app, call, args.repeat)
        results[name] = stats_module.median(timings)
        print(
            f"  {name:<38} median {stats_module.median(timings):7.1f} ms   p95 {p95(timings):7.1f} ms   "
            f"{statements} statements"
        )
    write_timings(app, hub_id, args.repeat)
    with app.app_context():
        db.engine.dispose()
    return results["GET /consultations/stats (page)"]


def write_timings(app, hub_id: int, repeat: int) -> None:
    """What keeping the tallies costs a write: logging a consultation and correcting it (month, topics and
    referrals changed), each with its commit."""
    logged, corrected = [], []
    with app.test_request_context():
        hub = db.session.get(Hub, hub_id)
        user = accounts.find_user("consultant")
        organisation_ids = list(db.session.scalars(sa.select(Organisation.id).where(Organisation.hub_id == hub_id)))
        for n in range(repeat):
            values = services.ConsultationValues(
                received_at=datetime.now(UTC) - timedelta(days=1),
                channel=Channel.PHONE,
                requester=Requester.CARE_MANAGER,
                scene=Scene.DISCHARGE,
                minutes_spent=15,
                topics=[Topic.HOME_PHYSICIAN],
                responses=[Response.INFORMATION],
                staff_id=user.id,
                referral_ids=[organisation_ids[n % len(organisation_ids)]],
            )
            started = time.perf_counter()
            consultation = services.save_consultation(hub, values, user, now=datetime.now(UTC))
            db.session.commit()
            logged.append((time.perf_counter() - started) * 1000)
            values.received_at -= timedelta(days=40)
            values.topics = [Topic.COST, Topic.SYSTEM]
            values.referral_ids = []
            started = time.perf_counter()
            consultation = services.get_consultation(hub_id, consultation.id)
            services.save_consultation(hub, values, user, consultation, now=datetime.now(UTC))
            db.session.commit()
            corrected.append((time.perf_counter() - started) * 1000)
        drift = tallies.stored(hub_id)
        tallies.rebuild(hub_id)
        consistent = tallies.stored(hub_id) == drift
        db.session.rollback()
    for name, timings in (
        ("log a consultation (service + commit)", logged),
        ("correct it (service + commit)", corrected),
    ):
        median = stats_module.median(timings)
        print(f"  {name:<38} median {median:7.1f} ms   p95 {p95(timings):7.1f} ms   {ratio(median, FLOOR['ms'])}")
    print(f"  tallies kept by the services == counted again from the rows: {consistent}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both" if pg_answers() else "sqlite"
    )
    parser.add_argument(
        "--pg-url",
        default=None,
        help=f"PostgreSQL database to use; its schema public is DROPPED. Default: a new database "
        f"{BENCH_DATABASE}, else {DEFAULT_PG_URL}",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed calls of each kind per database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spread", action="store_true", help="spread the rows over five 年度 (default: all in one)")
    args = parser.parse_args()
    FLOOR["ms"] = Floor().median_ms()
    print(f"floor page median {FLOOR['ms']:.1f} ms")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.database in ("sqlite", "both"):
            figures["sqlite"] = run("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", tmp / "sqlite", args)
        if args.database in ("postgresql", "both"):
            url, created = (args.pg_url, False) if args.pg_url else bench_pg_url()
            try:
                figures["postgresql"] = run(f"PostgreSQL ({sa.make_url(url).database})", url, tmp / "pg", args)
            finally:
                if created:
                    drop_bench_database()
    if "sqlite" in figures:
        verdict = "met" if figures["sqlite"] <= TARGET_MEDIAN_MS else "NOT met"
        print(
            f"\nSQLite target (page median ≤ {TARGET_MEDIAN_MS:.0f} ms) at {args.rows:,} consultations: {verdict} "
            f"(median {figures['sqlite']:.1f} ms)"
        )


if __name__ == "__main__":
    main()
