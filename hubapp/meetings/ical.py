"""iCalendar for meetings: invitations, updates and cancellations (iTIP methods, RFC 5546) and the
downloads and subscription feeds calendars read (PUBLISH, RFC 5545 with RFC 7986's calendar names).

Pure functions in the Indico style: they read a :class:`~hubapp.meetings.models.Meeting` and return
bytes, never touch the request or the database, and take ``stamp`` (DTSTAMP) so tests can pin it.

- The UID is ``meeting.ical_uid``: the same for a meeting forever, so a calendar updates or removes
  the event it already has instead of adding a second one.
- SEQUENCE is ``meeting.ical_sequence``, which the services bump on every change sent to invitees
  and on cancellation; calendars ignore an update whose SEQUENCE is not higher than the one they hold.
- Times are written as wall-clock times in Asia/Tokyo (``DTSTART;TZID=Asia/Tokyo:…``) with the
  VTIMEZONE that defines them, as Outlook needs; JST has had no daylight saving since 1951.
- icalendar (>= 6) folds lines at 75 octets between characters, never inside a UTF-8 sequence
  (tests/meetings/test_ical.py checks it with long Japanese text).
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Literal

from icalendar import Calendar, Event, vCalAddress
from icalendar.prop import vDuration

from hubapp.common.icalendars import FEED_REFRESH, PRODID, TZID  # noqa: F401 (also this module's names)
from hubapp.core.services import JST
from hubapp.meetings.models import AttendanceStatus, Meeting, Participant

#: The VTIMEZONE's stated validity; Asia/Tokyo has no transitions in it, so one STANDARD block serves.
_TZ_FIRST, _TZ_LAST = date(1970, 1, 1), date(2100, 1, 1)

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]
METHODS: tuple[Method, ...] = ("REQUEST", "CANCEL", "PUBLISH")

#: Attendance recorded in the app as the invitee's participation status.
PARTSTAT = {
    AttendanceStatus.INVITED: "NEEDS-ACTION",
    AttendanceStatus.PRESENT: "ACCEPTED",
    AttendanceStatus.PROXY: "ACCEPTED",
    AttendanceStatus.ABSENT: "DECLINED",
}
#: Shown before the title of a cancelled meeting, for calendars that ignore STATUS:CANCELLED.
CANCELLED_PREFIX = "【中止】"


def invitees(meeting: Meeting) -> list[Participant]:
    """The participants who were invited and can be written to: an e-mail address and not a walk-in."""
    return [p for p in meeting.participants if p.email and not p.is_walk_in]


def location(meeting: Meeting) -> str:
    """The place and/or the online meeting's URL: ``香取市役所 3階会議室 / https://…``."""
    return " / ".join(part for part in (meeting.place.strip(), meeting.online_url.strip()) if part)


def _description(meeting: Meeting, cancelled: bool) -> str:
    parts = []
    if cancelled:
        parts.append("この会議は中止になりました。")
    if meeting.agenda.strip():
        parts.append(meeting.agenda.strip())
    if meeting.online_url.strip():
        parts.append(f"オンライン参加: {meeting.online_url.strip()}")
    return "\n\n".join(parts)


def _address(email: str, params: dict[str, str]) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    for key, value in params.items():
        if value:
            address.params[key] = value
    return address


def meeting_event(
    meeting: Meeting,
    *,
    with_attendees: bool,
    attendees: Sequence[Participant] | None = None,
    organizer_email: str = "",
    cancelled: bool | None = None,
    stamp: datetime | None = None,
) -> Event:
    """The meeting as a VEVENT.

    ``with_attendees`` adds an ATTENDEE (CN, ROLE, PARTSTAT, RSVP) for each of ``attendees`` (default:
    every :func:`invitees` of the meeting); downloads and feeds leave them out. ``organizer_email``
    stands in for ORGANIZER when the meeting names no organiser address (iTIP requires one in REQUEST
    and CANCEL). RSVP=TRUE is asked for only when replies reach a person (the meeting's own
    organiser address). ``cancelled`` defaults to whether the meeting is cancelled.
    """
    cancelled = meeting.is_cancelled if cancelled is None else cancelled
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(JST))
    event.add("dtend", meeting.ends_at.astimezone(JST))
    if meeting.updated_at is not None:
        event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("summary", (CANCELLED_PREFIX if cancelled else "") + meeting.title)
    if where := location(meeting):
        event.add("location", where)
    if description := _description(meeting, cancelled):
        event.add("description", description)
    if meeting.online_url.strip():
        event.add("url", meeting.online_url.strip())
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    organizer = meeting.organizer_email.strip() or organizer_email.strip()
    if organizer:
        event.add("organizer", _address(organizer, {"CN": meeting.organizer_name.strip()}))
    if with_attendees:
        rsvp = "TRUE" if meeting.organizer_email.strip() and not cancelled else "FALSE"
        for participant in invitees(meeting) if attendees is None else attendees:
            if not participant.email:
                continue
            partstat = PARTSTAT[participant.status]
            event.add(
                "attendee",
                _address(
                    participant.email,
                    {
                        "CUTYPE": "INDIVIDUAL",
                        "CN": participant.name,
                        "ROLE": "REQ-PARTICIPANT",
                        "PARTSTAT": partstat,
                        "RSVP": rsvp if partstat == "NEEDS-ACTION" else "FALSE",
                    },
                ),
            )
    return event


def _calendar(method: Method, events: Iterable[Event], *, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)  # RFC 7986
        calendar.add("x-wr-calname", name)  # Google, Outlook and Apple read this one
        calendar.add("x-wr-timezone", TZID)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones(first_date=_TZ_FIRST, last_date=_TZ_LAST)
    return calendar


def meeting_calendar(
    meeting: Meeting,
    method: Method,
    *,
    attendees: Sequence[Participant] | None = None,
    organizer_email: str = "",
    stamp: datetime | None = None,
) -> bytes:
    """One meeting as an iCalendar object.

    ``REQUEST`` (invitation or update) and ``CANCEL`` carry ORGANIZER and the ATTENDEEs (``attendees``,
    default every invitee); ``CANCEL`` is STATUS:CANCELLED whatever the meeting says. ``PUBLISH`` is
    the page's download: no attendees (no one's address leaves the app with it).
    """
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    event = meeting_event(
        meeting,
        with_attendees=method != "PUBLISH",
        attendees=attendees,
        organizer_email=organizer_email,
        cancelled=True if method == "CANCEL" else None,
        stamp=stamp,
    )
    return _calendar(method, [event]).to_ical()


def feed_calendar(meetings: Iterable[Meeting], name: str, *, stamp: datetime | None = None) -> bytes:
    """A subscription feed: the meetings (cancelled ones as STATUS:CANCELLED) without attendees."""
    stamp = stamp or datetime.now(UTC)
    calendar = _calendar(
        "PUBLISH", [meeting_event(m, with_attendees=False, stamp=stamp) for m in meetings], name=name
    )
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})  # RFC 7986
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))  # Outlook's older name for it
    return calendar.to_ical()
