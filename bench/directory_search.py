"""Directory search speed at scale: 2–4 character Japanese queries over 100,000 organisations.

    .venv/bin/python bench/directory_search.py [--rows 100000] [--database sqlite|postgresql|both]
                                               [--queries 200] [--seed 1] [--pg-url URL] [--experiments]

Builds the schema with Alembic, loads ``--rows`` generated organisations (realistic names, readings,
addresses and types of 千葉県) into one hub with bulk inserts (the FTS5 triggers on SQLite and the GIN
index on PostgreSQL are maintained as the rows go in), then times the list page's service call
``search_organisations(hub_id, OrganisationFilter(query=q), page=1)`` — the page query, the count and
the functions of the page — and prints, per database, each query's matches, median and p95, then the
overall median and p95. Target (the issue): median ≤ 20 ms and p95 ≤ 50 ms at 100,000 rows on SQLite.
Prints figures only; it asserts nothing (speed is not a unit-test matter).

SQLite: a throw-away file in a temporary folder.

PostgreSQL (``--database postgresql`` or ``both``; ``both`` is the default when a server answers on
127.0.0.1:5432): without ``--pg-url`` the script connects to the server's ``postgres`` database as the
``postgres`` user, creates a database ``hubapp_bench``, works there and drops it at the end. When that
database cannot be created it falls back to the tests' database
``postgresql+psycopg://postgres@127.0.0.1:5432/test``. With ``--pg-url`` it uses the database given.
WARNING: in the fallback database and in any ``--pg-url`` database it DROPS SCHEMA public (every table
and row in it) and recreates it, as the tests do — never point it at a database whose data you need.

``--experiments`` then adds, per database, the statements' plans and timings of alternative query shapes
and indexes (labelled EXPERIMENTS, X1…X8) built here in the bench database only: they do not change the
application, they measure what a change to it could gain.
"""

import argparse
import math
import random
import socket
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import Floor, ratio  # noqa: E402

#: The floor page's median in this process (bench/floor.py), measured once in main().
FLOOR = {"ms": 0.0}

from flask_migrate import upgrade  # noqa: E402

from hubapp import create_app  # noqa: E402
from hubapp.common import jptext  # noqa: E402
from hubapp.directory import search  # noqa: E402
from hubapp.directory.models import (  # noqa: E402
    ORGANISATION_TYPE_JA,
    Organisation,
    OrganisationType,
    organisation_functions,
)
from hubapp.directory.services import OrganisationFilter, search_organisations  # noqa: E402
from hubapp.extensions import db  # noqa: E402
from hubapp.hubs import services as hubs  # noqa: E402
from hubapp.hubs.models import OperatorType  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "hubapp_bench"
BATCH = 5_000
TARGET_MEDIAN_MS, TARGET_P95_MS = 20.0, 50.0
T = OrganisationType

# --- generated data ------------------------------------------------------------------------------------

#: (code, address prefix after 千葉県, weight, 町字 list). Most rows in the 香取 area, the rest around it.
MUNICIPALITIES = [
    ("122360", "香取市", 30, ["佐原イ", "佐原ロ", "北", "小見川", "山田", "栗源", "大倉", "津宮", "玉造", "岩ケ崎台"]),
    ("123421", "香取郡神崎町", 6, ["神崎本宿", "郡", "武田", "松崎", "古原"]),
    ("123471", "香取郡多古町", 8, ["多古", "染井", "東松崎", "喜多", "飯笹"]),
    ("123498", "香取郡東庄町", 4, ["笹川い", "石出", "新宿", "小南"]),
    ("122114", "成田市", 14, ["花崎町", "幸町", "公津の杜", "加良部", "並木町", "赤坂", "吾妻", "郷部", "土屋"]),
    ("122122", "佐倉市", 10, ["新町", "王子台", "井野", "上志津", "臼井", "寺崎", "大崎台"]),
    ("122025", "銚子市", 8, ["中央町", "双葉町", "東町", "清川町", "松岸町", "三崎町"]),
    ("122157", "旭市", 7, ["イ", "ロ", "ニ", "飯岡", "鎌数", "萬力", "干潟"]),
    ("122351", "匝瑳市", 5, ["八日市場イ", "八日市場ロ", "椿", "野手", "今泉"]),
    ("122378", "山武市", 4, ["成東", "松尾町五反田", "殿台", "埴谷"]),
    ("122335", "富里市", 3, ["七栄", "日吉台", "御料"]),
    ("124095", "山武郡芝山町", 1, ["小池", "岩山"]),
    ("124109", "山武郡横芝光町", 2, ["横芝", "栗山", "宮川"]),
]

