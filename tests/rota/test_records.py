"""Rota records: 主治医・副主治医 pairs (pseudonymous codes, both-away warnings) and the 代診・出動 log (UTC
storage, totals per month and 年度, the 9 hours' rest after a night call-out, 宿日直許可 counts)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import calendar as rota_calendar
from hubapp.rota import records, services
from hubapp.rota.models import (
    AppliesOn,
    AvailabilityKind,
    Duty,
    DutyLog,
    DutyLogKind,
    GroupMember,
    PatientPair,
    PhysicianGroup,
)

NOV = date(2026, 11, 2)  # a Monday


@pytest.fixture
def rota(app, hub, create_person):
    """A group of four physicians in ``hub``, and a second group with one more: their ids."""
    people = [create_person(f"医師{i}", Profession.PHYSICIAN) for i in range(5)]
    with app.app_context():
        group = services.create_group(hub.id, "在宅医グループ")
        members = [services.add_member(group, db.session.get(Person, p.id)) for p in people[:4]]
        other = services.create_group(hub.id, "別のグループ")
        outsider = services.add_member(other, db.session.get(Person, people[4].id))
        db.session.commit()
        return {"group": group.id, "m": [m.id for m in members], "other_group": other.id, "outsider": outsider.id}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def make_duty(group_id, code, day, primary_id, *, secondary_id=None, published=True, starts=None) -> Duty:
    group = db.session.get(PhysicianGroup, group_id)
    shift = next(s for s in group.shift_types if s.code == code)
    start, end = rota_calendar.shift_window(day, starts or shift.starts, shift.ends)
    duty = Duty(
        group_id=group.id,
        hub_id=group.hub_id,
        shift_type_id=shift.id,
        day=day,
        starts_at=start,
        ends_at=end,
        is_holiday=shift.applies_on == AppliesOn.HOLIDAY,
        primary_id=primary_id,
        secondary_id=secondary_id,
        fiscal_year=FiscalYear.of(day).year,
        published_at=utcnow() if published else None,
    )
    db.session.add(duty)
    db.session.flush()
    return duty


def member(member_id) -> GroupMember:
    return db.session.get(GroupMember, member_id)


def group_of(rota) -> PhysicianGroup:
    return services.get_group(db.session.get(PhysicianGroup, rota["group"]).hub_id, rota["group"])


# --- patient codes and pairs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"), [("K-0012", "K-0012"), (" k-0012 ", "K-0012"), ("Ｋ－００１２", "K-0012"), ("A1", "A1")]
)
def test_patient_codes_are_normalised(typed, stored):
    assert records.clean_patient_code(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "患者コードを入力してください。"),
        ("   ", "患者コードを入力してください。"),
        ("山田太郎", "氏名は入力しないでください。"),
        ("やまだ", "氏名は入力しないでください。"),
        ("K-0012 山田", "氏名は入力しないでください。"),
        ("Yamada Taro", "氏名は入力しないでください。"),
        ("TANAKA", "氏名は入力しないでください。"),  # no digit: a romanised name, not a code
        ("K--12", "英数字とハイフン"),
        ("K-" + "1" * 19, "20文字以内"),
    ],
)
def test_anything_but_a_code_is_refused(typed, message):
    with pytest.raises(services.RotaError) as raised:
        records.clean_patient_code(typed)
    assert message in str(raised.value)


def test_the_code_of_a_log_is_optional():
    assert records.clean_patient_code("", required=False) == ""


def test_pair_validation_changes_nothing(app_ctx, rota):
    group = group_of(rota)
    m = rota["m"]
    cases = [
        (("山田 花子", m[0], m[1]), "氏名は入力しないでください。"),
        (("K-0001", m[0], m[0]), "主治医と副主治医には別の医師を選んでください。"),
        (("K-0001", None, m[1]), "主治医を選んでください。"),
        (("K-0001", m[0], None), "副主治医を選んでください。"),
        (("K-0001", m[0], rota["outsider"]), "「在宅医グループ」の医師から選んでください。"),
    ]
    for (code, attending, deputy), message in cases:
        with pytest.raises(services.RotaError) as raised:
            records.add_pair(group, code, attending, deputy, date(2026, 11, 1))
        assert message in str(raised.value)
    member(m[3]).is_active = False
    with pytest.raises(services.RotaError):
        records.add_pair(group, "K-0001", m[0], m[3], date(2026, 11, 1))
    assert count(PatientPair) == 0
    records.add_pair(group, "K-0001", m[0], m[1], date(2026, 11, 1))
    with pytest.raises(services.RotaError) as raised:
        records.add_pair(group, "k-0001", m[1], m[2], date(2026, 11, 1))
    assert "すでに登録されています" in str(raised.value)
    assert count(PatientPair) == 1


def away(member_id, first, last, kind=AvailabilityKind.UNAVAILABLE):
    services.add_unavailability(member(member_id), kind, first, last)


def test_days_both_physicians_are_away_are_warned(app_ctx, rota):
    group = group_of(rota)
    m = rota["m"]
    start = date(2026, 12, 1)
    both = records.add_pair(group, "K-0001", m[0], m[1], start)
    one = records.add_pair(group, "K-0002", m[2], m[3], start)
    preferring = records.add_pair(group, "K-0003", m[1], m[3], start)
    away(m[0], date(2026, 12, 10), date(2026, 12, 14))
    away(m[1], date(2026, 12, 13), date(2026, 12, 20))
    away(m[2], date(2026, 12, 1), date(2026, 12, 31))  # the deputy of K-0002 is there
    away(m[3], date(2026, 12, 13), date(2026, 12, 14), AvailabilityKind.PREFER_NOT)  # not 不可
    away(m[1], date(2027, 3, 1), date(2027, 3, 2))  # beyond 60 days
    away(m[0], date(2027, 3, 1), date(2027, 3, 2))
    warnings = records.pair_warnings([both, one, preferring], start)
    assert warnings == [records.PairWarning(both.id, group.id, "K-0001", date(2026, 12, 13), date(2026, 12, 14))]
    assert records.pair_warnings([both], date(2026, 12, 14)) == [
        records.PairWarning(both.id, group.id, "K-0001", date(2026, 12, 14), date(2026, 12, 14))
    ]


def test_pair_warnings_take_one_query_whatever_the_number_of_pairs(app, rota, count_queries):
    with app.app_context():
        group = group_of(rota)
        m = rota["m"]
        for n in range(20):
            records.add_pair(group, f"K-{n:04d}", m[n % 4], m[(n + 1) % 4], date(2026, 12, 1))
        for member_id in m:
            away(member_id, date(2026, 12, 5), date(2026, 12, 6))
        db.session.commit()
    for size in (2, 20):
        with app.app_context():
            pairs = records.active_pairs(db.session.get(PhysicianGroup, rota["group"]).hub_id)[:size]
            with count_queries() as counted:
                warnings = records.pair_warnings(pairs, date(2026, 12, 1))
            assert counted.n == 1 and len(warnings) == size


# --- 代診・出動 -----------------------------------------------------------------------------------------


def test_a_call_out_crossing_midnight_is_stored_in_utc_with_its_duty(app_ctx, rota):
    m = rota["m"]
    duty = make_duty(rota["group"], "weekday_night", NOV, m[0], secondary_id=m[1], published=False)
    log = records.add_log(member(m[0]), DutyLogKind.CALL_OUT, NOV, time(23, 40), time(1, 10), patient_code="k-7")
    assert log.started_at == datetime(2026, 11, 2, 14, 40, tzinfo=UTC)
    assert log.ended_at == datetime(2026, 11, 2, 16, 10, tzinfo=UTC)
    assert (log.fiscal_year, log.patient_code, log.hub_id, log.group_id) == (2026, "K-7", duty.hub_id, rota["group"])
    assert log.duty_id is None  # the duty is a draft
    duty.published_at = utcnow()
    secondary = records.add_log(member(m[1]), DutyLogKind.CALL_OUT, NOV, time(23, 50), time(0, 30))
    assert secondary.duty_id == duty.id
    outside = records.add_log(member(m[0]), DutyLogKind.SUBSTITUTE, NOV, time(14, 0), time(15, 0))
    assert outside.duty_id is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": time(9, 0), "end": time(9, 0)}, "開始時刻と終了時刻が同じです。"),
        ({"patient_code": "佐藤"}, "氏名は入力しないでください。"),
        ({"note": "あ" * 201}, "200文字以内"),
        ({"day": date(1999, 12, 31)}, "日付を正しく入力してください。"),
        ({"day": today() + timedelta(days=1)}, "これから先の日付の記録はできません。"),
    ],
)
def test_log_validation_changes_nothing(app_ctx, rota, kwargs, message):
    values = {"day": NOV, "start": time(9, 0), "end": time(10, 0), **kwargs}
    day, start, end = values.pop("day"), values.pop("start"), values.pop("end")
    with pytest.raises(services.RotaError) as raised:
        records.add_log(member(rota["m"][0]), DutyLogKind.SUBSTITUTE, day, start, end, **values)
    assert message in str(raised.value)
    assert count(DutyLog) == 0


def test_totals_per_month_and_fiscal_year(app_ctx, rota):
    hub_id = db.session.get(PhysicianGroup, rota["group"]).hub_id
    m0, m1 = member(rota["m"][0]), member(rota["m"][1])
    records.add_log(m0, DutyLogKind.CALL_OUT, date(2026, 3, 31), time(1, 0), time(3, 30))  # FY2025
    records.add_log(m0, DutyLogKind.CALL_OUT, date(2026, 4, 1), time(22, 0), time(1, 0))  # FY2026
    records.add_log(m0, DutyLogKind.SUBSTITUTE, date(2026, 4, 2), time(10, 0), time(11, 0))
    records.add_log(m0, DutyLogKind.CALL_OUT, date(2026, 5, 8), time(20, 0), time(20, 30))
    records.add_log(m1, DutyLogKind.SUBSTITUTE, date(2026, 5, 9), time(10, 0), time(11, 0))
    (march,) = records.totals(hub_id, date(2026, 3, 1), date(2026, 3, 31))
    assert (march.member_id, march.month_call_outs, march.month_call_out_hours) == (m0.id, 1, 2.5)
    assert (march.year_call_outs, march.year_call_out_hours, march.year_substitutes) == (1, 2.5, 0)
    april = {t.member_id: t for t in records.totals(hub_id, date(2026, 4, 1), date(2026, 4, 30))}[m0.id]
    assert (april.month_call_outs, april.month_call_out_hours, april.month_substitutes) == (1, 3.0, 1)
    assert (april.year_call_outs, april.year_call_out_hours, april.year_substitutes) == (2, 3.5, 1)
    may = {t.member_id: t for t in records.totals(hub_id, date(2026, 5, 1), date(2026, 5, 31))}
    assert (may[m0.id].month_call_outs, may[m0.id].month_substitutes, may[m0.id].year_call_outs) == (1, 0, 2)
    assert (may[m1.id].month_substitutes, may[m1.id].year_substitutes, may[m1.id].year_call_outs) == (1, 1, 0)
    only = records.totals(hub_id, date(2026, 5, 1), date(2026, 5, 31), [m1.id])
    assert [t.member_id for t in only] == [m1.id]


def test_night_call_outs():
    jst = lambda d, h, mi=0: rota_calendar.shift_window(d, time(h, mi), time(h, mi))[0]  # noqa: E731
    assert records.is_night(jst(NOV, 0, 30), jst(NOV, 2))
    assert records.is_night(jst(NOV, 21), jst(NOV, 22, 30))  # runs into the night
    assert records.is_night(jst(NOV, 4), jst(NOV, 6))
    assert not records.is_night(jst(NOV, 5), jst(NOV, 21, 59))
    assert not records.is_night(jst(NOV, 19), jst(NOV, 22))


def test_a_duty_within_nine_hours_of_a_night_call_out_is_warned(app_ctx, rota):
    hub_id = db.session.get(PhysicianGroup, rota["group"]).hub_id
    m = rota["m"]
    call = records.add_log(member(m[0]), DutyLogKind.CALL_OUT, NOV, time(0, 30), time(2, 0))
    soon = make_duty(rota["group"], "holiday_day", NOV, None, secondary_id=m[0], starts=time(7, 0))  # 5 h after
    make_duty(rota["group"], "holiday_night", NOV, m[0], published=False, starts=time(8, 0))  # a draft
    make_duty(rota["group"], "weekday_night", NOV, m[1], starts=time(6, 0))  # someone else's
    (warning,) = records.rest_warnings(hub_id, date(2026, 11, 1), date(2026, 11, 30))
    assert warning.log.id == call.id
    assert warning.rest_until == datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 11:00 JST
    assert [(c.duty.id, c.is_primary) for c in warning.conflicts] == [(soon.id, False)]


def test_a_duty_ten_hours_after_a_night_call_out_is_fine(app_ctx, rota):
    hub_id = db.session.get(PhysicianGroup, rota["group"]).hub_id
    m = rota["m"]
    records.add_log(member(m[0]), DutyLogKind.CALL_OUT, NOV, time(0, 30), time(2, 0))
    make_duty(rota["group"], "holiday_day", NOV, m[0], starts=time(12, 0))  # 10 h after
    records.add_log(member(m[1]), DutyLogKind.CALL_OUT, NOV, time(14, 0), time(15, 0))  # a day call-out
    records.add_log(member(m[1]), DutyLogKind.SUBSTITUTE, NOV, time(16, 0), time(17, 0))
    assert records.rest_warnings(hub_id, date(2026, 11, 1), date(2026, 11, 30)) == []


def test_a_log_within_the_rest_is_warned(app_ctx, rota):
    hub_id = db.session.get(PhysicianGroup, rota["group"]).hub_id
    m0 = member(rota["m"][0])
    call = records.add_log(m0, DutyLogKind.CALL_OUT, NOV, time(23, 0), time(1, 0))
    visit = records.add_log(m0, DutyLogKind.SUBSTITUTE, NOV + timedelta(days=1), time(9, 0), time(10, 0))
    (warning,) = records.rest_warnings(hub_id, date(2026, 11, 1), date(2026, 11, 30))
    assert (warning.log.id, [c.log.id for c in warning.conflicts]) == (call.id, [visit.id])


def test_overnight_permit_counts(app_ctx, rota):
    group = db.session.get(PhysicianGroup, rota["group"])
    a, b, c = rota["m"][:3]
    make_duty(group.id, "weekday_night", NOV, a, secondary_id=b)  # week of Nov 2
    make_duty(group.id, "holiday_night", NOV + timedelta(days=1), a, secondary_id=c)  # 文化の日
    make_duty(group.id, "weekday_night", NOV + timedelta(days=7), a)  # next week: once only
    make_duty(group.id, "holiday_day", NOV + timedelta(days=1), b)
    make_duty(group.id, "holiday_day", NOV + timedelta(days=5), b)  # Saturday: b's second 日直
    make_duty(group.id, "holiday_day", NOV + timedelta(days=6), c, published=False)
    make_duty(group.id, "holiday_day", NOV + timedelta(days=12), c)
    hub_id = group.hub_id
    assert records.permit_counts(hub_id, date(2026, 11, 1), date(2026, 11, 30)) == []  # no permit
    group.has_overnight_permit = True
    found = {p.member_id: p for p in records.permit_counts(hub_id, date(2026, 11, 1), date(2026, 11, 30))}
    assert set(found) == {a, b}
    assert (found[a].night_weeks, found[a].holiday_days, found[a].excess) == ([(NOV, 2)], 0, 1)
    assert (found[b].night_weeks, found[b].holiday_days, found[b].excess) == ([], 2, 1)
    assert found[a].name == "医師0"


# --- pages ------------------------------------------------------------------------------------------------


def test_coordinator_adds_lists_and_ends_pairs(app, client, login_as, rota):
    m = rota["m"]
    login_as("coordinator")
    response = client.post(
        "/rota/pairs",
        data={"group": rota["group"], "patient_code": "k-0077", "attending": m[0], "deputy": m[1]},
    )
    assert response.status_code == 302
    page = client.get("/rota/pairs").data.decode()
    assert 'nowrap">K-0077</th>' in page and "医師0" in page and "医師1" in page
    with app.app_context():
        pair = db.session.scalars(sa.select(PatientPair)).one()
        assert (pair.started_on, pair.ended_on) == (today(), None)
        pair_id = pair.id
    assert client.post(f"/rota/pairs/{pair_id}/end").status_code == 302
    with app.app_context():
        assert db.session.get(PatientPair, pair_id).ended_on == today()
    assert 'nowrap">K-0077</th>' not in client.get("/rota/pairs").data.decode()


def test_bad_pairs_show_a_message_and_change_nothing(app, client, login_as, rota):
    m = rota["m"]
    login_as("coordinator")
    base = {"group": rota["group"], "patient_code": "K-0001", "attending": m[0], "deputy": m[1]}
    cases = [
        ({"patient_code": "山田 太郎"}, "氏名は入力しないでください。"),
        ({"patient_code": ""}, "患者コードを入力してください。"),
        ({"patient_code": "K-" + "9" * 30}, "20文字以内"),
        ({"deputy": m[0]}, "主治医と副主治医には別の医師を選んでください。"),
        ({"deputy": rota["outsider"]}, "「在宅医グループ」の医師から選んでください。"),
        ({"deputy": "abc"}, "副主治医を選んでください。"),
        ({"group": ""}, "医師グループを選んでください。"),
        ({"started_on": "2026-02-30"}, "開始日を正しく入力してください。"),
        ({"started_on": "0001-01-01"}, "開始日を正しく入力してください。"),
    ]
    for change, message in cases:
        response = client.post("/rota/pairs", data={**base, **change})
        page = response.data.decode()
        assert response.status_code == 200 and message in page, change
    with app.app_context():
        assert count(PatientPair) == 0
    assert client.post("/rota/pairs", data=base).status_code == 302
    again = client.post("/rota/pairs", data={**base, "attending": m[2], "deputy": m[3]})
    assert "すでに登録されています" in again.data.decode()
    with app.app_context():
        assert count(PatientPair) == 1


def test_another_hubs_pairs_groups_and_members_are_404(app, client, login_as, create_hub, create_person, rota):
    other = create_hub("よそ", name_kana="ヨソ")
    people = [create_person(f"よその医師{i}", Profession.PHYSICIAN, hub_id=other.id) for i in range(2)]
    with app.app_context():
        group = services.create_group(other.id, "よそのグループ")
        a, b = (services.add_member(group, db.session.get(Person, p.id)) for p in people)
        pair = records.add_pair(group, "Y-0001", a.id, b.id, date(2026, 11, 1))
        db.session.commit()
        ids = {"group": group.id, "a": a.id, "b": b.id, "pair": pair.id}
    login_as("coordinator")
    assert "Y-0001" not in client.get("/rota/pairs").data.decode()
    assert client.post(f"/rota/pairs/{ids['pair']}/end").status_code == 404
    theirs = {"group": ids["group"], "patient_code": "K-1", "attending": ids["a"], "deputy": ids["b"]}
    assert client.post("/rota/pairs", data=theirs).status_code == 404
    mixed = {"group": rota["group"], "patient_code": "K-1", "attending": rota["m"][0], "deputy": ids["b"]}
    assert client.post("/rota/pairs", data=mixed).status_code == 404
    with app.app_context():
        assert db.session.get(PatientPair, ids["pair"]).ended_on is None and count(PatientPair) == 1


def test_pairs_are_for_coordinators_only(client, login_as):
    login_as("physician")
    assert client.get("/rota/pairs").status_code == 403


def test_the_pair_page_warns_of_days_both_are_away(app, client, login_as, rota):
    m = rota["m"]
    first = today() + timedelta(days=3)
    with app.app_context():
        records.add_pair(group_of(rota), "K-0099", m[0], m[1], today())
        away(m[0], first, first + timedelta(days=1))
        away(m[1], first, first + timedelta(days=5))
        db.session.commit()
    login_as("coordinator")
    page = client.get("/rota/pairs").data.decode()
    days = f"{first.month}月{first.day}日〜{(first + timedelta(days=1)).month}月{(first + timedelta(days=1)).day}日"
    assert f"K-0099: {days} 主治医・副主治医がともに不在" in page


@pytest.fixture
def physician(app, login_as, rota):
    """A logged-in physician who is the group's first member."""
    user = login_as("physician")
    with app.app_context():
        member(rota["m"][0]).user_id = user.id
        db.session.commit()
    return user


