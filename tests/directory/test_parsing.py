"""The directory file parser against real-shaped files (tests/directory/files) and the messes Excel makes."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubapp.directory.models import OrganisationType as T
from hubapp.directory.parsing import (
    LAYOUT_EXPORT,
    LAYOUT_KAIGO,
    LAYOUT_MHLW_MEDICAL,
    LAYOUT_NEW_CARE,
    LAYOUT_NEW_MEDICAL,
    LAYOUT_OLD_MEDICAL,
    DirectoryFileError,
    parse_file,
)
from hubapp.directory.records import EXPORT_HEADERS

FILES = Path(__file__).parent / "files"


def read(name: str):
    return parse_file((FILES / name).read_bytes(), name)


def by_name(parsed):
    return {r.name: r for r in parsed.records}


def export_csv(*rows: dict, encoding: str = "utf-8") -> bytes:
    """A small file in hubapp's export layout (values quoted, so commas and newlines are safe)."""
    lines = [",".join(EXPORT_HEADERS)]
    for row in rows:
        assert set(row) <= set(EXPORT_HEADERS)
        values = {"種別": "診療所", "名称": "さわら内科クリニック", **row}
        lines.append(",".join('"' + values.get(h, "").replace('"', '""') + '"' for h in EXPORT_HEADERS))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def parse_one(**values):
    """The record (with its warnings), or the refusals, of one export row."""
    parsed = parse_file(export_csv(values))
    return parsed.records[0] if parsed.records else parsed.errors


# --- the fixture files, one per layout ------------------------------------------------------------