#: Place names used in organisation names: (kanji, reading, weight). A few are rare on purpose.
PLACES = [
    ("香取", "カトリ", 10), ("佐原", "サワラ", 10), ("多古", "タコ", 6), ("神崎", "コウザキ", 5),
    ("小見川", "オミガワ", 6), ("成田", "ナリタ", 8), ("佐倉", "サクラ", 6), ("銚子", "チョウシ", 6),
    ("旭", "アサヒ", 5), ("匝瑳", "ソウサ", 2), ("八日市場", "ヨウカイチバ", 3), ("栗源", "クリモト", 2),
    ("山田", "ヤマダ", 2), ("東庄", "トウノショウ", 2), ("芝山", "シバヤマ", 1), ("横芝", "ヨコシバ", 1),
    ("富里", "トミサト", 2), ("酒々井", "シスイ", 1), ("八街", "ヤチマタ", 1), ("山武", "サンム", 2),
    ("成東", "ナルトウ", 1), ("飯岡", "イイオカ", 1), ("干潟", "ヒカタ", 1), ("水郷", "スイゴウ", 3),
    ("北総", "ホクソウ", 3), ("東総", "トウソウ", 2), ("利根", "トネ", 2), ("下総", "シモウサ", 1),
    ("大栄", "タイエイ", 1), ("公津", "コウヅ", 1), ("臼井", "ウスイ", 1), ("蓮沼", "ハスヌマ", 0.05),
    ("睦沢", "ムツザワ", 0.05),
]

FAMILIES = [
    ("鈴木", "スズキ"), ("佐藤", "サトウ"), ("高橋", "タカハシ"), ("髙橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"),
    ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"),
    ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"), ("石川", "イシカワ"),
    ("前田", "マエダ"), ("藤田", "フジタ"), ("小川", "オガワ"), ("岡田", "オカダ"), ("後藤", "ゴトウ"),
    ("長谷川", "ハセガワ"), ("石井", "イシイ"), ("村上", "ムラカミ"), ("近藤", "コンドウ"), ("坂本", "サカモト"),
    ("遠藤", "エンドウ"), ("青木", "アオキ"), ("藤井", "フジイ"), ("西村", "ニシムラ"), ("福田", "フクダ"),
    ("太田", "オオタ"), ("三浦", "ミウラ"), ("岡本", "オカモト"), ("松田", "マツダ"), ("中川", "ナカガワ"),
    ("原田", "ハラダ"), ("小野", "オノ"), ("竹内", "タケウチ"), ("金子", "カネコ"), ("和田", "ワダ"),
    ("石田", "イシダ"), ("上田", "ウエダ"), ("森田", "モリタ"), ("柴田", "シバタ"), ("酒井", "サカイ"),
    ("宮崎", "ミヤザキ"), ("宮本", "ミヤモト"), ("内田", "ウチダ"), ("高木", "タカギ"), ("安藤", "アンドウ"),
    ("菅谷", "スガヤ"), ("宇井", "ウイ"), ("篠塚", "シノヅカ"), ("鵜澤", "ウザワ"), ("椎名", "シイナ"),
    ("越川", "コシカワ"), ("菅井", "スガイ"), ("伊能", "イノウ"), ("平山", "ヒラヤマ"), ("熱田", "アツタ"),
]

#: Friendly names (屋号) as offices write them, with their readings.
SOFT = [
    ("ひまわり", "ヒマワリ"), ("さくら", "サクラ"), ("あおぞら", "アオゾラ"), ("すみれ", "スミレ"),
    ("たんぽぽ", "タンポポ"), ("こすもす", "コスモス"), ("やまぶき", "ヤマブキ"), ("わかば", "ワカバ"),
    ("あさひ", "アサヒ"), ("ひかり", "ヒカリ"), ("みどり", "ミドリ"), ("つばさ", "ツバサ"), ("かえで", "カエデ"),
    ("なのはな", "ナノハナ"), ("ふれあい", "フレアイ"), ("ほほえみ", "ホホエミ"), ("やすらぎ", "ヤスラギ"),
    ("すずらん", "スズラン"), ("虹", "ニジ"), ("希望", "キボウ"), ("陽だまり", "ヒダマリ"), ("絆", "キズナ"),
    ("結", "ユイ"), ("和", "ナゴミ"), ("中央", "チュウオウ"), ("駅前", "エキマエ"), ("青葉", "アオバ"),
    ("若葉", "ワカバ"), ("ファミリー", "ファミリー"), ("メディカル", "メディカル"), ("グリーン", "グリーン"),
    ("サンライズ", "サンライズ"), ("オリーブ", "オリーブ"), ("ライフ", "ライフ"), ("すいごう", "スイゴウ"),
    ("かとり", "カトリ"), ("さわら", "サワラ"), ("たこ", "タコ"), ("こうざき", "コウザキ"), ("なりた", "ナリタ"),
]

