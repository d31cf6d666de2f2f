"""実績・要件 pages: enrolment, hand tags, manual evidence, program D's plan; the prefecture reads and never
edits; another hub's meetings cannot be tagged; a fixed number of queries."""

from datetime import date, timedelta

import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance.models import Enrollment, ItemLink, ManualEvidence, PlanEntry
from hubapp.core.services import today
from hubapp.extensions import db

YEAR = FiscalYear.of(today()).year


def _rows(app, model):
    with app.app_context():
        return list(db.session.scalars(sa.select(model)))


def test_coordinator_enrols_tags_and_records(app, client, login_as, hub, create_meeting):
    login_as("coordinator")
    assert "報告する事業が選ばれていません" in client.get("/compliance/").data.decode()
    client.post(f"/compliance/enrol?year={YEAR}", data={"programs": ["A", "SUISHIN"]})
    assert {e.program_code for e in _rows(app, Enrollment)} == {"A", "SUISHIN"}
    page = client.get("/compliance/").data.decode()
    assert 'data-testid="item-A-A-1"' in page and "0回（目標4回以上）" in page and "未達成" in page

    group_work = create_meeting("グループワーク", day=FiscalYear(YEAR).start + timedelta(days=10), kind="working_group")
    client.post(
        f"/compliance/link?year={YEAR}",
        data={"program": "A", "item": "A-1", "meeting": group_work.id, "mode": "include"},
    )
    assert [(link.item_code, link.mode.value) for link in _rows(app, ItemLink)] == [("A-1", "include")]
    from hubapp.audit.models import AuditLog

    with app.app_context():  # the hand tag is in the audit trail
        audited = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.entity == "compliance_links")).all()
        assert [a.value for a in audited] == ["create"]
    assert "1回（目標4回以上）" in client.get("/compliance/").data.decode()

    with app.app_context():
        manual = next(i.code for i in app.extensions["compliance_programs"]["A"].items if i.rule.type == "manual")
    done = client.post(
        f"/compliance/evidence?year={YEAR}",
        data={"program": "A", "item": manual, "note": "24時間の連絡体制を定めた", "is_done": "1"},
        follow_redirects=True,
    )
    assert "記録を保存しました" in done.data.decode()
    refused = client.post(
        f"/compliance/evidence?year={YEAR}",
        data={"program": "A", "item": manual, "note": "", "is_done": "1"},
        follow_redirects=True,
    )
    assert "実施した内容を記録してください" in refused.data.decode()
    assert [(e.note, e.is_done) for e in _rows(app, ManualEvidence)] == [("24時間の連絡体制を定めた", True)]
    unknown = client.post(
        f"/compliance/evidence?year={YEAR}", data={"program": "Z", "item": "1", "note": "x"}, follow_redirects=True
    )
    assert "事業または項目が見つかりません" in unknown.data.decode()


def test_a_line_break_in_the_item_is_explained_not_a_500(app, client, login_as):
    """Found by tests/test_fuzz_forms.py: the posted item went into the Location header's anchor, where a
    line break raised (a 500). A refused post now comes back as the page itself, with the message."""
    login_as("coordinator")
    response = client.post(
        f"/compliance/evidence?year={YEAR}", data={"program": "A\r\nSet-Cookie: x=1", "item": "1", "note": "x"}
    )
    assert response.status_code == 200
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("x=")]
    assert "事業または項目が見つかりません" in response.data.decode()
    assert _rows(app, ManualEvidence) == []


def test_another_hubs_meeting_cannot_be_tagged(app, client, login_as, create_hub, create_meeting):
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    theirs = create_meeting("よその会議", day=FiscalYear(YEAR).start + timedelta(days=5), hub_id=other.id)
    login_as("coordinator")
    response = client.post(
        f"/compliance/link?year={YEAR}",
        data={"program": "A", "item": "A-1", "meeting": theirs.id, "mode": "include"},
        follow_redirects=True,
    )
    assert "この年度の拠点の会議を選んでください" in response.data.decode()
    assert _rows(app, ItemLink) == []