def test_new_medical_list_in_cp932():
    data = (FILES / "iryo_kikan_new_cp932.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really cp932 bytes
    assert len(data.decode("cp932").splitlines()[0].split(",")) == 42

    parsed = parse_file(data, "iryo_kikan_new_cp932.csv")

    assert (parsed.layout, parsed.encoding, parsed.errors) == (LAYOUT_NEW_MEDICAL, "cp932", [])
    records = by_name(parsed)
    assert [r.line for r in parsed.records] == [2, 3, 4, 5, 6]
    hospital = records["医療法人社団髙﨑会 香取髙﨑病院"]  # 髙 and 﨑 survive (cp932, not shift_jis)
    assert hospital.type == T.HOSPITAL
    assert hospital.name_kana == "カトリタカサキビョウイン"  # half-width kana made full-width
    assert hospital.medical_code == "1211234567"
    assert hospital.corporate_number == "6040005012345"
    assert hospital.municipality_code == "122360"
    assert hospital.postcode == "287-0003"
    assert hospital.address == "千葉県香取市佐原イ1234番地"
    assert (hospital.latitude, hospital.longitude) == (Decimal("35.890123"), Decimal("140.498765"))
    assert (hospital.phone, hospital.fax) == ("0478-52-1111", "0478-52-1112")
    assert hospital.email == "info@takasaki-hp.example.jp"
    assert hospital.url == "https://takasaki-hp.example.jp/"
    assert hospital.bed_count == 199  # 「199床」
    assert hospital.hours_note == "診療曜日: 月火水木金土\n診療時間: 08:30〜17:00\n土曜は午前のみ\n時間外: 救急外来あり"
    assert hospital.note == "診療科目: 内科,外科,整形外科\n法人: 医療法人社団髙﨑会"  # a quoted value with commas

    clinic = records["さわら駅前内科クリニック"]
    assert clinic.type == T.CLINIC
    assert clinic.name_kana == "サワラエキマエナイカクリニック"  # hiragana reading → katakana
    assert clinic.address == "千葉県香取市佐原イ567番地 佐原駅前ビル①号館2階"  # parts joined, ① survives
    assert clinic.bed_count == 0
    assert "内線: 21" in clinic.note

    assert records["小見川ひまわり歯科医院"].type == T.DENTAL_CLINIC
    pharmacy = records["㈱かとりファーマシー 佐原中央薬局"]  # ㈱ survives and is not normalised to (株)
    assert pharmacy.type == T.PHARMACY
    assert pharmacy.note == "法人: ㈱かとりファーマシー"
    midwife = records["かとり助産院"]
    assert (midwife.type, midwife.note) == (T.OTHER, "種類: 助産所")


def test_new_care_list_in_cp932():
    parsed = read("kaigo_jigyosho_new_cp932.csv")

    assert (parsed.layout, parsed.encoding, parsed.errors) == (LAYOUT_NEW_CARE, "cp932", [])
    records = by_name(parsed)
    nursing = records["訪問看護ステーションかとり"]
    assert nursing.type == T.VISITING_NURSING
    assert nursing.name_kana == "ホウモンカンゴステーションカトリ"
    assert nursing.care_code == "1261234567"
    assert nursing.address == "千葉県香取市佐原イ1234番地 髙﨑病院別館1階"
    assert nursing.hours_note == "利用可能曜日: 月～金\n24時間対応（緊急時）"
    assert nursing.note == "法人: 医療法人社団髙﨑会"
    assert records["ケアプランセンター髙﨑"].type == T.CARE_MANAGEMENT
    assert records["ケアプランセンター髙﨑"].care_code == "1271234568"  # 「1271234568.0」
    home = records["特別養護老人ホーム 佐原苑"]
    assert home.type == T.CARE_FACILITY
    assert home.note == "種類: 介護老人福祉施設\n法人: 社会福祉法人さわら福祉会\n定員: 80"
    assert records["香取市地域包括支援センター"].type == T.COMMUNITY_CARE_CENTER
    helper = records["ヘルパーステーションおみがわ"]
    assert (helper.type, helper.note) == (T.OTHER, "種類: 訪問介護")
    assert records["グループホーム さわらの里"].type == T.CARE_FACILITY


def test_older_recommended_dataset_with_a_subset_of_columns_tab_delimited():
    parsed = read("iryo_kikan_old_subset_utf8.tsv")

    assert (parsed.layout, parsed.encoding, parsed.errors) == (LAYOUT_OLD_MEDICAL, "utf-8", [])
    # line 4 is empty; line 5 is shorter than the header (missing optional columns)
    assert [(r.line, r.name) for r in parsed.records] == [
        (2, "香取おみがわ医療センター"),
        (3, "佐原みなみ歯科"),
        (5, "つのみや内科医院"),
    ]
    hospital, dental, clinic = parsed.records
    assert hospital.municipality_code == "122360"  # five digits gained their check digit
    assert (hospital.type, hospital.bed_count, hospital.medical_code) == (T.HOSPITAL, 180, "1211111111")
    assert dental.type == T.DENTAL_CLINIC
    assert dental.name_kana == "サワラミナミシカ"
    assert dental.address == "千葉県香取市佐原イ3456 みなみビル2F"  # 住所 + 方書
    assert dental.note == "駐車場あり"
    assert (clinic.type, clinic.note, clinic.phone) == (T.CLINIC, "", "")


def test_care_information_system_file_with_bom_crlf_and_written_line_breaks():
    parsed = read("jigyosho_kaigo_utf8bom_crlf.csv")

    assert (parsed.layout, parsed.encoding) == (LAYOUT_KAIGO, "utf-8-sig")
    # the 備考 of line 3 holds a real line break, so the next row begins on line 5
    assert [r.line for r in parsed.records] == [2, 3, 5]
    assert [(e.line, e.column, e.message) for e in parsed.errors] == [(6, "事業所名", "事業所名が空です。")]
    nursing, care_manager, day_service = parsed.records
    assert nursing.type == T.VISITING_NURSING
    assert nursing.hours_note == "利用可能曜日: 月火水木金\n土日祝は緊急時のみ対応\n年末年始は休業"  # 「（改行）」
    assert nursing.address == "千葉県香取市佐原イ2000 さわらビル1階"
    assert nursing.care_code == "1261234569"
    assert nursing.municipality_code == "122360"
    assert care_manager.type == T.CARE_MANAGEMENT
    assert care_manager.note == "担当: 介護支援専門員3名\n土曜は予約制"
    assert (day_service.type, day_service.note) == (T.OTHER, "種類: 通所介護\n定員: 30")


def test_hubapp_export_reads_back():
    parsed = read("hubapp_export_utf8bom.csv")

    assert (parsed.layout, parsed.encoding, parsed.errors) == (LAYOUT_EXPORT, "utf-8-sig", [])
    clinic, nursing, centre = parsed.records
    assert clinic.type == T.HOME_CARE_CLINIC
    assert clinic.functions == ["24時間対応", "看取り", "訪問診療", "往診"]  # split on 、 ・ and ,
    assert clinic.hours_note == "平日 9:00～17:00\n土日祝休み"
    assert clinic.last_confirmed_on == date(2024, 4, 1)  # 2024/04/01
    assert clinic.note == "在宅医3名"
    # a 潮来市 (茨城県) row whose numbers Excel mangled
    assert clinic.line == 2 and nursing.line == 4  # the 受付時間・休日 of line 2 spans two lines
    assert nursing.type == T.VISITING_NURSING
    assert nursing.care_code == "0861234567"  # leading zero restored
    assert nursing.municipality_code == "082236"  # a six-digit code that lost its leading zero
    assert nursing.corporate_number == "4504005001122"  # 「.0」 stripped
    assert nursing.phone == "0299661234"
    assert nursing.last_confirmed_on == date(2024, 5, 10)
    assert (centre.type, centre.municipality_code) == (T.COMMUNITY_CARE_CENTER, "122360")


def test_each_row_is_taken_taken_with_a_warning_or_refused():
    """Only a row that cannot become an organisation is refused; a value that cannot be trusted is left
    out with a warning, its published text kept in the note."""
    parsed = read("export_bad_rows.csv")

    assert [r.line for r in parsed.records] == [2, 4, 6, 7, 8]  # line 4's 備考 spans lines 4 and 5
    assert [(e.line, e.column, e.message) for e in parsed.errors] == [(3, "名称", "名称が空です。")]
    assert list(parsed.refused_rows) == [3] and parsed.refused_rows[3][1] == ""
    assert parsed.header[:2] == ["種別", "名称"]
    assert [(w.line, w.column, w.kind) for w in parsed.warnings] == [
        (2, "緯度", "distrusted"),
        (6, "種別", "type"),
        (7, "医療機関コード", "distrusted"),
        (7, "法人番号", "distrusted"),
        (8, "病床数", "distrusted"),
        (8, "最終確認日", "distrusted"),
    ]
    records = by_name(parsed)
    hospital = records["香取髙﨑病院"]
    assert hospital.latitude is None and hospital.longitude == Decimal("140.498765")
    assert "緯度（公開データの値: abc）" in hospital.note
    assert parsed.warnings[0].message.startswith("緯度が数値ではありません（\"abc\"）。 空欄で取り込み")
    assert records["訪問看護ステーションかとり"].type == T.OTHER  # 「訪問看護」 is not one of the app's 種別
    assert "種類: 訪問看護" in records["訪問看護ステーションかとり"].note
    omigawa = records["小見川総合病院"]
    assert (omigawa.medical_code, omigawa.corporate_number) == (None, None)
    assert "法人番号（公開データの値: 1.23457E+12）" in omigawa.note and "医療機関コード（公開データの値: 12345）" in omigawa.note
    assert "Excel" in parsed.warnings[3].message


# --- values Excel mangled, and other messes a clerk would accept -----------------------------------


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"医療機関コード": "1211234567.0"}, "medical_code", "1211234567"),
        ({"医療機関コード": "１２１１２３４５６７"}, "medical_code", "1211234567"),
        ({"医療機関コード": '="0121234567"'}, "medical_code", "0121234567"),
        ({"医療機関コード": "121234567"}, "medical_code", "0121234567"),
        ({"介護保険事業所番号": "871234567"}, "care_code", "0871234567"),
        ({"法人番号": "6040005012345.0"}, "corporate_number", "6040005012345"),
        ({"法人番号": "6.040005012345E+12"}, "corporate_number", "6040005012345"),  # all digits still there
        ({"全国地方公共団体コード": "12236"}, "municipality_code", "122360"),
        ({"全国地方公共団体コード": "122360"}, "municipality_code", "122360"),
        ({"全国地方公共団体コード": "1100"}, "municipality_code", "011002"),  # 01100 without its zero
        ({"全国地方公共団体コード": "11002"}, "municipality_code", "011002"),  # 011002 without its zero
        ({"全国地方公共団体コード": "120006"}, "municipality_code", None),  # a prefecture, not a municipality
        ({"郵便番号": "2870003"}, "postcode", "287-0003"),
        ({"郵便番号": "〒287-0003"}, "postcode", "287-0003"),
        ({"郵便番号": "600001"}, "postcode", "060-0001"),
        ({"電話番号": "478521111"}, "phone", "0478521111"),
        ({"電話番号": "０４７８－５２－１１１１"}, "phone", "0478-52-1111"),
        ({"病床数": "1,200"}, "bed_count", 1200),
        ({"病床数": "120床"}, "bed_count", 120),
        ({"病床数": "１２０"}, "bed_count", 120),
        ({"病床数": "-"}, "bed_count", None),
        ({"緯度": "0.0", "経度": "0.0"}, "latitude", None),
        ({"緯度": "35.8901234"}, "latitude", Decimal("35.890123")),
        ({"最終確認日": "2024/4/1"}, "last_confirmed_on", date(2024, 4, 1)),
        ({"最終確認日": "2024-04-01 0:00"}, "last_confirmed_on", date(2024, 4, 1)),
        ({"最終確認日": "45383"}, "last_confirmed_on", date(2024, 4, 1)),  # an Excel serial day
        ({"名称_カナ": "ｻﾜﾗﾅｲｶｸﾘﾆｯｸ"}, "name_kana", "サワラナイカクリニック"),
        ({"名称_カナ": "さわらないかくりにっく"}, "name_kana", "サワラナイカクリニック"),
        ({"名称": "ｻﾜﾗ内科㈱"}, "name", "サワラ内科㈱"),
        ({"種別": " 訪問看護ステーション "}, "type", T.VISITING_NURSING),
        ({"種別": "pharmacy"}, "type", T.PHARMACY),
        ({"機能": "24時間対応・看取り、看取り"}, "functions", ["24時間対応", "看取り"]),
        ({"メールアドレス": "ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ"}, "email", "info@example.jp"),
        ({"備考": "'- 駐車場あり"}, "note", "- 駐車場あり"),  # the export's defused formula, undone
        ({"電話番号": "'+81 478-52-1111"}, "phone", "+81 478-52-1111"),
    ],
)
def test_values_are_read_as_a_careful_clerk_would(values, field, expected):
    record = parse_one(**values)
    assert not isinstance(record, list), record
    assert getattr(record, field) == expected