DIRECTIONS = [("東", "ヒガシ"), ("西", "ニシ"), ("南", "ミナミ"), ("北", "キタ"), ("中央", "チュウオウ")]


def lit(kanji: str, kana: str) -> tuple[str, str]:
    return kanji, kana


#: Per type: (weight of the type, [name templates]). A template is a sequence of parts: "P" a place,
#: "F" a family name, "S" a friendly name, "D" a direction, or a literal (kanji, reading).
TYPES = {
    T.HOSPITAL: (3, [("P", lit("中央病院", "チュウオウビョウイン")), ("P", lit("総合病院", "ソウゴウビョウイン")),
                     ("F", lit("病院", "ビョウイン")), ("F", lit("記念病院", "キネンビョウイン")),
                     ("P", lit("協同病院", "キョウドウビョウイン")),
                     (lit("国保", "コクホ"), "P", lit("病院", "ビョウイン"))]),
    T.HOME_CARE_HOSPITAL: (1, [("P", lit("在宅医療病院", "ザイタクイリョウビョウイン")),
                               ("F", lit("記念病院", "キネンビョウイン"))]),
    T.CLINIC: (24, [("F", lit("内科医院", "ナイカイイン")), ("F", lit("クリニック", "クリニック")),
                    ("P", lit("クリニック", "クリニック")), ("F", lit("医院", "イイン")),
                    ("P", lit("内科", "ナイカ")), ("F", lit("整形外科", "セイケイゲカ")), ("F", lit("眼科", "ガンカ")),
                    ("S", lit("こどもクリニック", "コドモクリニック")), ("F", lit("耳鼻咽喉科", "ジビインコウカ")),
                    ("F", lit("皮膚科クリニック", "ヒフカクリニック")), ("P", "S", lit("クリニック", "クリニック")),
                    ("F", lit("内科・消化器科", "ナイカショウカキカ"))]),
    T.HOME_CARE_CLINIC: (3, [("F", lit("在宅クリニック", "ザイタククリニック")),
                             ("S", lit("在宅診療所", "ザイタクシンリョウジョ")),
                             ("P", lit("訪問診療クリニック", "ホウモンシンリョウクリニック")),
                             ("F", lit("内科在宅診療所", "ナイカザイタクシンリョウジョ"))]),
    T.DENTAL_CLINIC: (15, [("F", lit("歯科医院", "シカイイン")), ("S", lit("歯科", "シカ")),
                           ("P", lit("デンタルクリニック", "デンタルクリニック")),
                           ("F", lit("歯科クリニック", "シカクリニック")), ("P", "S", lit("歯科医院", "シカイイン"))]),
    T.PHARMACY: (20, [("S", lit("薬局", "ヤッキョク")), ("P", lit("中央薬局", "チュウオウヤッキョク")),
                      ("F", lit("薬局", "ヤッキョク")), ("S", lit("調剤薬局", "チョウザイヤッキョク")),
                      ("P", lit("駅前薬局", "エキマエヤッキョク")),
                      ("S", lit("薬局", "ヤッキョク"), "P", lit("店", "テン"))]),
    T.VISITING_NURSING: (7, [(lit("訪問看護ステーション", "ホウモンカンゴステーション"), "S"),
                             (lit("訪問看護ステーション", "ホウモンカンゴステーション"), "P"),
                             ("S", lit("訪問看護ステーション", "ホウモンカンゴステーション")),
                             ("P", lit("訪問看護ステーション", "ホウモンカンゴステーション")),
                             ("S", lit("訪問看護リハビリステーション", "ホウモンカンゴリハビリステーション"))]),
    T.CARE_MANAGEMENT: (12, [(lit("居宅介護支援事業所", "キョタクカイゴシエンジギョウショ"), "S"),
                             ("S", lit("居宅介護支援事業所", "キョタクカイゴシエンジギョウショ")),
                             (lit("ケアプランセンター", "ケアプランセンター"), "S"),
                             ("P", lit("ケアプランセンター", "ケアプランセンター")),
                             ("P", lit("ケアマネジメントセンター", "ケアマネジメントセンター"))]),
    T.COMMUNITY_CARE_CENTER: (1, [("P", lit("地域包括支援センター", "チイキホウカツシエンセンター")),
                                  ("P", "D", lit("部地域包括支援センター", "ブチイキホウカツシエンセンター"))]),
    T.DISABILITY_CONSULTATION: (2, [(lit("相談支援事業所", "ソウダンシエンジギョウショ"), "S"),
                                    ("P", lit("障害者相談支援センター", "ショウガイシャソウダンシエンセンター"))]),
    T.CARE_FACILITY: (10, [(lit("特別養護老人ホーム", "トクベツヨウゴロウジンホーム"), "P", lit("苑", "エン")),
                           (lit("介護老人保健施設", "カイゴロウジンホケンシセツ"), "S"),
                           (lit("グループホーム", "グループホーム"), "S"), (lit("デイサービス", "デイサービス"), "S"),
                           (lit("小規模多機能ホーム", "ショウキボタキノウホーム"), "S"),
                           (lit("有料老人ホーム", "ユウリョウロウジンホーム"), "S", lit("の里", "ノサト"))]),
    T.GOVERNMENT: (0.5, [("P", lit("市役所高齢者福祉課", "シヤクショコウレイシャフクシカ")),
                         ("P", lit("健康福祉センター", "ケンコウフクシセンター"))]),
    T.OTHER: (2, [("P", lit("社会福祉協議会", "シャカイフクシキョウギカイ")),
                  (lit("訪問介護事業所", "ホウモンカイゴジギョウショ"), "S"),
                  ("S", lit("ヘルパーステーション", "ヘルパーステーション"))]),
}