def test_physician_logs_their_own_call_out_and_sees_only_their_rows(app, client, physician, rota):
    m = rota["m"]
    with app.app_context():
        records.add_log(member(m[1]), DutyLogKind.SUBSTITUTE, NOV, time(10, 0), time(11, 0), note="同僚の記録")
        db.session.commit()
    response = client.post(
        "/rota/logs",
        data={"kind": "call_out", "day": "2026-11-03", "start": "23:40", "end": "01:10", "patient_code": "K-0012"},
    )
    assert response.status_code == 302 and "month=2026-11" in response.headers["Location"]
    with app.app_context():
        log = db.session.scalars(sa.select(DutyLog).where(DutyLog.member_id == m[0])).one()
        assert (log.kind, log.recorded_by_id, log.patient_code) == (DutyLogKind.CALL_OUT, physician.id, "K-0012")
        assert log.ended_at - log.started_at == timedelta(minutes=90)
    page = client.get("/rota/logs?month=2026-11").data.decode()
    assert "23:40〜翌01:10" in page and "K-0012" in page
    assert "同僚の記録" not in page and "医師1" not in page
    assert "勤務間インターバル" not in page  # the coordinator's information
    # a colleague's membership is not the physician's to log for
    colleague = {"member": m[1], "kind": "substitute", "day": "2026-11-04", "start": "10:00", "end": "11:00"}
    assert client.post("/rota/logs", data=colleague).status_code == 404
    assert client.post("/rota/logs/1/delete").status_code == 403
    with app.app_context():
        assert count(DutyLog) == 2