@pytest.mark.parametrize(
    ("values", "field", "column", "message"),
    [
        ({"法人番号": "1.23457E+12"}, "corporate_number", "法人番号", "指数表記"),
        ({"法人番号": "6040005012346"}, "corporate_number", "法人番号", "検査用数字"),
        ({"法人番号": "604000501234"}, "corporate_number", "法人番号", "13桁の数字です"),
        ({"介護保険事業所番号": "12345678"}, "care_code", "介護保険事業所番号", "は10桁（3桁目は数字か英大文字）です"),
        ({"介護保険事業所番号": "01I3700015"}, "care_code", "介護保険事業所番号", "は10桁"),  # no I, O, Q
        ({"全国地方公共団体コード": "122361"}, "municipality_code", "全国地方公共団体コード", "検査数字（6桁目）が合いません"),
        ({"全国地方公共団体コード": "千葉県香取市"}, "municipality_code", "全国地方公共団体コード", "6桁（検査数字なしなら5桁）"),
        ({"郵便番号": "287-00"}, "postcode", "郵便番号", "郵便番号は7桁の数字です"),
        ({"緯度": "50.1"}, "latitude", "緯度", "緯度が日本の範囲（20〜46）にありません（\"50.1\"）。"),
        ({"緯度": "53.41", "経度": "-8.24"}, "latitude", "緯度", "日本の範囲"),  # Ireland: both left out
        ({"経度": "east"}, "longitude", "経度", "経度が数値ではありません（\"east\"）。"),
        ({"病床数": "-3"}, "bed_count", "病床数", "整数ではありません"),
        ({"病床数": "99999"}, "bed_count", "病床数", "0〜5000"),
        ({"病床数": "1" * 5000}, "bed_count", "病床数", "0〜5000"),  # more digits than int() reads: was a 500
        ({"メールアドレス": "info.example.jp"}, "email", "メールアドレス", "形式が正しくありません"),
        ({"最終確認日": "令和6年4月1日"}, "last_confirmed_on", "最終確認日", "2024-04-01"),
        ({"電話番号": "お問い合わせは代表まで（平日9時から17時まで受付、土日祝休み）"}, "phone", "電話番号", "長すぎます"),
        ({"所在地": "香" * 301}, "address", "所在地", "長すぎます（301文字、300文字まで）"),
    ],
)
def test_a_value_that_cannot_be_trusted_is_left_out_with_a_warning(values, field, column, message):
    parsed = parse_file(export_csv(values))
    assert parsed.errors == []
    (record,) = parsed.records
    assert getattr(record, field) in (None, "")
    assert [(w.line, w.column) for w in record.warnings][:1] == [(2, column)]
    assert message in record.warnings[0].message
    published = next(iter(values.values()))
    assert f"{column}（公開データの値: {published[:50]}" in record.note