#: (query, kind). 2–4 characters each, as people type them into the list's search box.
QUERIES = [
    ("訪問", "kanji"), ("薬局", "kanji"), ("病院", "kanji"), ("佐原", "kanji"), ("内科", "kanji"),
    ("多古", "kanji"), ("訪看", "abbreviation"), ("包括", "abbreviation"), ("歯科", "kanji"),
    ("ほうもん", "hiragana"), ("さわら", "hiragana"), ("ざいたく", "hiragana"),
    ("ホウモン", "katakana"), ("カトリ", "katakana"), ("ﾎｳﾓﾝ", "half-width"),
    ("匝瑳", "kanji, rarer"), ("鵜澤", "variant kanji, rare"), ("蓮沼", "rare"), ("ムツザワ", "rare"),
    ("沖縄", "no match"),
]


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def generate(count: int, seed: int, hub_id: int) -> tuple[list[dict], list[dict]]:
    """``count`` organisation rows (ids 1..count) and their function links, ready for a Core insert."""
    rng = random.Random(seed)
    type_list = list(TYPES)
    type_weights = [TYPES[t][0] for t in type_list]
    place_weights = [w for _, _, w in PLACES]
    muni_weights = [m[2] for m in MUNICIPALITIES]
    now = datetime.now(UTC)
    rows, links = [], []
    for number in range(1, count + 1):
        org_type = _weighted(rng, type_list, type_weights)
        template = rng.choice(TYPES[org_type][1])
        name_parts, kana_parts = [], []
        for part in template:
            if part == "P":
                kanji, kana, _ = _weighted(rng, PLACES, place_weights)
            elif part == "F":
                kanji, kana = rng.choice(FAMILIES)
            elif part == "S":
                kanji, kana = rng.choice(SOFT)
            elif part == "D":
                kanji, kana = rng.choice(DIRECTIONS)
            else:
                kanji, kana = part
            name_parts.append(kanji)
            kana_parts.append(kana)
        name, kana = "".join(name_parts), "".join(kana_parts)
        code, town, _, blocks = _weighted(rng, MUNICIPALITIES, muni_weights)
        if rng.random() < 0.5:
            number_part = f"{rng.randint(1, 3000)}" + (f"-{rng.randint(1, 30)}" if rng.random() < 0.5 else "")
        else:
            number_part = f"{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        address = f"千葉県{town}{rng.choice(blocks)}{number_part}"
        area = "0478" if code in ("122360", "123421") else "0479" if code != "122114" else "0476"
        rows.append({
            "id": number, "hub_id": hub_id, "type": org_type, "name": name, "name_kana": kana,
            "municipality_code": code, "postcode": f"{rng.randint(280, 299)}-{rng.randint(0, 9999):04d}",
            "address": address, "phone": f"{area}-{rng.randint(50, 99)}-{rng.randint(0, 9999):04d}",
            "fax": "", "email": "", "url": "", "hours_note": "", "note": "",
            "bed_count": rng.randint(20, 400) if org_type in (T.HOSPITAL, T.HOME_CARE_HOSPITAL) else None,
            "source": "import:bench", "created_at": now, "updated_at": now,
            "kana_key": jptext.kana_key(kana, name),
            "search_bigrams": jptext.index_text(name, kana, address, ORGANISATION_TYPE_JA[org_type]),
        })
        if rng.random() < 0.4:
            for function_id in rng.sample(range(1, 16), rng.randint(1, 3)):
                links.append({"organisation_id": number, "function_id": function_id})
    return rows, links