def test_a_physician_in_two_groups_chooses(app, client, physician, rota):
    with app.app_context():
        member(rota["outsider"]).user_id = physician.id
        db.session.commit()
    data = {"kind": "substitute", "day": "2026-11-04", "start": "10:00", "end": "11:00"}
    assert "医師を選んでください。" in client.post("/rota/logs", data=data).data.decode()
    assert client.post("/rota/logs", data={**data, "member": rota["outsider"]}).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(DutyLog.group_id)).one() == rota["other_group"]


def test_bad_logs_show_a_message_and_change_nothing(app, client, login_as, rota):
    login_as("coordinator")
    base = {"member": rota["m"][0], "kind": "call_out", "day": "2026-11-03", "start": "01:00", "end": "02:00"}
    cases = [
        ({"member": ""}, "医師を選んでください。"),
        ({"kind": "nap"}, "区分を選んでください。"),
        ({"day": "2026-13-01"}, "日付と時刻を正しく入力してください。"),
        ({"start": "25:00"}, "日付と時刻を正しく入力してください。"),
        ({"end": ""}, "日付と時刻を正しく入力してください。"),
        ({"end": "01:00"}, "開始時刻と終了時刻が同じです。"),
        ({"patient_code": "たなか"}, "氏名は入力しないでください。"),
        ({"day": "0001-01-01"}, "日付と時刻を正しく入力してください。"),  # before 1900: no day a form takes
        ({"day": (today() + timedelta(days=2)).isoformat()}, "これから先の日付の記録はできません。"),
    ]
    for change, message in cases:
        response = client.post("/rota/logs", data={**base, **change})
        assert response.status_code == 200 and message in response.data.decode(), change
    with app.app_context():
        assert count(DutyLog) == 0


