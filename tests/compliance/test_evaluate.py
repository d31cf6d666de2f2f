"""Each rule type against a 年度 of recorded activity: met, partly met and unmet cases, the 年度 boundary
(March 31 / April 1), hand tags and unlinks, manual evidence, and a fixed number of queries."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hubapp.compliance import evaluate, services
from hubapp.compliance.evaluate import Status
from hubapp.compliance.models import LinkMode
from hubapp.directory.models import Profession
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from hubapp.meetings import services as meetings
from hubapp.meetings.models import AttendanceStatus, Meeting, MeetingKind

PROGRAM = """
[program]
code = "T"
title = "試験事業"
seed = "000.txt"
document = "試験県 試験事業の実施要綱"
authority = "試験県"

[[items]]
code = "M4"
title = "多職種連携会議 年4回以上"
passage = "1"
quote = "年4回以上"
domains = ["meetings"]
rule = { type = "meetings", kinds = ["multidisciplinary", "admin_managers"], min = 4 }

[[items]]
code = "M-ADMIN"
title = "行政担当官と管理者が参加する会合"
passage = "1"
quote = "うち1回"
domains = ["meetings"]
rule = { type = "meetings", min = 1, with_admin_officer = true, with_manager = true }

[[items]]
code = "M-DISASTER"
title = "災害時対応"
passage = "1"
quote = "災害"
domains = ["meetings"]
rule = { type = "meetings", min = 1, topics = ["disaster"] }

[[items]]
code = "TRAIN"
title = "研修"
passage = "2"
quote = "研修"
domains = ["meetings"]
rule = { type = "meetings", min = 1, kinds = ["training_multidisciplinary"] }

[[items]]
code = "CQ"
title = "相談 各四半期"
passage = "3"
quote = "相談"
domains = ["consultations"]
rule = { type = "consultations", each_quarter = true }

[[items]]
code = "C10"
title = "相談 10件"
passage = "3"
quote = "相談"
domains = ["consultations"]
rule = { type = "consultations", min = 10 }

[[items]]
code = "ROTA"
title = "当番表"
passage = "4"
quote = "24時間"
domains = ["rota"]
rule = { type = "rota_coverage" }

[[items]]
code = "PAIRS"
title = "主治医・副主治医制"
passage = "4"
quote = "主治医"
domains = ["rota"]
rule = { type = "patient_pairs", min = 1 }

[[items]]
code = "SUB"
title = "代診"
passage = "4"
quote = "代診"
domains = ["rota"]
rule = { type = "substitute_visits", min = 2 }

[[items]]
code = "BEDS"
title = "後方支援病床"
passage = "5"
quote = "病床"
domains = ["beds"]
rule = { type = "bed_agreement", all_year = true }

[[items]]
code = "DIR"
title = "資源の把握"
passage = "6"
quote = "把握"
domains = ["directory"]
rule = { type = "directory_confirmed", max_age_days = 365, min_share = 0.8 }

[[items]]
code = "AREA"
title = "複数市町村"
passage = "7"
quote = "複数"
domains = ["hubs"]
rule = { type = "municipalities", min = 2 }

[[items]]
code = "STAFF"
title = "専任者"
passage = "7"
quote = "専任"
domains = ["hubs"]
rule = { type = "dedicated_staff", min = 1 }

[[items]]
code = "ICT"
title = "ICT"
passage = "8"
quote = "ICT"
domains = ["manual"]
rule = { type = "manual" }
"""

YEAR = 2026
AS_OF = date(2027, 3, 31)


@pytest.fixture
def app_config(app_config, tmp_path):
    """The app's catalogue is this test program alone."""
    folder = tmp_path / "programs"
    folder.mkdir()
    (folder / "t.toml").write_text(PROGRAM, encoding="utf-8")
    return app_config | {"COMPLIANCE_PROGRAM_DIR": str(folder)}


