"""The evidence pack is a document a clerk hands to the prefecture unedited (issue 14): Japanese sheet and
file names, every code by its Japanese label, citations by document title (no storage file names), real
date cells, widths and a frozen header on every sheet, a 出席者名簿 unless the hub must not send names, and
a planned meeting only ever as 「予定」."""

import csv
import importlib
import io
import pkgutil
import zipfile
from datetime import date, time, timedelta
from enum import StrEnum

import openpyxl
import pytest
import sqlalchemy as sa

import hubapp
from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance import services as compliance
from hubapp.compliance.models import Enrollment
from hubapp.core.services import today
from hubapp.directory.models import OrganisationType, Person, Profession
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from hubapp.meetings import documents
from hubapp.meetings import services as meetings
from hubapp.meetings.models import AttendanceStatus, Meeting, MeetingDocument

YEAR = FiscalYear.of(today()).year
PLANNED = "来週の多職種連携会議"


def _enum_values() -> set[str]:
    """Every value of every StrEnum defined in the hubapp package: none may reach a cell."""
    for module in pkgutil.walk_packages(hubapp.__path__, "hubapp."):
        if module.name.endswith(("models", "evaluate")) or ".models." in module.name:
            importlib.import_module(module.name)
    values, todo = set(), list(StrEnum.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("hubapp."):
            values.update(m.value for m in cls)
    return values


@pytest.fixture
def pack(app, client, login_as, hub, create_organisation, create_person, create_meeting):
    """``pack(**config)``: the coordinator's pack.zip for a 年度 with a held meeting (an invitee from a
    visiting-nurse station, a proxy, a walk-in, minutes) and a planned one with RSVPs."""
    station = create_organisation("訪問看護ステーションかとり", OrganisationType.VISITING_NURSING)
    kato = create_person("加藤 真由美", Profession.NURSE, organisation_id=station.id)
    ikeda = create_person("池田 誠", Profession.PHARMACIST)
    held = create_meeting(
        "第1回 多職種連携会議", day=today(), start=time(0, 0), end=time(0, 30), topics=["issue_extraction"]
    )
    coming = create_meeting(PLANNED, day=min(today() + timedelta(days=7), FiscalYear(YEAR).end), start=time(23, 30),
                            end=time(23, 45))  # fmt: skip
    with app.app_context():
        meeting = db.session.get(Meeting, held.id)
        people = [db.session.get(Person, p.id) for p in (kato, ikeda)]
        first, second = meetings.invite(meeting, people)
        meetings.mark_attendance(meeting, first, AttendanceStatus.PRESENT)
        meetings.mark_attendance(meeting, second, AttendanceStatus.PROXY, "池田 代理")
        meetings.add_walk_in(meeting, "飛び入り 太郎", Profession.CARE_MANAGER, "香取ケアプラン")
        documents.store(meeting, "minutes", "議事要旨.pdf", b"%PDF-1.4\n%%EOF\n", None)
        later = db.session.get(Meeting, coming.id)
        yes, no = meetings.invite(later, people)
        meetings.mark_attendance(later, yes, AttendanceStatus.ATTENDING)
        meetings.mark_attendance(later, no, AttendanceStatus.DECLINED)
        for code in ("C", "SUISHIN"):
            db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code=code))
        db.session.commit()
    login_as("coordinator")

    def get(**config):
        app.config.update(config)
        response = client.get(f"/compliance/pack.zip?year={YEAR}")
        assert response.status_code == 200
        return zipfile.ZipFile(io.BytesIO(response.data))

    return get


def _book(archive):
    return openpyxl.load_workbook(io.BytesIO(archive.read("証拠書類.xlsx")))