def test_plan_for_program_d(app, client, login_as):
    login_as("coordinator")
    with app.app_context():
        menu = app.extensions["compliance_programs"]["D"].menus[0]
    page = client.get(f"/compliance/plan/D?year={YEAR}")
    assert page.status_code == 200 and menu.title in page.data.decode()
    client.post(
        f"/compliance/plan/D?year={YEAR}",
        data={f"{menu.code}-subsidy": "1", f"{menu.code}-description": "資源マップを作る", f"{menu.code}-start": "R8"},
    )
    (entry,) = _rows(app, PlanEntry)
    assert (entry.menu_code, entry.subsidy_requested, entry.start_year) == (menu.code, True, "R8")
    bad = client.post(f"/compliance/plan/D?year={YEAR}", data={f"{menu.code}-start": "R99"}, follow_redirects=True)
    assert "開始年度" in bad.data.decode() and _rows(app, PlanEntry)[0].start_year == "R8"
    assert client.get(f"/compliance/plan/A?year={YEAR}").status_code == 404


def test_the_prefecture_reads_every_hub_and_edits_nothing(app, client, login_as, hub):
    with app.app_context():
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code="C"))
        db.session.commit()
    login_as("prefecture")
    table = client.get("/compliance/prefecture").data.decode()
    assert hub.name in table and "C-1" in table
    page = client.get("/compliance/").data.decode()
    assert "C-1" in page
    assert "記録を保存" not in page and "報告する事業（" not in page
    for url in ("/compliance/enrol", "/compliance/link", "/compliance/evidence"):
        assert client.post(url, data={"programs": ["A"]}).status_code == 403
    assert client.post("/compliance/plan/D", data={}).status_code == 403
    assert [e.program_code for e in _rows(app, Enrollment)] == ["C"]


def test_members_cannot_open_it(client, login_as):
    login_as("member")
    assert client.get("/compliance/").status_code == 403


def test_the_page_takes_a_fixed_number_of_queries(app, client, login_as, hub, create_meeting, count_queries):
    with app.app_context():
        for code in ("A", "B", "C", "D", "E", "SUISHIN"):
            db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code=code))
        db.session.commit()
    login_as("coordinator")
    start = FiscalYear(YEAR).start

    def measure() -> int:
        client.get("/compliance/")
        with count_queries() as counted:
            assert client.get("/compliance/").status_code == 200
        return counted.n

    create_meeting("会議", day=start + timedelta(days=1))
    few = measure()
    for k in range(25):
        create_meeting(f"会議{k}", day=min(start + timedelta(days=2 + k), date(YEAR + 1, 3, 31)), topics=["disaster"])
    assert measure() == few


def test_documents_as_evidence(app, client, login_as, hub, tmp_path):
    import io
    import zipfile
    from pathlib import Path

    from hubapp.compliance.models import EvidenceDocument

    with app.app_context():
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code="E"))
        db.session.commit()
        manual = next(i.code for i in app.extensions["compliance_programs"]["E"].items if i.rule.type == "manual")
    login_as("coordinator")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    client.post(
        f"/compliance/documents?year={YEAR}",
        data={"program": "E", "item": manual, "file": (io.BytesIO(pdf), "協議会 議事録.pdf")},
        content_type="multipart/form-data",
    )
    refused = client.post(
        f"/compliance/documents?year={YEAR}",
        data={"program": "E", "item": manual, "file": (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert refused.status_code == 200 and "flash--error" in refused.data.decode()
    (document,) = _rows(app, EvidenceDocument)
    folder = Path(app.instance_path, "uploads", "compliance", str(hub.id))
    assert [p.name for p in folder.iterdir()] == [document.stored_name]  # the refused file left nothing behind
    page = client.get("/compliance/").data.decode()
    assert "協議会 議事録.pdf" in page and "資料1件" in page
    download = client.get(f"/compliance/documents/{document.id}")
    assert download.status_code == 200 and download.data == pdf
    download.close()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/compliance/pack.zip?year={YEAR}").data))
    assert any(n.startswith("evidence/E_") and n.endswith("議事録.pdf") for n in archive.namelist())
    client.post(f"/compliance/documents/{document.id}/delete")
    assert _rows(app, EvidenceDocument) == [] and list(folder.iterdir()) == []
