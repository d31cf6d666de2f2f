"""Meeting pages: plan, invite, mark attendance from a phone, walk-ins, results, issues; fixed query counts."""

from datetime import date, timedelta

import sqlalchemy as sa

from hubapp.core.services import today
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.models import Profession
from hubapp.extensions import db
from hubapp.meetings.models import AttendanceStatus, Meeting, MeetingIssue, Participant


def test_coordinator_plans_invites_and_records_a_meeting(app, client, login_as, create_organisation, create_person):
    station = create_organisation("訪問看護ステーションかとり", T.VISITING_NURSING)
    create_person("加藤 真由美", Profession.NURSE, organisation_id=station.id, email="kato@example.jp")
    create_person("吉田 美和", Profession.NURSE, organisation_id=station.id)
    login_as("coordinator")
    day = today() + timedelta(days=30)
    response = client.post(
        "/meetings/new",
        data={
            "kind": "multidisciplinary",
            "title": "第3回 多職種連携会議",
            "day": day.isoformat(),
            "start_time": "18:30",
            "end_time": "20:00",
            "place": "香取市役所 会議室",
            "topics": ["issue_extraction", "disaster"],
            "scenes": ["emergency"],
        },
    )
    assert response.status_code == 302, response.data.decode()
    with app.app_context():
        meeting = db.session.scalars(sa.select(Meeting)).one()
        assert meeting.starts_at.hour == 9 and meeting.starts_at.minute == 30  # 18:30 JST stored as UTC
        meeting_id = meeting.id
    assert client.post(f"/meetings/{meeting_id}/invite", data={"organisations": [str(station.id)]}).status_code == 302
    page = client.get(f"/meetings/{meeting_id}/attendance").data.decode()
    assert "加藤 真由美" in page and "吉田 美和" in page
    with app.app_context():
        kato = db.session.scalars(sa.select(Participant).where(Participant.name == "加藤 真由美")).one()
    # a month ahead: answers are RSVPs; attendance and walk-ins wait for the meeting
    assert "出席予定" in page and "まだ開催前" in page
    client.post(f"/meetings/{meeting_id}/attendance", data={"participant": kato.id, "status": "attending"})
    refused = client.post(
        f"/meetings/{meeting_id}/attendance", data={"participant": kato.id, "status": "present"}, follow_redirects=True
    ).data.decode()
    assert "まだ開催前です" in refused
    walk_in = {
        "walkin-name": "飛び入り 太郎",
        "walkin-profession": "pharmacist",
        "walkin-organisation_name": "たこ薬局",
    }
    assert (
        "開始後" in client.post(f"/meetings/{meeting_id}/attendance", data=walk_in, follow_redirects=True).data.decode()
    )
    with app.app_context():
        statuses = {p.name: p.status for p in db.session.scalars(sa.select(Participant))}
    assert statuses == {"加藤 真由美": AttendanceStatus.ATTENDING, "吉田 美和": AttendanceStatus.INVITED}
    overview = client.get("/meetings/").data.decode()
    assert "0回開催・1回予定（目標4回以上）" in overview and "出席予定 1人" in overview
    # the meeting took place (moved to yesterday): now attendance is recorded
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at -= timedelta(days=31)
        meeting.ends_at -= timedelta(days=31)
        db.session.commit()
    client.post(f"/meetings/{meeting_id}/attendance", data={"participant": kato.id, "status": "present"})
    client.post(f"/meetings/{meeting_id}/attendance", data=walk_in)
    with app.app_context():
        statuses = {p.name: p.status for p in db.session.scalars(sa.select(Participant))}
    assert statuses == {
        "加藤 真由美": AttendanceStatus.PRESENT,
        "吉田 美和": AttendanceStatus.INVITED,
        "飛び入り 太郎": AttendanceStatus.PRESENT,
    }
    client.post(
        f"/meetings/{meeting_id}/issues/new",
        data={"title": "夜間の連絡体制", "owner": "事務局", "countermeasure": "連絡先一覧を作る"},
    )
    detail = client.get(f"/meetings/{meeting_id}").data.decode()
    assert "夜間の連絡体制" in detail and "連絡先一覧を作る" in detail and "出席 2" in detail
    overview = client.get("/meetings/").data.decode()
    assert "第3回 多職種連携会議" in overview and "多職種連携会議: 1回（目標4回以上）" in overview


