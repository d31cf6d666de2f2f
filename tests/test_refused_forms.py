"""A refused post keeps what the user typed: every form is posted with one invalid field, and the page
that comes back shows the error beside that field and every other value as it was typed (the house's
one form pipeline: WTForms → service → the rule's error on its field)."""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from hubapp.core.services import today
from hubapp.extensions import db
from tests.support.html_forms import error_beside, form_with


@dataclass(frozen=True)
class Case:
    role: str  # a login_as role, or "user:<name>" for a user a fixture made
    url: str  # may name fixture values: {central}, {request}
    good: dict  # every field, as typed
    bad: tuple[str, str]  # the field made invalid, and its value
    error: str  # part of the message expected beside it
    kept: tuple[str, ...] | None = None  # the fields whose values must survive (default: every other one)


def _agreement(**changes) -> dict:
    return {
        "hospital": "{central_hospital}",
        "beds_secured": "3",
        "hours": "partial",
        "starts": "18:00",
        "ends": "08:00",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
        "contract_ref": "R8-099",
        "note": "夜間のみ",
        "managers": "{manager}",
    } | changes


CASES = {
    "beds agreement: end before start": Case(
        "coordinator", "/beds/agreements", _agreement(), ("valid_to", "2026-03-01"), "終了日は開始日以降"
    ),
    "beds agreement: beds out of range": Case(
        "coordinator", "/beds/agreements", _agreement(), ("beds_secured", "100"), "確保病床数は1〜99"
    ),
    "beds agreement: a time that is none": Case(
        "coordinator", "/beds/agreements", _agreement(), ("starts", "25:00"), "時刻を"
    ),
    "beds agreement edit: no hospital": Case(
        "coordinator", "/beds/agreements/{central}", _agreement(), ("hospital", "0"), "協力病院を"
    ),
    "beds agreement edit: not a manager": Case(
        "coordinator", "/beds/agreements/{central}", _agreement(), ("managers", "999999"), "病床管理者から"
    ),
    "bed request: no reason": Case(
        "physician",
        "/beds/requests/new?agreement={central}",
        {"patient_code": "K-0100", "age_band": "65_74", "urgency": "today", "reason": "発熱"},
        ("reason", ""),
        "依頼の理由",
    ),
    "bed request: a name for a code": Case(
        "physician",
        "/beds/requests/new?agreement={central}",
        {"patient_code": "K-0100", "age_band": "65_74", "urgency": "today", "reason": "発熱"},
        ("patient_code", "山田 太郎"),
        "",
    ),
    "bed figure: over the beds secured": Case(
        "user:bm-hokuso",
        "/beds/availability",
        {"agreement": "{central}", "day": "{today}", "free_beds": "0"},
        ("free_beds", "5"),
        "空床数は0〜1",
        kept=(),
    ),
    "bed answer: declined without a reason": Case(
        "user:bm-hokuso",
        "/beds/requests/{request}/answer",
        {"decision": "decline", "decline_reason": "満床"},
        ("decline_reason", ""),
        "お断りの理由を入力",
        kept=(),
    ),
    "compliance evidence: done without a record": Case(
        "coordinator",
        "/compliance/evidence",
        {"program": "E", "item": "{manual_item}", "note": "研修会を開いた", "is_done": "1"},
        ("note", ""),
        "実施した内容を記録",
    ),
    "compliance evidence: a record too long": Case(
        "coordinator",
        "/compliance/evidence",
        {"program": "E", "item": "{manual_item}", "note": "研修会を開いた", "is_done": "1"},
        ("note", "記" * 4001),
        "4000文字以内",
        kept=("is_done", "program", "item"),
    ),
    "compliance document: not a document": Case(
        "coordinator",
        "/compliance/documents",
        {"program": "E", "item": "{manual_item}", "file": (b"MZ\x90\x00binary", "tool.pdf")},
        ("file", (b"MZ\x90\x00binary", "tool.exe")),
        "",
        kept=("program", "item"),
    ),
    "compliance enrolment: an unknown program": Case(
        "coordinator", "/compliance/enrol", {"programs": "A"}, ("programs", "ZZ"), "不明な事業", kept=()
    ),
    "compliance plan: a start year not offered": Case(
        "coordinator",
        "/compliance/plan/D",
        {"D-M1-subsidy": "y", "D-M1-start": "{d_start}", "D-M1-description": "多職種の会議を年4回"},
        ("D-M1-start", "1999"),
        "開始年度",
    ),
    "audit review: a period ending before it starts": Case(
        "admin",
        "/audit/reviews",
        {"from": "2026-04-01", "to": "2026-06-30", "note": "異常なし"},
        ("to", "2026-03-01"),
        "開始日が終了日以前",
    ),
    "audit review: not a day": Case(
        "admin",
        "/audit/reviews",
        {"from": "2026-04-01", "to": "2026-06-30", "note": "異常なし"},
        ("from", "4月1日"),
        "2026-04-01 の形",
    ),
    "rota group new: no name": Case(
        "coordinator",
        "/rota/groups/new",
        {"name": "在宅医グループ", "backup_hospital": ""},
        ("name", ""),
        "グループ名を",
    ),
    "rota group settings: a deadline that is none": Case(
        "coordinator",
        "/rota/groups/{group}/settings",
        {"name": "在宅医グループ北", "deadline_day": "20", "started_on": "2026-10-01", "swaps_need_approval": "1"},
        ("deadline_day", "31"),
        "締切日は1〜28日",
    ),
    "rota shift: the same start and end": Case(
        "coordinator",
        "/rota/groups/{group}/shifts",
        {"name": "深夜", "applies_on": "weekday", "starts": "22:00", "ends": "06:00", "is_night": "1"},
        ("ends", "22:00"),
        "別の時刻",
    ),
    "rota shift edit: not a time": Case(
        "coordinator",
        "/rota/groups/{group}/shifts",
        {"shift": "{shift}", "name": "平日夜間", "applies_on": "weekday", "starts": "18:00", "ends": "08:30"},
        ("starts", "25:00"),
        "時刻を",
    ),
    "rota holiday: not a day": Case(
        "coordinator",
        "/rota/groups/{group}/holidays",
        {"day": "2026-08-14", "name": "お盆"},
        ("day", "2026-13-01"),
        "日付を正しく",
    ),
    "rota member: 常勤換算 out of range": Case(
        "coordinator",
        "/rota/groups/{group}/members/{member}",
        {"fte": "0.8", "cap": "6", "user": "", "secondary_only": "1", "is_active": "1"},
        ("fte", "1.5"),
        "常勤換算は0.1〜1.0",
    ),
    "rota member new: a cap that is not a number": Case(
        "coordinator",
        "/rota/groups/{group}",
        {"person": "{spare}", "user": "", "fte": "0.5", "cap": "4", "is_new": "1"},
        ("cap", "四"),
        "月の上限は0〜31回",
    ),
    "rota unavailability: ends before it starts": Case(
        "coordinator",
        "/rota/groups/{group}/unavailability",
        {
            "member": "{member}",
            "first_day": "2026-12-05",
            "last_day": "2026-12-10",
            "kind": "prefer_not",
            "note": "学会",
        },
        ("last_day", "2026-12-01"),
        "終了日は開始日以降",
    ),
    "rota mine: ends before it starts": Case(
        "user:dr-mine",
        "/rota/mine",
        {"first_day": "{in_40_days}", "last_day": "{in_42_days}", "kind": "prefer_not", "note": "学会"},
        ("last_day", "{today}"),
        "終了日は開始日以降",
    ),
    "rota pair: the same physician twice": Case(
        "coordinator",
        "/rota/pairs",
        {
            "group": "{group}",
            "patient_code": "K-0200",
            "attending": "{member}",
            "deputy": "{member2}",
            "started_on": "{today}",
        },
        ("deputy", "{member}"),
        "別の医師を",
    ),  # fmt: skip
    "rota log: no time between start and end": Case(
        "coordinator",
        "/rota/logs",
        {
            "member": "{member}",
            "kind": "substitute",
            "day": "{today}",
            "start": "10:00",
            "end": "11:00",
            "patient_code": "K-0300",
            "note": "往診の代診",
        },
        ("end", "10:00"),
        "開始時刻と終了時刻が同じ",
    ),  # fmt: skip
    "meeting: ends before it starts": Case(
        "coordinator",
        "/meetings/new",
        {"kind": "multidisciplinary", "title": "多職種連携会議", "day": "{tomorrow}", "start_time": "18:00",
         "end_time": "19:30", "place": "市役所 第1会議室", "agenda": "退院支援の流れ"},
        ("end_time", "17:00"),
        "終了時刻は開始時刻より後",
    ),
    "directory person: an organisation not offered": Case(
        "coordinator",
        "/directory/people/new",
        {"name": "田中 花子", "name_kana": "タナカ ハナコ", "profession": "nurse", "organisation_id": "0",
         "job_title": "主任", "phone": "0478-00-0000"},
        ("organisation_id", "999999"),
        "選択肢",
    ),
    "directory function: a separator in the name": Case(
        "admin", "/directory/functions", {"label": "訪問歯科"}, ("label", "訪問、歯科"), "使えません"
    ),
}  # fmt: skip


