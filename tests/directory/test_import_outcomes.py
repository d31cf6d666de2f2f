"""Files as publishers publish them (issue 15): every problem seen in real files costs one warning or one
refused row, never the whole file; the coordinator commits the others and gets the refused rows back as a
file in the same layout, fixes them and imports them; the preview pages through every warning."""

import csv
import io
import json
import re

import sqlalchemy as sa

from hubapp.directory import importing
from hubapp.directory.models import Organisation
from hubapp.directory.models import OrganisationType as T
from hubapp.extensions import db

KAIGO_HEADER = (
    "都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,住所,方書（ビル名等）,"
    "緯度,経度,電話番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL,備考"
)


def kaigo_row(
    name, kind, address, *, number="", corporate="", phone="0478-52-0001", lat="35.89", lon="140.49", note=""
):
    cells = ["122360", "1", "千葉県", "香取市", name, "", kind, address, "", lat, lon, phone, "", corporate, "",
             number, "", "", "", "", note]  # fmt: skip
    return ",".join(cells)


def kaigo_file(*rows: str, encoding="cp932") -> bytes:
    return ("\r\n".join([KAIGO_HEADER, *rows]) + "\r\n").encode(encoding)


#: One row per problem seen in real published files, and the outcome each must have.
PROBLEMS = [
    (kaigo_row("かとり介護医療院", "介護医療院", "千葉県香取市佐原イ1", number="12B3700015"), "taken", None),
    (kaigo_row("さわら訪問看護", "訪問看護", "千葉県香取市佐原イ2", corporate="6040005012346"), "warned", "法人番号"),
    (kaigo_row("おみがわ居宅", "居宅介護支援", "千葉県香取市小見川3", corporate="1.01321E+12"), "warned", "法人番号"),
    (kaigo_row("くりもと通所", "通所介護", "千葉県香取市栗源4", corporate="-"), "warned", "法人番号"),
    (kaigo_row("やまだデイ", "通所介護", "千葉県香取市山田5", lat="53.41", lon="-8.24"), "warned", "緯度"),
    (
        kaigo_row("ふたつ番号の事業所", "訪問介護", "千葉県香取市佐原イ6", phone="0478-52-1111／0478-52-2222（夜間）"),
        "warned",
        "電話番号",
    ),
    (kaigo_row("", "訪問介護", "千葉県香取市佐原イ7"), "refused", "事業所名"),
    # an unquoted comma inside the address: one value too many
    (kaigo_row("列の多い事業所", "訪問介護", "千葉県香取市佐原イ8, 2階", note="駐車場あり"), "refused", "列数"),
]


def _upload(client, data: bytes, name: str = "kaigo.csv"):
    return client.post("/directory/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def _names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Organisation.name)))


def test_each_problem_costs_one_warning_or_one_row(app_ctx, hub):
    plan = importing.read_and_plan(hub.id, kaigo_file(*(row for row, _o, _c in PROBLEMS)), "kaigo.csv")
    outcome = {}
    for n, (_row, _expected, column) in enumerate(PROBLEMS, start=2):
        refused = [e for e in plan.errors if e.line == n]
        warned = [w for w in plan.warnings if w.line == n]
        outcome[n] = ("refused", refused[0].column) if refused else (("warned", warned[0].column) if warned else ("taken", None))
    assert outcome == {n: (expected, column) for n, (_r, expected, column) in enumerate(PROBLEMS, start=2)}
    added = {r.name: r for r, _functions in plan.additions}
    assert added["かとり介護医療院"].care_code == "12B3700015" and added["かとり介護医療院"].type == T.CARE_FACILITY
    assert added["おみがわ居宅"].corporate_number is None
    assert "法人番号（公開データの値: 1.01321E+12）" in added["おみがわ居宅"].note
    assert added["やまだデイ"].latitude is None and added["やまだデイ"].longitude is None
    assert added["ふたつ番号の事業所"].phone == "0478-52-1111"
    assert "電話番号（ほかの番号）: 0478-52-2222" in added["ふたつ番号の事業所"].note
    assert (plan.refused, len(plan.additions), plan.can_commit, plan.can_commit_skipping) == (2, 6, False, True)


def test_commit_without_the_refused_rows_then_fix_and_import_them(app, client, login_as, hub):
    login_as("coordinator")
    page = _upload(client, kaigo_file(*(row for row, _o, _c in PROBLEMS))).data.decode()
    assert "取り込めない行 2件" in page and "警告のある行 5件" in page and "この内容で取り込む" not in page
    token = _token(page)

    refused = client.get(f"/directory/import/{token}/refused.csv")
    assert refused.status_code == 200 and "shift_jis" in refused.content_type
    assert "filename*=UTF-8''kaigo_" in refused.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(refused.data.decode("cp932"), newline="")))
    assert rows[0] == [*KAIGO_HEADER.split(","), "取り込めなかった理由"]
    assert [r[-1].split(" ")[0] for r in rows[1:]] == ["8行目", "9行目"]
    assert "事業所名が空です" in rows[1][-1] and "値の数が見出しより多く" in rows[2][-1]

    done = client.post(
        "/directory/import/commit", data={"token": token, "skip_refused": "1"}, follow_redirects=True
    ).data.decode()
    assert "取り込めない2行を除く" in done
    assert len(_names(app)) == 6

    # the coordinator names the first, quotes the address of the second, and imports the file again
    fixed = [rows[0][:-1]]
    fixed.append([*rows[1][:4], "くりもと訪問介護", *rows[1][5:-1]])
    extra = rows[2][:-1]
    fixed.append([*extra[:7], extra[7] + ", " + extra[8], *extra[9:]])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(fixed)
    page = _upload(client, out.getvalue().encode("cp932"), "kaigo_直したもの.csv").data.decode()
    assert "取り込めない行 0件" in page and "追加 2件" in page
    client.post("/directory/import/commit", data={"token": _token(page)})
    names = _names(app)
    assert {"くりもと訪問介護", "列の多い事業所"} <= names and len(names) == 8
    with app.app_context():
        address = db.session.scalars(sa.select(Organisation.address).where(Organisation.name == "列の多い事業所")).one()
    assert address == "千葉県香取市佐原イ8, 2階"