def test_coordinator_logs_for_anyone_sees_all_and_deletes(app, client, login_as, create_hub, create_person, rota):
    m = rota["m"]
    login_as("coordinator")
    for member_id, kind in ((m[0], "call_out"), (m[1], "substitute")):
        data = {"member": member_id, "kind": kind, "day": "2026-11-03", "start": "01:00", "end": "02:00"}
        assert client.post("/rota/logs", data=data).status_code == 302
    page = client.get("/rota/logs?month=2026-11").data.decode()
    assert "医師0" in page and "医師1" in page and "勤務間インターバル" in page
    other = create_hub("よそ", name_kana="ヨソ")
    person = create_person("よその医師", Profession.PHYSICIAN, hub_id=other.id)
    with app.app_context():
        group = services.create_group(other.id, "よそのグループ")
        theirs = services.add_member(group, db.session.get(Person, person.id))
        log = records.add_log(theirs, DutyLogKind.CALL_OUT, NOV, time(1, 0), time(2, 0), note="よその記録")
        db.session.commit()
        ids = {"member": theirs.id, "log": log.id}
        mine = db.session.scalars(sa.select(DutyLog.id).where(DutyLog.member_id == m[0])).one()
    assert "よその記録" not in client.get("/rota/logs?month=2026-11").data.decode()
    assert client.post(f"/rota/logs/{ids['log']}/delete").status_code == 404
    data = {"member": ids["member"], "kind": "call_out", "day": "2026-11-03", "start": "01:00", "end": "02:00"}
    assert client.post("/rota/logs", data=data).status_code == 404
    assert client.post(f"/rota/logs/{mine}/delete").status_code == 302
    with app.app_context():
        assert set(db.session.scalars(sa.select(DutyLog.note))) == {"", "よその記録"} and count(DutyLog) == 2