def test_bad_times_and_another_hub_are_refused(app, client, login_as, create_hub, create_meeting):
    other = create_hub("よそ", name_kana="ヨソ")
    theirs = create_meeting("よその会議", day=date(2026, 9, 1), hub_id=other.id)
    login_as("coordinator")
    page = client.post(
        "/meetings/new",
        data={
            "kind": "multidisciplinary",
            "title": "x",
            "day": "2026-09-01",
            "start_time": "20:00",
            "end_time": "18:00",
        },
    ).data.decode()
    assert "終了時刻は開始時刻より後にしてください。" in page
    for url in (f"/meetings/{theirs.id}", f"/meetings/{theirs.id}/attendance", f"/meetings/{theirs.id}/edit"):
        assert client.get(url).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_a_day_outside_any_calendar_of_meetings_is_refused(app, client, login_as):
    """0001-01-01 at 00:00 JST is before the first day UTC can hold (found by tests/test_fuzz_forms.py)."""
    login_as("coordinator")
    for day in ("0001-01-01", "9999-12-31", "1999-12-31"):
        response = client.post(
            "/meetings/new",
            data={"kind": "multidisciplinary", "title": "x", "day": day, "start_time": "00:00", "end_time": "10:00"},
        )
        assert response.status_code == 200 and "開催日は2000年から2100年までの日付で入力してください。" in response.data.decode()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_members_read_but_do_not_record(client, login_as, create_meeting):
    meeting = create_meeting(day=date(2026, 9, 1))
    login_as("member")
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert client.get(f"/meetings/{meeting.id}/attendance").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/cancel").status_code == 403


def test_public_event_head_counts_and_survey(app, client, login_as, create_meeting):
    from hubapp.meetings.models import MeetingKind

    lecture = create_meeting("在宅医療市民公開講座", day=date(2026, 10, 3), kind=MeetingKind.PUBLIC_LECTURE)
    login_as("coordinator")
    client.post(
        f"/meetings/{lecture.id}/results",
        data={
            "hc-headcount_residents": "48",
            "hc-headcount_families": "12",
            "hc-headcount_professionals": "9",
            "hc-submit": "1",
        },
    )
    bad = client.post(
        f"/meetings/{lecture.id}/results",
        data={"sv-survey_responses": "10", "sv-survey_satisfied": "8", "sv-survey_neutral": "5", "sv-submit": "1"},
    )
    assert "満足度の合計が回答数を超えています。" in bad.data.decode()
    client.post(
        f"/meetings/{lecture.id}/results",
        data={
            "sv-survey_responses": "60",
            "sv-survey_satisfied": "50",
            "sv-survey_neutral": "8",
            "sv-survey_dissatisfied": "2",
            "sv-survey_comments": "とても分かりやすかった",
            "sv-submit": "1",
        },
    )
    page = client.get(f"/meetings/{lecture.id}").data.decode()
    assert "住民 48人・家族 12人・専門職 9人" in page and "回答 60件" in page


def test_year_page_shows_attendance_by_profession_and_missing_professions(
    client, login_as, app, create_meeting, create_person
):
    from hubapp.directory.models import Person
    from hubapp.meetings import services

    doctor = create_person("髙橋 健一", Profession.PHYSICIAN)
    meeting = create_meeting(day=date(2026, 6, 10))
    with app.app_context():
        loaded = db.session.get(Meeting, meeting.id)
        (p,) = services.invite(loaded, [db.session.get(Person, doctor.id)])
        services.mark_attendance(loaded, p, AttendanceStatus.PRESENT)
        db.session.commit()
    login_as("prefecture")
    page = client.get("/meetings/year?fy=2026").data.decode()
    assert "医師" in page and "歯科医師" in page and "相談支援専門員" in page  # never came: listed
    assert 'data-testid="never-came"' in page


def test_list_and_year_pages_issue_the_same_queries_for_10_and_500_meetings(app, client, login_as, hub, count_queries):
    from datetime import time

    from hubapp.directory import services as directory
    from hubapp.meetings import services
    from hubapp.meetings.models import MeetingKind

    login_as("coordinator")

    def add(count: int, start: int) -> None:
        with app.app_context():
            person = directory.save_person(hub.id, {"name": f"参加者{start}", "profession": Profession.NURSE})
            for n in range(start, start + count):
                day = date(2026, 4, 1) + timedelta(days=n % 200)  # held: attendance is recorded
                meeting, _ = services.save_meeting(
                    hub.id,
                    {
                        "kind": MeetingKind.MULTIDISCIPLINARY,
                        "title": f"会議{n}",
                        "starts_at": services.jst_datetime(day, time(18)),
                        "ends_at": services.jst_datetime(day, time(19)),
                    },
                    [],
                    [],
                )
                (participant,) = services.invite(meeting, [person])
                services.mark_attendance(meeting, participant, AttendanceStatus.PRESENT)
                services.add_walk_in(meeting, f"当日{n}", Profession.PHARMACIST, "薬局")
            db.session.commit()

    def measure(url: str) -> int:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.n

    urls = ("/meetings/?fy=2026", "/meetings/year?fy=2026", "/meetings/issues/")
    add(10, 0)
    small = {url: measure(url) for url in urls}
    add(490, 10)
    assert {url: measure(url) for url in urls} == small


