"""実績・要件 as activity piles up: the compliance page and the evidence pack for a hub with five 年度 of
records — 40 meetings and 2,000 attendances a year, 5,000 consultations a year, a daily rota with a
primary and a secondary for every night and 休日 — enrolled in all six programs.

    .venv/bin/python bench/compliance.py [--years 5]

Builds a throw-away SQLite database with Alembic, fills it with Core inserts, and prints the median time
and query count of the page (this 年度) and the time and size of the evidence pack. Targets on this
machine: page ≤ 300 ms, pack ≤ 5 s. Prints figures only; asserts nothing.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402

from floor import Floor, ratio  # noqa: E402

from hubapp import create_app  # noqa: E402
from hubapp.auth import services as accounts  # noqa: E402
from hubapp.common.jpcalendar import FiscalYear  # noqa: E402
from hubapp.common.roles import Role  # noqa: E402
from hubapp.compliance.models import Enrollment  # noqa: E402
from hubapp.consultations.models import Consultation  # noqa: E402
from hubapp.core.services import today  # noqa: E402
from hubapp.directory.models import Person, Profession  # noqa: E402
from hubapp.extensions import db  # noqa: E402
from hubapp.hubs import services as hubs  # noqa: E402
from hubapp.hubs.models import HubMembership, OperatorType  # noqa: E402
from hubapp.meetings.models import Meeting, MeetingKind, MeetingTopic, Participant  # noqa: E402
from hubapp.rota import services as rota  # noqa: E402
from hubapp.rota.models import Duty  # noqa: E402

PASSWORD = "bench-password-123456"
KINDS = [
    MeetingKind.MULTIDISCIPLINARY,
    MeetingKind.CASE_CONFERENCE,
    MeetingKind.TRAINING_MULTIDISCIPLINARY,
    MeetingKind.PUBLIC_LECTURE,
    MeetingKind.WORKING_GROUP,
    MeetingKind.ADMIN_MANAGERS,
]


def build(workdir: Path, years: int):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SECRET_KEY": "bench-" + "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
            # The bench times the page, not the login: the coordinator skips the second factor here.
            "TOTP_REQUIRED_ROLES": [],
        },
        instance_path=str(workdir),
    )
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        hub = hubs.create_hub(
            name="北総ベンチ拠点",
            name_kana="ホクソウベンチキョテン",
            operator_type=OperatorType.MEDICAL_ASSOCIATION,
            prefecture_code="12",
            dedicated_staff_count=2,
        )
        for code, name in (("122360", "香取市"), ("123421", "神崎町")):
            hubs.save_municipality(
                hub, code=code, name=name, population=30_000, aging_rate=Decimal("36.0"), figures_as_of=date(2026, 4, 1)
            )
        user = accounts.create_user(username="coord", password=PASSWORD, role=Role.COORDINATOR, display_name="調整")
        db.session.add(HubMembership(user_id=user.id, hub_id=hub.id))
        now = datetime.now(UTC)
        current = FiscalYear.of(today()).year
        first_year = current - years + 1
        for year in range(first_year, current + 1):
            db.session.add_all(
                Enrollment(hub_id=hub.id, fiscal_year=year, program_code=c)
                for c in ("A", "B", "C", "D", "E", "SUISHIN")
            )
            fy = FiscalYear(year)
            meetings = []
            for n in range(40):
                day = fy.start + timedelta(days=rng.randrange(365))
                start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
                meetings.append(
                    {
                        "hub_id": hub.id,
                        "kind": rng.choice(KINDS).value,
                        "title": f"会議{year}-{n}",
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=1),
                        "fiscal_year": year,
                        "ical_uid": f"bench-{year}-{n}@hubapp",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            ids = [
                db.session.execute(sa.insert(Meeting).values(**m).returning(Meeting.id)).scalar_one() for m in meetings
            ]
            db.session.execute(
                sa.insert(MeetingTopic),
                [{"meeting_id": i, "topic": rng.choice(["issue_extraction", "disaster", "study_case"])} for i in ids],
            )
            db.session.execute(
                sa.insert(Participant),
                [
                    {
                        "meeting_id": ids[k % 40],
                        "hub_id": hub.id,
                        "status": "present",
                        "name": f"参加者{k}",
                        "profession": rng.choice(list(Profession)).value,
                        "organisation_name": f"機関{k % 70}",
                        "is_manager": k % 37 == 0,
                        "is_admin_officer": k % 41 == 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for k in range(2000)
                ],
            )
            rows = []
            for _k in range(5000):
                day = fy.start + timedelta(days=rng.randrange(365))
                rows.append(
                    {
                        "hub_id": hub.id,
                        "received_at": datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
                        "received_on": day,
                        "fiscal_year": year,
                        "channel": "phone",
                        "requester": "care_manager",
                        "scene": "daily_care",
                        "minutes_spent": 15,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            db.session.execute(sa.insert(Consultation), rows)
        group = rota.create_group(hub.id, "ベンチ在宅医グループ")
        members = []
        for k in range(8):
            person = Person(hub_id=hub.id, name=f"医師{k}", profession=Profession.PHYSICIAN)
            db.session.add(person)
            db.session.flush()
            members.append(rota.add_member(group, person))
        shifts = {s.code: s for s in group.shift_types}
        start, end = FiscalYear(first_year).start, today()
        calendar = rota.holiday_calendar(group, ((12, 29), (1, 3)))
        duties, day, k = [], start, 0
        while day <= end:
            codes = ["holiday_day", "holiday_night"] if calendar.is_day_off(day) else ["weekday_night"]
            for code in codes:
                k += 1
                s = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
                duties.append(
                    {
                        "group_id": group.id,
                        "hub_id": hub.id,
                        "shift_type_id": shifts[code].id,
                        "day": day,
                        "starts_at": s,
                        "ends_at": s + timedelta(hours=14),
                        "is_holiday": code != "weekday_night",
                        "primary_id": members[k % 8].id,
                        "secondary_id": members[(k + 3) % 8].id,
                        "fiscal_year": FiscalYear.of(day).year,
                        "published_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            day += timedelta(days=1)
        db.session.execute(sa.insert(Duty), duties)
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = build(Path(folder), args.years)
        print(f"built {args.years} 年度 of activity in {time.perf_counter() - started:.1f}s")
        client = app.test_client()
        client.post("/login", data={"username": "coord", "password": PASSWORD})
        queries = []
        sa.event.listen(_engine(app), "before_cursor_execute", lambda *a, **k: queries.append(1))
        times = []
        for _ in range(15):
            queries.clear()
            t = time.perf_counter()
            response = client.get("/compliance/")
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
        floor_ms = Floor(folder=Path(folder)).median_ms()
        median_ms = statistics.median(times) * 1000
        print(
            f"/compliance/   median {median_ms:.0f} ms  p95 "
            f"{sorted(times)[int(len(times) * 0.95) - 1] * 1000:.0f} ms  {len(queries)} queries   (target ≤ 300 ms)"
            f"   {ratio(median_ms, floor_ms)}"
        )
        packs = []
        for _ in range(3):
            t = time.perf_counter()
            response = client.get("/compliance/pack.zip")
            packs.append(time.perf_counter() - t)
            assert response.status_code == 200
        print(
            f"evidence pack  median {statistics.median(packs):.2f} s  {len(response.data) / 1024:.0f} KiB   "
            f"(target ≤ 5 s)   {ratio(statistics.median(packs) * 1000, floor_ms)}"
        )


def _engine(app):
    with app.app_context():
        return db.engine


if __name__ == "__main__":
    main()
