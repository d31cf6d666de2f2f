"""Hub visibility (isolation), region figures and the rules on a hub's area."""

from datetime import date
from decimal import Decimal

import pytest

from hubapp.auth.models import User
from hubapp.common.roles import Role
from hubapp.extensions import db
from hubapp.hubs import services
from hubapp.hubs.models import Hub


@pytest.fixture
def three_hubs(create_hub):
    chiba_a = create_hub("千葉A", name_kana="チバエー")
    chiba_b = create_hub("千葉B", name_kana="チバビー")
    ibaraki = create_hub(
        "茨城C", name_kana="イバラキシー", prefecture_code="08", areas=(("082201", "つくば市", 250_000, "21.0"),)
    )
    return chiba_a, chiba_b, ibaraki


def names(hubs):
    return [h.name for h in hubs]


def test_members_see_only_their_hubs_prefecture_its_prefecture_admin_all(app, three_hubs, create_user):
    chiba_a, chiba_b, ibaraki = three_hubs
    coordinator = create_user("c", Role.COORDINATOR, hubs=(chiba_b,))
    prefecture = create_user("p", Role.PREFECTURE, prefecture_code="12")
    admin = create_user("a", Role.ADMIN)
    loner = create_user("l", Role.MEMBER)
    with app.app_context():
        get = lambda u: db.session.get(User, u.id)  # noqa: E731
        assert names(services.visible_hubs(get(coordinator))) == ["千葉B"]
        assert names(services.visible_hubs(get(prefecture))) == ["千葉A", "千葉B"]  # kana order
        assert names(services.visible_hubs(get(admin))) == ["茨城C", "千葉A", "千葉B"]  # イ < チ
        assert services.visible_hubs(get(loner)) == []
        assert services.get_visible_hub(get(coordinator), chiba_a.id) is None
        assert services.get_visible_hub(get(coordinator), chiba_b.id).name == "千葉B"
        assert services.get_visible_hub(get(prefecture), ibaraki.id) is None
        assert services.visible_hub_ids(get(prefecture)) == sorted([chiba_a.id, chiba_b.id])


def test_prefecture_officer_without_a_code_sees_nothing(app, three_hubs):
    with app.app_context():
        officer = User(username="x", display_name="x", role=Role.PREFECTURE, password_hash="x", prefecture_code=None)
        assert services.visible_hubs(officer) == []


def test_only_admins_and_member_coordinators_edit(app, three_hubs, create_user):
    chiba_a, chiba_b, _ = three_hubs
    coordinator = create_user("c", Role.COORDINATOR, hubs=(chiba_b,))
    physician = create_user("d", Role.PHYSICIAN, hubs=(chiba_b,))
    admin = create_user("a", Role.ADMIN)
    with app.app_context():
        hub_a, hub_b = db.session.get(Hub, chiba_a.id), db.session.get(Hub, chiba_b.id)
        assert services.can_edit_hub(db.session.get(User, coordinator.id), hub_b)
        assert not services.can_edit_hub(db.session.get(User, coordinator.id), hub_a)
        assert not services.can_edit_hub(db.session.get(User, physician.id), hub_b)
        assert services.can_edit_hub(db.session.get(User, admin.id), hub_a)


def test_area_summary_weights_aging_rate_by_population(app, hub):
    with app.app_context():
        summary = services.area_summary(db.session.get(Hub, hub.id))
    assert summary.municipality_count == 3 and summary.is_wide_area
    assert summary.population == 90_000
    # (70000*38.0 + 6000*39.0 + 14000*40.0) / 90000 = 38.377… → 38.4
    assert summary.aging_rate == Decimal("38.4")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("122360", True),
        ("131041", True),
        ("011002", True),
        ("122361", False),
        ("12236", False),
        ("１２２３６０", False),
        ("abcdef", False),
    ],
)
def test_municipality_code_check_digit(code, valid):
    assert services.check_municipality_code(code) is valid


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "122361"}, "code"),  # wrong check digit
        ({"code": "131041"}, "code"),  # Tokyo: another prefecture
        ({"code": "122360"}, "code"),  # already in the area
        ({"aging_rate": Decimal("100.1")}, "aging_rate"),
        ({"population": -1}, "population"),
    ],
)
def test_save_municipality_refuses_bad_values_and_changes_nothing(app, hub, values, field):
    with app.app_context():
        loaded = db.session.get(Hub, hub.id)
        arguments = {
            "code": "122114",
            "name": "成田市",
            "population": 130_000,
            "aging_rate": Decimal("24.6"),
            "figures_as_of": date(2026, 4, 1),
            **values,
        }
        with pytest.raises(services.HubError) as raised:
            services.save_municipality(loaded, **arguments)
        assert raised.value.field == field
        assert str(raised.value)  # a Japanese message for the form
        db.session.rollback()
        assert len(db.session.get(Hub, hub.id).municipalities) == 3
