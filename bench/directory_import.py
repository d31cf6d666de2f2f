"""Directory import at national scale: a generated file in the 介護サービス情報公表システム layout.

    .venv/bin/python bench/directory_import.py [--rows 100000] [--database sqlite|postgresql|both] [--pg-url URL]

Writes ``--rows`` offices as a cp932 CSV (the national files come as 8 MB, 15,000-row CSVs; 100,000 rows is
about 23 MB) with what real files carry: about 1 % of 法人番号 with a bad check digit, 1 % of 「-」 for none,
0.5 % of coordinates abroad, 1 % of offices listed twice (two services under one 事業所番号), 0.1 % of
rows without a name. Then, per database, it times what the pages do:

- preview: read the file, plan it against the hub's directory (empty, then full for the re-import) and
  build the preview kept beside the upload (:func:`hubapp.directory.importing.preview_of`), the parse kept
  there too (:class:`hubapp.directory.uploads.KeptParse`);
- commit: plan again from the kept parse, write every organisation (audited) and commit, skipping the
  refused rows;
- the preview page: a page of warnings rendered from the kept preview, whatever the row count;
- re-import: the same file again, read anew (a new upload; it changes nothing);
- the next edition: every tenth office with a new phone number, every hundredth gone (planned, updated in
  place, the disappeared archived, committed).

Each step runs in a process of its own, forked from one that holds the app and the file's bytes (as a
worker serves a request); its memory is that process's peak resident size (``ru_maxrss``).
Figures are printed beside the floor page's (bench/floor.py), timed in the same process, and as a ratio.
Targets (issue 15): preview and commit each ≤ 30 s at 100,000 rows, memory ≤ 500 MB, the page ≤ 1 s.

PostgreSQL: as bench/directory_search.py — a fresh ``hubapp_bench`` database when it can be created (dropped
at the end), else the tests' database, whose schema public is DROPPED and recreated.
"""

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory_search import bench_pg_url, drop_bench_database, make_app, pg_answers  # noqa: E402
from floor import Floor, ratio  # noqa: E402

from hubapp.audit.services import acting_as  # noqa: E402
from hubapp.directory import importing, transfer, uploads  # noqa: E402
from hubapp.directory.models import Organisation  # noqa: E402
from hubapp.extensions import db  # noqa: E402
from hubapp.hubs import services as hubs  # noqa: E402
from hubapp.hubs.models import OperatorType  # noqa: E402

HEADER = (
    "都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,住所,"
    "方書（ビル名等）,緯度,経度,電話番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,"
    "利用可能曜日特記事項,定員,URL,高齢者の方と障害者の方が同時一体的に利用できるサービス,"
    "介護保険の通常の指定基準を満たしている,障害福祉の通常の指定基準を満たしている,備考"
)
SERVICES = ["訪問介護", "訪問看護", "通所介護", "居宅介護支援", "介護老人福祉施設", "介護医療院", "短期入所生活介護",
            "認知症対応型共同生活介護", "小規模多機能型居宅介護", "福祉用具貸与", "地域包括支援センター"]  # fmt: skip
CITIES = [("122360", "香取市"), ("122114", "成田市"), ("122122", "佐倉市"), ("122157", "旭市"), ("122025", "銚子市")]
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def corporate_number(rng: random.Random) -> str:
    base = "".join(rng.choice("0123456789") for _ in range(12))
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base), 1))
    return str(9 - total % 9) + base


def care_code(n: int, service: str) -> str:
    middle = "B" if service == "介護医療院" else str(n % 10)
    return f"12{middle}{n % 100:02d}{n // 100 % 10000:04d}{n % 7}"


def generate(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER]
    n = 0
    while len(lines) <= rows:
        n += 1
        code, city = rng.choice(CITIES)
        service = rng.choice(SERVICES)
        name = f"{city}{''.join(rng.choice(KANA) for _ in range(3))}{service}事業所{n}"
        corporate = corporate_number(rng)
        roll = rng.random()
        if roll < 0.01:
            corporate = corporate[:-1] + str((int(corporate[-1]) + 1) % 10)  # a bad check digit
        elif roll < 0.02:
            corporate = "-"
        lat, lon = f"{35.5 + rng.random():.6f}", f"{139.8 + rng.random():.6f}"
        if rng.random() < 0.005:
            lat, lon = "53.41", "-8.24"
        if rng.random() < 0.001:
            name = ""
        cells = [code, str(n), "千葉県", city, name, "", service, f"千葉県{city}{n}番地", "", lat, lon,
                 f"0478-{n % 100:02d}-{n % 10000:04d}", "", corporate, f"社会福祉法人{n % 500}", care_code(n, service),
                 "月火水木金", "", str(rng.randint(10, 80)), "", "", "", "", ""]  # fmt: skip
        lines.append(",".join(cells))
        if rng.random() < 0.01 and len(lines) <= rows:  # the same office for a second service
            cells[6] = rng.choice(SERVICES)
            lines.append(",".join(cells))
    return ("\r\n".join(lines[: rows + 1]) + "\r\n").encode("cp932")


