"""年度, 和暦 and holidays, checked against the Cabinet Office's official list (tests/common/data, a copy
of shared/data with its source and licence in the README there)."""

import csv
from datetime import date
from pathlib import Path

import pytest

from hubapp.common.jpcalendar import (
    FiscalYear,
    HolidayCalendar,
    calendar_from_config,
    era_of,
    format_wareki,
    national_holiday_name,
    national_holidays,
)

OFFICIAL_LIST = Path(__file__).resolve().parent / "data" / "syukujitsu.csv"


def official_holidays(first_year: int, last_year: int) -> dict[date, str]:
    with OFFICIAL_LIST.open(encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))[1:]
    found = {}
    for day_text, name in rows:
        day = date(*map(int, day_text.split("/")))
        if first_year <= day.year <= last_year:
            found[day] = name
    return found


@pytest.fixture(scope="module")
def official():
    if not OFFICIAL_LIST.exists():
        pytest.fail(f"the official holiday list is missing: {OFFICIAL_LIST}")
    return official_holidays(2024, 2027)


def test_national_holidays_2024_2027_match_the_official_list(official):
    last_listed = max(official)  # the list ends at 2027-11-23
    ours = national_holidays(date(2024, 1, 1), last_listed)
    assert set(ours) == set(official), sorted(set(ours) ^ set(official))
    for day, name in official.items():
        if name == "休日":  # the list writes 振替休日 and 国民の休日 both as 休日
            assert ours[day] in ("振替休日", "国民の休日"), (day, ours[day])
        else:
            assert ours[day] == name, (day, ours[day], name)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 11, 24), "振替休日"),  # 勤労感謝の日 on a Sunday
        (date(2026, 5, 6), "振替休日"),  # 憲法記念日 on a Sunday, pushed past みどりの日 and こどもの日
        (date(2026, 9, 22), "国民の休日"),  # between 敬老の日 and 秋分の日
        (date(2027, 3, 22), "振替休日"),
        (date(2026, 11, 23), "勤労感謝の日"),
        (date(2026, 11, 24), None),
    ],
)
def test_substitute_and_citizens_holidays(day, name):
    assert national_holiday_name(day) == name


def test_fiscal_year_runs_april_to_march_and_is_named_in_reiwa():
    fy = FiscalYear.of(date(2026, 11, 23))
    assert fy == FiscalYear(2026)
    assert (fy.start, fy.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert fy.label_ja == "令和8年度" and fy.label_western == "FY2026"
    assert fy.label == "令和8年度（FY2026）"
    assert FiscalYear.of(date(2027, 3, 31)) == FiscalYear(2026)
    assert FiscalYear.of(date(2027, 4, 1)) == FiscalYear(2027)
    assert date(2027, 3, 31) in fy and date(2027, 4, 1) not in fy and date(2026, 3, 31) not in fy


@pytest.mark.parametrize(
    ("year", "label"),
    [(2019, "令和元年度"), (2020, "令和2年度"), (2018, "平成30年度"), (1989, "平成元年度"), (1988, "昭和63年度")],
)
def test_fiscal_year_era_labels(year, label):
    assert FiscalYear(year).label_ja == label


def test_quarters():
    fy = FiscalYear(2026)
    assert fy.quarter_of(date(2026, 4, 1)) == 1
    assert fy.quarter_of(date(2026, 6, 30)) == 1
    assert fy.quarter_of(date(2026, 10, 1)) == 3
    assert fy.quarter_of(date(2027, 3, 31)) == 4
    assert fy.quarter_range(1) == (date(2026, 4, 1), date(2026, 6, 30))
    assert fy.quarter_range(3) == (date(2026, 10, 1), date(2026, 12, 31))
    assert fy.quarter_range(4) == (date(2027, 1, 1), date(2027, 3, 31))
    with pytest.raises(ValueError):
        fy.quarter_of(date(2027, 4, 1))
    assert fy.months()[0] == date(2026, 4, 1) and fy.months()[-1] == date(2027, 3, 1)
    assert len(fy.months()) == 12


def test_wareki():
    assert era_of(date(2019, 4, 30)) == ("平成", 31)
    assert era_of(date(2019, 5, 1)) == ("令和", 1)
    assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki(date(2026, 11, 23), weekday=True) == "令和8年11月23日（月）"


def test_year_end_holidays_span_the_new_year_and_are_configurable():
    calendar = HolidayCalendar()
    assert calendar.holiday_name(date(2026, 12, 28)) is None
    assert calendar.holiday_name(date(2026, 12, 29)) == "年末年始"
    assert calendar.holiday_name(date(2027, 1, 1)) == "元日"  # the national holiday's name wins
    assert calendar.holiday_name(date(2027, 1, 3)) == "年末年始"
    assert calendar.holiday_name(date(2027, 1, 4)) is None
    shorter = calendar_from_config({"YEAR_END_HOLIDAYS": [[12, 30], [1, 2]]})
    assert not shorter.is_holiday(date(2026, 12, 29)) and shorter.is_holiday(date(2026, 12, 30))
    assert not shorter.is_holiday(date(2027, 1, 3))
    none = calendar_from_config({"YEAR_END_HOLIDAYS": None})
    assert not none.is_holiday(date(2026, 12, 30))


def test_extra_days_and_days_off():
    calendar = calendar_from_config({"YEAR_END_HOLIDAYS": [[12, 29], [1, 3]]}, [(date(2026, 8, 14), "お盆")])
    assert calendar.holiday_name(date(2026, 8, 14)) == "お盆"
    assert calendar.is_day_off(date(2026, 11, 21))  # Saturday
    assert calendar.is_day_off(date(2026, 11, 23))  # 勤労感謝の日 (Monday)
    assert not calendar.is_day_off(date(2026, 11, 24))
    days = calendar.holidays(date(2026, 12, 28), date(2027, 1, 5))
    assert list(days) == [date(2026, 12, d) for d in (29, 30, 31)] + [date(2027, 1, d) for d in (1, 2, 3)]
    assert calendar.upcoming(date(2026, 11, 24), 2) == [
        (date(2026, 12, 29), "年末年始"),
        (date(2026, 12, 30), "年末年始"),
    ]


def test_upcoming_runs_join_consecutive_days_of_the_same_name():
    runs = HolidayCalendar().upcoming_runs(date(2026, 11, 24), 4)
    assert runs == [
        (date(2026, 12, 29), date(2026, 12, 31), "年末年始"),
        (date(2027, 1, 1), date(2027, 1, 1), "元日"),
        (date(2027, 1, 2), date(2027, 1, 3), "年末年始"),
        (date(2027, 1, 11), date(2027, 1, 11), "成人の日"),
    ]


def test_durations_read_in_hours_and_minutes_and_months_in_reiwa():
    from hubapp.common.jpcalendar import format_duration, format_month

    assert [format_duration(m) for m in (0, 45, 60, 4050)] == ["0分", "45分", "1時間", "67時間30分"]
    assert format_month(date(2026, 12, 1)) == "令和8年12月" and format_month(date(2019, 5, 1)) == "令和元年5月"


def test_the_western_year_shows_only_when_asked_for(app, client, login_as):
    login_as("coordinator")
    page = client.get("/").data.decode()
    assert "FY20" not in page and "年度）" not in page
    stats = client.get("/consultations/stats").data.decode()
    assert "FY20" not in stats
    app.config["SHOW_WESTERN_YEAR"] = True
    assert "年度）" in client.get("/").data.decode()
