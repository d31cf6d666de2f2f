"""Directory rules: Japanese search through the index, hub isolation, archive instead of delete, freshness."""

from datetime import date, timedelta

import pytest

from hubapp.common import jptext
from hubapp.directory import services
from hubapp.directory.models import Organisation
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.services import OrganisationFilter
from hubapp.extensions import db


@pytest.fixture
def directory(create_organisation):
    return {
        "nurse": create_organisation(
            "訪問看護ステーションかとり",
            T.VISITING_NURSING,
            name_kana="ホウモンカンゴステーションカトリ",
            address="千葉県香取市佐原ロ1500-2",
            phone="0478-50-1502",
            fax="0478-50-1503",
            functions=("24h", "end_of_life"),
        ),
        "pharmacy": create_organisation(
            "かとり中央薬局", T.PHARMACY, name_kana="カトリチュウオウヤッキョク", address="千葉県香取市佐原イ1010"
        ),
        "clinic": create_organisation(
            "髙橋内科在宅診療所",
            T.HOME_CARE_CLINIC,
            name_kana="タカハシナイカ",
            address="千葉県香取市北3-2-5",
            functions=("home_visit",),
        ),
        "hospital": create_organisation(
            "多古中央病院",
            T.HOSPITAL,
            name_kana="タコチュウオウビョウイン",
            address="千葉県香取郡多古町多古388-1",
            municipality_code="123471",
        ),
    }


def names(hub_id, **kwargs):
    page = services.search_organisations(hub_id, OrganisationFilter(**kwargs))
    return [o.name for o in page.items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ほうもんかんご", ["訪問看護ステーションかとり"]),  # hiragana reading
        ("ホウモン", ["訪問看護ステーションかとり"]),  # katakana
        ("ﾎｳﾓﾝ", ["訪問看護ステーションかとり"]),  # half-width katakana
        ("訪看", ["訪問看護ステーションかとり"]),  # abbreviation
        ("すてーしょん", ["訪問看護ステーションかとり"]),  # long vowel typed
        ("佐原", ["かとり中央薬局", "訪問看護ステーションかとり"]),  # part of an address, kana order
        ("１５００", ["訪問看護ステーションかとり"]),  # full-width digits
        ("高橋", ["髙橋内科在宅診療所"]),  # variant kanji 髙
        ("薬局", ["かとり中央薬局"]),  # two characters
        ("在支診", ["髙橋内科在宅診療所"]),  # type label through the abbreviation
        ("病", ["多古中央病院"]),  # one character: bigrams that start with it
        ("訪問看護病院", []),
    ],
)
def test_japanese_search(app_ctx, hub, directory, query, expected):
    assert names(hub.id, query=query) == expected


def test_filters_and_kana_order(app_ctx, hub, directory):
    assert names(hub.id) == ["かとり中央薬局", "髙橋内科在宅診療所", "多古中央病院", "訪問看護ステーションかとり"]
    assert names(hub.id, type=T.PHARMACY) == ["かとり中央薬局"]
    assert names(hub.id, municipality_code="123471") == ["多古中央病院"]
    function_id = {f.code: f.id for f in services.functions()}["24h"]
    assert names(hub.id, function_id=function_id) == ["訪問看護ステーションかとり"]
    assert names(hub.id, query="かとり", type=T.VISITING_NURSING) == ["訪問看護ステーションかとり"]


def test_another_hubs_directory_is_invisible(app_ctx, hub, create_hub, create_organisation, directory):
    other = create_hub("よそ", name_kana="ヨソ")
    create_organisation("よその薬局", T.PHARMACY, hub_id=other.id)
    assert "よその薬局" not in names(hub.id, query="薬局")
    assert names(other.id, query="薬局") == ["よその薬局"]
    assert services.get_organisation(other.id, directory["pharmacy"].id) is None


def test_search_index_follows_changes_and_deletes(app_ctx, hub, directory):
    organisation = db.session.get(Organisation, directory["pharmacy"].id)
    services.save_organisation(hub.id, {"name": "すいごう薬局", "name_kana": "スイゴウヤッキョク"}, [], organisation)
    db.session.commit()
    assert names(hub.id, query="すいごう") == ["すいごう薬局"]
    assert names(hub.id, query="中央薬局") == []
    services.remove(organisation)
    db.session.commit()
    assert names(hub.id, query="すいごう") == []


def test_referenced_organisation_is_archived_not_deleted(app_ctx, hub, directory, create_person):
    create_person("加藤 真由美", organisation_id=directory["nurse"].id)
    organisation = db.session.get(Organisation, directory["nurse"].id)
    assert services.remove(organisation) is False
    db.session.commit()
    assert db.session.get(Organisation, directory["nurse"].id).is_archived
    assert names(hub.id, query="訪看") == []
    assert names(hub.id, query="訪看", include_archived=True) == ["訪問看護ステーションかとり"]
    services.restore(organisation)
    db.session.commit()
    assert names(hub.id, query="訪看") == ["訪問看護ステーションかとり"]


def test_codes_are_unique_within_a_hub(app_ctx, hub, create_organisation):
    create_organisation("A病院", T.HOSPITAL, medical_code="1211234567")
    with pytest.raises(services.DirectoryError) as raised:
        services.save_organisation(hub.id, {"type": T.HOSPITAL, "name": "B病院", "medical_code": "1211234567"}, [])
    assert raised.value.field == "medical_code" and "すでに登録" in str(raised.value)


def test_stale_list_and_confirmation(app_ctx, hub, directory, create_user):
    user = create_user("sato", "coordinator", hubs=(hub,))
    today = date(2026, 11, 23)
    for key, age in (("nurse", 10), ("pharmacy", 366), ("clinic", None)):
        organisation = db.session.get(Organisation, directory[key].id)
        organisation.last_confirmed_on = None if age is None else today - timedelta(days=age)
    db.session.commit()
    stale = [o.name for o in services.stale_organisations(hub.id, today, 365).items]
    # never confirmed first (in kana order), then the oldest confirmation
    assert stale == ["髙橋内科在宅診療所", "多古中央病院", "かとり中央薬局"]
    services.confirm(db.session.get(Organisation, directory["pharmacy"].id), user.id, today)
    db.session.commit()
    confirmed = db.session.get(Organisation, directory["pharmacy"].id)
    assert (confirmed.last_confirmed_on, confirmed.confirmed_by_id) == (today, user.id)
    assert "かとり中央薬局" not in [o.name for o in services.stale_organisations(hub.id, today, 365).items]


def test_kana_key_orders_gojuon():
    keys = sorted(["サワラ", "カトリ", "ガッコウ", "アオゾラ", "タコ"], key=jptext.kana_key)
    assert keys == ["アオゾラ", "カトリ", "ガッコウ", "サワラ", "タコ"]


def test_functions_controlled_list(app_ctx):
    added = services.add_function("在宅輸血")
    with pytest.raises(services.DirectoryError):
        services.add_function("在宅輸血")
    services.set_function_active(added, False)
    assert "在宅輸血" not in [f.label for f in services.functions()]
    assert "在宅輸血" in [f.label for f in services.functions(include_inactive=True)]
