"""Setting up a physician group from the page: create it, add physicians with their rules."""

from datetime import date

import sqlalchemy as sa

from hubapp.common.roles import Role
from hubapp.directory.models import OrganisationType as T
from hubapp.directory.models import Profession
from hubapp.extensions import db
from hubapp.rota.models import GroupMember, PhysicianGroup


def test_coordinator_creates_a_group_and_adds_physicians(
    app, client, login_as, hub, create_organisation, create_person, create_user
):
    hospital = create_organisation("北総かとり中央病院", T.HOSPITAL)
    doctor = create_person("髙橋 健一", Profession.PHYSICIAN)
    newcomer = create_person("若林 優", Profession.PHYSICIAN)
    spare = create_person("予備 医師", Profession.PHYSICIAN)
    create_person("加藤 真由美", Profession.NURSE)  # not offered: not a physician
    login_user = create_user("takahashi", Role.PHYSICIAN, hubs=(hub,))
    login_as("coordinator")
    response = client.post("/rota/groups/new", data={"name": "在宅医グループ", "backup_hospital": hospital.id})
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalars(sa.select(PhysicianGroup)).one()
        assert group.backup_hospital_id == hospital.id and len(group.shift_types) == 3
        group_id = group.id
    page = client.get(f"/rota/groups/{group_id}").data.decode()
    assert "髙橋 健一" in page and "加藤 真由美" not in page and "takahashi" in page
    client.post(f"/rota/groups/{group_id}", data={"person": doctor.id, "user": login_user.id, "fte": "1.0"})
    client.post(f"/rota/groups/{group_id}", data={"person": newcomer.id, "fte": "0.5", "cap": "4", "is_new": "1"})
    for fte in ("abc", "5", "0"):
        bad = client.post(f"/rota/groups/{group_id}", data={"person": spare.id, "fte": fte}, follow_redirects=True)
        assert bad.status_code == 200 and "常勤換算は0.1〜1.0で入力してください。" in bad.data.decode()
    with app.app_context():
        members = {m.person_id: m for m in db.session.scalars(sa.select(GroupMember))}
    assert members[doctor.id].user_id == login_user.id
    assert (
        float(members[newcomer.id].fte),
        members[newcomer.id].max_duties_per_month,
        members[newcomer.id].is_new,
    ) == (0.5, 4, True)


def test_another_hubs_group_is_404_and_members_may_not_set_up(client, login_as, create_hub, app):
    from hubapp.rota import services

    other = create_hub("よそ", name_kana="ヨソ")
    with app.app_context():
        theirs = services.create_group(other.id, "よそのグループ")
        db.session.commit()
        theirs_id = theirs.id
    login_as("coordinator")
    assert client.get(f"/rota/groups/{theirs_id}").status_code == 404
    client.post("/logout")
    login_as("member")
    assert client.get("/rota/groups/new").status_code == 403


def _group_with_two(app, hub, create_person):
    from hubapp.directory.models import Person
    from hubapp.rota import services

    people = [create_person(n, Profession.PHYSICIAN) for n in ("髙橋 健一", "山吹 さやか")]
    with app.app_context():
        group = services.create_group(hub.id, "在宅医グループ")
        members = [services.add_member(group, db.session.get(Person, p.id)) for p in people]
        db.session.commit()
        return group.id, [m.id for m in members]


def _state(app, group_id):
    with app.app_context():
        group = db.session.get(PhysicianGroup, group_id)
        return {
            "name": group.name,
            "deadline": group.unavailability_deadline_day,
            "permit": group.has_overnight_permit,
            "approval": group.swaps_need_approval,
            "shifts": sorted(
                (s.name, s.applies_on.value, s.starts.isoformat(), s.ends.isoformat()) for s in group.shift_types
            ),
            "holidays": [(h.day.isoformat(), h.name) for h in group.extra_holidays],
            "members": sorted(
                (m.id, str(m.fte), m.max_duties_per_month, m.secondary_only, m.is_active) for m in group.members
            ),
        }