def test_commit_refuses_when_rows_are_refused_and_not_skipped(app, client, login_as, hub):
    login_as("coordinator")
    token = _token(_upload(client, kaigo_file(*(row for row, _o, _c in PROBLEMS))).data.decode())
    page = client.post("/directory/import/commit", data={"token": token}).data.decode()
    assert "エラーの行を除いて取り込む" in page and _names(app) == set()


def test_the_commit_never_does_other_than_the_preview_promised(app, client, login_as, hub, create_organisation):
    login_as("coordinator")
    rows = [kaigo_row(f"事業所{n}", "訪問介護", f"千葉県香取市佐原イ{n}") for n in range(3)]
    token = _token(_upload(client, kaigo_file(*rows)).data.decode())
    create_organisation("事業所1", T.OTHER, address="千葉県香取市佐原イ1")  # someone adds it meanwhile
    page = client.post("/directory/import/commit", data={"token": token}).data.decode()
    assert "取り込む内容が変わりました" in page and "追加 2件" in page
    assert _names(app) == {"事業所1"}


def test_the_preview_pages_through_every_warning(app, client, login_as, hub):
    login_as("coordinator")
    rows = [kaigo_row(f"事業所{n}", "訪問介護", f"千葉県香取市佐原イ{n}", corporate="-") for n in range(250)]
    page = _upload(client, kaigo_file(*rows)).data.decode()
    assert "1 / 3ページ（250件）" in page and page.count('class="import-warning"') == 100
    assert "値なしの記号" in page and ">250<" in page  # the totals by column and kind
    token = _token(page)
    last = client.get(f"/directory/import/{token}?page=3").data.decode()
    assert last.count('class="import-warning"') == 50 and ">251<" in last  # the last row is line 251
    assert client.get(f"/directory/import/{token}?page=99").status_code == 200  # the last page


def test_another_users_preview_and_refused_rows_are_not_theirs(app, client, login_as, hub, create_user, login):
    login_as("coordinator")
    token = _token(_upload(client, kaigo_file(*(row for row, _o, _c in PROBLEMS))).data.decode())
    client.post("/logout")
    create_user("coordinator-b", "coordinator", hubs=(hub,))
    login("coordinator-b")
    for url in (f"/directory/import/{token}", f"/directory/import/{token}/refused.csv"):
        response = client.get(url, follow_redirects=True)
        assert "取り込むファイルが見つかりません" in response.data.decode()


def test_imported_rows_are_searchable_sorted_and_audited_like_any_other(app_ctx, hub):
    """The additions go in through Core in batches: the search index, the 五十音順 key, the functions and
    one audit CREATE per organisation are as a flush would have made them."""
    from hubapp.audit.models import AuditAction, AuditLog
    from hubapp.directory import services

    rows = [kaigo_row(f"かとり{n}介護医療院", "介護医療院", f"千葉県香取市佐原イ{n}") for n in range(5)]
    plan = importing.read_and_plan(hub.id, kaigo_file(*rows), "kaigo.csv")
    old_batch, importing.INSERT_BATCH = importing.INSERT_BATCH, 2  # several batches
    try:
        importing.apply_import(hub.id, plan, "import:kaigo.csv")
    finally:
        importing.INSERT_BATCH = old_batch
    db.session.commit()
    found = services.search_organisations(hub.id, services.OrganisationFilter(query="介護医療院"), page=1)
    assert found.total == 5 and len(found.items) == 5
    organisation = db.session.scalars(sa.select(Organisation).order_by(Organisation.id)).first()
    assert organisation.kana_key and organisation.source == "import:kaigo.csv" and organisation.created_at
    created = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.entity == "organisations", AuditLog.action == AuditAction.CREATE)
    ).all()
    assert sorted(a.entity_id for a in created) == sorted(db.session.scalars(sa.select(Organisation.id)))
    assert created[0].changes["name"][1].endswith("介護医療院") and "search_bigrams" not in created[0].changes
    # each audit row and each id stand for their own row of the file
    assert all(db.session.get(Organisation, a.entity_id).name == a.changes["name"][1] for a in created)
    from hubapp.audit import chain

    assert chain.verify(db.session.connection()).intact  # appended in batches, the chain still whole