@pytest.fixture
def values(app, beds, hub, create_person, create_user):
    from hubapp.beds import services
    from hubapp.beds.models import BedAgreement
    from hubapp.common.jpcalendar import FiscalYear
    from hubapp.common.roles import Role
    from hubapp.compliance.models import Enrollment
    from hubapp.db import utcnow
    from hubapp.directory.models import Person, Profession
    from hubapp.rota import services as rota

    doctor, spare, colleague = (
        create_person(n, Profession.PHYSICIAN) for n in ("髙橋 健一", "山吹 さやか", "佐藤 一郎")
    )
    login = create_user("dr-mine", Role.PHYSICIAN, hubs=(hub,))

    with app.app_context():
        year = FiscalYear.of(today()).year
        db.session.add_all(Enrollment(hub_id=hub.id, fiscal_year=year, program_code=c) for c in ("D", "E"))
        programs = app.extensions["compliance_programs"]
        manual = next(i.code for i in programs["E"].items if i.rule.type == "manual")
        agreement = db.session.get(BedAgreement, beds["central"])
        services.post_availability(agreement, today(), 1, beds["manager"], None, utcnow())
        held = services.request_bed(
            agreement,
            beds["manager"],
            patient_code="K-0001",
            age_band="65_74",
            reason="発熱",
            urgency="today",
            now=utcnow(),
            stale_hours=24,
        )
        group = rota.create_group(hub.id, "在宅医グループ")
        member = rota.add_member(group, db.session.get(Person, doctor.id), user_id=login.id)
        member2 = rota.add_member(group, db.session.get(Person, colleague.id))
        db.session.commit()
        return {
            "group": group.id,
            "member": member.id,
            "member2": member2.id,
            "shift": group.shift_types[0].id,
            "spare": spare.id,
            "central": beds["central"],
            "central_hospital": agreement.hospital_id,
            "manager": beds["manager"],
            "request": held.id,
            "today": today().isoformat(),
            "in_40_days": (today() + timedelta(days=40)).isoformat(),
            "in_42_days": (today() + timedelta(days=42)).isoformat(),
            "manual_item": manual,
            "d_start": programs["D"].menus[0].start_years[0],
            "tomorrow": (today() + timedelta(days=1)).isoformat(),
        }


