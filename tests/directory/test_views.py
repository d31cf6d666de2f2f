"""Directory pages: search from a phone, tap-to-call phone and FAX, editing, roles, fixed query counts."""

import sqlalchemy as sa

from hubapp.directory import services
from hubapp.directory.models import Organisation, Person, Profession
from hubapp.directory.models import OrganisationType as T
from hubapp.extensions import db


def test_member_searches_and_sees_phone_and_fax(client, login_as, create_organisation):
    nurse = create_organisation(
        "訪問看護ステーションかとり",
        T.VISITING_NURSING,
        name_kana="ホウモンカンゴステーションカトリ",
        phone="0478-50-1502",
        fax="0478-50-1503",
        functions=("24h",),
    )
    create_organisation("かとり中央薬局", T.PHARMACY, name_kana="カトリチュウオウヤッキョク")
    login_as("member")
    page = client.get("/directory/?q=ほうもんかんご").data.decode()
    assert "訪問看護ステーションかとり" in page and "かとり中央薬局" not in page and "1件" in page
    assert 'href="tel:0478-50-1502"' in page and "0478-50-1503" in page and "24時間対応" in page
    detail = client.get(f"/directory/{nurse.id}").data.decode()
    assert 'href="tel:0478-50-1502"' in detail and "FAX" in detail and "0478-50-1503" in detail
    assert "編集" not in detail  # members read only
    assert client.get(f"/directory/{nurse.id}/edit").status_code == 403


def test_organisation_of_another_hub_is_404(client, login_as, create_hub, create_organisation):
    other = create_hub("よそ", name_kana="ヨソ")
    theirs = create_organisation("よその薬局", T.PHARMACY, hub_id=other.id)
    login_as("coordinator")
    assert client.get(f"/directory/{theirs.id}").status_code == 404
    assert client.post(f"/directory/{theirs.id}/confirm").status_code == 404
    assert "よその薬局" not in client.get("/directory/?q=薬局").data.decode()


def test_coordinator_creates_edits_and_confirms(app, client, login_as, hub):
    user = login_as("coordinator")
    with app.app_context():
        function_id = services.functions()[0].id
    response = client.post(
        "/directory/new",
        data={
            "type": "pharmacy",
            "name": "すいごう薬局",
            "name_kana": "スイゴウヤッキョク",
            "phone": "0478-00-0000",
            "fax": "0478-00-0001",
            "municipality_code": "122360",
            "functions": [str(function_id)],
            "postcode": "287-0003",
        },
    )
    assert response.status_code == 302, response.data.decode()
    with app.app_context():
        saved = db.session.scalars(sa.select(Organisation).where(Organisation.name == "すいごう薬局")).one()
        assert [f.id for f in saved.functions] == [function_id] and saved.source == "manual"
        organisation_id = saved.id
    assert client.post(f"/directory/{organisation_id}/confirm").status_code == 302
    with app.app_context():
        confirmed = db.session.get(Organisation, organisation_id)
        assert confirmed.confirmed_by_id == user.id and confirmed.last_confirmed_on is not None


def test_bad_input_is_explained_in_japanese_and_saves_nothing(app, client, login_as):
    login_as("coordinator")
    page = client.post(
        "/directory/new",
        data={
            "type": "pharmacy",
            "name": "",
            "medical_code": "123",
            "latitude": "99",
            "email": "not-mail",
        },
    ).data.decode()
    assert "入力内容にエラーがあります" in page
    assert "医療機関コードは10桁の数字で入力してください。" in page
    assert "日本国内の緯度（20〜46）を入力してください。" in page
    assert "メールアドレスの形式が正しくありません。" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def test_delete_archives_when_people_point_at_it(app, client, login_as, create_organisation, create_person):
    organisation = create_organisation("多古中央病院", T.HOSPITAL)
    create_person("吉田 美和", organisation_id=organisation.id)
    lonely = create_organisation("使われない医院", T.CLINIC)
    login_as("coordinator")
    client.post(f"/directory/{organisation.id}/delete")
    client.post(f"/directory/{lonely.id}/delete")
    with app.app_context():
        assert db.session.get(Organisation, organisation.id).is_archived
        assert db.session.get(Organisation, lonely.id) is None


