"""管内の拠点 (/compliance/prefecture): item names and figures as text, 必須 n/m per hub, the programs'
Japanese titles, sorting on the server (links that keep the year), the same table as XLSX (Japanese
labels only, frozen header, audited), the officer's prefecture only, and no access for a coordinator."""

import io
import re
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.extensions import db

YEAR = FiscalYear.of(today()).year
B1 = "B-1 複数の市町村を事業区域とする在宅医療連携拠点"
B2 = "B-2 事業の専任者を１名以上配置"
INTERNAL = re.compile(r"\b(met|partial|unmet|manual|SUISHIN|kana|required)\b")


@pytest.fixture
def hubs(app, hub, create_hub):
    """``hub`` (3 municipalities, 2 dedicated staff: B-1 and B-2 達成) in B and SUISHIN; 青葉 (one
    municipality, no staff) in B; 空 in nothing; a hub of 茨城県 the 千葉県 officer must not see."""
    aoba = create_hub("青葉在宅医療拠点", name_kana="アオバ")
    empty = create_hub("空の拠点", name_kana="ンノキョテン")
    tsukuba = (("082201", "つくば市", 250_000, "21.0"),)
    other = create_hub("茨城の拠点", name_kana="イバラキ", prefecture_code="08", areas=tsukuba)
    with app.app_context():
        for hub_id, code in ((hub.id, "B"), (hub.id, "SUISHIN"), (aoba.id, "B"), (other.id, "B")):
            db.session.add(Enrollment(hub_id=hub_id, fiscal_year=YEAR, program_code=code))
        db.session.commit()
    return {"hoso": hub, "aoba": aoba, "empty": empty, "other": other}


def _order(page: str, hubs: dict) -> list[str]:
    found = {name: page.find(f'data-testid="hub-{h.id}"') for name, h in hubs.items()}
    return [name for name, at in sorted(found.items(), key=lambda kv: kv[1]) if at >= 0]