def _counts(app) -> dict:
    with app.app_context():
        return {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables
            if not t.name.startswith("audit")
        }


@pytest.mark.parametrize("name", CASES)
def test_a_refused_post_shows_the_error_beside_its_field_and_keeps_the_rest(name, app, client, login, login_as, values):
    case = CASES[name]
    if case.role.startswith("user:"):
        login(case.role.removeprefix("user:"))
    else:
        login_as(case.role)

    def fill(value):
        if isinstance(value, tuple):  # a file: its bytes and name
            return (io.BytesIO(value[0]), value[1])
        return value.format(**values)

    data = {k: fill(v) for k, v in case.good.items()} | {case.bad[0]: fill(case.bad[1])}
    before = _counts(app)
    files = any(isinstance(v, tuple) for v in data.values())
    response = client.post(fill(case.url), data=data, content_type="multipart/form-data" if files else None)
    html = response.data.decode()
    assert response.status_code == 200, (name, response.status_code, response.headers.get("Location"))
    beside = error_beside(html, case.bad[0])
    assert beside, f"{name}: no error beside {case.bad[0]}"
    assert case.error in beside, (name, beside)
    form = form_with(html, case.bad[0])
    for kept in case.good.keys() - {case.bad[0]} if case.kept is None else case.kept:
        assert form.values(kept) == [fill(case.good[kept])], (name, kept, form.values(kept))
    assert _counts(app) == before, f"{name}: a refused post changed something"