# --- databases -----------------------------------------------------------------------------------------


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
        print(f"  could not create database {BENCH_DATABASE} ({error.__class__.__name__}); "
              f"using {DEFAULT_PG_URL} (schema public is dropped)")
        return DEFAULT_PG_URL, False
    return server.set(database=BENCH_DATABASE).render_as_string(hide_password=False), True


def drop_bench_database() -> None:
    admin = sa.create_engine(sa.make_url(DEFAULT_PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"'))
    admin.dispose()


def make_app(url: str, instance: Path):
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40, "WTF_CSRF_ENABLED": False}
    app = create_app(config, instance_path=str(instance))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
    return app


def load(app, rows: int, seed: int) -> int:
    """Create the hub, insert the organisations in batches, refresh statistics. Returns the hub id."""
    with app.app_context():
        hub = hubs.create_hub(name="ベンチ在宅医療連携センター", name_kana="ベンチザイタクイリョウレンケイセンター",
                              operator_type=OperatorType.MEDICAL_ASSOCIATION, prefecture_code="12")
        db.session.commit()
        hub_id = hub.id
        started = time.perf_counter()
        organisations, links = generate(rows, seed, hub_id)
        generated = time.perf_counter() - started
        for start in range(0, len(organisations), BATCH):
            db.session.execute(sa.insert(Organisation.__table__), organisations[start:start + BATCH])
        for start in range(0, len(links), BATCH):
            db.session.execute(sa.insert(organisation_functions), links[start:start + BATCH])
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text(
                "SELECT setval(pg_get_serial_sequence('organisations', 'id'), (SELECT max(id) FROM organisations))"
            ))
        db.session.commit()
        inserted = time.perf_counter() - started - generated
        started = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            # VACUUM also merges the GIN pending list, as autovacuum would on a live server.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
            maintenance = "VACUUM ANALYZE"
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.execute(sa.text("INSERT INTO directory_search(directory_search) VALUES('optimize')"))
            db.session.commit()
            maintenance = "ANALYZE + FTS5 optimize"
        print(f"  loaded {rows:,} organisations ({len(links):,} function links): generate {generated:.1f} s, "
              f"insert {inserted:.1f} s, {maintenance} {time.perf_counter() - started:.1f} s")
    return hub_id


# --- timing --------------------------------------------------------------------------------------------


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a kanji or kana takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - columns)
    return fill + text if right else text + fill


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def real_service(hub_id: int, query: str) -> tuple[list, int]:
    """What the list page does: the service call, then the page's items and the total."""
    page = search_organisations(hub_id, OrganisationFilter(query=query), page=1)
    return list(page.items), page.total


def time_calls(app, call, hub_id: int, queries: list[str], count: int) -> tuple[dict, list[float], float]:
    """``count`` timed calls of ``call(hub_id, query)``, cycling through ``queries``, each in its own app
    context (a fresh session, as a request has). Returns {query: (total, [ms])}, every ms, statements/call."""
    with app.app_context():
        engine = db.engine
    statements = {"n": 0}

    def counter(*_args, **_kwargs):
        statements["n"] += 1

    for query in queries:  # warm-up: caches, compiled statements, pages of the file
        with app.app_context():
            call(hub_id, query)
    results = {q: (0, []) for q in queries}
    every = []
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        for n in range(count):
            query = queries[n % len(queries)]
            with app.app_context():
                started = time.perf_counter()
                _items, total = call(hub_id, query)
                elapsed = (time.perf_counter() - started) * 1000
            results[query] = (total, results[query][1] + [elapsed])
            every.append(elapsed)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return results, every, statements["n"] / max(count, 1)


