"""Meeting rules: attendance as of the day, the 年度 counter across March/April, issues."""

from datetime import UTC, date, datetime, time

import pytest

from hubapp.common.jpcalendar import FiscalYear
from hubapp.directory import services as directory
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.meetings import services
from hubapp.meetings.models import AttendanceStatus, IssueStatus, Meeting, MeetingKind

TARGETS = [services.Target("多職種連携会議", frozenset({MeetingKind.MULTIDISCIPLINARY, MeetingKind.ADMIN_MANAGERS}), 4)]


def test_attendance_keeps_profession_and_affiliation_as_of_the_day(
    app_ctx, hub, create_organisation, create_person, create_meeting
):
    clinic = create_organisation("佐原クリニック", T.CLINIC, municipality_code="122360")
    hospital = create_organisation("多古中央病院", T.HOSPITAL)
    nurse = create_person("加藤 真由美", Profession.NURSE, organisation_id=clinic.id, is_manager=True)
    meeting = db.session.get(Meeting, create_meeting(day=date(2026, 6, 10)).id)
    (participant,) = services.invite(meeting, [db.session.get(Person, nurse.id)])
    services.mark_attendance(meeting, participant, AttendanceStatus.PRESENT)
    db.session.commit()
    # later she moves to the hospital as an MSW
    directory.save_person(
        hub.id,
        {
            "organisation_id": hospital.id,
            "profession": Profession.MEDICAL_SOCIAL_WORKER,
            "is_manager": False,
            "name": "加藤 真由美",
        },
        db.session.get(Person, nurse.id),
    )
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Meeting, meeting.id).participants[0]
    assert (kept.organisation_name, kept.profession, kept.is_manager) == ("佐原クリニック", Profession.NURSE, True)
    assert kept.municipality_code == "122360"
    matrix = services.attendance_matrix(hub.id, FiscalYear(2026), {"122360": "香取市"}, datetime.now(UTC))
    assert matrix.totals == {Profession.NURSE: 1} and matrix.organisations == [("佐原クリニック", 1)]
    assert matrix.municipalities == [("香取市", 1)]
    assert Profession.MEDICAL_SOCIAL_WORKER in matrix.never_came


def test_the_four_a_year_counter_follows_the_fiscal_year_in_japan(app_ctx, hub, create_meeting):
    create_meeting("4月", day=date(2026, 4, 1), start=time(0, 30), end=time(1, 0))  # FY2026 (UTC: March 31)
    create_meeting("3月末", day=date(2027, 3, 31), start=time(23, 0), end=time(23, 30))  # FY2026 (UTC: March 31)
    create_meeting("翌年度", day=date(2027, 4, 1), start=time(0, 30), end=time(1, 0))  # FY2027 (UTC: March 31!)
    create_meeting("前年度", day=date(2026, 3, 31), start=time(18, 0), end=time(19, 0))  # FY2025
    create_meeting("研修", day=date(2026, 7, 1), kind=MeetingKind.TRAINING_MULTIDISCIPLINARY)  # another kind
    cancelled = create_meeting("中止", day=date(2026, 8, 1))
    services.cancel_meeting(db.session.get(Meeting, cancelled.id))
    db.session.commit()
    now = datetime(2027, 3, 31, 14, 30, tzinfo=UTC)  # 23:30 JST on March 31: both FY2026 meetings are past
    fy2026 = services.year_overview(hub.id, FiscalYear(2026), now, TARGETS)
    assert [r.meeting.title for r in fy2026.rows] == ["4月", "研修", "中止", "3月末"]
    (progress,) = fy2026.progress
    assert (progress.held, progress.planned, progress.remaining, progress.met) == (2, 0, 2, False)
    fy2027 = services.year_overview(hub.id, FiscalYear(2027), now, TARGETS)
    assert [r.meeting.title for r in fy2027.rows] == ["翌年度"]
    assert (fy2027.progress[0].held, fy2027.progress[0].planned) == (0, 1)
    assert services.year_overview(hub.id, FiscalYear(2025), now, TARGETS).progress[0].held == 1


