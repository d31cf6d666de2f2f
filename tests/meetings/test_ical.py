"""iCalendar output, read back by a second, independent parser (vobject) and checked byte by byte for
RFC 5545 line folding with Japanese text."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import vobject

from hubapp.meetings import ical, services
from tests.support.meetings import AGENDA, TITLE, invite, meeting_values, new_meeting

STAMP = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)








@pytest.fixture
def people(create_person):
    """Two invitees with addresses and one without (ids)."""
    return [
        create_person("山田 花子", email="hanako.yamada@example.jp").id,
        create_person("佐藤 一郎", email="ichiro.sato@example.jp").id,
        create_person("鈴木 三郎").id,
    ]


def parse(data: bytes):
    """The calendar as vobject reads it (a parser that shares no code with icalendar)."""
    return vobject.readOne(data.decode("utf-8"))


def test_request_read_back_by_vobject(app_ctx, hub, people):
    meeting = new_meeting(hub.id)
    invite(meeting, *people)

    data = ical.meeting_calendar(meeting, "REQUEST", stamp=STAMP)
    calendar = parse(data)

    assert calendar.method.value == "REQUEST"
    assert calendar.prodid.value == ical.PRODID
    assert calendar.vtimezone.tzid.value == "Asia/Tokyo"
    event = calendar.vevent
    assert event.uid.value == meeting.ical_uid
    assert int(event.sequence.value) == 0
    assert event.summary.value == TITLE
    assert event.location.value == "香取市役所 3階 大会議室 / https://meet.example.jp/hokuso-3"
    assert AGENDA in event.description.value
    assert event.url.value == "https://meet.example.jp/hokuso-3"
    assert event.status.value == "CONFIRMED"
    assert event.dtstamp.value == STAMP
    # The JST wall time with its TZID, defined by the VTIMEZONE (vobject resolves it to +09:00).
    assert b"DTSTART;TZID=Asia/Tokyo:20261124T183000\r\n" in data
    assert b"DTEND;TZID=Asia/Tokyo:20261124T200000\r\n" in data
    start = event.dtstart.value
    assert start.replace(tzinfo=None) == datetime(2026, 11, 24, 18, 30)
    assert start.utcoffset() == timedelta(hours=9)
    assert start == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    assert event.dtend.value == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)

    assert event.organizer.value == "mailto:office@hokuso.example.jp"
    assert event.organizer.params["CN"] == ["北総テスト在宅医療連携センター"]
    attendees = {a.value: a.params for a in event.contents["attendee"]}
    assert set(attendees) == {"mailto:hanako.yamada@example.jp", "mailto:ichiro.sato@example.jp"}
    hanako = attendees["mailto:hanako.yamada@example.jp"]
    assert hanako["CN"] == ["山田 花子"]
    assert hanako["ROLE"] == ["REQ-PARTICIPANT"]
    assert hanako["PARTSTAT"] == ["NEEDS-ACTION"]
    assert hanako["RSVP"] == ["TRUE"]


def test_one_vtimezone_defines_tokyo_without_daylight_saving(app_ctx, hub):
    calendar = parse(ical.meeting_calendar(new_meeting(hub.id), "PUBLISH"))
    assert len(calendar.contents["vtimezone"]) == 1
    timezone = calendar.vtimezone
    assert "daylight" not in timezone.contents
    assert timezone.standard.tzoffsetto.value == "+0900"


def test_time_change_keeps_the_uid_and_bumps_the_sequence(app_ctx, hub, people):
    meeting = new_meeting(hub.id)
    invite(meeting, people[0])
    first = parse(ical.meeting_calendar(meeting, "REQUEST")).vevent

    moved = meeting_values(
        starts_at=services.jst_datetime(date(2026, 11, 26), time(19, 0)),
        ends_at=services.jst_datetime(date(2026, 11, 26), time(20, 30)),
    )
    saved, changed = services.save_meeting(hub.id, moved, [], [], meeting)
    assert changed
    data = ical.meeting_calendar(saved, "REQUEST")
    second = parse(data).vevent

    assert second.uid.value == first.uid.value == meeting.ical_uid
    assert int(second.sequence.value) == int(first.sequence.value) + 1
    assert b"DTSTART;TZID=Asia/Tokyo:20261126T190000\r\n" in data


def test_agenda_change_alone_is_not_a_new_sequence(app_ctx, hub):
    meeting = new_meeting(hub.id)
    _saved, changed = services.save_meeting(hub.id, meeting_values(agenda="議題の追記"), [], [], meeting)
    assert not changed
    assert int(parse(ical.meeting_calendar(meeting, "REQUEST")).vevent.sequence.value) == 0


def test_cancel_has_the_same_uid_and_a_higher_sequence(app_ctx, hub, people):
    meeting = new_meeting(hub.id)
    invite(meeting, *people)
    request = parse(ical.meeting_calendar(meeting, "REQUEST")).vevent

    services.cancel_meeting(meeting)
    data = ical.meeting_calendar(meeting, "CANCEL")
    calendar = parse(data)

    assert calendar.method.value == "CANCEL"
    event = calendar.vevent
    assert event.status.value == "CANCELLED"
    assert event.uid.value == request.uid.value
    assert int(event.sequence.value) > int(request.sequence.value)
    assert event.summary.value == ical.CANCELLED_PREFIX + TITLE
    assert event.organizer.value == "mailto:office@hokuso.example.jp"
    assert {a.value for a in event.contents["attendee"]} == {
        "mailto:hanako.yamada@example.jp", "mailto:ichiro.sato@example.jp",
    }
    assert all(a.params["RSVP"] == ["FALSE"] for a in event.contents["attendee"])


def test_attendees_can_be_limited_to_the_recipient(app_ctx, hub, people):
    meeting = new_meeting(hub.id)
    hanako, _ichiro, _saburo = invite(meeting, *people)
    event = parse(ical.meeting_calendar(meeting, "REQUEST", attendees=[hanako])).vevent
    assert [a.value for a in event.contents["attendee"]] == ["mailto:hanako.yamada@example.jp"]


def test_walk_ins_are_not_attendees(app_ctx, hub, people):
    from hubapp.directory.models import Profession

    meeting = new_meeting(hub.id)
    invite(meeting, people[0])
    walk_in = services.add_walk_in(meeting, "飛び入り 太郎", Profession.CARE_MANAGER, "香取ケアプラン")
    walk_in.email = "walkin@example.jp"  # even with an address (none is asked for today)
    assert ical.invitees(meeting) == [p for p in meeting.participants if p.name == "山田 花子"]
    event = parse(ical.meeting_calendar(meeting, "REQUEST")).vevent
    assert [a.value for a in event.contents["attendee"]] == ["mailto:hanako.yamada@example.jp"]


def test_organizer_falls_back_to_the_sender_and_then_asks_no_rsvp(app_ctx, hub, people):
    meeting = new_meeting(hub.id, organizer_email="")
    invite(meeting, people[0])
    event = parse(ical.meeting_calendar(meeting, "REQUEST", organizer_email="noreply@example.jp")).vevent
    assert event.organizer.value == "mailto:noreply@example.jp"
    assert event.attendee.params["RSVP"] == ["FALSE"]


def test_publish_download_carries_no_attendees(app_ctx, hub, people):
    meeting = new_meeting(hub.id)
    invite(meeting, *people)
    data = ical.meeting_calendar(meeting, "PUBLISH")
    calendar = parse(data)
    assert calendar.method.value == "PUBLISH"
    assert "attendee" not in calendar.vevent.contents
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    for private in ("hanako.yamada@example.jp", "ichiro.sato@example.jp", "山田", "佐藤"):
        assert private not in unfolded


def test_online_only_and_place_only_locations(app_ctx, hub):
    online = parse(ical.meeting_calendar(new_meeting(hub.id, place=""), "PUBLISH")).vevent
    assert online.location.value == "https://meet.example.jp/hokuso-3"
    in_person = parse(ical.meeting_calendar(new_meeting(hub.id, online_url=""), "PUBLISH")).vevent
    assert in_person.location.value == "香取市役所 3階 大会議室"
    assert "url" not in in_person.contents


def test_unknown_method_is_refused(app_ctx, hub):
    with pytest.raises(ValueError):
        ical.meeting_calendar(new_meeting(hub.id), "REPLY")


@pytest.mark.parametrize("shift", range(4))
def test_folding_never_splits_a_multibyte_character(app_ctx, hub, shift):
    # Long Japanese text, shifted by 0–3 ASCII characters so that folds fall at every byte offset of
    # the 3-byte UTF-8 sequences; a title that folds too, and a name in an ATTENDEE parameter.
    agenda = "x" * shift + (
        "在宅医療・介護連携推進事業の課題（退院支援、日常の療養支援、急変時の対応、看取り）について、"
        "各職種から現状を報告し、対応策と担当者、期限を決めます。㈱ＡＢＣ訪問看護ステーション🏥も参加。"
    ) * 4
    title = "香取・神崎・多古地区　在宅医療と介護の連携を考える多職種連携会議"
    meeting = new_meeting(hub.id, agenda=agenda, title=title)
    data = ical.meeting_calendar(meeting, "PUBLISH")

    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines), "nothing was folded"
    for line in lines:
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare line feeds: the agenda's are escaped
    event = parse(data).vevent
    assert event.description.value.startswith(agenda)
    assert event.summary.value == title


def test_feed_calendar(app_ctx, hub):
    held = new_meeting(hub.id, title="第1回 多職種連携会議")
    cancelled = new_meeting(
        hub.id, title="第2回 多職種連携会議",
        starts_at=services.jst_datetime(date(2026, 12, 1), time(18, 0)),
        ends_at=services.jst_datetime(date(2026, 12, 1), time(19, 0)),
    )
    services.cancel_meeting(cancelled)
    data = ical.feed_calendar([held, cancelled], "北総テスト 会議・研修", stamp=STAMP)
    calendar = parse(data)

    assert calendar.method.value == "PUBLISH"
    assert calendar.contents["x-wr-calname"][0].value == "北総テスト 会議・研修"
    assert calendar.contents["x-wr-timezone"][0].value == "Asia/Tokyo"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    assert len(calendar.contents["vtimezone"]) == 1
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert events[held.ical_uid].status.value == "CONFIRMED"
    assert events[cancelled.ical_uid].status.value == "CANCELLED"
    assert all("attendee" not in e.contents for e in events.values())


def test_empty_feed_is_still_a_calendar(app_ctx):
    calendar = parse(ical.feed_calendar([], "空の拠点"))
    assert calendar.method.value == "PUBLISH"
    assert "vevent" not in calendar.contents