def report(label: str, results: dict, every: list[float], statements: float, kinds: dict) -> tuple[float, float]:
    print(f"  {'query':<10} {'kind':<20} {'matches':>8} {'median ms':>10} {'p95 ms':>8}")
    for query, (total, timings) in results.items():
        if not timings:
            continue
        print(f"  {pad(query, 10)} {kinds.get(query, ''):<20} {total:>8,} {statistics.median(timings):10.1f} "
              f"{p95(timings):8.1f}")
    median, high = statistics.median(every), p95(every)
    print(f"  {label}: {len(every)} searches ({statements:.0f} statements each): median {median:.1f} ms, "
          f"p95 {high:.1f} ms   {ratio(median, FLOOR['ms'])}")
    return median, high


# --- experiments: alternative query shapes, measured; the application is not changed -----------------------
#
# Each EXPERIMENT is a stand-in for search_organisations() written here, timed with the same harness (the
# page of 30 with its functions, and a total), so its figures compare with the real service's. Some add
# an index or a column to the bench database: they run after the real service has been measured.

FTS_COUNT = sa.text("SELECT count(*) FROM directory_search WHERE directory_search MATCH :fts")
#: Above this many FTS matches (an upper bound of the hub's matches) the page walks the (hub_id, kana_key)
#: index in order and stops at 30 rows; below it, it looks the matches up by id and sorts them.
INDEX_ORDER_ABOVE = 1_000
COUNT_CAP = 1_000


def _fts(query: str) -> str:
    return " OR ".join(search._fts5_phrase(v) for v in jptext.query_variants(query))


def _tsq(query: str) -> str:
    return " | ".join(search._tsquery_phrase(v) for v in jptext.query_variants(query))


def _fts_ids(fts: str):
    matched = sa.text("SELECT rowid FROM directory_search WHERE directory_search MATCH :fts").bindparams(fts=fts)
    return matched.columns(sa.column("rowid", sa.Integer))


def _page_and_count(hub_id: int, page_clause, count_clause, capped: bool) -> tuple[list, int]:
    live = (Organisation.hub_id == hub_id, Organisation.archived_at.is_(None))
    page = (
        sa.select(Organisation).where(*live, page_clause).options(selectinload(Organisation.functions))
        .order_by(Organisation.kana_key, Organisation.id).limit(30)
    )
    items = list(db.session.scalars(page))
    ids = sa.select(Organisation.id).where(*live, count_clause)
    if capped:
        ids = ids.limit(COUNT_CAP + 1)  # the page would show 「1,000件以上」 beyond the cap
    return items, db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))


def sqlite_hybrid(capped: bool):
    def call(hub_id: int, query: str) -> tuple[list, int]:
        fts = _fts(query)
        ids = _fts_ids(fts)
        upper = db.session.scalar(FTS_COUNT, {"fts": fts})
        # ``id + 0`` is not indexable, so SQLite cannot drive the page from the FTS ids; it walks
        # the (hub_id, kana_key) index in order and probes each id against the FTS result.
        page_clause = (Organisation.id + 0).in_(ids) if upper > INDEX_ORDER_ABOVE else Organisation.id.in_(ids)
        return _page_and_count(hub_id, page_clause, Organisation.id.in_(ids), capped)

    return call


def pg_stored_vector(capped: bool):
    def call(hub_id: int, query: str) -> tuple[list, int]:
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), _tsq(query))
        clause = sa.literal_column("organisations.search_vector").op("@@")(tsquery)
        return _page_and_count(hub_id, clause, clause, capped)

    return call


def pg_stored_vector_hybrid(hub_id: int, query: str) -> tuple[list, int]:
    """Stored tsvector, capped count first; when the cap is reached the page walks (hub_id, kana_key) in
    order: ``ts_match_vq()`` is the function behind ``@@`` and is not indexable, so the planner cannot pick
    the GIN bitmap + sort of every match (it does for phrases, whose selectivity it underestimates)."""
    tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), _tsq(query))
    vector = sa.literal_column("organisations.search_vector")
    clause = vector.op("@@")(tsquery)
    live = (Organisation.hub_id == hub_id, Organisation.archived_at.is_(None))
    ids = sa.select(Organisation.id).where(*live, clause).limit(COUNT_CAP + 1)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
    page_clause = sa.func.ts_match_vq(vector, tsquery) if total > COUNT_CAP else clause
    page = (
        sa.select(Organisation).where(*live, page_clause).options(selectinload(Organisation.functions))
        .order_by(Organisation.kana_key, Organisation.id).limit(30)
    )
    return list(db.session.scalars(page)), total