def test_meeting_with_officer_and_manager_is_recognised(app_ctx, hub, create_person, create_meeting):
    officer = create_person("池田 誠", Profession.GOVERNMENT_OFFICER, is_admin_officer=True)
    manager = create_person("藤田 京子", Profession.FACILITY_MANAGER, is_manager=True)
    meeting = db.session.get(Meeting, create_meeting(day=date(2026, 5, 20)).id)
    invited = services.invite(meeting, [db.session.get(Person, officer.id), db.session.get(Person, manager.id)])
    now = datetime(2026, 6, 1, tzinfo=UTC)
    services.mark_attendance(meeting, invited[0], AttendanceStatus.PRESENT)
    db.session.commit()
    assert services.year_overview(hub.id, FiscalYear(2026), now, TARGETS).officer_and_manager_meetings == 0
    services.mark_attendance(meeting, invited[1], AttendanceStatus.PROXY, "副施設長")
    db.session.commit()
    overview = services.year_overview(hub.id, FiscalYear(2026), now, TARGETS)
    assert overview.officer_and_manager_meetings == 1
    assert (overview.rows[0].invited, overview.rows[0].attended) == (2, 2)


def test_invitations_by_organisation_and_profession_without_duplicates(
    app_ctx, hub, create_organisation, create_person, create_meeting
):
    station = create_organisation("訪問看護ステーションかとり", T.VISITING_NURSING)
    a = create_person("加藤", Profession.NURSE, organisation_id=station.id)
    create_person("吉田", Profession.NURSE)
    create_person("山田", Profession.CARE_MANAGER)
    meeting = db.session.get(Meeting, create_meeting(day=date(2026, 9, 1)).id)
    people = directory.people_to_invite(hub.id, [a.id], [station.id], [Profession.NURSE])
    assert sorted(p.name for p in people) == ["加藤", "吉田"]
    assert len(services.invite(meeting, people)) == 2
    assert services.invite(meeting, people) == []  # invited once only


def test_walk_ins_and_their_later_link(app_ctx, hub, create_person, create_meeting):
    person = create_person("飛び入り 太郎", Profession.PHARMACIST)
    meeting = db.session.get(Meeting, create_meeting(day=date(2026, 9, 1)).id)
    walk_in = services.add_walk_in(meeting, "飛び入り 太郎", Profession.PHARMACIST, "たこ薬局")
    services.link_walk_in(walk_in, db.session.get(Person, person.id))
    db.session.commit()
    assert walk_in.person_id == person.id and walk_in.organisation_name == "たこ薬局"
    with pytest.raises(services.MeetingError):
        services.add_walk_in(meeting, " ", Profession.OTHER, "")


def test_issue_carried_across_meetings_until_closed(app_ctx, hub, create_meeting):
    first = db.session.get(Meeting, create_meeting("6月の会議", day=date(2026, 6, 1)).id)
    second = db.session.get(Meeting, create_meeting("9月の会議", day=date(2026, 9, 1)).id)
    issue = services.create_issue(hub.id, first, "夜間の連絡先が分からない", "", "事務局", date(2026, 12, 31), 2026)
    services.add_countermeasure(issue, second, "連絡先一覧を作る", "医師会", date(2026, 10, 31))
    db.session.commit()
    assert issue.status is IssueStatus.IN_PROGRESS
    assert [i.title for i in services.meeting_issues(hub.id, second.id)] == ["夜間の連絡先が分からない"]
    assert [i.raised_at.title for i in services.issues(hub.id)] == ["6月の会議"]
    services.set_issue_status(issue, IssueStatus.CLOSED, date(2026, 11, 1))
    db.session.commit()
    assert services.issues(hub.id) == [] and len(services.issues(hub.id, include_closed=True)) == 1


def test_schedule_changes_bump_the_sequence_and_keep_the_uid(app_ctx, hub, create_meeting):
    meeting = db.session.get(Meeting, create_meeting(day=date(2026, 9, 1)).id)
    uid = meeting.ical_uid
    values = {"title": meeting.title, "kind": meeting.kind, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at}
    _, changed = services.save_meeting(hub.id, {**values, "place": ""}, [], [], meeting)
    assert meeting.ical_sequence == 1 and changed  # the place changed from 香取市役所 会議室 to ""
    _, changed = services.save_meeting(hub.id, {**values, "place": ""}, [], [], meeting)
    assert not changed and meeting.ical_sequence == 1
    with pytest.raises(services.MeetingError):
        services.save_meeting(hub.id, {**values, "ends_at": meeting.starts_at.replace(year=2025)}, [], [], meeting)
    services.cancel_meeting(meeting)
    assert meeting.ical_uid == uid and meeting.ical_sequence == 2