def _text(html: str) -> str:
    """The page's visible text: attributes (title="…") and tags left out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_grid_names_items_shows_figures_and_required_counts(app, client, login_as, hubs):
    login_as("prefecture")
    page = client.get(f"/compliance/prefecture?year={YEAR}").data.decode()
    text = _text(page)
    assert B1 in text and B2 in text  # code and title, in the header and in every cell (phone cards)
    assert text.count(B1) == 1 + 1 + 3  # the header, the sort menu, and the cell of every hub
    assert "ア 地域の医療・介護の資源の把握" in text
    assert "広域型在宅医療連携拠点運営支援事業" in text and "在宅医療・介護連携推進事業" in text
    assert "SUISHIN" not in text
    hoso, aoba = hubs["hoso"], hubs["aoba"]
    cell = re.search(rf'data-testid="cell-{hoso.id}-B:B-2">(.*?)</td>', page, re.S).group(1)
    assert "達成" in cell and "2人（目標1人以上）" in _text(cell)  # the figure as text, not in a title
    cell = re.search(rf'data-testid="cell-{aoba.id}-B:B-2">(.*?)</td>', page, re.S).group(1)
    assert "未達成" in cell and "0人（目標1人以上）" in _text(cell)
    cell = re.search(rf'data-testid="cell-{aoba.id}-SUISHIN:ア">(.*?)</td>', page, re.S).group(1)
    assert "対象外" in cell

    def required(hub) -> str:
        found = re.search(rf'data-testid="required-{hub.id}">(.*?)</td>', page, re.S).group(1)
        return _text(found).strip()

    with app.app_context():
        suishin = app.extensions["compliance_programs"]["SUISHIN"]
        suishin_required = sum(1 for i in suishin.items if not i.planned)
    assert required(aoba) == "必須 0/8"
    hoso_met, hoso_n = map(int, required(hoso).removeprefix("必須 ").split("/"))
    assert hoso_n == 8 + suishin_required and hoso_met >= 2  # B-1, B-2 (and any SUISHIN item already met)
    assert required(hubs["empty"]) == "必須 0/0" and "この年度に報告する事業が選ばれていません" in page
    assert f'data-testid="hub-{hubs["other"].id}"' not in page and "茨城の拠点" not in page


def test_sorting_on_the_server_keeps_the_year(client, login_as, hubs):
    login_as("prefecture")
    hubs = {k: v for k, v in hubs.items() if k != "other"}
    page = client.get(f"/compliance/prefecture?year={YEAR}").data.decode()
    assert _order(page, hubs) == ["aoba", "hoso", "empty"]  # アオバ, テストキョテン…, ンノキョテン
    assert f"sort=-kana&amp;year={YEAR}" in page or f"year={YEAR}&amp;sort=-kana" in page
    assert re.search(rf'href="[^"]*year={YEAR}[^"]*sort=required|href="[^"]*sort=required[^"]*year={YEAR}', page)

    lowest = client.get(f"/compliance/prefecture?year={YEAR}&sort=required").data.decode()
    assert _order(lowest, hubs) == ["aoba", "hoso", "empty"]  # 0/8, then ≥2/n; nothing required: last
    assert 'aria-sort="ascending"' in lowest and "sort=-required" in lowest  # the link turns the order
    highest = client.get(f"/compliance/prefecture?year={YEAR}&sort=-required").data.decode()
    assert _order(highest, hubs) == ["hoso", "aoba", "empty"]
    assert 'aria-sort="descending"' in highest

    worst = client.get(f"/compliance/prefecture?year={YEAR}&sort=item:B:B-2").data.decode()
    assert _order(worst, hubs) == ["aoba", "hoso", "empty"]  # 未達成, 達成, 対象外
    best = client.get(f"/compliance/prefecture?year={YEAR}&sort=-item:B:B-2").data.decode()
    assert _order(best, hubs) == ["hoso", "aoba", "empty"]
    reverse_kana = client.get(f"/compliance/prefecture?year={YEAR}&sort=-kana").data.decode()
    assert _order(reverse_kana, hubs) == ["empty", "hoso", "aoba"]
    for junk in ("nonsense", "item:Z:Z-9", "-", "item:B:"):
        page = client.get(f"/compliance/prefecture?year={YEAR}&sort={junk}")
        assert page.status_code == 200 and _order(page.data.decode(), hubs) == ["aoba", "hoso", "empty"]
    last_year = client.get(f"/compliance/prefecture?year={YEAR - 1}&sort=-required").data.decode()
    assert FiscalYear(YEAR - 1).label_ja in last_year and "対象外" not in last_year  # no enrolments that year


def test_the_xlsx_holds_the_grid_in_japanese(app, client, login_as, hubs):
    from hubapp.audit.models import AuditAction, AuditLog

    login_as("prefecture")
    response = client.get(f"/compliance/prefecture.xlsx?year={YEAR}&sort=-required")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="prefecture-FY{YEAR}.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"管内の拠点_{FiscalYear(YEAR).label_ja}.xlsx"

    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "B4"
    assert [sheet.cell(row=1, column=n).value for n in (1, 2, 3)] == ["拠点", "報告する事業", "必須"]
    programs = [c.value for c in sheet[1][3:] if c.value]
    assert programs == ["広域型在宅医療連携拠点運営支援事業", "在宅医療・介護連携推進事業"]
    items = [c.value for c in sheet[2][3:] if c.value]
    assert items[:2] == [B1, B2] and "ア 地域の医療・介護の資源の把握" in items
    assert {c.value for c in sheet[3][3:]} == {"状況", "実績"}
    assert sheet.column_dimensions["A"].width >= 20 and sheet.column_dimensions["E"].width >= 20

    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    # the page's order (-required): 北総 (≥2 met), 青葉 (0/8), 空 (nothing required)
    assert [r[0] for r in rows] == ["北総テスト在宅医療連携センター", "青葉在宅医療拠点", "空の拠点"]
    hoso, aoba = rows[0], rows[1]
    assert hoso[1] == "広域型在宅医療連携拠点運営支援事業、在宅医療・介護連携推進事業"
    assert aoba[2] == "0/8"
    b2 = 3 + 2 * 1  # 0-based: 拠点, 事業, 必須, B-1 状況, B-1 実績, B-2 状況 …
    assert hoso[b2 : b2 + 2] == ["達成", "2人（目標1人以上）"]
    assert aoba[b2 : b2 + 2] == ["未達成", "0人（目標1人以上）"]
    assert "対象外" in aoba and rows[2][1] in ("", None)
    for row in sheet.iter_rows():
        for cell in row:
            assert not (isinstance(cell.value, str) and INTERNAL.search(cell.value)), cell.value
    assert "茨城の拠点" not in [r[0] for r in rows]

    with app.app_context():
        audited = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "compliance_prefecture")).all()
        assert [a.action for a in audited] == [AuditAction.EXPORT]


def test_an_admin_sees_every_hub(client, login_as, hubs):
    login_as("admin")
    page = client.get(f"/compliance/prefecture?year={YEAR}").data.decode()
    assert "茨城の拠点" in page and "青葉在宅医療拠点" in page


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_others_are_refused(client, login_as, hubs, role):
    login_as(role)
    assert client.get("/compliance/prefecture").status_code == 403
    assert client.get("/compliance/prefecture.xlsx").status_code == 403
