"""Setting up a physician group from the page: create it, add physicians with their rules."""

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
