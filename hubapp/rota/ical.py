"""iCalendar for the rota's subscription feeds (PUBLISH, RFC 5545 with RFC 7986's calendar names).

A pure function: it reads duties and names and returns bytes, never touching the request or the
database. The output depends only on its arguments (DTSTAMP is the duty's ``updated_at``, not the
time of the request), so the same rota gives the same bytes and the feed's ETag can hash them.

- The UID is ``duty-<id>@hubapp``: the same for a duty forever, so a calendar updates the event it
  already has when the duty changes hands, instead of adding a second one.
- SEQUENCE is the whole seconds from the duty's creation to its last change, and LAST-MODIFIED its
  ``updated_at``: both grow with every change, which is what calendars look at to take an update.
- Times are wall-clock times in Asia/Tokyo (``DTSTART;TZID=Asia/Tokyo:…``) with their VTIMEZONE.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from icalendar import Calendar, Event
from icalendar.prop import vDuration

from hubapp.common.icalendars import FEED_REFRESH, PRODID, TZID
from hubapp.core.services import JST
from hubapp.rota.models import Duty

#: The VTIMEZONE's stated validity; Asia/Tokyo has no transitions in it, so one STANDARD block serves.
_TZ_FIRST, _TZ_LAST = date(1970, 1, 1), date(2100, 1, 1)
PRIMARY = "当番（主）"
SECONDARY = "副・バックアップ"
BACKUP_HOSPITAL = "後方支援病院"


def uid(duty: Duty) -> str:
    return f"duty-{duty.id}@hubapp"


def sequence(duty: Duty) -> int:
    if duty.created_at is None or duty.updated_at is None:
        return 0
    return max(0, int((duty.updated_at - duty.created_at).total_seconds()))


def family_name(name: str) -> str:
    """「髙橋 健一」 -> 「髙橋」 (the part before the first space, full-width or not)."""
    parts = name.split()
    return parts[0] if parts else name


def _shift_name(duty: Duty) -> str:
    return duty.shift_type.name if duty.shift_type is not None else ""


def summary(duty: Duty, names: Mapping[int, str], member_id: int | None = None) -> str:
    """Personal feed: 「当番（主）平日夜間」 or 「副・バックアップ 休日夜間」; group feed:
    「平日夜間 主:髙橋 副:鈴木」 (「主:後方支援病院」 when no physician is primary)."""
    shift = _shift_name(duty)
    if member_id is not None:
        if duty.primary_id == member_id:
            return f"{PRIMARY}{shift}"
        return f"{SECONDARY} {shift}"
    primary = family_name(names.get(duty.primary_id, "")) if duty.primary_id is not None else ""
    parts = [shift, f"主:{primary or BACKUP_HOSPITAL}"]
    if duty.secondary_id is not None:
        parts.append(f"副:{family_name(names.get(duty.secondary_id, '')) or '—'}")
    return " ".join(parts)


def description(duty: Duty, names: Mapping[int, str]) -> str:
    primary = names.get(duty.primary_id, "") if duty.primary_id is not None else ""
    lines = [f"{PRIMARY}: {primary or BACKUP_HOSPITAL}"]
    if duty.secondary_id is not None:
        lines.append(f"{SECONDARY}: {names.get(duty.secondary_id, '')}")
    if duty.is_holiday:
        lines.append("休日")
    return "\n".join(lines)


def duty_event(duty: Duty, names: Mapping[int, str], member_id: int | None = None) -> Event:
    changed = (duty.updated_at or duty.created_at or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    event = Event()
    event.add("uid", uid(duty))
    event.add("sequence", sequence(duty))
    event.add("dtstamp", changed)
    event.add("dtstart", duty.starts_at.astimezone(JST))
    event.add("dtend", duty.ends_at.astimezone(JST))
    event.add("last-modified", changed)
    event.add("summary", summary(duty, names, member_id))
    event.add("description", description(duty, names))
    event.add("status", "CONFIRMED")
    # A personal feed blocks the physician's time; a group feed is for reading, not for free/busy.
    event.add("transp", "OPAQUE" if member_id is not None else "TRANSPARENT")
    return event


def duties_calendar(
    duties: Iterable[Duty], member_names: Mapping[int, str], *, member_id: int | None = None, name: str
) -> bytes:
    """The duties as a subscription feed (PUBLISH), one VEVENT each.

    ``member_id`` makes it a personal feed (the member's role in each summary); without it the
    summaries name both physicians. ``member_names`` maps member ids to names.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # Google, Outlook and Apple read this one
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})  # RFC 7986
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))  # Outlook's older name for it
    for duty in duties:
        calendar.add_component(duty_event(duty, member_names, member_id))
    calendar.add_missing_timezones(first_date=_TZ_FIRST, last_date=_TZ_LAST)
    return calendar.to_ical()