SQLITE_PLANS = {
    "current page": (
        "SELECT o.* FROM organisations o WHERE o.hub_id = :hub AND o.archived_at IS NULL AND o.id IN "
        "(SELECT rowid FROM directory_search WHERE directory_search MATCH :fts) ORDER BY o.kana_key, o.id LIMIT 30"
    ),
    "current count": (
        "SELECT count(*) FROM (SELECT o.id FROM organisations o WHERE o.hub_id = :hub AND o.archived_at IS NULL "
        "AND o.id IN (SELECT rowid FROM directory_search WHERE directory_search MATCH :fts))"
    ),
    "hybrid page, frequent term (id + 0)": (
        "SELECT o.* FROM organisations o WHERE o.hub_id = :hub AND o.archived_at IS NULL AND o.id + 0 IN "
        "(SELECT rowid FROM directory_search WHERE directory_search MATCH :fts) ORDER BY o.kana_key, o.id LIMIT 30"
    ),
    "FTS count alone": "SELECT count(*) FROM directory_search WHERE directory_search MATCH :fts",
}
PG_PLANS = {
    "current page": (
        "SELECT o.* FROM organisations o WHERE o.hub_id = :hub AND o.archived_at IS NULL AND "
        "to_tsvector('simple'::regconfig, o.search_bigrams) @@ to_tsquery('simple'::regconfig, :tsq) "
        "ORDER BY o.kana_key, o.id LIMIT 30"
    ),
    "current count": (
        "SELECT count(*) FROM organisations o WHERE o.hub_id = :hub AND o.archived_at IS NULL AND "
        "to_tsvector('simple'::regconfig, o.search_bigrams) @@ to_tsquery('simple'::regconfig, :tsq)"
    ),
    "X8 page, frequent term": (
        "SELECT o.* FROM organisations o WHERE o.hub_id = :hub AND o.archived_at IS NULL AND "
        "ts_match_vq(o.search_vector, to_tsquery('simple'::regconfig, :tsq)) ORDER BY o.kana_key, o.id LIMIT 30"
    ),
}


def sql_timings(app, hub_id: int, queries: list[str], shapes: dict, repeat: int = 5) -> None:
    """Median ms of each plain SQL statement per query (ids or count only: no ORM, no Python rows)."""
    heading = " ".join(pad(q, 8, right=True) for q in queries)
    print(f"  SQL alone, median ms of {repeat} runs ({', '.join(shapes)}):")
    print(f"  {'':<36} {heading}")
    with app.app_context(), db.engine.connect() as conn:
        for label, sql in shapes.items():
            cells = []
            for query in queries:
                params = {"hub": hub_id, "fts": _fts(query), "tsq": _tsq(query)}
                conn.execute(sa.text(sql), params).all()
                timings = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    conn.execute(sa.text(sql), params).all()
                    timings.append((time.perf_counter() - started) * 1000)
                cells.append(statistics.median(timings))
            print(f"  {label:<36} " + " ".join(f"{c:8.1f}" for c in cells))


def explain(app, hub_id: int, shapes: dict, query: str) -> None:
    with app.app_context(), db.engine.connect() as conn:
        sqlite = db.engine.dialect.name == "sqlite"
        params = {"hub": hub_id, "fts": _fts(query), "tsq": _tsq(query)}
        for label, sql in shapes.items():
            print(f"  plan of «{label}» for {query}:")
            if sqlite:
                rows = [row[3] for row in conn.execute(sa.text("EXPLAIN QUERY PLAN " + sql), params)]
            else:
                rows = [row[0] for row in conn.execute(sa.text("EXPLAIN (ANALYZE, COSTS OFF) " + sql), params)]
            for row in rows:
                print(f"    {row}")


def run_experiment(app, label: str, call, hub_id: int, queries: list[str], count: int) -> None:
    _results, every, statements = time_calls(app, call, hub_id, queries, count)
    print(f"  {label:<76} median {statistics.median(every):6.1f} ms  p95 {p95(every):6.1f} ms  "
          f"({statements:.0f} statements)")