def test_each_added_organisation_gets_its_own_functions_across_batches(app_ctx, hub, create_hub, create_organisation):
    """The new ids are matched to their rows (SQLite reads them back after each batch): every organisation
    of the file gets the functions of its own row, with organisations of the hub and of another hub around."""
    from hubapp.directory import exporting, services
    from hubapp.directory.models import OrganisationType as T

    choices = [("24h",), ("end_of_life",), ("24h", "end_of_life"), (), ("end_of_life",)]
    source = create_hub("写し元", name_kana="ウツシモト")
    for n, functions in enumerate(choices):
        create_organisation(f"写し元{n}訪問看護", T.VISITING_NURSING, hub_id=source.id, functions=functions)
    create_organisation("前からある診療所", T.CLINIC)  # an id before the import's in the target hub
    originals = {o.name: [f.code for f in o.functions] for o in services.all_organisations(source.id)}
    assert sorted(map(len, originals.values())) == [0, 1, 1, 1, 2]
    exported = exporting.to_csv(services.all_organisations(source.id))
    plan = importing.read_and_plan(hub.id, exported, "export.csv")
    old_batch, importing.INSERT_BATCH = importing.INSERT_BATCH, 2
    try:
        importing.apply_import(hub.id, plan, "import:export.csv")
    finally:
        importing.INSERT_BATCH = old_batch
    db.session.commit()
    copied = {o.name: [f.code for f in o.functions] for o in services.all_organisations(hub.id)}
    assert copied == {"前からある診療所": [], **originals}


def test_the_parse_kept_for_the_commit_is_the_parse_of_the_file(app_ctx, hub, tmp_path):
    """The preview's parse, kept beside the upload, gives back every value, warning and refused row as the
    parser made them (Decimal coordinates, dates, types, merged lines)."""
    from hubapp.directory.parsing import parse_file
    from hubapp.directory.records import parse_from_plain, plain_parse

    exported = "種別,名称,緯度,経度,最終確認日,機能\r\n病院,香取病院,35.891234,140.499876,2026-04-01,訪問診療\r\n"
    for data in (kaigo_file(*(row for row, _o, _c in PROBLEMS)), exported.encode("utf-8-sig")):
        parsed = parse_file(data, "kaigo.csv")
        again = parse_from_plain(json.loads(json.dumps(plain_parse(parsed), ensure_ascii=False)))
        assert again == parsed
    assert again.records[0].last_confirmed_on.isoformat() == "2026-04-01" and again.records[0].functions == ["訪問診療"]


class _Kept:
    """A KeptParse in memory that counts what is asked of it."""

    def __init__(self):
        self.stored, self.hits = {}, 0

    def load(self, key):
        found = self.stored.get(key)
        self.hits += found is not None
        return found and json.loads(found)

    def save(self, key, plain):
        self.stored = {key: json.dumps(plain, ensure_ascii=False)}


def test_the_commit_plans_from_the_kept_parse_unless_the_file_or_the_mappings_differ(app_ctx, hub, monkeypatch):
    data = kaigo_file(*(row for row, _o, _c in PROBLEMS))
    kept = _Kept()
    first = importing.read_and_plan(hub.id, data, "kaigo.csv", kept=kept)
    parses = []
    real_parse = importing.parse_file
    monkeypatch.setattr(importing, "parse_file", lambda *a, **k: parses.append(a[1]) or real_parse(*a, **k))
    again = importing.read_and_plan(hub.id, data, "kaigo.csv", kept=kept)
    assert (kept.hits, parses) == (1, [])
    assert [r for r, _f in again.additions] == [r for r, _f in first.additions]
    assert (again.errors, again.warnings, again.refused_rows) == (first.errors, first.warnings, first.refused_rows)

    longer = data + kaigo_row("もう1つ", "訪問介護", "千葉県香取市9").encode("cp932")
    importing.read_and_plan(hub.id, longer, "kaigo.csv", kept=kept)
    importing.read_and_plan(hub.id, data, "other-name.csv", kept=kept)
    importing.save_mapping(hub.id, "新しい対応", ["名前"], ["name"], "", None)  # the hub's mappings changed
    importing.read_and_plan(hub.id, data, "other-name.csv", kept=kept)
    assert (kept.hits, parses) == (1, ["kaigo.csv", "other-name.csv", "other-name.csv"])


def test_an_unreadable_kept_parse_is_parsed_again(app, client, login_as, hub):
    from pathlib import Path

    login_as("coordinator")
    rows = [kaigo_row(f"事業所{n}", "訪問介護", f"千葉県香取市佐原イ{n}") for n in range(3)]
    token = _token(_upload(client, kaigo_file(*rows)).data.decode())
    kept = Path(app.instance_path) / "imports" / f"{token}.parsed.json.gz"
    assert kept.stat().st_size > 0
    kept.write_bytes(b"\x1f\x8b broken")
    client.post("/directory/import/commit", data={"token": token})
    assert len(_names(app)) == 3 and not kept.exists()  # committed, and the upload's files removed
