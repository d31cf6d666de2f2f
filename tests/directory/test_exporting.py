"""Directory export: CSV for Excel (UTF-8 with BOM, cp932 on request), XLSX, formula injection, and the
printable A4 list grouped by type."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import flask
import openpyxl
import pytest

from hubapp.directory import services
from hubapp.directory.exporting import neutralise, organisation_row, print_groups, to_csv, to_xlsx, unneutralise
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.models import Profession
from hubapp.directory.records import EXPORT_HEADERS, FUNCTION_SEPARATOR
from hubapp.extensions import db

BOM = b"\xef\xbb\xbf"
COL = {header: index for index, header in enumerate(EXPORT_HEADERS)}


def save(hub_id: int, name: str, type_: T, *, functions=(), confirmed: date | None = None, **values):
    codes = {f.code: f.id for f in services.functions(include_inactive=True)}
    organisation = services.save_organisation(
        hub_id, {"type": type_, "name": name, **values}, [codes[c] for c in functions]
    )
    if confirmed is not None:
        organisation.last_confirmed_on = confirmed
        db.session.flush()
    return organisation


@pytest.fixture
def directory(app_ctx, hub):
    """Five organisations of three types (the pharmacy is archived), returned as the export gets them."""
    save(hub.id, "さくら病院", T.HOSPITAL, name_kana="サクラビョウイン", bed_count=120,
         medical_code="1210000001", phone="0478-52-0001", fax="0478-52-0002")
    save(hub.id, "いずみ中央病院", T.HOSPITAL, name_kana="イズミチュウオウビョウイン", functions=("backup_bed",))
    save(
        hub.id, "あおば在宅クリニック", T.CLINIC, name_kana="アオバザイタククリニック",
        medical_code="0112345678", care_code="0471234567", corporate_number="7000012050002",
        municipality_code="122360", postcode="287-0001", address="千葉県香取市佐原イ1-2-3",
        latitude=Decimal("35.890100"), longitude=Decimal("140.499000"),
        phone="0478-50-1234", fax="0478-50-1235", email="info@aoba.example.jp", url="https://aoba.example.jp/",
        hours_note="月〜金 9:00-18:00\r\n土 9:00-12:00", note='休診日は"木曜"、祝日',
        functions=("home_visit", "24h"), confirmed=date(2026, 4, 1),
    )
    save(hub.id, "かとり訪問看護ステーション", T.VISITING_NURSING, name_kana="カトリホウモンカンゴステーション",
         phone="0478-55-0000", fax="")
    pharmacy = save(hub.id, "うみ薬局", T.PHARMACY, name_kana="ウミヤッキョク")
    services.save_person(hub.id, {"name": "海野", "profession": Profession.PHARMACIST, "organisation_id": pharmacy.id})
    assert services.remove(pharmacy) is False  # archived: a person points at it
    return services.all_organisations(hub.id)


def by_name(organisations, name):
    return next(o for o in organisations if o.name == name)


def csv_rows(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


# --- rows ------------------------------------------------------------------------------------------


def test_organisation_row_follows_the_export_headers(directory):
    row = organisation_row(by_name(directory, "あおば在宅クリニック"))
    assert len(row) == len(EXPORT_HEADERS)
    assert all(isinstance(value, str) for value in row)
    values = dict(zip(EXPORT_HEADERS, row, strict=True))
    assert values["種別"] == "診療所"
    assert values["名称_カナ"] == "アオバザイタククリニック"
    assert values["医療機関コード"] == "0112345678"  # leading zero kept
    assert values["介護保険事業所番号"] == "0471234567"
    assert values["法人番号"] == "7000012050002"
    assert values["全国地方公共団体コード"] == "122360"
    assert (values["緯度"], values["経度"]) == ("35.8901", "140.499")  # plain decimals, no exponent
    assert values["機能"] == FUNCTION_SEPARATOR.join(["24時間対応", "訪問診療"])  # the controlled list's order
    assert values["受付時間・休日"] == "月〜金 9:00-18:00\n土 9:00-12:00"  # Excel's line break in a cell
    assert values["最終確認日"] == "2026-04-01"


def test_organisation_row_writes_empty_strings_for_missing_values(directory):
    values = dict(zip(EXPORT_HEADERS, organisation_row(by_name(directory, "いずみ中央病院")), strict=True))
    for header in ("医療機関コード", "緯度", "経度", "病床数", "最終確認日", "電話番号", "備考"):
        assert values[header] == "", header
    assert values["種別"] == "病院"
    assert values["機能"] == "後方支援病床"
    assert organisation_row(by_name(directory, "さくら病院"))[COL["病床数"]] == "120"


# --- neutralising ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","押す")', '\'=HYPERLINK("http://evil.example","押す")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=1+1", "''=1+1"),  # already prefixed: one more, so that the importer can undo it exactly
        ("0478-50-1234", "0478-50-1234"),
        ("1+1=2", "1+1=2"),
        ("'quoted", "'quoted"),
        ("", ""),
        ("さくら病院", "さくら病院"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    assert unneutralise(neutralise(value)) == value


@pytest.mark.parametrize("value", ["'", "''", "'a", "'''=x", "=", "-", "'-", "a=b", "@"])
def test_unneutralise_inverts_neutralise(value):
    assert unneutralise(neutralise(value)) == value


# --- CSV -------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_crlf_and_the_export_headers(directory):
    data = to_csv(directory)
    assert data.startswith(BOM)
    assert data.count(b"\r\n") >= len(directory) + 1
    assert b"\n" not in data.replace(b"\r\n", b"")[: data.index(b"\r\n")]
    rows = csv_rows(data)
    assert tuple(rows[0]) == EXPORT_HEADERS
    # 五十音順, archived rows left out (all_organisations' default).
    assert [row[COL["名称"]] for row in rows[1:]] == [
        "あおば在宅クリニック", "いずみ中央病院", "かとり訪問看護ステーション", "さくら病院",
    ]


def test_csv_row_separators_are_crlf_and_line_breaks_in_a_cell_are_lf(directory):
    text = to_csv(directory).decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert '"月〜金 9:00-18:00\n土 9:00-12:00"' in text
    assert text.count("\r\n") == len(directory) + 1  # only between rows


def test_csv_quotes_commas_quotes_and_newlines_so_they_round_trip(app_ctx, hub):
    tricky = 'A,B "C"\n2行目'
    save(hub.id, "カンマ,と\"引用符\"の診療所", T.CLINIC, note=tricky, hours_note="9:00,13:00")
    data = to_csv(services.all_organisations(hub.id))
    row = csv_rows(data)[1]
    assert row[COL["名称"]] == 'カンマ,と"引用符"の診療所'
    assert row[COL["備考"]] == tricky
    assert row[COL["受付時間・休日"]] == "9:00,13:00"
    # Minimal quoting: plain fields are not quoted.
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(EXPORT_HEADERS)


def test_csv_keeps_codes_as_text_with_leading_zeros(directory):
    row = next(r for r in csv_rows(to_csv(directory)) if r[COL["名称"]] == "あおば在宅クリニック")
    assert row[COL["医療機関コード"]] == "0112345678"
    assert row[COL["法人番号"]] == "7000012050002"
    assert row[COL["電話番号"]] == "0478-50-1234"
    assert row[COL["FAX番号"]] == "0478-50-1235"


def test_csv_neutralises_formulas(app_ctx, hub):
    save(hub.id, "=HYPERLINK(\"http://evil.example\",\"詳細\")", T.OTHER, name_kana="ア",
         note="+1", hours_note="-2", address="@SUM(1+1)")
    row = csv_rows(to_csv(services.all_organisations(hub.id)))[1]
    assert row[COL["名称"]] == "'=HYPERLINK(\"http://evil.example\",\"詳細\")"
    assert row[COL["備考"]] == "'+1"
    assert row[COL["受付時間・休日"]] == "'-2"
    assert row[COL["所在地"]] == "'@SUM(1+1)"
    assert [unneutralise(value) for value in row[1:2]] == ["=HYPERLINK(\"http://evil.example\",\"詳細\")"]


def test_cp932_csv_keeps_japanese_and_replaces_what_it_cannot_encode(app_ctx, hub):
    save(
        hub.id, "㈱髙﨑メディカル①号館", T.CLINIC, name_kana="ﾀｶｻｷ",
        address="千葉県香取市佐原イ１－２", note="笑顔😀で𠮷野家の隣", hours_note="9:00〜17:00—要予約、㋿8年から",
    )
    data = to_csv(services.all_organisations(hub.id), encoding="cp932")
    assert not data.startswith(BOM)
    assert b"\r\n" in data
    rows = csv_rows(data, "cp932")
    assert tuple(rows[0]) == EXPORT_HEADERS
    row = rows[1]
    assert row[COL["名称"]] == "㈱髙﨑メディカル①号館"  # NEC/IBM extensions are in cp932
    assert row[COL["名称_カナ"]] == "ﾀｶｻｷ"
    assert row[COL["所在地"]] == "千葉県香取市佐原イ１－２"
    assert row[COL["備考"]] == "笑顔〓で〓野家の隣"  # emoji and a JIS X 0213 kanji → geta
    assert row[COL["受付時間・休日"]] == "9:00～17:00―要予約、令和8年から"


def test_cp932_drops_variation_selectors_but_keeps_the_base_kanji(app_ctx, hub):
    save(hub.id, "葛\U000e0100飾クリニック", T.CLINIC, note="❤\ufe0f")
    row = csv_rows(to_csv(services.all_organisations(hub.id), encoding="cp932"), "cp932")[1]
    assert row[COL["名称"]] == "葛飾クリニック"
    assert row[COL["備考"]] == "〓"


def test_csv_refuses_an_unknown_encoding(directory):
    with pytest.raises(ValueError, match="encoding"):
        to_csv(directory, encoding="latin-1")


@pytest.mark.parametrize("export", ["utf-8-sig", "cp932", "xlsx"])
def test_the_importer_reads_the_export_back(directory, export):
    from hubapp.directory import parsing

    data = to_xlsx(directory, "t") if export == "xlsx" else to_csv(directory, encoding=export)
    parsed = parsing.parse_file(data, f"export.{'xlsx' if export == 'xlsx' else 'csv'}")
    assert parsed.errors == []
    assert [r.name for r in parsed.records] == [o.name for o in directory]
    record = next(r for r in parsed.records if r.name == "あおば在宅クリニック")
    assert record.type == T.CLINIC
    assert (record.medical_code, record.care_code, record.corporate_number, record.municipality_code) == (
        "0112345678", "0471234567", "7000012050002", "122360"
    )
    assert (record.latitude, record.longitude) == (Decimal("35.8901"), Decimal("140.499"))
    assert (record.phone, record.fax, record.postcode) == ("0478-50-1234", "0478-50-1235", "287-0001")
    assert record.functions == ["24時間対応", "訪問診療"]
    assert record.last_confirmed_on == date(2026, 4, 1)
    assert record.note == '休診日は"木曜"、祝日'
    # cp932 has no WAVE DASH of its own: 「〜」 comes back as the full-width tilde 「～」 it is written as.
    wave = "～" if export == "cp932" else "〜"
    assert record.hours_note == f"月{wave}金 9:00-18:00\n土 9:00-12:00"
    assert next(r for r in parsed.records if r.name == "さくら病院").bed_count == 120


# --- XLSX ------------------------------------------------------------------------------------------


def read_xlsx(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook, workbook["地域資源"]


def test_xlsx_layout(directory):
    workbook, sheet = read_xlsx(to_xlsx(directory, "北総テスト在宅医療連携センター 地域資源"))
    assert workbook.sheetnames == ["地域資源"]
    assert workbook.properties.title == "北総テスト在宅医療連携センター 地域資源"
    assert tuple(cell.value for cell in sheet[1]) == EXPORT_HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:T{len(directory) + 1}"
    assert sheet.max_row == len(directory) + 1
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width - 1
    assert all(sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOPQRST")


def test_xlsx_writes_codes_and_phone_numbers_as_text(directory):
    _workbook, sheet = read_xlsx(to_xlsx(directory, "地域資源"))
    row = next(r for r in sheet.iter_rows(min_row=2) if r[COL["名称"]].value == "あおば在宅クリニック")
    for header, expected in (
        ("医療機関コード", "0112345678"), ("介護保険事業所番号", "0471234567"), ("法人番号", "7000012050002"),
        ("全国地方公共団体コード", "122360"), ("郵便番号", "287-0001"), ("電話番号", "0478-50-1234"),
        ("FAX番号", "0478-50-1235"),
    ):
        cell = row[COL[header]]
        assert (cell.value, cell.data_type, cell.number_format) == (expected, "s", "@"), header
    assert row[COL["機能"]].value == "24時間対応、訪問診療"
    assert row[COL["受付時間・休日"]].value == "月〜金 9:00-18:00\n土 9:00-12:00"
    # Numbers and the date stay typed, so that they sort and filter in Excel.
    assert row[COL["緯度"]].value == pytest.approx(35.8901)
    assert row[COL["経度"]].data_type == "n"
    assert row[COL["最終確認日"]].value.date() == date(2026, 4, 1)
    assert row[COL["最終確認日"]].number_format == "yyyy-mm-dd"
    hospital = next(r for r in sheet.iter_rows(min_row=2) if r[COL["名称"]].value == "さくら病院")
    assert hospital[COL["病床数"]].value == 120
    assert hospital[COL["緯度"]].value is None


def test_xlsx_stores_formulas_as_neutralised_strings(app_ctx, hub):
    save(hub.id, "=HYPERLINK(\"http://evil.example\",\"詳細\")", T.OTHER, name_kana="ア",
         note="+1", hours_note="-2", address="@SUM(1+1)", url="#N/A", email="a\x07b@example.jp")
    data = to_xlsx(services.all_organisations(hub.id), "t")
    _workbook, sheet = read_xlsx(data)
    row = sheet[2]
    for header in ("名称", "備考", "受付時間・休日", "所在地"):
        cell = row[COL[header]]
        assert cell.data_type == "s", header
        assert cell.value.startswith("'"), header
    assert row[COL["名称"]].value == "'=HYPERLINK(\"http://evil.example\",\"詳細\")"
    assert (row[COL["URL"]].value, row[COL["URL"]].data_type) == ("#N/A", "s")  # not an error cell
    assert row[COL["メールアドレス"]].value == "ab@example.jp"  # control characters are not allowed in XLSX
    assert b"<f>" not in data  # no formula anywhere


def test_xlsx_with_no_organisations(app_ctx, hub):
    _workbook, sheet = read_xlsx(to_xlsx([], "空"))
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:T1"


# --- the printable list ----------------------------------------------------------------------------


def test_print_groups_follow_the_type_order_and_keep_the_kana_order(directory):
    groups = print_groups(directory)
    assert [(t, [o.name for o in members]) for t, members in groups] == [
        (T.HOSPITAL, ["いずみ中央病院", "さくら病院"]),
        (T.CLINIC, ["あおば在宅クリニック"]),
        (T.VISITING_NURSING, ["かとり訪問看護ステーション"]),
    ]
    assert print_groups([]) == []


def render_print(app, hub_id, hub_name):
    with app.test_request_context("/directory/print"):
        groups = print_groups(services.all_organisations(hub_id))
        return flask.render_template(
            "directory/print.html", hub_name=hub_name, printed_on="2026年11月23日", groups=groups
        )


def test_print_page_is_an_a4_list_grouped_by_type(app, hub, directory):
    html = render_print(app, hub.id, hub.name)
    assert "css/print-directory.css" in html  # a static style sheet: the CSP allows no inline style
    css = (Path(app.static_folder) / "css" / "print-directory.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*12mm;?\s*\}", css)
    assert "地域資源リスト" in html
    assert hub.name in html
    assert "2026年11月23日" in html
    assert "thead { display: table-header-group; }" in css
    assert "page-break-inside: avoid" in css
    # Types in the enum's order, organisations in 五十音順 within a type; the archived pharmacy is absent.
    order = [html.index(text) for text in (
        "<h2>病院", "いずみ中央病院", "さくら病院", "<h2>診療所", "あおば在宅クリニック",
        "<h2>訪問看護ステーション", "かとり訪問看護ステーション",
    )]
    assert order == sorted(order)
    assert "うみ薬局" not in html and "<h2>薬局" not in html
    assert html.count("<thead>") == 3
    # Phone and FAX side by side, in columns of their own.
    assert '<td class="number">0478-50-1234</td>\n          <td class="number">0478-50-1235</td>' in html
    assert "サクラビョウイン" in html  # the reading
    assert "〒287-0001 千葉県香取市佐原イ1-2-3" in html
    assert "24時間対応、訪問診療" in html
    # Printing instructions only on screen; no navigation, no script, only local assets.
    assert "Ctrl+P" in html and 'class="print-help no-print"' in html
    assert "<script" not in html and "<nav" not in html
    assert not re.search(r"""(?:src|href)="(?:https?:)?//""", html)


def test_print_page_without_organisations(app, hub):
    html = render_print(app, hub.id, hub.name)
    assert "該当する機関はありません。" in html
    assert "<table" not in html


def test_print_page_escapes_names(app, hub):
    with app.app_context():
        save(hub.id, "<script>alert(1)</script>診療所", T.CLINIC)
        db.session.commit()
    html = render_print(app, hub.id, hub.name)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;診療所" in html