@pytest.fixture
def program(app):
    return app.extensions["compliance_programs"]["T"]


def _results(app, hub_id, program, as_of=AS_OF, year=YEAR):
    with app.app_context():
        hub = db.session.get(Hub, hub_id)
        facts = evaluate.gather(hub, year, as_of)
        return {r.item.code: r for r in evaluate.evaluate([program], facts)[0][1]}


def _consultations(app, hub_id, days):
    from hubapp.common.jpcalendar import FiscalYear
    from hubapp.consultations.models import Consultation

    with app.app_context():
        db.session.execute(
            sa.insert(Consultation),
            [
                {
                    "hub_id": hub_id,
                    "received_at": datetime.combine(d, time(1), tzinfo=UTC),
                    "received_on": d,
                    "fiscal_year": FiscalYear.of(d).year,
                    "channel": "phone",
                    "requester": "care_manager",
                    "scene": "daily_care",
                    "minutes_spent": 10,
                }
                for d in days
            ],
        )
        db.session.commit()


def _with_officer_and_manager(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        after = datetime(2027, 4, 1, tzinfo=UTC)  # recorded once held (the tests' 年度 is seen from its end)
        officer = meetings.add_walk_in(meeting, "行政 担当", Profession.OTHER, "香取市 高齢者福祉課", after)
        manager = meetings.add_walk_in(meeting, "施設 管理者", Profession.OTHER, "北総病院", after)
        officer.is_admin_officer, manager.is_manager = True, True
        for p in (officer, manager):
            meetings.mark_attendance(meeting, p, AttendanceStatus.PRESENT, now=after)
        db.session.commit()


def test_meetings_count_kinds_topics_attendees_and_the_year_boundary(app, hub, program, create_meeting):
    for day in (date(2026, 5, 20), date(2026, 8, 19)):
        create_meeting("多職種連携会議", day=day)
    create_meeting("前年度の会議", day=date(2026, 3, 31))  # 令和7年度: does not count
    last = create_meeting("年度末の会議", day=date(2027, 3, 31), topics=["disaster"])  # counts in 令和8年度
    create_meeting("翌年度の会議", day=date(2027, 4, 1))  # 令和9年度
    results = _results(app, hub.id, program)
    assert (results["M4"].status, results["M4"].value) == (Status.PARTIAL, 3)
    assert results["M4"].missing.startswith("あと1回、3月31日まで")
    assert results["M-DISASTER"].status == Status.MET
    assert results["M-ADMIN"].status == Status.UNMET and results["TRAIN"].status == Status.UNMET
    _with_officer_and_manager(app, last.id)
    create_meeting("研修会", day=date(2026, 10, 1), kind=MeetingKind.TRAINING_MULTIDISCIPLINARY)
    create_meeting("行政・管理者会合", day=date(2026, 11, 5), kind=MeetingKind.ADMIN_MANAGERS)
    results = _results(app, hub.id, program)
    assert results["M-ADMIN"].status == Status.MET
    assert results["TRAIN"].status == Status.MET
    assert (results["M4"].status, results["M4"].figure) == (Status.MET, "4回（目標4回以上）")
    earlier = _results(app, hub.id, program, as_of=date(2026, 9, 30))  # in September: two held so far
    assert earlier["M4"].value == 2


def test_a_hand_tag_and_an_unlink(app, hub, program, create_meeting):
    counted = create_meeting("多職種連携会議", day=date(2026, 6, 1))
    working_group = create_meeting("ワーキンググループ", day=date(2026, 7, 1), kind=MeetingKind.WORKING_GROUP)
    assert _results(app, hub.id, program)["M4"].value == 1
    with app.app_context():
        services.set_link(hub.id, YEAR, "T", "M4", working_group.id, LinkMode.INCLUDE, None)
        services.set_link(hub.id, YEAR, "T", "M4", counted.id, LinkMode.EXCLUDE, None)
        db.session.commit()
    result = _results(app, hub.id, program)["M4"]
    assert [m.id for m in result.meetings] == [working_group.id]
    with app.app_context():
        services.set_link(hub.id, YEAR, "T", "M4", counted.id, None, None)
        db.session.commit()
    assert _results(app, hub.id, program)["M4"].value == 2


def test_a_planned_shortfall_warns_at_the_current_pace(app, hub, program, create_meeting):
    create_meeting("多職種連携会議", day=date(2026, 5, 1))
    late = _results(app, hub.id, program, as_of=date(2027, 1, 15))["M4"]
    assert late.status == Status.PARTIAL and "ペース" in late.warning
    for day in (date(2027, 2, 1), date(2027, 2, 15), date(2027, 3, 1)):
        create_meeting("予定の会議", day=day)
    planned = _results(app, hub.id, program, as_of=date(2027, 1, 15))["M4"]
    assert planned.warning == "" and planned.figure == "1回開催・3回予定（目標4回以上）"
    assert [why for _m, why, _planned in planned.not_counted] == ["予定（まだ開催されていません）"] * 3


def test_consultations_each_quarter_and_a_count(app, hub, program):
    _consultations(app, hub.id, [date(2026, 4, 10), date(2026, 7, 10), date(2026, 12, 24), date(2027, 4, 1)])
    in_january = _results(app, hub.id, program, as_of=date(2027, 1, 5))
    assert (in_january["CQ"].status, in_january["CQ"].value) == (Status.PARTIAL, 3)  # every quarter so far
    full = _results(app, hub.id, program)
    assert full["CQ"].status == Status.PARTIAL and "第4" in full["CQ"].missing  # nothing January–March
    _consultations(app, hub.id, [date(2027, 3, 31)] * 6)
    results = _results(app, hub.id, program)
    assert results["CQ"].status == Status.MET
    assert (results["C10"].status, results["C10"].value) == (Status.PARTIAL, 9)
    _consultations(app, hub.id, [date(2027, 3, 30)])
    assert _results(app, hub.id, program)["C10"].status == Status.MET


def test_rota_pairs_substitutes(app, hub, program, create_person):
    from hubapp.directory.models import Person
    from hubapp.rota import records
    from hubapp.rota import services as rota
    from hubapp.rota.models import DutyLogKind

    assert _results(app, hub.id, program)["ROTA"].status == Status.UNMET
    people = [create_person(f"医師{k} 太郎", Profession.PHYSICIAN) for k in range(6)]
    with app.app_context():
        group = rota.create_group(hub.id, "在宅医グループ")
        members = [rota.add_member(group, db.session.get(Person, p.id)) for p in people]
        rota.generate(group, date(2026, 4, 1), date(2026, 4, 30), time_limit=1.0)
        rota.publish(group, date(2026, 4, 1), date(2026, 4, 30))
        records.add_pair(group, "K-0001", members[0].id, members[1].id, date(2026, 4, 1))
        records.add_log(members[2], DutyLogKind.SUBSTITUTE, date(2026, 4, 10), time(10), time(11))
        db.session.commit()
    april = _results(app, hub.id, program, as_of=date(2026, 4, 30))
    assert april["ROTA"].status == Status.MET  # every night and 休日 of April with primary and secondary
    assert april["PAIRS"].status == Status.MET
    assert (april["SUB"].status, april["SUB"].value) == (Status.PARTIAL, 1)
    assert _results(app, hub.id, program, as_of=date(2026, 5, 31))["ROTA"].status == Status.PARTIAL  # May empty


def test_beds_directory_area_staff_and_manual(app, hub, program, create_organisation, create_hub):
    from hubapp.beds import services as beds
    from hubapp.directory.models import Organisation, OrganisationType

    hospital = create_organisation("北総病院", OrganisationType.HOSPITAL)
    results = _results(app, hub.id, program)
    assert results["BEDS"].status == Status.UNMET
    assert results["AREA"].status == Status.MET  # the test hub spans three municipalities
    assert results["STAFF"].status == Status.MET  # and has two dedicated staff
    city = create_hub("まちの拠点", name_kana="マチノキョテン", dedicated_staff_count=0)
    alone = _results(app, city.id, program)
    assert (alone["AREA"].status, alone["AREA"].figure) == (Status.PARTIAL, "1市町村（目標2市町村以上）")
    assert alone["STAFF"].status == Status.UNMET
    assert (results["ICT"].status, results["ICT"].missing) == (Status.MANUAL, "実施内容を記録してください")
    with app.app_context():
        beds.save_agreement(
            hub.id,
            None,
            hospital_id=hospital.id,
            beds_secured=1,
            all_day=True,
            starts=None,
            ends=None,
            valid_from=date(2026, 4, 1),
            valid_to=date(2026, 12, 31),
        )
        org = db.session.get(Organisation, hospital.id)
        org.last_confirmed_on = date(2026, 10, 1)
        services.save_evidence(hub.id, YEAR, "T", "ICT", "連携システムを導入", False, None)
        db.session.commit()
    results = _results(app, hub.id, program)
    assert results["BEDS"].status == Status.PARTIAL and "1月1日" in results["BEDS"].missing
    assert results["DIR"].status == Status.MET
    assert results["ICT"].status == Status.PARTIAL
    with app.app_context():
        services.save_evidence(hub.id, YEAR, "T", "ICT", "連携システムを導入", True, None)
        db.session.commit()
    assert _results(app, hub.id, program)["ICT"].status == Status.MET
    with app.app_context(), pytest.raises(services.ComplianceError):
        services.save_evidence(hub.id, YEAR, "T", "ICT", "", True, None)


def test_gathering_takes_a_fixed_number_of_queries(app, hub, program, create_meeting, count_queries):
    def count() -> int:
        with app.app_context():
            loaded = db.session.get(Hub, hub.id)
            _ = loaded.municipalities
            with count_queries() as counted:
                evaluate.evaluate([program], evaluate.gather(loaded, YEAR, AS_OF))
            return counted.n

    create_meeting("会議", day=date(2026, 5, 1))
    few = count()
    for k in range(30):
        meeting = create_meeting(f"会議{k}", day=date(2026, 6, 1) + timedelta(days=k), topics=["disaster"])
        _with_officer_and_manager(app, meeting.id)
    _consultations(app, hub.id, [date(2026, 4, 1) + timedelta(days=k) for k in range(300)])
    assert count() == few


def test_the_shipped_programs_against_a_year_of_activity(app, hub, create_meeting):
    """All six real programs evaluated for one hub: every item gets a status, A's 年4回以上 counts the four
    multi-disciplinary meetings, B's 広域 and 専任者 items are met by the test hub's area and staff."""
    from hubapp.compliance.programs import load_programs

    programs = load_programs()
    for month in (5, 7, 10, 1):
        year = YEAR + 1 if month < 4 else YEAR
        create_meeting(f"{month}月の多職種連携会議", day=date(year, month, 15), topics=["issue_extraction"])
    with app.app_context():
        loaded = db.session.get(Hub, hub.id)
        facts = evaluate.gather(loaded, YEAR, AS_OF)
        results = {
            p.code: {r.item.code: r for r in items} for p, items in evaluate.evaluate(list(programs.values()), facts)
        }
    assert all(isinstance(r.status, Status) for items in results.values() for r in items.values())
    assert results["A"]["A-1"].status == Status.MET and results["A"]["A-1"].value == 4
    b = {r.item.rule.type: r for r in results["B"].values()}
    assert b["municipalities"].status == Status.MET and b["dedicated_staff"].status == Status.MET
    assert {r.status for r in results["E"].values() if r.item.rule.type == "manual"} == {Status.MANUAL}