def test_people_list_and_edit(app, client, login_as, create_organisation):
    organisation = create_organisation("香取市役所 高齢者福祉課", T.GOVERNMENT)
    login_as("coordinator")
    response = client.post(
        "/directory/people/new",
        data={
            "name": "池田 誠",
            "name_kana": "イケダ マコト",
            "profession": "government_officer",
            "organisation_id": str(organisation.id),
            "is_admin_officer": "y",
        },
    )
    assert response.status_code == 302
    page = client.get("/directory/people/?q=いけだ").data.decode()
    assert "池田 誠" in page and "行政担当" in page and "香取市役所 高齢者福祉課" in page
    with app.app_context():
        person = db.session.scalars(sa.select(Person)).one()
        assert person.is_admin_officer and person.profession == Profession.GOVERNMENT_OFFICER


def test_stale_page_lists_unconfirmed_rows(client, login_as, create_organisation):
    create_organisation("未確認医院", T.CLINIC)
    login_as("coordinator")
    page = client.get("/directory/stale").data.decode()
    assert "未確認医院" in page and "未確認" in page


def test_admin_manages_the_function_list(client, login_as):
    login_as("admin")
    client.post("/directory/functions", data={"label": "在宅輸血"})
    assert "在宅輸血" in client.get("/directory/functions").data.decode()


def test_list_page_query_count_is_the_same_for_10_and_1000_organisations(app, client, login_as, hub, count_queries):
    login_as("member")

    def add(count: int, start: int) -> None:
        with app.app_context():
            function_ids = [f.id for f in services.functions()[:3]]
            for n in range(start, start + count):
                services.save_organisation(
                    hub.id,
                    {"type": T.CLINIC, "name": f"テスト医院{n:04d}", "name_kana": f"テストイイン{n:04d}"},
                    function_ids,
                )
            db.session.commit()

    def measure(url: str) -> int:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.n

    add(10, 0)
    small = {url: measure(url) for url in ("/directory/", "/directory/?q=てすと", "/directory/?type=clinic")}
    add(990, 10)
    large = {url: measure(url) for url in small}
    assert large == small


def test_exports_download_in_excel_friendly_forms(client, login_as, create_organisation):
    create_organisation("髙橋内科医院", T.CLINIC, phone="0478-50-0505", fax="0478-50-0506")
    login_as("member")
    utf8 = client.get("/directory/export.csv")
    assert utf8.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert utf8.data.startswith(b"\xef\xbb\xbf") and "髙橋内科医院" in utf8.data.decode("utf-8-sig")
    sjis = client.get("/directory/export.csv?encoding=cp932")
    assert sjis.headers["Content-Type"] == "text/csv; charset=shift_jis"
    assert "髙橋内科医院" in sjis.data.decode("cp932")
    xlsx = client.get("/directory/export.xlsx")
    assert xlsx.data[:2] == b"PK" and "attachment" in xlsx.headers["Content-Disposition"]
    printed = client.get("/directory/print").data.decode()
    assert "髙橋内科医院" in printed and "0478-50-0506" in printed and "令和" in printed


def test_counts_stop_at_the_cap_and_say_so(app, client, login_as, hub, monkeypatch):
    from hubapp.directory import search

    monkeypatch.setattr(search, "COUNT_CAP", 5)
    monkeypatch.setattr(search, "MANY_HITS", 3)  # also takes the SQLite index-order shape
    with app.app_context():
        for n in range(8):
            services.save_organisation(
                hub.id, {"type": T.PHARMACY, "name": f"薬局{n}", "name_kana": f"ヤッキョク{n}"}, []
            )
        db.session.commit()
    login_as("member")
    page = client.get("/directory/?q=薬局").data.decode()
    assert "5件以上" in page and page.count('class="org-card"') == 8
    positions = [page.index(f">薬局{n}<") for n in range(8)]
    assert positions == sorted(positions)  # still in kana order
