"""The audit trail records who created, changed, deleted and viewed what, in the same transaction."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.audit.services import MASK, acting_as, record
from hubapp.common.roles import Role
from hubapp.extensions import db
from hubapp.hubs import services
from hubapp.hubs.models import Hub, HubMunicipality, OperatorType


def entries(entity: str | None = None) -> list[AuditLog]:
    query = sa.select(AuditLog).order_by(AuditLog.id)
    if entity:
        query = query.where(AuditLog.entity == entity)
    return list(db.session.scalars(query))


def test_create_update_delete_are_recorded_with_actor_and_changes(app_ctx):
    with acting_as("cli:test"):
        hub = services.create_hub(
            name="拠点", name_kana="キョテン", operator_type=OperatorType.OTHER, prefecture_code="12"
        )
        area = services.save_municipality(
            hub,
            code="122360",
            name="香取市",
            population=70_000,
            aging_rate=Decimal("38.0"),
            figures_as_of=date(2026, 4, 1),
        )
        db.session.commit()
        services.update_hub(hub, dedicated_staff_count=2)
        db.session.commit()
        services.remove_municipality(area)
        db.session.commit()
    hub_rows = entries("hubs")
    assert [(e.action, e.actor) for e in hub_rows] == [
        (AuditAction.CREATE, "cli:test"),
        (AuditAction.UPDATE, "cli:test"),
    ]
    assert hub_rows[0].entity_id == hub.id and hub_rows[0].hub_id == hub.id
    assert hub_rows[0].changes["operator_type"] == [None, "other"]
    assert hub_rows[1].changes == {"dedicated_staff_count": [0, 2]}
    area_rows = entries("hub_municipalities")
    assert [e.action for e in area_rows] == [AuditAction.CREATE, AuditAction.DELETE]
    assert area_rows[1].changes["name"] == ["香取市", None] and area_rows[1].hub_id == hub.id
    assert area_rows[0].changes["aging_rate"] == [None, "38.0"]


def test_nothing_is_recorded_when_the_change_is_rolled_back(app_ctx):
    services.create_hub(name="拠点", name_kana="キョテン", operator_type=OperatorType.OTHER, prefecture_code="12")
    db.session.rollback()
    assert entries() == []


def test_password_hashes_never_reach_the_trail(app, create_user):
    create_user("sato", Role.ADMIN)
    with app.app_context():
        created = entries("users")[0]
        assert created.changes["password_hash"] == [None, MASK]
        assert created.changes["username"] == [None, "sato"]


def test_changes_through_the_web_name_the_user_and_address(app, client, login_as, hub):
    user = login_as("coordinator")
    client.post(
        f"/hubs/{hub.id}/edit",
        data={"name": "改名", "name_kana": "カイメイ", "operator_type": "other", "dedicated_staff_count": "1"},
    )
    with app.app_context():
        change = entries("hubs")[-1]
        assert (change.action, change.actor_id, change.actor) == (AuditAction.UPDATE, user.id, user.username)
        assert change.ip_address == "127.0.0.1"
        assert change.changes["name"] == [hub.name, "改名"]


def test_views_are_recorded_on_request(app_ctx):
    record(AuditAction.VIEW, "consultations", 7, hub_id=1, details={"reason": "follow-up"})
    db.session.commit()
    (entry,) = entries()
    assert (entry.action, entry.entity, entry.entity_id, entry.actor) == (
        AuditAction.VIEW,
        "consultations",
        7,
        "system",
    )
    assert entry.changes == {"reason": [None, "follow-up"]}


def test_trail_page_admin_sees_all_coordinator_only_own_hub(
    app, client, login_as, login, hub, create_hub, create_user
):
    other = create_hub("よそのセンター", name_kana="ヨソ")
    with app.app_context():
        services.update_hub(db.session.get(Hub, other.id), phone="03-0000-0000")
        db.session.commit()
    login_as("coordinator")
    page = client.get("/audit/").data.decode()
    assert "03-0000-0000" not in page
    assert "hub_municipalities" in page  # the own hub's area rows
    client.post("/logout")
    create_user("root", Role.ADMIN)
    login("root")
    page = client.get("/audit/").data.decode()
    assert "03-0000-0000" in page
    # who acted is shown with the role's name (the coordinator's login), never its stored code
    assert 'badge--muted">コーディネーター</span>' in page and 'badge--muted">coordinator<' not in page


def test_trail_page_query_count_is_fixed(app, client, login_as, hub, count_queries):
    login_as("admin")

    def measure():
        with count_queries() as counted:
            assert client.get("/audit/").status_code == 200
        return counted.n

    few = measure()
    with app.app_context():
        for n in range(150):
            record(AuditAction.VIEW, "hubs", n, hub_id=hub.id)
        db.session.commit()
    assert measure() == few
    assert "さらに古い記録" in client.get("/audit/").data.decode()


def test_deleting_a_hub_records_its_areas_too(app_ctx, hub):
    db.session.delete(db.session.get(Hub, hub.id))
    db.session.commit()
    deleted = [e for e in entries() if e.action == AuditAction.DELETE]
    assert {e.entity for e in deleted} == {"hubs", "hub_municipalities"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HubMunicipality)) == 0