def test_coordinator_changes_settings_shifts_extra_days_and_members(app, client, login_as, hub, create_person):
    group_id, (a, b) = _group_with_two(app, hub, create_person)
    login_as("coordinator")
    base = f"/rota/groups/{group_id}"
    ok = client.post(
        f"{base}/settings",
        data={
            "name": "北総かとり在宅医グループ",
            "deadline_day": "20",
            "has_overnight_permit": "1",
            "max_consecutive_days": "2",
            "rest_interval_hours": "11",
            "longer_rest_without_permit": "1",
        },
        follow_redirects=True,
    )
    assert "グループの設定を保存しました。" in ok.data.decode()
    with app.app_context():
        from hubapp.rota import services as rota

        saved = rota.work_rules(rota.get_group(hub.id, group_id))
    # not ticked: day-after-night off, soft; the 18 h rest does not apply to a group with its 許可
    assert (saved.no_day_after_night, saved.max_consecutive_days, saved.rest_hours, saved.hard) == (False, 2, 11, False)
    assert saved.rest_hours_after_overnight is None
    client.post(
        f"{base}/shifts",
        data={"name": "休日午前", "applies_on": "holiday", "starts": "08:30", "ends": "12:00"},
    )
    client.post(f"{base}/holidays", data={"day": "2026-08-14", "name": "お盆"})
    client.post(f"{base}/members/{b}", data={"fte": "0.5", "cap": "4", "secondary_only": "1"})  # not active
    state = _state(app, group_id)
    assert (state["name"], state["deadline"], state["permit"], state["approval"]) == (
        "北総かとり在宅医グループ",
        20,
        True,
        False,
    )
    assert ("休日午前", "holiday", "08:30:00", "12:00:00") in state["shifts"] and len(state["shifts"]) == 4
    assert state["holidays"] == [("2026-08-14", "お盆")]
    assert (b, "0.50", 4, True, False) in state["members"] and (a, "1.00", None, False, True) in state["members"]
    page = client.get(base).data.decode()
    assert "休止中" in page and "お盆" in page and "休日午前" in page

    # 8月14日 (Friday) is now staffed with the 休日 shifts, and the inactive physician gets nothing
    from hubapp.rota import services

    with app.app_context():
        group = services.get_group(hub.id, group_id)
        draft = services.generate(group, date(2026, 8, 1), date(2026, 8, 31), time_limit=1.0)
        db.session.commit()
        on_14th = {d.shift_type.name for d in draft.duties if d.day.day == 14}
        assert on_14th == {"休日日中", "休日夜間", "休日午前"}
        assert not [d for d in draft.duties if b in (d.primary_id, d.secondary_id)]
        used = next(s.id for s in group.shift_types if s.name == "休日午前")
    refused = client.post(f"{base}/shifts/delete", data={"shift": used}, follow_redirects=True)
    assert "当番表で使われているシフトは削除できません。" in refused.data.decode()
    client.post(f"{base}/holidays", data={"remove": "2026-08-14"})
    assert _state(app, group_id)["holidays"] == []