def later_edition(data: bytes) -> bytes:
    """The publisher's next edition: every tenth office has a new phone number, every hundredth is gone."""
    lines = data.decode("cp932").split("\r\n")
    out = [lines[0]]
    for n, line in enumerate(lines[1:], 1):
        if not line or n % 100 == 0:
            continue
        cells = line.split(",")
        if n % 10 == 0:
            cells[11] = f"0479-{n % 100:02d}-{n % 10000:04d}"
        out.append(",".join(cells))
    return ("\r\n".join(out) + "\r\n").encode("cp932")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(step):
    """``step()`` in a forked process, as a worker would serve it: returns (its result, the process's peak
    resident MB). The child starts with what the parent holds now (the app, the file's bytes), not with the
    peak of an earlier step, so each step's figure is its own."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read)
            db.engine.dispose(close=False)  # never share the parent's connections
            result = step()
            with os.fdopen(write, "w") as out:
                json.dump([result, peak_mb()], out, ensure_ascii=False)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as received:
        text = received.read()
    _pid, status = os.waitpid(pid, 0)
    if status or not text:
        raise SystemExit(f"the step failed in its process (status {status})")
    return json.loads(text)


FILENAME = "kaigo_jigyosho_2026-10.csv"
TOKEN = "b" * 32  #: the upload's name, whose parse the preview keeps for the commit
LATER = "kaigo_jigyosho_2027-04.csv"  #: the same list (see importing.import_key_of), six months later


def run(url: str, data: bytes, floor_ms: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(url, Path(folder))
        with app.app_context():
            hub = hubs.create_hub(name="ベンチ在宅医療連携センター", name_kana="ベンチザイタク",
                                  operator_type=OperatorType.MEDICAL_ASSOCIATION, prefecture_code="12")  # fmt: skip
            db.session.commit()
            hub_id = hub.id
            db.session.remove()
            db.engine.dispose()  # the steps' processes open their own

            def preview_step():
                started = time.perf_counter()
                plan = importing.read_and_plan(hub_id, data, FILENAME, kept=uploads.KeptParse(TOKEN))
                preview = importing.preview_of(plan, FILENAME)
                kept = json.dumps(preview, ensure_ascii=False)
                return [time.perf_counter() - started, kept]

            (preview_s, kept), peak = in_child(preview_step)
            preview = json.loads(kept)
            print(f"  preview  {preview_s:6.1f} s  peak {peak:5.0f} MB   "
                  f"added {preview['additions']}, warned {preview['warned']}, refused {preview['refused']}, "
                  f"{len(preview['issues'])} messages, kept {len(kept) / 2**20:.1f} MB   "
                  f"{ratio(preview_s * 1000, floor_ms)}")  # fmt: skip

            def commit_step():
                started = time.perf_counter()
                plan = importing.read_and_plan(hub_id, data, FILENAME, kept=uploads.KeptParse(TOKEN))
                with acting_as("bench:import"):
                    added, _updated, _archived = importing.apply_import(
                        hub_id, plan, f"import:{FILENAME}", skip_refused=True
                    )
                    db.session.commit()
                return [time.perf_counter() - started, added]

            (commit_s, added), peak = in_child(commit_step)
            stored = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
            print(f"  commit   {commit_s:6.1f} s  peak {peak:5.0f} MB   {added} added ({stored} stored)   "
                  f"{ratio(commit_s * 1000, floor_ms)}")  # fmt: skip
            db.session.remove()
            db.engine.dispose()

        with app.test_request_context("/directory/import/x"):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                transfer._preview_page("x" * 32, json.loads(kept), 2)
                times.append(time.perf_counter() - started)
            page_ms = sorted(times)[len(times) // 2] * 1000
            print(f"  preview page (page 2 of {max(1, -(-len(preview['issues']) // importing.PAGE_SIZE))}) "
                  f"{page_ms:6.0f} ms   {ratio(page_ms, floor_ms)}")

        with app.app_context():

            def again_step():
                started = time.perf_counter()
                again = importing.read_and_plan(hub_id, data, FILENAME)
                return [time.perf_counter() - started, len(again.additions), len(again.updates), again.unchanged]

            (again_s, again_added, again_updated, unchanged), peak = in_child(again_step)
            print(f"  re-import preview {again_s:6.1f} s  peak {peak:5.0f} MB   added {again_added}, "
                  f"updated {again_updated}, unchanged {unchanged}   {ratio(again_s * 1000, floor_ms)}")

            later = later_edition(data)

            def later_step():
                started = time.perf_counter()
                plan = importing.read_and_plan(hub_id, later, LATER)
                with acting_as("bench:import"):
                    _added, updated, archived = importing.apply_import(
                        hub_id, plan, f"import:{LATER}", skip_refused=True, archive_disappeared=True
                    )
                    db.session.commit()
                return [time.perf_counter() - started, updated, archived]

            (later_s, updated, archived), peak = in_child(later_step)
            print(f"  next edition (plan and commit) {later_s:6.1f} s  peak {peak:5.0f} MB   updated {updated}, "
                  f"archived {archived} that disappeared   {ratio(later_s * 1000, floor_ms)}")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default=None)
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()
    database = args.database or ("both" if pg_answers() else "sqlite")
    started = time.perf_counter()
    data = generate(args.rows)
    print(f"generated {args.rows} rows, {len(data) / 2**20:.1f} MB cp932, in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        floor_ms = Floor(folder=Path(folder)).median_ms()
    print(f"floor page median {floor_ms:.1f} ms")
    if database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite")
            run(f"sqlite:///{folder}/bench.sqlite3", data, floor_ms)
    if database in ("postgresql", "both"):
        url, created = (args.pg_url, False) if args.pg_url else bench_pg_url()
        print("PostgreSQL")
        try:
            run(url, data, floor_ms)
        finally:
            if created:
                drop_bench_database()


if __name__ == "__main__":
    main()