def test_issue_page_adds_countermeasures_and_closes(app, client, login_as, create_meeting):
    meeting = create_meeting(day=date(2026, 6, 1))
    login_as("coordinator")
    client.post(f"/meetings/{meeting.id}/issues/new", data={"title": "退院時の情報共有"})
    with app.app_context():
        issue_id = db.session.scalars(sa.select(MeetingIssue.id)).one()
    client.post(
        f"/meetings/issues/{issue_id}",
        data={"cm-description": "退院前カンファレンスの様式を統一", "cm-meeting_id": str(meeting.id), "cm-submit": "1"},
    )
    client.post(f"/meetings/issues/{issue_id}", data={"st-status": "closed", "st-submit": "1"})
    page = client.get(f"/meetings/issues/{issue_id}").data.decode()
    assert "退院前カンファレンスの様式を統一" in page and "完了" in page
    assert "退院時の情報共有" not in client.get("/meetings/issues/").data.decode()


def test_a_walk_in_is_linked_to_the_directory_later(app, client, login_as, create_meeting, create_person):
    person = create_person("飛び入り 太郎", Profession.PHARMACIST)
    meeting = create_meeting(day=date(2026, 9, 1))
    login_as("coordinator")
    client.post(
        f"/meetings/{meeting.id}/attendance",
        data={
            "walkin-name": "飛び入り 太郎",
            "walkin-profession": "pharmacist",
            "walkin-organisation_name": "たこ薬局",
        },
    )
    with app.app_context():
        walk_in = db.session.scalars(sa.select(Participant)).one()
    assert "関係者と結び付ける" in client.get(f"/meetings/{meeting.id}/attendance").data.decode()
    client.post(f"/meetings/{meeting.id}/participants/{walk_in.id}/link", data={"person_id": person.id})
    with app.app_context():
        linked = db.session.get(Participant, walk_in.id)
        assert linked.person_id == person.id and linked.organisation_name == "たこ薬局"


def test_choices_not_offered_are_refused_even_after_a_blank_one(app, client, login_as, create_meeting):
    """Found by tests/test_fuzz_forms.py: Optional() on a check-box list cleared the "not a choice" error
    when the first value sent was blank, and Topic("") or Profession("") then raised (a 500)."""
    meeting = create_meeting(day=today() + timedelta(days=30))
    login_as("coordinator")
    day = (today() + timedelta(days=40)).isoformat()
    new = client.post(
        "/meetings/new",
        data={"kind": "multidisciplinary", "title": "研修会", "day": day, "start_time": "18:30", "end_time": "20:00",
              "topics": ["", "disaster"], "scenes": ["\u3000"]},
    )  # fmt: skip
    assert new.status_code == 200 and "入力内容にエラーがあります。" in new.data.decode()
    invite = client.post(f"/meetings/{meeting.id}/invite", data={"professions": ["", "nurse"], "people": ["x"]})
    assert invite.status_code == 200 and "入力内容にエラーがあります。" in invite.data.decode()
    with app.app_context():
        assert [m.id for m in db.session.scalars(sa.select(Meeting))] == [meeting.id]
        assert db.session.scalars(sa.select(Participant)).all() == []


def test_a_walk_in_is_not_linked_to_someone_already_there_and_proxy_names_have_a_limit(
    app, client, login_as, create_meeting, create_person
):
    """Found by tests/test_fuzz_forms.py: linking a walk-in to an invited person broke the one-row-per-person
    constraint (a 500), and a 10,000-character proxy name did not fit its column (a 500 on PostgreSQL)."""
    person = create_person("加藤 真由美", Profession.NURSE)
    meeting = create_meeting(day=today() - timedelta(days=1))
    login_as("coordinator")
    client.post(f"/meetings/{meeting.id}/invite", data={"people": [str(person.id)]})
    client.post(f"/meetings/{meeting.id}/attendance", data={"walkin-name": "加藤 まゆみ", "walkin-profession": "nurse"})
    with app.app_context():
        invited = db.session.scalars(sa.select(Participant).where(Participant.person_id == person.id)).one()
        walk_in = db.session.scalars(sa.select(Participant).where(Participant.is_walk_in)).one()
    linked = client.post(
        f"/meetings/{meeting.id}/participants/{walk_in.id}/link", data={"person_id": person.id}, follow_redirects=True
    )
    assert linked.status_code == 200 and "加藤 真由美さんはすでにこの会議の参加者です。" in linked.data.decode()
    proxy = client.post(
        f"/meetings/{meeting.id}/attendance",
        data={"participant": invited.id, "status": "proxy", "proxy_name": "代" * 81},
        follow_redirects=True,
    )
    assert proxy.status_code == 200 and "代理出席者の氏名は80文字以内で入力してください。" in proxy.data.decode()
    with app.app_context():
        assert db.session.get(Participant, walk_in.id).person_id is None
        assert db.session.get(Participant, invited.id).status == AttendanceStatus.INVITED