@pytest.mark.parametrize("mark", ["-", "－", "―", "なし", "不明", "該当なし"])
def test_a_placeholder_is_no_value_with_a_warning(mark):
    parsed = parse_file(export_csv({"法人番号": mark, "医療機関コード": mark, "電話番号": mark}))
    (record,) = parsed.records
    assert (record.corporate_number, record.medical_code, record.phone) == (None, None, "")
    assert [w.kind for w in record.warnings] == ["placeholder"] * 3
    assert "公開データの値" not in record.note  # nothing to keep: it says there is no value


def test_letters_in_a_care_code_are_read_as_the_official_numbering_allows():
    record = parse_one(介護保険事業所番号="01B3700015")  # 介護医療院: 事業所区分番号 B
    assert record.care_code == "01B3700015" and record.warnings == []
    assert parse_one(介護保険事業所番号="13a1234567").care_code == "13A1234567"


def test_two_phone_numbers_in_one_cell_are_split():
    record = parse_one(電話番号="0478-52-1111（代表）／0478-52-2222（夜間・休日）", FAX番号="0478-52-3333")
    assert (record.phone, record.fax) == ("0478-52-1111", "0478-52-3333")
    assert [w.kind for w in record.warnings] == ["split"]
    assert "電話番号（ほかの番号）: 0478-52-2222" in record.note


