"""Hub pages: isolation between hubs, the prefecture view, editing with clear Japanese errors."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from hubapp.extensions import db
from hubapp.hubs import services
from hubapp.hubs.models import Hub, HubMunicipality


def test_hub_of_another_hub_is_invisible(client, login_as, hub, create_hub):
    other = create_hub("よそのセンター", name_kana="ヨソノセンター")
    login_as("coordinator")
    assert client.get(f"/hubs/{other.id}").status_code == 404
    assert client.get(f"/hubs/{other.id}/edit").status_code == 404
    assert client.post("/hubs/select", data={"hub_id": other.id}).status_code == 404
    assert client.post("/hubs/select", data={"hub_id": "x"}).status_code == 404
    listing = client.get("/hubs/").data.decode()
    assert hub.name in listing and "よそのセンター" not in listing
    assert "よそのセンター" not in client.get("/").data.decode()


def test_prefecture_officer_reads_every_hub_of_the_prefecture_but_edits_none(client, login_as, hub, create_hub):
    other = create_hub("なりたセンター", name_kana="ナリタセンター", areas=(("122114", "成田市", 130_000, "24.6"),))
    elsewhere = create_hub(
        "つくばセンター",
        name_kana="ツクバセンター",
        prefecture_code="08",
        areas=(("082201", "つくば市", 250_000, "21.0"),),
    )
    login_as("prefecture")
    listing = client.get("/hubs/").data.decode()
    assert hub.name in listing and other.name in listing and elsewhere.name not in listing
    assert client.get(f"/hubs/{other.id}").status_code == 200
    assert client.get(f"/hubs/{elsewhere.id}").status_code == 404
    assert client.get(f"/hubs/{hub.id}/edit").status_code == 403
    assert "拠点の情報を編集" not in client.get(f"/hubs/{hub.id}").data.decode()


def test_switching_hub_changes_the_dashboard(client, login_as, hub, create_hub):
    other = create_hub("なりたセンター", name_kana="ナリタセンター", areas=(("122114", "成田市", 130_000, "24.6"),))
    login_as("coordinator", hubs=(hub, other))
    assert "<h1>" + other.name not in client.get("/").data.decode()
    assert client.post("/hubs/select", data={"hub_id": other.id}).status_code == 302
    page = client.get("/").data.decode()
    assert f"<h1>{other.name}</h1>" in page and "単独市町村" in page


def test_coordinator_edits_the_hub_profile(app, client, login_as, hub):
    login_as("coordinator")
    response = client.post(
        f"/hubs/{hub.id}/edit",
        data={
            "name": "新しい名前",
            "name_kana": "アタラシイナマエ",
            "operator_type": "municipality",
            "operator_name": "香取市",
            "dedicated_staff_count": "3",
            "phone": "0478-11-2222",
            "address": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Hub, hub.id)
        assert (saved.name, saved.operator_type.value, saved.dedicated_staff_count) == ("新しい名前", "municipality", 3)
        assert saved.pack_attendee_names is False  # the box left unticked: no 出席者名簿 in the pack
    page = client.get(f"/hubs/{hub.id}/edit").data.decode()
    assert "証拠書類に出席者名簿（氏名）を入れる" in page


def test_bad_input_gets_japanese_messages_and_changes_nothing(app, client, login_as, hub):
    login_as("coordinator")
    response = client.post(
        f"/hubs/{hub.id}/edit",
        data={"name": "", "name_kana": "カナ", "operator_type": "nonsense", "dedicated_staff_count": "-1"},
    )
    page = response.data.decode()
    assert response.status_code == 200
    assert (
        "入力内容にエラーがあります" in page and "入力してください。" in page and "0〜999で入力してください。" in page
    )
    with app.app_context():
        assert db.session.get(Hub, hub.id).name == hub.name


def test_municipality_add_edit_remove(app, client, login_as, hub):
    login_as("coordinator")
    form = {
        "code": "122114",
        "name": "成田市",
        "population": "130800",
        "aging_rate": "24.6",
        "figures_as_of": "2026-04-01",
    }
    assert client.post(f"/hubs/{hub.id}/municipalities/new", data=form).status_code == 302
    duplicate = client.post(f"/hubs/{hub.id}/municipalities/new", data=form).data.decode()
    assert "この市区町村はすでに登録されています。" in duplicate
    bad_digit = client.post(f"/hubs/{hub.id}/municipalities/new", data={**form, "code": "122115"}).data.decode()
    assert "検査数字" in bad_digit
    with app.app_context():
        area = db.session.scalars(sa.select(HubMunicipality).where(HubMunicipality.code == "122114")).one()
        area_id = area.id
    assert (
        client.post(f"/hubs/{hub.id}/municipalities/{area_id}/edit", data={**form, "population": "131000"}).status_code
        == 302
    )
    assert client.post(f"/hubs/{hub.id}/municipalities/{area_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(HubMunicipality, area_id) is None
        assert len(db.session.get(Hub, hub.id).municipalities) == 3


def test_physician_cannot_change_a_hub(client, login_as, hub):
    login_as("physician")
    assert client.get(f"/hubs/{hub.id}/edit").status_code == 403
    assert client.get(f"/hubs/{hub.id}").status_code == 200


def test_hub_list_and_detail_query_counts_do_not_grow_with_rows(app, client, login_as, create_hub, count_queries, hub):
    login_as("prefecture")

    def measure(url):
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.n

    few_list, few_detail = measure("/hubs/"), measure(f"/hubs/{hub.id}")
    for n in range(60):
        create_hub(
            f"追加拠点{n}",
            name_kana=f"ツイカ{n:02d}",
            areas=(("122360", "香取市", 70_000, "38.0"), ("123421", "神崎町", 6_000, "39.0")),
        )
    with app.app_context():
        loaded = db.session.get(Hub, hub.id)
        for code, name in (("122114", "成田市"), ("122076", "松戸市")):
            services.save_municipality(
                loaded,
                code=code,
                name=name,
                population=100_000,
                aging_rate=Decimal("25.0"),
                figures_as_of=date(2026, 4, 1),
            )
        db.session.commit()
    assert measure("/hubs/") == few_list
    assert measure("/hubs/?page=2") == few_list
    assert measure(f"/hubs/{hub.id}") == few_detail
    assert measure("/") == measure("/")


def test_hub_list_is_paginated_in_kana_order(client, login_as, create_hub, hub):
    for n in range(55):
        create_hub(f"追加拠点{n:02d}", name_kana=f"ツイカ{n:02d}")
    login_as("prefecture")
    first = client.get("/hubs/").data.decode()
    second = client.get("/hubs/?page=2").data.decode()
    assert first.count("<tr>") - 1 == 50 and "1 / 2 ページ（全56件）" in first
    assert "追加拠点00" in first and "追加拠点54" in second and hub.name in second  # ホ after ツ
