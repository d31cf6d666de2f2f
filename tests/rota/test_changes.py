"""Changing a rota: the coordinator's hand edits (every hard rule checked), swaps between physicians with
the open pool and the coordinator's approval, the audit trail, and mail to the physicians affected."""

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditLog
from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.directory.models import Person, Profession
from hubapp.extensions import db
from hubapp.rota import (
    change_views,  # noqa: F401  (the routes, until hubapp/__init__.py imports them)
    changes,
    services,
)
from hubapp.rota.models import AvailabilityKind, Duty, GroupMember

DEC_FIRST, DEC_LAST = date(2026, 12, 1), date(2026, 12, 31)
NAMES = ["髙橋 健一", "山吹 さやか", "鈴木 一郎", "佐藤 次郎", "田中 三郎", "新人 花子"]
A, B, C, D, SECONDARY_ONLY, NEW = range(6)


def _blank_month(group, first, last):
    """A generated month with every duty emptied, so each test sets exactly the duties it needs."""
    services.generate(group, first, last, time_limit=1.0)
    db.session.execute(sa.update(Duty).where(Duty.group_id == group.id).values(primary_id=None, secondary_id=None))
    db.session.flush()
    db.session.expire_all()


def _make_group(app, hub, create_person, first, last):
    people = [
        create_person(n, Profession.PHYSICIAN, phone=f"090-0000-000{i}", email=f"doc{i}@example.jp")
        for i, n in enumerate(NAMES)
    ]
    with app.app_context():
        group = services.create_group(hub.id, "北総かとり在宅医グループ")
        for i, person in enumerate(people):
            services.add_member(
                group, db.session.get(Person, person.id), is_new=(i == NEW), secondary_only=(i == SECONDARY_ONLY)
            )
        _blank_month(group, first, last)
        db.session.commit()
        return group.id


@pytest.fixture
def group_id(app, hub, create_person):
    return _make_group(app, hub, create_person, DEC_FIRST, DEC_LAST)


def _load(hub, group_id):
    group = services.get_group(hub.id, group_id)
    members = sorted(group.members, key=lambda m: m.id)
    return group, members


def _duty(group, day: date, code: str) -> Duty:
    return next(d for d in services.month_duties(group, day, day) if d.shift_type.code == code)


def _people_of(duty: Duty) -> tuple:
    db.session.refresh(duty)
    return duty.primary_id, duty.secondary_id


def _audited(entity: str, entity_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
    )


# --- hand edits ---------------------------------------------------------------------------------------------