def test_swapped_coordinates_are_exchanged_back_with_a_warning():
    record = parse_one(緯度="140.5", 経度="35.9")
    assert (record.latitude, record.longitude) == (Decimal("35.9"), Decimal("140.5"))
    assert [(w.column, w.kind) for w in record.warnings] == [("緯度", "swapped")]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"名称": "　"}, "名称", "名称が空です。"),
        ({"名称": "あ" * 201}, "名称", "長すぎます（201文字、200文字まで）"),
    ],
)
def test_a_row_without_a_usable_name_is_refused(values, column, message):
    parsed = parse_file(export_csv(values))
    assert parsed.records == [] and list(parsed.refused_rows) == [2]
    assert [(e.line, e.column) for e in parsed.errors] == [(2, column)]
    assert message in parsed.errors[0].message


def test_every_untrusted_cell_of_a_row_is_reported_in_the_files_order():
    record = parse_one(緯度="abc", 医療機関コード="x", 種別="")
    assert [w.column for w in record.warnings] == ["種別", "医療機関コード", "緯度"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("訪問看護", T.VISITING_NURSING),
        ("介護予防訪問看護", T.VISITING_NURSING),
        ("居宅介護支援", T.CARE_MANAGEMENT),
        ("介護老人福祉施設", T.CARE_FACILITY),
        ("地域密着型介護老人福祉施設入所者生活介護", T.CARE_FACILITY),
        ("介護老人保健施設", T.CARE_FACILITY),
        ("介護医療院", T.CARE_FACILITY),
        ("認知症対応型共同生活介護", T.CARE_FACILITY),
        ("地域密着型特定施設入居者生活介護", T.CARE_FACILITY),
        ("小規模多機能型居宅介護", T.CARE_FACILITY),
        ("看護小規模多機能型居宅介護", T.CARE_FACILITY),
        ("地域包括支援センター", T.COMMUNITY_CARE_CENTER),
        ("特定相談支援", T.DISABILITY_CONSULTATION),
        ("訪問介護", T.OTHER),
        ("通所介護", T.OTHER),
        ("通所リハビリテーション", T.OTHER),
        ("短期入所生活介護", T.OTHER),
        ("定期巡回・随時対応型訪問介護看護", T.OTHER),
        ("福祉用具貸与", T.OTHER),
    ],
)
def test_care_service_kinds_map_to_types(kind, expected):
    data = f"介護サービス事業所名称,実施サービス\n香取ケアセンター,{kind}\n".encode("cp932")
    (record,) = parse_file(data).records
    assert record.type == expected
    assert record.note in ("", f"種類: {kind}")
    if expected in (T.OTHER, T.CARE_FACILITY):  # the kind says more than the type: kept
        assert record.note == f"種類: {kind}"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("病院", T.HOSPITAL),
        ("診療所", T.CLINIC),
        ("一般診療所", T.CLINIC),
        ("歯科診療所", T.DENTAL_CLINIC),
        ("歯科", T.DENTAL_CLINIC),
        ("薬局", T.PHARMACY),
        ("在宅療養支援診療所", T.HOME_CARE_CLINIC),
        ("助産所", T.OTHER),
    ],
)
def test_medical_kinds_map_to_types(kind, expected):
    data = f"市区町村コード,名称,医療機関の種類\n122360,香取医療センター,{kind}\n".encode()
    parsed = parse_file(data)
    assert parsed.layout == LAYOUT_OLD_MEDICAL
    assert parsed.records[0].type == expected


