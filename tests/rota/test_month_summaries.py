"""Months before 運用開始日, summarised by hand with their evidence (issue 14 point 2): entered on the group's
page with the rota they come from, refused without it or with impossible figures (changing nothing),
counted by C-3-c as 「手入力の集計（資料あり）」 beside the app's own rota, shown in the report and the pack
with the document, audited, and invisible to another hub.

The group starts using the app on 令和7年12月1日, so 令和7年度 (wholly past) is the 年度 under test and no
figure depends on today's date."""

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.common.roles import Role
from hubapp.compliance import evaluate
from hubapp.compliance.models import Enrollment
from hubapp.compliance.programs import Item, Program, Rule
from hubapp.core.services import today
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from hubapp.rota import summaries
from hubapp.rota.models import MonthSummary, PhysicianGroup, SummaryDocument

YEAR = 2025
STARTED = date(2025, 12, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["日付", "主", "副"])
    workbook.active.append([date(2025, 4, 1), "医師0", "医師1"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def started(app, group_id):
    with app.app_context():
        db.session.get(PhysicianGroup, group_id).started_on = STARTED
        db.session.commit()
    return group_id


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _post(client, group_id, rows: dict[str, tuple[str, str]], file=("当番表_4-11月.xlsx", None), **extra):
    data = {"note": "旧Excelの当番表から集計", **extra}
    for key, (slots, covered) in rows.items():
        data[f"slots-{key}"], data[f"covered-{key}"] = slots, covered
    if file is not None:
        name, content = file
        data["file"] = (io.BytesIO(_xlsx() if content is None else content), name)
    return client.post(
        f"/rota/groups/{group_id}/summaries", data=data, content_type="multipart/form-data", follow_redirects=True
    )


def test_the_months_before_the_start_of_use_are_offered_with_the_slots_of_the_current_shifts(app, started):
    with app.app_context():
        group = db.session.get(PhysicianGroup, started)
        months = summaries.summary_months(group)
        assert [m.month for m in months] == [date(2025, m, 1) for m in range(4, 12)]
        april = months[0]
        # the default shifts: 平日夜間 on working days, 休日日中 and 休日夜間 on 休日 (昭和の日 4/29 is one)
        days_off = sum(1 for d in range(1, 31) if date(2025, 4, d).weekday() >= 5) + 1
        assert april.suggested_slots == (30 - days_off) + 2 * days_off and april.label == "4月"
        group.started_on = date(2025, 12, 15)  # a start in the middle of a month: its first 14 days too
        assert summaries.summary_months(group)[-1].label == "12月（1日〜14日）"
        group.started_on = date(2025, 4, 1)
        assert summaries.summary_months(group) == []  # nothing before the 年度's first day
        group.started_on = None
        assert summaries.summary_months(group) == []


def test_a_summary_with_its_evidence_counts_beside_the_apps_rota(app, client, login_as, hub, started):
    login_as("coordinator")
    page = client.get(f"/rota/groups/{started}").data.decode()
    assert 'id="summaries"' in page and "4月" in page and "11月" in page
    done = _post(client, started, {"2025-04": ("", "30"), "2025-05": ("60", "60")})
    assert "手入力の集計を資料とともに登録しました" in done.data.decode()
    with app.app_context():
        document = db.session.scalars(sa.select(SummaryDocument)).one()
        rows = {m.month: (m.slots, m.covered) for m in document.months}
        april = summaries.summary_months(db.session.get(PhysicianGroup, started))[0]
        assert rows == {date(2025, 4, 1): (april.suggested_slots, 30), date(2025, 5, 1): (60, 60)}
        assert document.filename == "当番表_4-11月.xlsx" and document.note == "旧Excelの当番表から集計"
        stored = Path(summaries.path_of(document)).read_bytes()
        assert stored.startswith(b"PK")
        document_id = document.id
        logged = set(db.session.scalars(sa.select(AuditLog.entity).where(AuditLog.hub_id == hub.id)))
    assert {"rota_summary_documents", "rota_month_summaries"} <= logged

    page = client.get(f"/rota/groups/{started}").data.decode()
    assert "当番表_4-11月.xlsx" in page and "30/39" in page
    assert 'name="covered-2025-04"' not in page and 'name="covered-2025-06"' in page  # summarised once only

    program = Program(
        "T", "試験事業", "000.txt", "試験県",
        (Item("R", "24時間体制", "§3", "24時間体制の構築", ("rota",), Rule("rota_coverage", {})),),
    )  # fmt: skip
    program.by_code["R"] = program.items[0]
    with app.app_context():
        facts = evaluate.gather(db.session.get(Hub, hub.id), YEAR, today())
        ((_p, (result,)),) = evaluate.evaluate([program], facts)
    coverage = facts.rota[0]
    assert coverage.counted_from == STARTED and coverage.covered == 0  # no duties in the app for 令和7年度
    assert coverage.manual == [(date(2025, 4, 1), 30, april.suggested_slots), (date(2025, 5, 1), 60, 60)]
    assert result.value == 90 and result.target == coverage.total + april.suggested_slots + 60
    assert "手入力の集計（資料あり）" in result.figure and "令和7年4月〜5月" in result.figure
    assert ("手入力の集計の資料: 当番表_4-11月.xlsx", f"/rota/summaries/{document_id}") in result.evidence

    download = client.get(f"/rota/summaries/{document_id}")
    assert download.status_code == 200 and download.data == stored
    download.close()


def test_the_report_and_the_pack_carry_the_summary_and_its_document(app, client, login_as, hub, started):
    with app.app_context():
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code="C"))
        db.session.commit()
    login_as("coordinator")
    _post(client, started, {"2025-04": ("80", "70")}, file=("当番表.pdf", PDF))
    report = client.get(f"/compliance/report?year={YEAR}").data.decode()
    assert "手入力の集計（資料あり） 70/80枠" in report
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/compliance/pack.zip?year={YEAR}").data))
    (name,) = [n for n in archive.namelist() if n.startswith("evidence/当番表_")]
    assert name.endswith("当番表.pdf") and archive.read(name) == PDF
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("証拠書類.xlsx")))["当番表"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    manual = next(r for r in rows if r[1] == "手入力の集計（資料あり）")
    assert manual[2].date() == date(2025, 4, 1) and manual[3].date() == date(2025, 4, 30) and manual[4:6] == [70, 80]
    assert any(r[1] == "合計" and r[4] == 70 for r in rows)


@pytest.mark.parametrize(
    ("rows", "file", "message"),
    [
        ({"2025-04": ("80", "81")}, ("当番表.pdf", PDF), "主・副のそろった枠は0〜80"),
        ({"2025-04": ("80", "-1")}, ("当番表.pdf", PDF), "主・副のそろった枠は0〜80"),
        ({"2025-04": ("0", "0")}, ("当番表.pdf", PDF), "枠の数は1〜720"),
        ({"2025-04": ("９９９９９", "1")}, ("当番表.pdf", PDF), "枠の数は1〜720"),
        ({"2025-04": ("80", "abc")}, ("当番表.pdf", PDF), "主・副のそろった枠は0〜80"),
        ({"2025-04": ("80", "")}, ("当番表.pdf", PDF), "4月: 主・副のそろった枠の数を入力"),
        ({"2025-12": ("80", "80")}, ("当番表.pdf", PDF), "集計する月の枠の数"),  # 運用開始日 onwards: not a row
        ({}, ("当番表.pdf", PDF), "集計する月の枠の数"),
        ({"2025-04": ("80", "70")}, None, "当番表（Excel や PDF）を選んで"),
        ({"2025-04": ("80", "70")}, ("tool.exe", b"MZ\x90\x00binary"), "この形式のファイルは登録できません"),
        ({"2025-04": ("80", "70")}, ("空.pdf", b""), "ファイルが空です"),
    ],
)
def test_a_bad_summary_is_refused_in_japanese_and_keeps_nothing(app, client, login_as, started, rows, file, message):
    login_as("coordinator")
    response = _post(client, started, rows, file=file)
    page = response.data.decode()
    assert response.status_code == 200 and "flash--error" in page, page
    assert message in page
    assert _count(app, SummaryDocument) == 0 and _count(app, MonthSummary) == 0
    folder = Path(app.instance_path, "uploads", "rota")
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_a_month_summarised_twice_is_refused(app, client, login_as, started):
    login_as("coordinator")
    _post(client, started, {"2025-04": ("80", "70")}, file=("当番表.pdf", PDF))
    again = _post(client, started, {"2025-04": ("80", "80"), "2025-05": ("80", "80")}, file=("当番表2.pdf", PDF))
    assert "4月の集計はもうあります" in again.data.decode()
    assert _count(app, SummaryDocument) == 1 and _count(app, MonthSummary) == 1


def test_deleting_the_document_deletes_its_months_and_its_file(app, client, login_as, hub, started):
    login_as("coordinator")
    _post(client, started, {"2025-04": ("80", "70"), "2025-05": ("80", "80")}, file=("当番表.pdf", PDF))
    with app.app_context():
        document = db.session.scalars(sa.select(SummaryDocument)).one()
        document_id, path = document.id, Path(summaries.path_of(document))
    assert path.exists()
    page = client.post(f"/rota/summaries/{document_id}/delete", follow_redirects=True).data.decode()
    assert "資料とその手入力の集計を削除しました" in page
    assert _count(app, SummaryDocument) == 0 and _count(app, MonthSummary) == 0 and not path.exists()
    with app.app_context():
        deleted = set(db.session.scalars(sa.select(AuditLog.entity).where(AuditLog.action == AuditAction.DELETE)))
    assert {"rota_summary_documents", "rota_month_summaries"} <= deleted


def test_a_summary_after_the_start_of_use_is_not_counted(app, client, login_as, hub, started):
    """Moving 運用開始日 earlier puts a summarised month under the app's own rota: it is not counted twice."""
    login_as("coordinator")
    _post(client, started, {"2025-04": ("80", "70"), "2025-11": ("80", "80")}, file=("当番表.pdf", PDF))
    with app.app_context():
        db.session.get(PhysicianGroup, started).started_on = date(2025, 11, 1)
        db.session.commit()
        coverage = evaluate.gather(db.session.get(Hub, hub.id), YEAR, today()).rota[0]
    assert coverage.manual == [(date(2025, 4, 1), 70, 80)]
    page = client.get(f"/rota/groups/{started}").data.decode()
    assert "運用開始日以降のため数えません" in page


def test_roles_and_hubs(app, client, login_as, login, create_user, create_hub, hub, started):
    login_as("coordinator")
    _post(client, started, {"2025-04": ("80", "70")}, file=("当番表.pdf", PDF))
    with app.app_context():
        document_id = db.session.scalars(sa.select(SummaryDocument.id)).one()
    client.post("/logout")
    login_as("physician")
    refused = client.get(f"/rota/summaries/{document_id}")
    assert refused.status_code == 403
    refused.close()
    assert client.post(f"/rota/summaries/{document_id}/delete").status_code == 403
    assert _post(client, started, {"2025-05": ("80", "70")}).status_code == 403
    client.post("/logout")
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    create_user("other-coordinator", Role.COORDINATOR, hubs=(other,))
    login("other-coordinator")
    missing = client.get(f"/rota/summaries/{document_id}")
    assert missing.status_code == 404
    missing.close()
    assert client.post(f"/rota/summaries/{document_id}/delete").status_code == 404
    assert _post(client, started, {"2025-05": ("80", "70")}).status_code == 404
    assert _count(app, SummaryDocument) == 1 and _count(app, MonthSummary) == 1


def test_an_oversized_evidence_file_is_refused_with_the_limit(app, client, login_as, started):
    app.config["MEETING_UPLOAD_MAX_BYTES"] = 1024
    login_as("coordinator")
    response = _post(client, started, {"2025-04": ("80", "70")}, file=("当番表.pdf", PDF + b"0" * 2048))
    assert response.status_code == 413 and "MB まで" in response.data.decode()
    assert _count(app, SummaryDocument) == 0
