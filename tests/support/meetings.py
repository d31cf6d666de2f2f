"""The meeting factory: a 多職種連携会議 with every field filled (``meeting_values``), saved through the
service (``new_meeting``), and its invitations (``invite``). Call inside an app context."""

from datetime import date, time

from hubapp.directory.models import Person
from hubapp.extensions import db
from hubapp.meetings import services
from hubapp.meetings.models import MeetingKind, Scene, Topic

TITLE = "多職種連携会議（第3回）退院支援の課題"


AGENDA = "1. 退院前カンファレンスの開き方\n2. 訪問看護への情報提供書の様式"


def meeting_values(**overrides) -> dict:
    values = {
        "kind": MeetingKind.MULTIDISCIPLINARY,
        "title": TITLE,
        "starts_at": services.jst_datetime(date(2026, 11, 24), time(18, 30)),
        "ends_at": services.jst_datetime(date(2026, 11, 24), time(20, 0)),
        "place": "香取市役所 3階 大会議室",
        "online_url": "https://meet.example.jp/hokuso-3",
        "agenda": AGENDA,
        "summary": "",
        "organizer_name": "北総テスト在宅医療連携センター",
        "organizer_email": "office@hokuso.example.jp",
    }
    values.update(overrides)
    return values


def new_meeting(hub_id: int, **overrides):
    meeting, changed = services.save_meeting(
        hub_id, meeting_values(**overrides), [Topic.ISSUE_EXTRACTION], [Scene.DISCHARGE]
    )
    assert not changed
    return meeting


def invite(meeting, *person_ids: int):
    return services.invite(meeting, [db.session.get(Person, pid) for pid in person_ids])
