"""Which shifts a group staffs on which days: weekday shifts on working days, 休日 shifts on Saturdays,
Sundays, national holidays (振替休日 and 国民の休日 included), 年末年始 and the group's extra days —
all from the foundation's calendar module."""

from datetime import date, datetime, time, timedelta

from hubapp.common.jpcalendar import HolidayCalendar
from hubapp.core.services import JST
from hubapp.rota.models import AppliesOn
from hubapp.rota.planning import Slot


def shift_window(day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
    """The shift's start and end in Japan; an end not after the start is on the next day (翌8:30)."""
    start = datetime.combine(day, starts, tzinfo=JST)
    end = datetime.combine(day + timedelta(days=1) if ends <= starts else day, ends, tzinfo=JST)
    return start, end


def slot_minutes(starts: time, ends: time) -> tuple[int, int]:
    """A shift's start and end in minutes from its day's midnight (an end on the next day past 1440)."""
    start = starts.hour * 60 + starts.minute
    end = ends.hour * 60 + ends.minute
    return start, end + 1440 if end <= start else end


def slots(shift_types, first: date, last: date, calendar: HolidayCalendar) -> list[Slot]:
    """Every shift to staff from ``first`` to ``last`` (inclusive), in date and shift order."""
    found = []
    day = first
    while day <= last:
        holiday = calendar.is_day_off(day)
        wanted = AppliesOn.HOLIDAY if holiday else AppliesOn.WEEKDAY
        for shift in shift_types:
            if shift.applies_on == wanted:
                found.append(
                    Slot(
                        f"{day.isoformat()}/{shift.code}",
                        day,
                        shift.code,
                        holiday,
                        shift.is_night,
                        *slot_minutes(shift.starts, shift.ends),
                    )
                )
        day += timedelta(days=1)
    return found