def test_the_logs_page_shows_rest_warnings_and_permit_counts(app, client, login_as, rota):
    m = rota["m"]
    with app.app_context():
        db.session.get(PhysicianGroup, rota["group"]).has_overnight_permit = True
        records.add_log(member(m[0]), DutyLogKind.CALL_OUT, NOV, time(0, 30), time(2, 0))
        make_duty(rota["group"], "holiday_day", NOV, m[0], starts=time(7, 0))
        make_duty(rota["group"], "weekday_night", NOV, m[1])
        make_duty(rota["group"], "weekday_night", NOV + timedelta(days=2), m[1])
        db.session.commit()
    login_as("coordinator")
    page = client.get("/rota/logs?month=2026-11").data.decode()
    assert "11月2日 11:00まで休息が必要" in page
    assert "宿日直許可基準（宿直 週1回・日直 月1回）を超える回数" in page and "11月2日の週: 2回" in page


def add_rows(rota, start: int, end: int) -> None:
    """Pairs, unavailability, logs and duties numbered ``start`` to ``end - 1``."""
    group = group_of(rota)
    m = rota["m"]
    for n in range(start, end):
        records.add_pair(group, f"K-{n:04d}", m[n % 4], m[(n + 1) % 4], today())
        away(m[n % 4], today() + timedelta(days=n), today() + timedelta(days=n + 1))
        day = NOV + timedelta(days=n)
        records.add_log(member(m[n % 4]), DutyLogKind(("call_out", "substitute")[n % 2]), day, time(1), time(2))
        make_duty(rota["group"], "holiday_day", day, m[n % 4], secondary_id=m[(n + 1) % 4], starts=time(6))
        make_duty(rota["group"], "weekday_night", day, m[(n + 2) % 4], secondary_id=m[(n + 1) % 4])


def test_pages_take_a_fixed_number_of_queries(app, client, login_as, rota, count_queries):
    with app.app_context():
        db.session.get(PhysicianGroup, rota["group"]).has_overnight_permit = True
        add_rows(rota, 0, 2)
        db.session.commit()
    login_as("coordinator")
    counts = []
    for start, end in ((0, 0), (2, 20)):
        with app.app_context():
            add_rows(rota, start, end)
            db.session.commit()
        with count_queries() as pairs_page:
            pairs = client.get("/rota/pairs")
        with count_queries() as logs_page:
            logs = client.get("/rota/logs?month=2026-11")
        assert pairs.status_code == logs.status_code == 200
        assert "K-0001" in pairs.data.decode() and "休息が必要" in logs.data.decode()
        counts.append((pairs_page.n, logs_page.n))
    assert counts[0] == counts[1], counts
