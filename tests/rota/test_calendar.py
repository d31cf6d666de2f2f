"""Holiday shifts fall on the right days: weekends, national holidays with 振替休日, 年末年始, group days."""

from datetime import date, time
from types import SimpleNamespace

from hubapp.common.jpcalendar import HolidayCalendar
from hubapp.rota.calendar import shift_window, slots
from hubapp.rota.models import AppliesOn

SHIFTS = [
    SimpleNamespace(
        code="weekday_night", applies_on=AppliesOn.WEEKDAY, is_night=True, starts=time(18), ends=time(8, 30)
    ),
    SimpleNamespace(
        code="holiday_day", applies_on=AppliesOn.HOLIDAY, is_night=False, starts=time(8, 30), ends=time(18)
    ),
    SimpleNamespace(
        code="holiday_night", applies_on=AppliesOn.HOLIDAY, is_night=True, starts=time(18), ends=time(8, 30)
    ),
]


def holiday_days(first: date, last: date, calendar=None) -> list[int]:
    return sorted({s.day.day for s in slots(SHIFTS, first, last, calendar or HolidayCalendar()) if s.is_holiday})


def test_golden_week_2026_includes_the_substitute_holiday_on_may_6():
    # 4/29 昭和の日 (Wed), 5/2–3 weekend + 憲法記念日 on Sunday, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日
    assert holiday_days(date(2026, 4, 29), date(2026, 5, 10)) == [2, 3, 4, 5, 6, 9, 10, 29]
    may_6 = [s for s in slots(SHIFTS, date(2026, 5, 6), date(2026, 5, 7), HolidayCalendar()) if s.day.day == 6]
    assert [s.shift for s in may_6] == ["holiday_day", "holiday_night"]


def test_december_2026_has_weekends_and_the_year_end_as_holidays():
    days = holiday_days(date(2026, 12, 1), date(2026, 12, 31))
    weekends = [5, 6, 12, 13, 19, 20, 26, 27]
    assert days == sorted(weekends + [29, 30, 31])  # 年末年始 from 12/29
    weekday_nights = [
        s.day.day
        for s in slots(SHIFTS, date(2026, 12, 1), date(2026, 12, 31), HolidayCalendar())
        if s.shift == "weekday_night"
    ]
    assert 28 in weekday_nights and 29 not in weekday_nights and len(weekday_nights) == 31 - len(days)


def test_new_year_and_a_group_day():
    calendar = HolidayCalendar(extra={date(2027, 1, 4): "仕事始め休診"})
    assert holiday_days(date(2027, 1, 1), date(2027, 1, 12), calendar) == [1, 2, 3, 4, 9, 10, 11]  # 1/11 成人の日


def test_night_shifts_end_the_next_morning():
    start, end = shift_window(date(2026, 12, 31), time(18, 0), time(8, 30))
    assert (start.isoformat(), end.isoformat()) == ("2026-12-31T18:00:00+09:00", "2027-01-01T08:30:00+09:00")
    start, end = shift_window(date(2026, 12, 31), time(8, 30), time(18, 0))
    assert end.date() == date(2026, 12, 31)