def test_an_empty_kind_is_guessed_from_the_name():
    data = "名称,医療機関の種類,住所\n佐原中央薬局,,千葉県香取市佐原ロ2100\n香取みどり会,,千葉県香取市津宮1\n".encode()
    pharmacy, unknown = parse_file(data).records
    assert (pharmacy.type, pharmacy.note) == (T.PHARMACY, "")
    assert (unknown.type, unknown.note) == (T.OTHER, "")


def test_medical_information_net_layout():
    data = (
        '"ID","正式名称","正式名称（フリガナ）","略称","機関区分","都道府県コード","市区町村コード","所在地",'
        '"所在地座標（緯度）","所在地座標（経度）","案内用ホームページアドレス","合計病床数"\r\n'
        '"1223600000001","香取髙﨑病院","カトリタカサキビョウイン","","1","12","236","千葉県香取市佐原イ1234",'
        '35.890123,140.498765,"https://takasaki-hp.example.jp/","199"\r\n'
        '"1223600000002","かとり助産院","カトリジョサンイン","","4","12","236","千葉県香取市津宮3000",0.0,0.0,"",""\r\n'
    ).encode("utf-8-sig")

    parsed = parse_file(data, "01-1_hospital_facility_info_20250601.csv")

    assert (parsed.layout, parsed.errors) == (LAYOUT_MHLW_MEDICAL, [])
    hospital, midwife = parsed.records
    assert (hospital.type, hospital.municipality_code, hospital.bed_count) == (T.HOSPITAL, "122360", 199)
    assert hospital.latitude == Decimal("35.890123")
    assert hospital.url == "https://takasaki-hp.example.jp/"
    assert (midwife.type, midwife.note) == (T.OTHER, "種類: 助産所")
    assert (midwife.latitude, midwife.longitude) == (None, None)  # 0.0 means unknown


def test_medical_information_net_without_kind_uses_the_file_name():
    data = (
        '"ID","名称","フリガナ","所在地","所在地座標（緯度）","所在地座標（経度）"\n'
        '"1","さわら薬局","サワラヤッキョク","千葉県香取市佐原イ1",35.89,140.49\n'
    )
    parsed = parse_file(data.encode(), "05_pharmacy_facility_info_20250601.csv")
    assert (parsed.layout, parsed.records[0].type) == (LAYOUT_MHLW_MEDICAL, T.PHARMACY)


def test_semicolon_delimiter_and_a_title_line_above_the_header():
    data = "香取市 医療機関一覧（令和6年4月1日現在）\n名称;医療機関の種類;住所\n香取髙﨑病院;病院;千葉県香取市佐原イ1\n"
    parsed = parse_file(data.encode("cp932"))
    assert (parsed.layout, parsed.encoding) == (LAYOUT_OLD_MEDICAL, "cp932")
    assert [(r.line, r.name, r.type) for r in parsed.records] == [(3, "香取髙﨑病院", T.HOSPITAL)]


def test_trailing_empty_columns_repeated_header_and_empty_rows_are_ignored():
    data = "種別,名称,,\n病院,香取髙﨑病院,,\n,,,\n種別,名称\n薬局,さわら薬局\n"
    parsed = parse_file(data.encode())
    assert [(r.line, r.name) for r in parsed.records] == [(2, "香取髙﨑病院"), (5, "さわら薬局")]
    assert parsed.errors == []


def test_a_row_with_more_values_than_headers_is_an_error():
    data = "種別,名称,所在地\n病院,香取髙﨑病院,千葉県香取市佐原イ,1234\n薬局,さわら薬局,\n"
    parsed = parse_file(data.encode())
    assert [r.name for r in parsed.records] == ["さわら薬局"]
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "列数")]
    assert "見出し 3 列、この行 4 列" in parsed.errors[0].message


