"""Only what happened counts (issue 14): before a meeting starts an answer is an RSVP (出席予定・欠席予定),
attendance and walk-ins wait for the start (or 「開催済みにする」 on the day), and nothing planned reaches the
年度 figures, the compliance evaluation or the 事業報告書."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance import evaluate
from hubapp.compliance.programs import Item, Program, Rule
from hubapp.core.services import today
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.meetings import services
from hubapp.meetings.models import AttendanceStatus, Meeting, MeetingKind, Participant

TARGETS = [services.Target("多職種連携会議", frozenset({MeetingKind.MULTIDISCIPLINARY}), 4)]
#: A Wednesday in 年度 2026, 10:00 JST; the meeting of the tests starts at 18:30 JST that day.
MORNING = datetime(2026, 10, 7, 1, 0, tzinfo=UTC)
DAY = date(2026, 10, 7)


@pytest.fixture
def invited(app_ctx, hub, create_person, create_meeting):
    """A meeting on DAY (18:30 JST) with two people invited: (meeting, [participants])."""
    people = [create_person("加藤 真由美", Profession.NURSE), create_person("池田 誠", Profession.PHARMACIST)]
    meeting = db.session.get(Meeting, create_meeting(day=DAY).id)
    participants = services.invite(meeting, [db.session.get(Person, p.id) for p in people])
    db.session.commit()
    return meeting, participants


def test_before_the_start_answers_are_rsvps_and_attendance_is_refused(invited):
    meeting, (kato, ikeda) = invited
    assert not meeting.is_held(MORNING)
    services.mark_attendance(meeting, kato, AttendanceStatus.ATTENDING, now=MORNING)
    services.mark_attendance(meeting, ikeda, AttendanceStatus.DECLINED, now=MORNING)
    for status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.PROXY):
        with pytest.raises(services.MeetingError, match="まだ開催前です"):
            services.mark_attendance(meeting, kato, status, "代理 太郎", now=MORNING)
    with pytest.raises(services.MeetingError, match="開始後"):
        services.add_walk_in(meeting, "飛び入り 太郎", Profession.CARE_MANAGER, "", now=MORNING)
    assert (kato.status, ikeda.status) == (AttendanceStatus.ATTENDING, AttendanceStatus.DECLINED)
    assert len(meeting.participants) == 2
    # from the start time on, what happened is recorded, and RSVPs no longer are
    evening = datetime(2026, 10, 7, 9, 30, tzinfo=UTC)
    services.mark_attendance(meeting, kato, AttendanceStatus.PRESENT, now=evening)
    with pytest.raises(services.MeetingError, match="開催した会議"):
        services.mark_attendance(meeting, ikeda, AttendanceStatus.ATTENDING, now=evening)
    services.add_walk_in(meeting, "飛び入り 太郎", Profession.CARE_MANAGER, "", now=evening)
    assert kato.status is AttendanceStatus.PRESENT and len(meeting.participants) == 3


def test_marked_held_on_the_day_but_never_ahead_of_it(invited):
    meeting, (kato, _ikeda) = invited
    with pytest.raises(services.MeetingError, match="開催日より前"):
        services.mark_held(meeting, MORNING - timedelta(days=1))
    assert meeting.held_marked_at is None
    services.mark_held(meeting, MORNING)
    assert meeting.is_held(MORNING)
    services.mark_attendance(meeting, kato, AttendanceStatus.PRESENT, now=MORNING)
    assert kato.status is AttendanceStatus.PRESENT
    services.cancel_meeting(meeting)
    assert not meeting.is_held(MORNING)
    with pytest.raises(services.MeetingError, match="中止"):
        services.mark_attendance(meeting, kato, AttendanceStatus.ABSENT, now=MORNING)


def test_moving_a_recorded_meeting_into_the_future_turns_attendance_back_into_rsvps(app_ctx, hub, invited):
    meeting, (kato, ikeda) = invited
    after = datetime(2026, 10, 8, tzinfo=UTC)
    services.mark_attendance(meeting, kato, AttendanceStatus.PROXY, "代理 花子", now=after)
    services.mark_attendance(meeting, ikeda, AttendanceStatus.ABSENT, now=after)
    later = today() + timedelta(days=40)
    services.save_meeting(
        hub.id,
        {"starts_at": services.jst_datetime(later, time(18)), "ends_at": services.jst_datetime(later, time(19))},
        [],
        [],
        meeting,
    )
    assert (kato.status, kato.proxy_name, ikeda.status) == (AttendanceStatus.ATTENDING, "", AttendanceStatus.DECLINED)


def test_nothing_planned_reaches_the_year_figures_or_the_evaluation(app_ctx, hub, create_person, create_meeting):
    person = db.session.get(Person, create_person("加藤 真由美", Profession.NURSE).id)
    held = db.session.get(Meeting, create_meeting("第1回", day=date(2026, 6, 10)).id)
    coming = db.session.get(Meeting, create_meeting("第2回", day=date(2026, 12, 17)).id)
    (came,) = services.invite(held, [person])
    services.mark_attendance(held, came, AttendanceStatus.PRESENT, now=MORNING)
    (rsvp,) = services.invite(coming, [person])
    services.mark_attendance(rsvp.meeting, rsvp, AttendanceStatus.ATTENDING, now=MORNING)
    # a row that says 出席 on a meeting still to come (as data from before this rule had it) counts for nothing
    db.session.execute(sa.update(Participant).where(Participant.id == rsvp.id).values(status=AttendanceStatus.PRESENT))
    db.session.commit()
    fy = FiscalYear(2026)
    overview = services.year_overview(hub.id, fy, MORNING, TARGETS)
    (progress,) = overview.progress
    assert (progress.held, progress.planned, progress.line) == (1, 1, "1回開催・1回予定（目標4回以上）")
    assert [(r.meeting.title, r.attended) for r in overview.rows] == [("第1回", 1), ("第2回", 0)]
    matrix = services.attendance_matrix(hub.id, fy, {}, MORNING)
    assert [m.title for m in matrix.meetings] == ["第1回"] and matrix.totals == {Profession.NURSE: 1}

    program = Program(
        "T", "試験事業", "000.txt", "試験県",
        (Item("M", "会議", "§1", "会議を開く", ("meetings",), Rule("meetings", {"min": 4})),),
    )  # fmt: skip
    program.by_code["M"] = program.items[0]
    facts = evaluate.gather(hub, 2026, date(2026, 10, 7), now=MORNING)
    ((_p, (result,)),) = evaluate.evaluate([program], facts)
    assert (result.value, result.planned, result.figure) == (1, 1, "1回開催・1回予定（目標4回以上）")
    assert [m.title for m, _why in result.counted] == ["第1回"]
    assert [(m.title, why, planned) for m, why, planned in result.not_counted] == [
        ("第2回", "予定（まだ開催されていません）", True)
    ]


def test_every_figure_says_why_a_meeting_counts_or_not(app_ctx, hub, create_meeting):
    from hubapp.compliance import services as compliance

    create_meeting("症例検討", day=date(2026, 5, 1), kind=MeetingKind.CASE_CONFERENCE)
    create_meeting("講演会", day=date(2026, 6, 1), kind=MeetingKind.PUBLIC_LECTURE)
    db.session.commit()
    chiba = compliance.programs()["C"]
    facts = evaluate.gather(hub, 2026, date(2026, 10, 7), now=MORNING)
    ((_p, results),) = evaluate.evaluate([chiba], facts)
    c1 = next(r for r in results if r.item.code == "C-1")
    assert "症例検討会" in c1.rule_text and "予定・中止は数えません" in c1.rule_text
    assert [(m.title, why) for m, why in c1.counted] == [("症例検討", "種類「症例検討会」は規則の対象")]
    assert [(m.title, why) for m, why, _planned in c1.not_counted] == [
        ("講演会", "種類「住民向け講演会・出前講座」はこの項目の対象外")
    ]
    assert c1.figure == "1回（目標1回以上）"


def test_pages_show_rsvps_as_plans_and_the_report_marks_them(app, client, login_as, hub, create_person, create_meeting):
    coming = create_meeting("来週の多職種連携会議", day=today() + timedelta(days=7))
    past = create_meeting("先月の多職種連携会議", day=today() - timedelta(days=30))
    person = create_person("加藤 真由美", Profession.NURSE)
    login_as("coordinator")
    client.post("/compliance/enrol", data={"programs": ["C"]})
    for meeting in (coming, past):
        client.post(f"/meetings/{meeting.id}/invite", data={"people": [str(person.id)]})
    with app.app_context():
        rsvp = db.session.scalars(sa.select(Participant).where(Participant.meeting_id == coming.id)).one()
        came = db.session.scalars(sa.select(Participant).where(Participant.meeting_id == past.id)).one()
    client.post(f"/meetings/{coming.id}/attendance", data={"participant": rsvp.id, "status": "attending"})
    client.post(f"/meetings/{past.id}/attendance", data={"participant": came.id, "status": "present"})
    refused = client.post(f"/meetings/{coming.id}/held", follow_redirects=True).data.decode()
    assert "開催日より前には開催済みにできません。" in refused
    year = client.get("/meetings/year").data.decode()
    assert "来週の多職種連携会議" not in year  # not a column of the attendance matrix
    page = client.get("/compliance/").data.decode()
    assert "予定（まだ開催されていません）" in page and "来週の多職種連携会議" in page
    report = client.get("/compliance/report").data.decode()
    planned = report[report.index('data-testid="planned"') :]
    held = report[: report.index('data-testid="planned"')]
    assert "先月の多職種連携会議" in held and "来週の多職種連携会議" not in held
    assert "来週の多職種連携会議 <strong>（予定）</strong>" in planned
