"""Layouts the app does not know (issue 15 points 4 and 6): a city's own list through a mapping proposed
from its headers, corrected and saved by the coordinator, then used for the publisher's next file without
questions (and by the CLI's --mapping); the IMI 共通語彙基盤 style read without asking; a later edition of a
list shows the organisations that disappeared from it, archived only when the coordinator says so."""

import io
import re

import pytest
import sqlalchemy as sa

from hubapp.directory import importing
from hubapp.directory.models import ImportMapping, Organisation
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.parsing import DirectoryFileError, UnknownLayout, parse_file, propose
from hubapp.directory.parsing.mapping import Mapping, key
from hubapp.extensions import db

CITY_HEADER = "No,施設正式名称,所在地,電話番号,診療科目,備考"


def city_file(*rows: tuple[str, ...], header: str = CITY_HEADER) -> bytes:
    lines = ["香取市 薬局一覧（令和8年4月1日現在）", header, *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


FIRST = city_file(
    ("1", "かとり中央薬局", "香取市佐原イ1", "0478-52-1001", "", "駐車場あり"),
    ("2", "おみがわ薬局", "香取市小見川2", "0478-82-1002", "", ""),
    ("3", "くりもと薬局", "香取市栗源3", "0478-75-1003", "", ""),
)
CHOICES = ["", "name", "address", "phone", "departments", "note"]


def test_headers_propose_fields():
    assert propose(CITY_HEADER.split(",")) == [None, "name", "address", "phone", "departments", "note"]
    assert propose(["#", "施設名", "住所", "TEL", "FAX", "郵便番号", "種別", "緯度", "経度"]) == [
        None, "name", "address", "phone", "fax", "postcode", "kind", "latitude", "longitude",
    ]  # fmt: skip
    assert propose(["施設名称カナ", "施設名称"]) == ["kana", "name"]  # the specific field first


def test_an_unknown_layout_asks_for_a_mapping_with_its_headers_and_first_rows():
    with pytest.raises(UnknownLayout) as raised:
        parse_file(FIRST, "yakkyoku.csv")
    assert raised.value.line == 2 and raised.value.headers == CITY_HEADER.split(",")
    assert [row[1] for row in raised.value.samples] == ["かとり中央薬局", "おみがわ薬局", "くりもと薬局"]
    assert "見出し行を認識できませんでした" in str(raised.value)


def test_a_mapping_reads_the_file_with_one_type_for_all_rows():
    mapping = Mapping("香取市 薬局一覧", {key(h): f for h, f in zip(CITY_HEADER.split(","), CHOICES) if f}, T.PHARMACY)
    parsed = parse_file(FIRST, "yakkyoku.csv", mappings=(mapping,))
    assert parsed.layout == "保存した対応「香取市 薬局一覧」"
    assert [(r.name, r.type, r.address, r.phone) for r in parsed.records][0] == (
        "かとり中央薬局", T.PHARMACY, "香取市佐原イ1", "0478-52-1001",
    )  # fmt: skip
    assert parsed.records[0].note == "駐車場あり"
    with pytest.raises(DirectoryFileError, match="そろっていません"):
        parse_file(city_file(("1", "x"), header="番号,名前"), "other.csv", mapping=mapping)


def test_the_imi_property_style_is_read_without_asking():
    data = (
        "#property,name,kana,address,telephone,latitude,longitude,category\r\n"
        "#type,string,string,string,string,decimal,decimal,string\r\n"
        ",かとり在宅クリニック,カトリザイタククリニック,千葉県香取市佐原イ10,0478-52-2010,35.89,140.49,在宅療養支援診療所\r\n"
        ",さわら薬局,,千葉県香取市佐原イ11,0478-52-2011,53.41,-8.24,薬局\r\n"
    ).encode()
    parsed = parse_file(data, "imi.csv")
    assert parsed.layout == "保存した対応「IMI 共通語彙基盤（#property）」" and parsed.errors == []
    clinic, pharmacy = parsed.records
    assert (clinic.name, clinic.name_kana, clinic.type) == ("かとり在宅クリニック", "カトリザイタククリニック", T.HOME_CARE_CLINIC)
    assert (pharmacy.type, pharmacy.latitude) == (T.PHARMACY, None)  # coordinates abroad: a warning
    assert [w.column for w in pharmacy.warnings] == ["latitude", "longitude"]


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def _upload(client, data: bytes, name: str):
    return client.post("/directory/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_coordinator_maps_a_city_list_and_the_next_edition_imports_without_questions(
    app, client, login_as, hub, runner, tmp_path
):
    login_as("coordinator")
    response = _upload(client, FIRST, "yakkyoku_2026-04.csv")
    assert response.status_code == 302 and "/mapping" in response.location
    page = client.get(response.location).data.decode()
    assert "施設正式名称" in page and "かとり中央薬局" in page
    assert re.search(r'name="field-1">.*?<option value="name" selected>', page, re.S)  # proposed
    token = _token(page)
    form = {"csrf_token": "", "token": token, "mapping_name": "", "organisation_type": "pharmacy"}
    form.update({f"field-{n}": c for n, c in enumerate(CHOICES)})

    refused = client.post(response.location, data={**form, "mapping_name": ""})
    assert refused.status_code == 400 and "対応の名前" in refused.data.decode()
    twice = client.post(response.location, data={**form, "mapping_name": "香取市 薬局一覧", "field-2": "name"})
    assert "「名称」に2つ以上の列" in twice.data.decode()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportMapping)) == 0

    saved = client.post(response.location, data={**form, "mapping_name": "香取市 薬局一覧"}, follow_redirects=True)
    page = saved.data.decode()
    assert "列の対応「香取市 薬局一覧」を保存しました" in page and "追加 3件" in page
    client.post("/directory/import/commit", data={"token": token})
    with app.app_context():
        rows = db.session.execute(sa.select(Organisation.name, Organisation.type)).all()
    assert sorted(rows) == sorted([("かとり中央薬局", T.PHARMACY), ("おみがわ薬局", T.PHARMACY), ("くりもと薬局", T.PHARMACY)])

    # the next edition: one pharmacy changed its phone, one closed, one opened
    second = city_file(
        ("1", "かとり中央薬局", "香取市佐原イ1", "0478-52-9999", "", "駐車場あり"),
        ("2", "おみがわ薬局", "香取市小見川2", "0478-82-1002", "", ""),
        ("3", "やまだ薬局", "香取市山田4", "0479-78-1004", "", ""),
    )
    page = _upload(client, second, "yakkyoku_2026-10.csv").data.decode()
    assert "保存した対応「香取市 薬局一覧」" in page and "追加 1件" in page and "更新 1件" in page
    assert "前の版にあって今回のファイルにない機関（1件）" in page and "くりもと薬局" in page
    client.post("/directory/import/commit", data={"token": _token(page)})  # kept: the box was not ticked
    with app.app_context():
        closed = db.session.scalars(sa.select(Organisation).where(Organisation.name == "くりもと薬局")).one()
        assert closed.archived_at is None

    page = _upload(client, second, "yakkyoku_2026-10.csv").data.decode()
    assert "追加 0件" in page and "更新 0件" in page and "くりもと薬局" in page
    client.post("/directory/import/commit", data={"token": _token(page), "archive_disappeared": "1"})
    with app.app_context():
        closed = db.session.scalars(sa.select(Organisation).where(Organisation.name == "くりもと薬局")).one()
        assert closed.archived_at is not None

    # the command line uses the saved mapping by name
    path = tmp_path / "yakkyoku.csv"
    path.write_bytes(second)
    result = runner.invoke(args=["import-directory", str(path), "--mapping", "香取市 薬局一覧", "--dry-run"])
    assert result.exit_code == 0 and "保存した対応「香取市 薬局一覧」" in result.output, result.output
    result = runner.invoke(args=["import-directory", str(path), "--mapping", "ない対応"])
    assert result.exit_code == 1 and "保存した対応「ない対応」はこの拠点にありません" in result.output


def test_an_unknown_layout_on_the_cli_points_to_the_page(app, runner, hub, tmp_path):
    path = tmp_path / "yakkyoku.csv"
    path.write_bytes(FIRST)
    result = runner.invoke(args=["import-directory", str(path)])
    assert result.exit_code == 1 and "列の対応を保存すると、--mapping で使えます" in result.output


def test_another_hubs_mapping_is_not_used(app_ctx, hub, create_hub):
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    importing.save_mapping(other.id, "香取市 薬局一覧", CITY_HEADER.split(","), CHOICES, "pharmacy", None)
    db.session.commit()
    with pytest.raises(UnknownLayout):
        importing.read_and_plan(hub.id, FIRST, "yakkyoku.csv")
    assert len(importing.read_and_plan(other.id, FIRST, "yakkyoku.csv").additions) == 3