def test_a_valid_hand_move_is_applied_and_audited(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    assert changes.check_change(group, duty, m[A].id, m[B].id) == []
    affected = changes.assign(group, duty, m[A].id, m[B].id)
    db.session.commit()
    assert affected == sorted([m[A].id, m[B].id])
    assert _people_of(duty) == (m[A].id, m[B].id)
    assert _audited("duties", duty.id) >= 2  # created by 自動作成, changed by hand
    # moving the primary to C tells A and C; B stays and is not told
    assert changes.assign(group, duty, m[C].id, m[B].id) == sorted([m[A].id, m[C].id])
    # nothing to change: nobody affected
    assert changes.assign(group, duty, m[C].id, m[B].id) == []


def _refused(group, duty, primary_id, secondary_id, words: str):
    before = _people_of(duty)
    assert any(words in p for p in changes.check_change(group, duty, primary_id, secondary_id))
    with pytest.raises(services.RotaError) as error:
        changes.assign(group, duty, primary_id, secondary_id)
    assert words in str(error.value)
    db.session.rollback()
    assert _people_of(duty) == before


def test_an_unavailable_physician_is_refused(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    services.add_unavailability(m[A], AvailabilityKind.UNAVAILABLE, date(2026, 12, 2), date(2026, 12, 2), "学会")
    db.session.commit()
    duty = _duty(group, date(2026, 12, 2), "weekday_night")
    _refused(group, duty, m[A].id, m[B].id, "髙橋 健一さんは12月2日は当番ができない日です。")


def test_two_duties_the_same_day_are_refused(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    saturday = date(2026, 12, 5)
    changes.assign(group, _duty(group, saturday, "holiday_day"), m[A].id, m[B].id)
    db.session.commit()
    _refused(group, _duty(group, saturday, "holiday_night"), m[C].id, m[A].id, "12月5日に当番が重なります")


def test_primary_nights_too_close_are_refused(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    changes.assign(group, _duty(group, date(2026, 12, 1), "weekday_night"), m[A].id, m[B].id)
    db.session.commit()
    _refused(group, _duty(group, date(2026, 12, 3), "weekday_night"), m[A].id, m[C].id, "間に2晩以上空いていません")
    # as secondary, or three nights later, it is fine
    assert changes.check_change(group, _duty(group, date(2026, 12, 3), "weekday_night"), m[C].id, m[A].id) == []
    assert changes.check_change(group, _duty(group, date(2026, 12, 4), "weekday_night"), m[A].id, m[C].id) == []


def test_secondary_only_and_new_physicians_are_kept_to_their_rules(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    duty = _duty(group, date(2026, 12, 8), "weekday_night")
    _refused(group, duty, m[SECONDARY_ONLY].id, m[A].id, "副・バックアップのみの医師です")
    _refused(group, duty, m[NEW].id, None, "経験のある医師と組む必要があります")
    _refused(group, duty, m[A].id, m[A].id, "両方にはできません")
    assert changes.check_change(group, duty, m[NEW].id, m[A].id) == []
    assert changes.check_change(group, duty, None, m[SECONDARY_ONLY].id) == []  # 後方支援病院 + a secondary


def test_a_member_of_another_group_is_refused(app_ctx, hub, group_id, create_person):
    person = create_person("他院 医師", Profession.PHYSICIAN)
    group, m = _load(hub, group_id)
    other = services.create_group(hub.id, "別グループ")
    outsider = services.add_member(other, db.session.get(Person, person.id))
    duty = _duty(group, date(2026, 12, 9), "weekday_night")
    _refused(group, duty, outsider.id, None, "このグループの当番医ではありません")


def test_a_change_to_a_published_duty_is_mailed_to_the_physicians_affected(app, app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    duty = _duty(group, date(2026, 12, 10), "weekday_night")
    changes.assign(group, duty, m[A].id, m[B].id)
    assert changes.notify(duty, [m[A].id, m[B].id]) == 0  # a draft: nobody is told
    services.publish(group, DEC_FIRST, DEC_LAST)
    db.session.commit()
    affected = changes.assign(group, duty, m[C].id, m[B].id)
    db.session.commit()
    assert changes.notify(duty, affected) == 2
    outbox = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(outbox) == 2
    text = b"".join(p.read_bytes() for p in outbox)
    assert b"doc0@example.jp" in text and b"doc2@example.jp" in text and b"doc1@example.jp" not in text


# --- swaps --------------------------------------------------------------------------------------------------


def _published(group, m):
    """Dec 1: A primary, B secondary; Dec 10: C primary, D secondary — published."""
    changes.assign(group, _duty(group, date(2026, 12, 1), "weekday_night"), m[A].id, m[B].id)
    changes.assign(group, _duty(group, date(2026, 12, 10), "weekday_night"), m[C].id, m[D].id)
    services.publish(group, DEC_FIRST, DEC_LAST)
    db.session.commit()


def _duties_of(member) -> set:
    return set(
        db.session.scalars(
            sa.select(Duty.day).where(sa.or_(Duty.primary_id == member.id, Duty.secondary_id == member.id))
        )
    )


def test_a_named_swap_is_accepted_approved_and_shows_for_both(app_ctx, hub, group_id, create_user):
    coordinator = create_user("coord", Role.COORDINATOR, hubs=(hub,))
    group, m = _load(hub, group_id)
    assert group.swaps_need_approval
    _published(group, m)
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    swap = changes.request_swap(duty, m[A], "primary", m[C])
    db.session.commit()
    assert swap.status == changes.SwapStatus.REQUESTED and changes.open_swaps(group) == []
    assert [s.id for s in changes.swaps_for_member(m[C])] == [swap.id]
    with pytest.raises(services.RotaError):
        changes.accept(swap, m[D])  # not the colleague asked
    db.session.rollback()
    assert changes.accept(swap, m[C]) == []
    db.session.commit()
    assert swap.status == changes.SwapStatus.ACCEPTED and _people_of(duty) == (m[A].id, m[B].id)
    affected = changes.approve(swap, coordinator.id)
    db.session.commit()
    assert affected == sorted([m[A].id, m[C].id])
    assert swap.status == changes.SwapStatus.APPROVED and swap.decided_by_user_id == coordinator.id
    assert _people_of(duty) == (m[C].id, m[B].id)
    assert date(2026, 12, 1) not in _duties_of(m[A]) and date(2026, 12, 1) in _duties_of(m[C])
    statuses = [
        row.changes.get("status")
        for row in db.session.scalars(
            sa.select(AuditLog).where(AuditLog.entity == "rota_swap_requests", AuditLog.entity_id == swap.id)
        )
    ]
    assert [s for s in statuses if s] == [[None, "requested"], ["requested", "accepted"], ["accepted", "approved"]]
    assert _audited("duties", duty.id) >= 3


def test_the_open_pool_without_approval_applies_at_once(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    group.swaps_need_approval = False
    _published(group, m)
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    swap = changes.request_swap(duty, m[B], "secondary")
    db.session.commit()
    assert [s.id for s in changes.open_swaps(group)] == [swap.id]
    assert changes.accept(swap, m[D]) == sorted([m[B].id, m[D].id])
    db.session.commit()
    assert swap.status == changes.SwapStatus.APPROVED and swap.accepted_by_id == m[D].id
    assert _people_of(duty) == (m[A].id, m[D].id)
    assert changes.open_swaps(group) == []
    assert _audited("rota_swap_requests", swap.id) >= 2  # created; accepted and applied


def test_a_swap_that_breaks_a_rule_is_refused_at_accept(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    _published(group, m)
    services.add_unavailability(m[D], AvailabilityKind.UNAVAILABLE, date(2026, 12, 1), date(2026, 12, 1))
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    swap = changes.request_swap(duty, m[A], "primary")
    db.session.commit()
    for member, words in ((m[SECONDARY_ONLY], "副・バックアップのみ"), (m[D], "当番ができない日")):
        with pytest.raises(services.RotaError) as error:
            changes.accept(swap, member)
        assert words in str(error.value)
        db.session.rollback()
    assert swap.status == changes.SwapStatus.REQUESTED and _people_of(duty) == (m[A].id, m[B].id)
    with pytest.raises(services.RotaError):
        changes.accept(swap, m[A])  # not one's own request


def test_only_ones_own_duty_can_be_offered_and_requests_can_be_cancelled_or_rejected(
    app_ctx, hub, group_id, create_user
):
    coordinator = create_user("coord", Role.COORDINATOR, hubs=(hub,))
    group, m = _load(hub, group_id)
    _published(group, m)
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    with pytest.raises(services.RotaError):
        changes.request_swap(duty, m[C], "primary")
    with pytest.raises(services.RotaError):
        changes.request_swap(duty, m[A], "boss")
    swap = changes.request_swap(duty, m[A], "primary")
    with pytest.raises(services.RotaError):
        changes.request_swap(duty, m[A], "primary")  # one open request per role
    with pytest.raises(services.RotaError):
        changes.cancel(swap, m[B])
    changes.cancel(swap, m[A])
    assert swap.status == changes.SwapStatus.CANCELLED
    with pytest.raises(services.RotaError):
        changes.accept(swap, m[C])
    again = changes.request_swap(duty, m[A], "primary", m[C])
    changes.reject(again, coordinator.id)
    db.session.commit()
    assert again.status == changes.SwapStatus.REJECTED and _people_of(duty) == (m[A].id, m[B].id)


def test_a_named_colleague_who_would_break_a_rule_is_never_offered_and_refused(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    _published(group, m)
    services.add_unavailability(m[D], AvailabilityKind.UNAVAILABLE, date(2026, 12, 1), date(2026, 12, 1))
    db.session.commit()
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    offered = changes.swap_candidates([duty], [m[A]], services.colleagues([m[A]]), changes.DEFAULT_YEAR_END)
    names = {c.id for c in offered[duty.id]}
    assert m[C].id in names and m[NEW].id in names  # the new physician, beside B (experienced): allowed
    assert m[D].id not in names and m[SECONDARY_ONLY].id not in names and m[B].id not in names
    with pytest.raises(services.RotaError) as error:
        changes.request_swap(duty, m[A], "primary", m[D])
    assert error.value.field == "target" and "当番ができない日" in str(error.value)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(changes.SwapRequest)) == 0


def test_a_request_closes_itself_when_the_duty_changes_hands_another_way(app_ctx, hub, group_id):
    group, m = _load(hub, group_id)
    _published(group, m)
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    asked = changes.request_swap(duty, m[A], "primary", m[C])
    pool = changes.request_swap(duty, m[B], "secondary")
    db.session.commit()
    changes.assign(group, duty, m[D].id, m[B].id)  # the coordinator gives the night to D by hand
    db.session.commit()
    assert asked.status == changes.SwapStatus.OVERTAKEN and asked.status.label == "当番変更で終了"
    assert pool.status == changes.SwapStatus.REQUESTED  # B is still the secondary: that request stands
    with pytest.raises(services.RotaError):
        changes.accept(asked, m[C])
    db.session.rollback()
    assert _people_of(duty) == (m[D].id, m[B].id)


def test_the_coordinator_accepts_for_a_colleague_without_a_login(app, app_ctx, hub, group_id, create_user):
    coordinator = create_user("coord", Role.COORDINATOR, hubs=(hub,))
    colleague = create_user("doc-d", Role.PHYSICIAN, hubs=(hub,))
    group, m = _load(hub, group_id)
    m[D].user_id = colleague.id
    _published(group, m)
    duty = _duty(group, date(2026, 12, 1), "weekday_night")
    with_login = changes.request_swap(duty, m[B], "secondary", m[D])
    swap = changes.request_swap(duty, m[A], "primary", m[C])
    db.session.commit()
    outbox = Path(app.instance_path) / "outbox"
    assert changes.notify_swap(swap) == 1  # the colleague asked is told
    assert b"doc2@example.jp" in b"".join(p.read_bytes() for p in outbox.glob("*.eml"))
    assert swap.may_accept_for and not with_login.may_accept_for
    with pytest.raises(services.RotaError):
        changes.accept_for(with_login, coordinator.id)  # D can accept for themselves
    db.session.rollback()
    affected = changes.accept_for(swap, coordinator.id)
    db.session.commit()
    assert affected == sorted([m[A].id, m[C].id])
    assert swap.status == changes.SwapStatus.APPROVED and swap.accepted_for
    assert (swap.accepted_by_id, swap.accepted_for_by_user_id) == (m[C].id, coordinator.id)
    assert _people_of(duty) == (m[C].id, m[B].id)
    with pytest.raises(services.RotaError):
        changes.accept_for(swap, coordinator.id)  # finished


@pytest.mark.parametrize("seed", range(6))
def test_the_offered_colleagues_are_exactly_those_the_rules_allow(app_ctx, hub, group_id, seed):
    """Property over random months: random duties and unavailability; for every duty and either role,
    the colleagues offered are exactly those :func:`changes.check_change` lets take it, and giving the
    duty to any of them is accepted."""
    rng = random.Random(seed)
    group, m = _load(hub, group_id)
    duties = services.month_duties(group, DEC_FIRST, DEC_LAST)
    for d in duties:
        pair = rng.sample(m, 2)
        d.primary_id, d.secondary_id = (pair[0].id if rng.random() < 0.8 else None), pair[1].id
    for member in rng.sample(m, 3):
        day = DEC_FIRST + timedelta(days=rng.randrange(28))
        services.add_unavailability(member, AvailabilityKind.UNAVAILABLE, day, day + timedelta(days=rng.randrange(3)))
    db.session.flush()
    sample = rng.sample(duties, 8)
    refused = 0
    for requester in m:
        mine = [d for d in sample if requester.id in (d.primary_id, d.secondary_id)]
        offered = changes.swap_candidates(mine, [requester], services.colleagues([requester]), changes.DEFAULT_YEAR_END)
        for d in mine:
            is_primary = d.primary_id == requester.id
            allowed = [
                c.id
                for c in m
                if c.id != requester.id
                and not changes.check_change(
                    group, d, *((c.id, d.secondary_id) if is_primary else (d.primary_id, c.id))
                )
            ]
            assert [c.id for c in offered[d.id]] == allowed, (seed, d.day, is_primary)
            refused += len(m) - 1 - len(allowed)
    assert refused > 0  # the rules did leave someone out: the comparison is not between two full lists


# --- pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def next_month_group(app, hub, create_person):
    first = (today().replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return _make_group(app, hub, create_person, first, last), first


def _weekday_nights(app, group_id, first):
    with app.app_context():
        return [
            d.id
            for d in db.session.scalars(
                sa.select(Duty).where(Duty.group_id == group_id, Duty.day >= first).order_by(Duty.day)
            )
            if d.shift_type.code == "weekday_night"
        ]


def _member_ids(app, group_id):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(GroupMember.id).where(GroupMember.group_id == group_id).order_by(GroupMember.id)
            )
        )


def test_the_coordinator_moves_a_duty_by_hand(app, client, login_as, next_month_group):
    group_id, first = next_month_group
    members = _member_ids(app, group_id)
    duty_id = _weekday_nights(app, group_id, first)[0]
    login_as("coordinator")
    page = client.get(f"/rota/duties/{duty_id}").data.decode()
    assert "後方支援病院" in page and "髙橋 健一" in page and 'name="primary"' in page
    response = client.post(f"/rota/duties/{duty_id}", data={"primary": members[A], "secondary": members[B]})
    assert response.status_code == 302
    assert f"group={group_id}" in response.location and f"month={first:%Y-%m}" in response.location
    with app.app_context():
        duty = db.session.get(Duty, duty_id)
        assert (duty.primary_id, duty.secondary_id) == (members[A], members[B])
    refused = client.post(
        f"/rota/duties/{duty_id}", data={"primary": members[SECONDARY_ONLY], "secondary": ""}, follow_redirects=True
    )
    assert "副・バックアップのみの医師です" in refused.data.decode()
    with app.app_context():
        assert db.session.get(Duty, duty_id).primary_id == members[A]
    client.post(f"/rota/duties/{duty_id}", data={"primary": "", "secondary": members[B]})
    with app.app_context():
        assert db.session.get(Duty, duty_id).primary_id is None  # 後方支援病院
    # what no form offers (found by tests/test_fuzz_forms.py: "²" passed isdigit() and broke int()): refused
    for junk in ("²", "abc", "9" * 40):
        refused = client.post(
            f"/rota/duties/{duty_id}", data={"primary": junk, "secondary": members[B]}, follow_redirects=True
        )
        assert refused.status_code == 200 and "このグループの当番医ではありません" in refused.data.decode(), junk
    with app.app_context():
        assert db.session.get(Duty, duty_id).primary_id is None


def test_duty_pages_are_for_editors_of_the_same_hub(app, client, login_as, next_month_group, create_hub):
    group_id, first = next_month_group
    duty_id = _weekday_nights(app, group_id, first)[0]
    login_as("physician")
    assert client.get(f"/rota/duties/{duty_id}").status_code == 403
    assert client.post("/rota/swaps/1/approve").status_code == 403
    client.post("/logout")
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    login_as("coordinator", hubs=(other,))
    assert client.get(f"/rota/duties/{duty_id}").status_code == 404


def _link(app, member_id, user_id):
    with app.app_context():
        db.session.get(GroupMember, member_id).user_id = user_id
        db.session.commit()


def test_a_swap_is_requested_accepted_approved_and_shows_for_both(
    app, client, login, login_as, create_user, hub, next_month_group
):
    group_id, first = next_month_group
    members = _member_ids(app, group_id)
    duty_id = _weekday_nights(app, group_id, first)[0]
    with app.app_context():
        group = services.get_group(hub.id, group_id)
        changes.assign(group, db.session.get(Duty, duty_id), members[A], members[B])
        services.publish(group, first, first + timedelta(days=40))
        db.session.commit()
    asking = login_as("physician")
    _link(app, members[A], asking.id)
    colleague = create_user("physician-2", Role.PHYSICIAN, hubs=(hub,))
    _link(app, members[C], colleague.id)

    page = client.get("/rota/swaps").data.decode()
    assert "交代を依頼" in page and "鈴木 一郎" in page
    response = client.post(f"/rota/duties/{duty_id}/swap", data={"role": "primary", "target": members[C]})
    assert response.status_code == 302
    with app.app_context():
        (swap,) = db.session.scalars(sa.select(changes.SwapRequest)).all()
        swap_id = swap.id
    assert "依頼中" in client.get("/rota/swaps").data.decode()
    assert client.post(f"/rota/swaps/{swap_id}/accept").status_code == 302  # not asked: refused
    with app.app_context():
        assert db.session.get(changes.SwapRequest, swap_id).status == changes.SwapStatus.REQUESTED

    client.post("/logout")
    login("physician-2")
    page = client.get("/rota/swaps").data.decode()
    assert f"/rota/swaps/{swap_id}/accept" in page
    accepted = client.post(f"/rota/swaps/{swap_id}/accept", follow_redirects=True).data.decode()
    assert "コーディネーターの承認後に反映されます" in accepted

    client.post("/logout")
    login_as("coordinator")
    page = client.get("/rota/swaps").data.decode()
    assert f"/rota/swaps/{swap_id}/approve" in page
    approved = client.post(f"/rota/swaps/{swap_id}/approve", follow_redirects=True).data.decode()
    assert "交代を承認し" in approved
    with app.app_context():
        duty = db.session.get(Duty, duty_id)
        assert (duty.primary_id, duty.secondary_id) == (members[C], members[B])

    client.post("/logout")
    login("physician-2")
    mine = client.get("/rota/mine").data.decode()
    with app.app_context():
        day = db.session.get(Duty, duty_id).day
    assert f"{day.month}月{day.day}日" in mine
    client.post("/logout")
    login("physician-user")
    assert "交代済み" in client.get("/rota/swaps").data.decode()


def test_swaps_of_another_hub_are_not_found(app, client, login_as, create_hub, hub, next_month_group):
    group_id, first = next_month_group
    members = _member_ids(app, group_id)
    duty_id = _weekday_nights(app, group_id, first)[0]
    with app.app_context():
        group = services.get_group(hub.id, group_id)
        duty = db.session.get(Duty, duty_id)
        changes.assign(group, duty, members[A], members[B])
        swap_id = changes.request_swap(duty, db.session.get(GroupMember, members[A]), "primary").id
        db.session.commit()
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    login_as("coordinator", hubs=(other,))
    assert client.post(f"/rota/swaps/{swap_id}/approve").status_code == 404
    assert client.post(f"/rota/swaps/{swap_id}/reject").status_code == 404
    assert client.get("/rota/swaps").status_code == 200
    assert client.post(f"/rota/swaps/{swap_id}/accept-for").status_code == 404


def test_a_swap_to_a_colleague_without_a_login_is_accepted_by_the_coordinator(
    app, client, login, login_as, hub, next_month_group
):
    group_id, first = next_month_group
    members = _member_ids(app, group_id)
    duty_id = _weekday_nights(app, group_id, first)[0]
    with app.app_context():
        group = services.get_group(hub.id, group_id)
        changes.assign(group, db.session.get(Duty, duty_id), members[A], members[B])
        services.publish(group, first, first + timedelta(days=40))
        db.session.commit()
    asking = login_as("physician")
    _link(app, members[A], asking.id)
    page = client.get("/rota/swaps").data.decode()
    offered = page.split(f'id="target-{duty_id}"')[1].split("</select>")[0]
    assert "鈴木 一郎（ログインなし" in offered
    assert "山吹 さやか" not in offered  # the secondary of that night: two duties in one day
    assert "田中 三郎" not in offered  # secondary-only: never primary
    client.post(f"/rota/duties/{duty_id}/swap", data={"role": "primary", "target": members[C]})
    with app.app_context():
        swap_id = db.session.scalars(sa.select(changes.SwapRequest.id)).one()
    client.post("/logout")
    login_as("coordinator")
    page = client.get("/rota/swaps").data.decode()
    assert f"/rota/swaps/{swap_id}/accept-for" in page and "鈴木 一郎さんに代わって受ける" in page
    done = client.post(f"/rota/swaps/{swap_id}/accept-for", follow_redirects=True).data.decode()
    assert "鈴木 一郎さんに代わって交代を受け" in done and "コーディネーターが代理で受付" in done
    with app.app_context():
        duty = db.session.get(Duty, duty_id)
        assert (duty.primary_id, duty.secondary_id) == (members[C], members[B])
    outbox = b"".join(p.read_bytes() for p in (Path(app.instance_path) / "outbox").glob("*.eml"))
    assert b"doc0@example.jp" in outbox and b"doc2@example.jp" in outbox  # both sides told


def test_a_day_off_on_a_published_duty_is_a_clash_shown_until_resolved(app, client, login_as, hub, next_month_group):
    group_id, first = next_month_group
    members = _member_ids(app, group_id)
    duty_id = _weekday_nights(app, group_id, first)[0]
    with app.app_context():
        group = services.get_group(hub.id, group_id)
        duty = db.session.get(Duty, duty_id)
        changes.assign(group, duty, members[A], members[B])
        services.publish(group, first, first + timedelta(days=40))
        db.session.commit()
        day = duty.day
    asking = login_as("physician")
    _link(app, members[A], asking.id)
    mine = client.get("/rota/mine").data.decode()
    assert f"{first.month}月分は公開済みです" in mine and "から登録できます" not in mine
    done = client.post(
        "/rota/mine",
        data={"first_day": day.isoformat(), "last_day": "", "kind": "unavailable", "note": "学会"},
        follow_redirects=True,
    ).data.decode()
    assert (
        "登録しました" in done and f"{day.month}月{day.day}日はすでに当番（主）です。交代を依頼してください。" in done
    )
    assert 'data-testid="my-clashes"' in done and f"/rota/swaps#target-{duty_id}" in done
    client.post("/logout")
    login_as("coordinator")
    index = client.get(f"/rota/?group={group_id}&month={first:%Y-%m}").data.decode()
    assert "1枠の当番が、担当医師の不可の日と重なっています" in index and "不可の日と重複: 髙橋 健一" in index
    assert (
        "髙橋 健一さん（当番（主））はこの日を不可の日として登録しています"
        in client.get(f"/rota/duties/{duty_id}").data.decode()
    )
    client.post(f"/rota/duties/{duty_id}", data={"primary": members[C], "secondary": members[B]})
    index = client.get(f"/rota/?group={group_id}&month={first:%Y-%m}").data.decode()
    assert "不可の日と重" not in index  # resolved: the night is C's now