def experiments(app, hub_id: int, queries: list[str], count: int) -> None:
    with app.app_context():
        engine = db.engine
    print("  EXPERIMENTS (not the application's code; same harness, same queries):")
    if engine.dialect.name == "sqlite":
        sql_timings(app, hub_id, queries[:4] + queries[9:10] + queries[-4:], SQLITE_PLANS)
        explain(app, hub_id, SQLITE_PLANS, "訪問")
        run_experiment(app, "X1 hybrid page (index order above 1,000 FTS hits) + exact count",
                       sqlite_hybrid(capped=False), hub_id, queries, count)
        run_experiment(app, "X2 hybrid page + count capped at 1,001",
                       sqlite_hybrid(capped=True), hub_id, queries, count)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE INDEX ix_bench_count ON organisations (id, hub_id, archived_at)"))
            conn.execute(sa.text("ANALYZE"))
        run_experiment(app, "X3 hybrid page + exact count on a covering index (id, hub_id, archived_at)",
                       sqlite_hybrid(capped=False), hub_id, queries, count)
        run_experiment(app, "X3b service as is, with that covering index",
                       real_service, hub_id, queries, count)

        def bigger_cache(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA cache_size=-65536")

        sa.event.listen(engine, "connect", bigger_cache)
        engine.dispose()
        run_experiment(app, "X4 service as is + PRAGMA cache_size=-65536 (64 MiB; default 2 MiB)",
                       real_service, hub_id, queries, count)
        run_experiment(app, "X5 = X3 (hybrid + covering index) + 64 MiB cache",
                       sqlite_hybrid(capped=False), hub_id, queries, count)
        sa.event.remove(engine, "connect", bigger_cache)
    else:
        explain(app, hub_id, {k: v for k, v in PG_PLANS.items() if k.startswith("current")}, "ほうもん")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(
                "ALTER TABLE organisations ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_bigrams)) STORED"
            ))
            conn.execute(sa.text("CREATE INDEX ix_bench_search_vector ON organisations USING gin (search_vector)"))
            conn.execute(sa.text("VACUUM ANALYZE organisations"))
        run_experiment(app, "X6 stored tsvector column + GIN on it, exact count",
                       pg_stored_vector(capped=False), hub_id, queries, count)
        run_experiment(app, "X7 stored tsvector column + GIN on it, count capped at 1,001",
                       pg_stored_vector(capped=True), hub_id, queries, count)
        run_experiment(app, "X8 = X7 + page in index order when the count reaches the cap",
                       pg_stored_vector_hybrid, hub_id, queries, count)
        explain(app, hub_id, {"X8 page, frequent term": PG_PLANS["X8 page, frequent term"]}, "ほうもん")


# --- main ----------------------------------------------------------------------------------------------


def run(label: str, url: str, instance: Path, args) -> tuple[float, float]:
    print(f"\n== {label}: {args.rows:,} organisations ==")
    started = time.perf_counter()
    app = make_app(url, instance)
    print(f"  schema (alembic upgrade) {time.perf_counter() - started:.1f} s")
    hub_id = load(app, args.rows, args.seed)
    kinds = dict(QUERIES)
    queries = [q for q, _ in QUERIES]
    results, every, statements = time_calls(app, real_service, hub_id, queries, args.queries)
    figures = report(label, results, every, statements, kinds)
    if args.experiments:
        experiments(app, hub_id, queries, args.queries)
    with app.app_context():
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"),
                        default="both" if pg_answers() else "sqlite")
    parser.add_argument("--pg-url", default=None,
                        help=f"PostgreSQL database to use; its schema public is DROPPED. Default: a new database "
                             f"{BENCH_DATABASE}, else {DEFAULT_PG_URL}")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--experiments", action="store_true", help="also time alternative query shapes")
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
        median, high = figures["sqlite"]
        verdict = "met" if median <= TARGET_MEDIAN_MS and high <= TARGET_P95_MS else "NOT met"
        print(f"\nSQLite target (median ≤ {TARGET_MEDIAN_MS:.0f} ms, p95 ≤ {TARGET_P95_MS:.0f} ms) at "
              f"{args.rows:,} rows: {verdict} (median {median:.1f} ms, p95 {high:.1f} ms)")


if __name__ == "__main__":
    main()