def test_an_unclosed_quote_is_reported():
    data = '種別,名称,備考\r\n病院,香取髙﨑病院,"駐車場あり\r\n薬局,さわら薬局,\r\n'
    parsed = parse_file(data.encode())
    assert parsed.records == []
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "備考")]
    assert "閉じられていない" in parsed.errors[0].message


def test_utf16_from_excel_unicode_text():
    data = "種別\t名称\r\n病院\t香取髙﨑病院\r\n".encode("utf-16")
    parsed = parse_file(data, "directory.txt")
    assert (parsed.encoding, parsed.records[0].name) == ("utf-16", "香取髙﨑病院")


def test_xlsx_workbook_with_numbers_and_dates_as_excel_stores_them():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(EXPORT_HEADERS))
    row = {"種別": "病院", "名称": "香取髙﨑病院", "医療機関コード": 1211234567, "法人番号": 6040005012345,
           "全国地方公共団体コード": 122360, "緯度": 35.890123, "経度": 140.498765, "病床数": 199,
           "最終確認日": datetime(2024, 4, 1)}
    sheet.append([row.get(h) for h in EXPORT_HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = parse_file(buffer.getvalue(), "directory.xlsx")

    assert (parsed.layout, parsed.encoding, parsed.errors) == (LAYOUT_EXPORT, "xlsx", [])
    (record,) = parsed.records
    assert (record.line, record.medical_code, record.corporate_number) == (2, "1211234567", "6040005012345")
    assert (record.municipality_code, record.bed_count) == ("122360", 199)
    assert record.latitude == Decimal("35.890123")
    assert record.last_confirmed_on == date(2024, 4, 1)


def test_a_zip_holding_one_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("jigyosho_122.csv", (FILES / "jigyosho_kaigo_utf8bom_crlf.csv").read_bytes())
    parsed = parse_file(buffer.getvalue(), "jigyosho_122.zip")
    assert (parsed.layout, len(parsed.records)) == (LAYOUT_KAIGO, 3)


# --- files that cannot be read at all ---------------------------------------------------------------


def test_bytes_neither_utf8_nor_cp932_are_refused():
    with pytest.raises(DirectoryFileError) as caught:
        parse_file(b"\x85\x40\xeb\x40\x81\x20\xa0\x80", "random.csv")
    assert isinstance(caught.value, ValueError)
    assert "UTF-8 でも Shift_JIS（cp932）でもありません" in caught.value.message


def test_utf8_with_a_broken_byte_is_refused_rather_than_read_as_cp932():
    data = bytearray((FILES / "hubapp_export_utf8bom.csv").read_bytes()[3:])  # UTF-8 without BOM
    data[data.index("潮来".encode())] = 0xFF
    with pytest.raises(DirectoryFileError) as caught:
        parse_file(bytes(data))
    assert "4行目に UTF-8 として読めない文字があります" in caught.value.message


def test_an_unknown_header_is_refused_with_what_was_found_and_what_is_supported():
    data = "施設名,所在地,電話\n香取市役所,千葉県香取市佐原ロ2127,0478-54-1111\n".encode("cp932")
    with pytest.raises(DirectoryFileError) as caught:
        parse_file(data, "shisetsu.csv")
    message = caught.value.message
    assert message.startswith("見出し行を認識できませんでした。見つかった見出し: 施設名、所在地、電話。")
    assert LAYOUT_NEW_MEDICAL in message and LAYOUT_EXPORT in message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "ファイルが空です。"),
        (b"\r\n \r\n", "ファイルが空です。"),
        ("種別,名称\r\n\r\n".encode(), "見出し行のほかにデータ行がありません。"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "古い Excel 形式（.xls）"),
    ],
)
def test_empty_and_unreadable_files_are_refused(data, message):
    with pytest.raises(DirectoryFileError) as caught:
        parse_file(data)
    assert message in caught.value.message


@given(st.lists(st.text(alphabet=" \u3000\t\r\n'=\"a-改行（）()ｱ0", max_size=8), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None, database=None)
def test_rows_with_nothing_to_clean_are_taken_as_they_are(cells):
    """The parser skips cleaning a row its one search finds nothing in: exactly the rows cleaning leaves alone."""
    from hubapp.directory.parsing.rows import _NEEDS_CLEANING
    from hubapp.directory.parsing.values import _clean_cell

    if not _NEEDS_CLEANING.search("\x00".join(cells)):
        assert [_clean_cell(c) for c in cells] == cells
