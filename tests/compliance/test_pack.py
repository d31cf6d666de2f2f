"""The evidence pack: the XLSX opens with openpyxl and the CSV with the csv module, the attendee table
matches the meetings recorded, the manifest's hashes match the files, and a formula-looking cell is
neutralised."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, time

import openpyxl
import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.directory.models import Profession
from hubapp.extensions import db
from hubapp.meetings import documents
from hubapp.meetings import services as meetings
from hubapp.meetings.models import AttendanceStatus, Meeting

YEAR = FiscalYear.of(today()).year


def _attend(app, meeting_id, people):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        for name, profession, organisation in people:
            participant = meetings.add_walk_in(meeting, name, profession, organisation)
            meetings.mark_attendance(meeting, participant, AttendanceStatus.PRESENT)
        db.session.commit()


def test_the_pack_holds_the_tables_the_files_and_a_true_manifest(app, client, login_as, hub, create_meeting):
    start = FiscalYear(YEAR).start
    held = {"start": time(0, 0), "end": time(0, 30)}  # both held whenever the test runs (only those are listed)
    first = create_meeting('=HYPERLINK("http://evil")会議', day=start, **held)
    second = create_meeting("第2回 多職種連携会議", day=today(), topics=["disaster"], **held)
    _attend(app, first.id, [("甲 医師", Profession.PHYSICIAN, "北総病院"), ("乙 看護", Profession.NURSE, "訪看A")])
    _attend(app, second.id, [("丙 薬剤", Profession.PHARMACIST, "=1+1薬局"), ("丁 看護", Profession.NURSE, "訪看B")])
    with app.app_context():
        documents.store(db.session.get(Meeting, second.id), "minutes", "議事要旨.pdf", b"%PDF-1.4\n%%EOF\n", None)
        db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code="A"))
        db.session.commit()
    login_as("coordinator")
    response = client.get(f"/compliance/pack.zip?year={YEAR}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["path"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
    assert any(n.startswith("documents/") and n.endswith("議事要旨.pdf") for n in names)

    book = openpyxl.load_workbook(io.BytesIO(archive.read("証拠書類.xlsx")))
    assert "概要" in book.sheetnames and "A-1 多職種が一堂に会する場の設定（年４回以上）" in book.sheetnames
    attendees = list(book["会議と参加者"].iter_rows(values_only=True))
    assert attendees[0][:5] == ("日付", "会議", "種類", "職種", "所属機関")
    recorded = sorted((r[1], r[3], r[4]) for r in attendees[1:])
    assert all(isinstance(r[0], date) for r in attendees[1:])
    assert recorded == sorted(
        [
            ('\'=HYPERLINK("http://evil")会議', "医師", "北総病院"),
            ('\'=HYPERLINK("http://evil")会議', "看護師", "訪看A"),
            ("第2回 多職種連携会議", "薬剤師", "'=1+1薬局"),
            ("第2回 多職種連携会議", "看護師", "訪看B"),
        ]
    )
    assert all(cell.data_type != "f" for row in book["会議と参加者"].iter_rows() for cell in row)
    counts = {r[1]: r for r in book["職種別参加数"].iter_rows(values_only=True)}
    assert counts["第2回 多職種連携会議"][-1] == 2
    assert counts["2回"][0] == "合計" and counts["2回"][-1] == 4  # the totals row

    csv_name = next(n for n in names if n.startswith("csv/") and "会議と参加者" in n)
    raw = archive.read(csv_name)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted((r[1], r[3], r[4]) for r in rows[1:]) == recorded


def test_the_export_is_audited_and_members_cannot_get_it(app, client, login_as):
    from hubapp.audit.models import AuditLog

    login_as("member")
    assert client.get("/compliance/pack.zip").status_code == 403
    client.post("/logout")
    login_as("coordinator")
    assert client.get("/compliance/pack.zip").status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(AuditLog.entity).where(AuditLog.entity == "compliance_pack")).all()