def test_no_internal_code_no_storage_name_dates_widths_and_frozen_headers(app, pack):
    archive = pack()
    book = _book(archive)
    codes = _enum_values()
    assert {"multidisciplinary", "case_conference", "visiting_nursing", "pharmacy", "met", "present"} <= codes
    with app.app_context():
        stored = set(db.session.scalars(sa.select(MeetingDocument.stored_name)))
        storage = {p.seed for p in compliance.programs().values()} | stored
    for sheet in book.worksheets:
        assert sheet.title not in codes and "SUISHIN" not in sheet.title and not sheet.title.startswith("C ")
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.column_dimensions["A"].width and sheet.column_dimensions["B"].width, sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.value not in codes, (sheet.title, cell.coordinate, cell.value)
                    assert not any(name in cell.value for name in storage), (sheet.title, cell.value)
                    assert "SUISHIN" not in cell.value
    for name in archive.namelist():
        assert "SUISHIN" not in name and not any(s in name for s in storage), name
    assert "C-1 医療及び介護、障害福祉の関係者による会議の定期的な開催"[:31] in book.sheetnames
    assert any(n.startswith("csv/") and "C-1 医療及び介護" in n for n in archive.namelist())

    summary = list(book["概要"].iter_rows(values_only=True))
    cited = {r[1]: r[7] for r in summary[1:]}
    assert cited["C-1"] == "千葉県 在宅医療連携促進支援事業について 具体的な取組例 ①"
    detail = book["会議と参加者"]
    assert detail.freeze_panes == "A2"
    dates = [row[0] for row in detail.iter_rows(min_row=2)]
    assert dates and all(isinstance(c.value, date) and "ggge" in c.number_format for c in dates)
    types = {r[5] for r in detail.iter_rows(min_row=2, values_only=True)}
    assert "訪問看護ステーション" in types


def test_the_roster_and_the_setting_that_leaves_names_out(app, hub, pack):
    book = _book(pack())
    roster = list(book["出席者名簿"].iter_rows(values_only=True))
    assert roster[0] == ("日付", "会議", "氏名", "職種", "所属", "出欠")
    people = {r[2]: r for r in roster[1:]}
    assert people["加藤 真由美"][3:] == ("看護師", "訪問看護ステーションかとり", "出席")
    assert people["池田 代理"][5] == "代理（池田 誠の代理）"
    assert "飛び入り 太郎" in people and PLANNED not in {r[1] for r in roster}
    with app.app_context():
        db.session.get(Hub, hub.id).pack_attendee_names = False
        db.session.commit()
    archive = pack()
    book = _book(archive)
    assert "出席者名簿" not in book.sheetnames
    assert not any("出席者名簿" in n for n in archive.namelist())
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not {"加藤 真由美", "池田 誠", "飛び入り 太郎"} & set(row), sheet.title


def test_a_planned_meeting_appears_only_as_planned(pack):
    archive = pack()
    book = _book(archive)
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if PLANNED in row:
                seen.append((sheet.title, row))
    assert seen, "listed on the meeting items' sheets, as 予定"
    for title, row in seen:
        assert title.startswith(("C-", "イ", "ア", "ウ", "エ", "オ", "カ", "キ")), title
        assert "数える" not in row and any("予定" in str(v) for v in row if v != PLANNED), (title, row)
    for name in archive.namelist():
        if name.startswith("csv/") and any(t in name for t in ("会議と参加者", "職種別参加数", "出席者名簿")):
            assert PLANNED not in archive.read(name).decode("utf-8-sig")
    counts = list(book["職種別参加数"].iter_rows(values_only=True))
    assert counts[-1][0] == "合計" and counts[-1][1] == "1回" and counts[-1][-1] == 3


def test_western_dates_when_the_prefecture_wants_them(pack):
    archive = pack(EXPORT_DATE_STYLE="western")
    cell = _book(archive)["会議と参加者"]["A2"]
    assert isinstance(cell.value, date) and cell.number_format == "yyyy/mm/dd"
    name = next(n for n in archive.namelist() if n.startswith("csv/") and "会議と参加者" in n)
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert rows[1][0] == today().strftime("%Y/%m/%d")
    wareki = pack(EXPORT_DATE_STYLE="wareki")
    rows = list(csv.reader(io.StringIO(wareki.read(name).decode("utf-8-sig"))))
    assert rows[1][0].startswith("令和")