def test_bad_settings_are_refused_and_change_nothing(app, client, login_as, hub, create_person):
    group_id, (a, _b) = _group_with_two(app, hub, create_person)
    login_as("coordinator")
    base = f"/rota/groups/{group_id}"
    before = _state(app, group_id)
    night = {"name": "夜", "applies_on": "weekday", "starts": "18:00", "ends": "08:00"}
    cases = [
        (f"{base}/settings", {"name": "", "deadline_day": "20"}, "グループ名を入力してください。"),
        (f"{base}/settings", {"name": "名", "deadline_day": "31"}, "締切日は1〜28日で入力してください。"),
        (f"{base}/settings", {"name": "名", "deadline_day": "二十"}, "締切日は1〜28日で入力してください。"),
        (
            f"{base}/settings",
            {"name": "名", "backup_hospital": "999999"},
            "後方支援病院は地域資源の病院から選んでください。",
        ),
        (f"{base}/settings", {"name": "名", "max_consecutive_days": "0"}, "連続勤務の上限は1〜14日"),
        (f"{base}/settings", {"name": "名", "rest_interval_hours": "三"}, "勤務間インターバルは1〜24時間"),
        (f"{base}/shifts", night | {"starts": "25:00"}, "時刻を"),
        (f"{base}/shifts", night | {"applies_on": "someday"}, "平日か休日か"),
        (f"{base}/shifts", night | {"name": "平日夜間"}, "同じ名前"),
        (f"{base}/shifts", night | {"ends": "18:00"}, "別の時刻"),
        (f"{base}/shifts", night | {"name": ""}, "シフト名を"),
        (f"{base}/holidays", {"day": "2026-13-01"}, "日付を正しく入力してください。"),
        (f"{base}/holidays", {"remove": "2026-08-15"}, "この日は登録されていません。"),
        (f"{base}/members/{a}", {"fte": "1.5", "is_active": "1"}, "常勤換算は0.1〜1.0で入力してください。"),
        (f"{base}/members/{a}", {"fte": "NaN", "is_active": "1"}, "常勤換算は0.1〜1.0で入力してください。"),
        (f"{base}/members/{a}", {"fte": "1", "cap": "-1", "is_active": "1"}, "月の上限は0〜31回で入力してください。"),
        (
            f"{base}/unavailability",
            {"member": a, "first_day": "2026-12-05", "last_day": "2026-12-01"},
            "終了日は開始日以降",
        ),
    ]
    for url, data, message in cases:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200 and message in response.data.decode(), (url, data)
    assert _state(app, group_id) == before
    assert client.post(f"{base}/members/999999", data={"fte": "1"}).status_code == 404
    assert client.post(f"{base}/shifts", data={"shift": 999999, "name": "x"}).status_code == 404
    assert client.post(f"{base}/unavailability", data={"member": 999999}).status_code == 404


def test_coordinator_enters_late_unavailability_for_a_physician(app, client, login_as, hub, create_person):
    from hubapp.rota.models import Unavailability

    group_id, (a, _b) = _group_with_two(app, hub, create_person)
    login_as("coordinator")
    client.post(
        f"/rota/groups/{group_id}/unavailability",
        data={"member": a, "first_day": "2026-12-01", "kind": "unavailable", "note": "学会"},
    )
    with app.app_context():
        entry = db.session.scalars(sa.select(Unavailability)).one()
        assert (entry.member_id, entry.first_day.isoformat(), entry.last_day.isoformat(), entry.note) == (
            a,
            "2026-12-01",
            "2026-12-01",
            "学会",
        )


def test_bad_group_and_member_input_gets_a_message_and_changes_nothing(
    app, client, login_as, hub, create_organisation, create_person
):
    """Found by tests/test_fuzz_forms.py: a name longer than its column (a 500 on PostgreSQL), a backup
    hospital that is not one, and a 40-digit 常勤換算 (Decimal.quantize raised)."""
    create_organisation("北総かとり中央病院", T.HOSPITAL)
    clinic = create_organisation("たこ診療所", T.CLINIC)
    doctor = create_person("髙橋 健一", Profession.PHYSICIAN)
    login_as("coordinator")
    for data, message in (
        ({"name": "夜" * 121}, "グループ名は120文字以内"),
        ({"name": "在宅医グループ", "backup_hospital": clinic.id}, "後方支援病院は地域資源の病院から"),
    ):
        response = client.post("/rota/groups/new", data=data, follow_redirects=True)
        assert response.status_code == 200 and message in response.data.decode(), data
    with app.app_context():
        assert db.session.scalars(sa.select(PhysicianGroup)).all() == []
    client.post("/rota/groups/new", data={"name": "在宅医グループ"})
    with app.app_context():
        group_id = db.session.scalars(sa.select(PhysicianGroup.id)).one()
    client.post(f"/rota/groups/{group_id}", data={"person": doctor.id, "fte": "1.0"})
    with app.app_context():
        member = db.session.scalars(sa.select(GroupMember)).one()
    response = client.post(
        f"/rota/groups/{group_id}/members/{member.id}", data={"fte": "9" * 40, "is_active": "1"}, follow_redirects=True
    )
    assert response.status_code == 200 and "常勤換算は0.1〜1.0で入力してください。" in response.data.decode()
    with app.app_context():
        assert float(db.session.get(GroupMember, member.id).fte) == 1.0
