"""The consultation log's rules, without the client: logging, the person's minimal data, organisations of
the hub only, follow-ups, JST months and 年度, statistics and their files."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from hubapp.auth.models import User
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.consultations import exporting, services, statistics, tallies
from hubapp.consultations.models import (
    OUTSIDE_AREA,
    Channel,
    Consultation,
    ConsultationTopic,
    Requester,
    Response,
    Status,
    Topic,
)
from hubapp.core.services import JST
from hubapp.directory.models import OrganisationType as T
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from hubapp.meetings.models import Scene
from tests.consultations.conftest import NOW, values


@pytest.fixture
def ctx(app_ctx, hub, staff):
    """(hub, staff user) loaded in an app context."""
    return db.session.get(Hub, hub.id), db.session.get(User, staff.id)


def save(ctx, consultation=None, **changes):
    hub, acting = ctx
    changes.setdefault("staff_id", acting.id)
    return services.save_consultation(hub, values(**changes), acting, consultation, now=NOW)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K.T.", "K.T."),
        ("  Ａさん ", "Aさん"),
        ("ｋ・ｔ", "k・t"),
        ("", ""),
        ("相談12", "相談12"),
        ("田中さん", "田中さん"),
    ],
)
def test_pseudonyms_are_kept_short_and_plain(typed, stored):
    assert services.clean_pseudonym(typed) == stored


@pytest.mark.parametrize("typed", ["山田 太郎", "山田　太郎", "山田太郎", "佐藤花子さん", "ABCDEFGHIJK", "Tanaka Taro"])
def test_names_and_long_text_are_refused_as_pseudonyms(typed):
    with pytest.raises(services.ConsultationError) as raised:
        services.clean_pseudonym(typed)
    assert raised.value.field == "subject_pseudonym"


def test_a_consultation_is_logged_with_its_day_and_fiscal_year_in_japan(ctx, create_organisation):
    msw = create_organisation("北総中央病院", T.HOSPITAL)
    nurse = create_organisation("訪問看護ステーションかとり", T.VISITING_NURSING)
    # 2027-03-31 23:30 in Japan is 14:30 UTC: still March, still FY2026
    consultation = save(
        ctx,
        received_at=datetime(2027, 3, 31, 14, 30, tzinfo=UTC),
        requester=Requester.HOSPITAL_MSW,
        requester_organisation_id=msw.id,
        topics=[Topic.VISITING_NURSING, Topic.MEDICAL_PROCEDURE],
        responses=[Response.ADVICE],
        referral_ids=[nurse.id],
        subject_pseudonym="Ｋ．Ｔ．",
        subject_municipality_code="123421",
    )
    assert (consultation.received_on, consultation.fiscal_year) == (date(2027, 3, 31), 2026)
    assert consultation.requester_organisation_name == "北総中央病院"
    assert consultation.subject_pseudonym == "K.T."
    # a referral is a 紹介: added to the responses
    assert consultation.response_values == [Response.ADVICE, Response.REFERRAL]
    assert [(r.organisation_name, r.organisation_type) for r in consultation.referrals] == [
        ("訪問看護ステーションかとり", T.VISITING_NURSING)
    ]
    assert consultation.status is Status.CLOSED and consultation.closed_on == date(2027, 3, 31)
    assert consultation.staff_name == "相談 花子"
    # and 15 minutes later in UTC terms it is April 1 in Japan: FY2027
    consultation.received_at = datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
    db.session.flush()
    assert (consultation.received_on, consultation.fiscal_year) == (date(2027, 4, 1), 2027)


def test_correcting_keeps_unchanged_topics_and_replaces_the_rest(ctx):
    consultation = save(ctx, topics=[Topic.HOME_PHYSICIAN, Topic.COST])
    db.session.commit()
    save(ctx, consultation, topics=[Topic.COST, Topic.SYSTEM], responses=[Response.INFORMATION])
    db.session.commit()
    stored = db.session.scalars(
        sa.select(ConsultationTopic.topic).where(ConsultationTopic.consultation_id == consultation.id)
    ).all()
    assert sorted(stored) == sorted([Topic.COST, Topic.SYSTEM])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topics": []}, "topics"),
        ({"responses": []}, "responses"),
        ({"minutes_spent": 2000}, "minutes_spent"),
        ({"received_at": datetime(2027, 7, 1, tzinfo=UTC)}, "received_date"),  # after NOW
        ({"received_at": datetime(1999, 12, 31, tzinfo=UTC)}, "received_date"),
        ({"subject_municipality_code": "131016"}, "subject_municipality_code"),  # 千代田区: not the hub's
        ({"subject_pseudonym": "鈴木一郎"}, "subject_pseudonym"),
        ({"requester": Requester.FAMILY, "requester_organisation_id": 1}, "requester_organisation_id"),
        ({"staff_id": None}, "staff_id"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(ctx, changes, field):
    with pytest.raises(services.ConsultationError) as raised:
        save(ctx, **changes)
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_organisations_and_staff_of_another_hub_are_refused(ctx, create_hub, create_organisation, create_user):
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    theirs = create_organisation("よその病院", T.HOSPITAL, hub_id=other.id)
    stranger = create_user("yoso", Role.CONSULTANT, hubs=(other,))
    with pytest.raises(services.ConsultationError, match="紹介先"):
        save(ctx, referral_ids=[theirs.id])
    with pytest.raises(services.ConsultationError, match="所属機関"):
        save(ctx, requester_organisation_id=theirs.id)
    with pytest.raises(services.ConsultationError, match="担当者"):
        save(ctx, staff_id=stranger.id)


def test_follow_ups_open_move_on_and_close(ctx):
    consultation = save(ctx, needs_follow_up=True, status=Status.OPEN)
    assert consultation.is_open and consultation.closed_on is None
    services.set_status(consultation, Status.IN_PROGRESS, date(2026, 5, 13))
    assert consultation.is_open
    services.set_status(consultation, Status.CLOSED, date(2026, 5, 20))
    assert not consultation.is_open and consultation.closed_on == date(2026, 5, 20)
    without = save(ctx)
    with pytest.raises(services.ConsultationError):
        services.set_status(without, Status.OPEN, date(2026, 5, 20))


def test_open_follow_ups_come_oldest_first_with_their_age(ctx):
    hub, _acting = ctx
    save(ctx, received_at=datetime(2026, 11, 20, 9, 0, tzinfo=JST), needs_follow_up=True)
    save(ctx, received_at=datetime(2026, 10, 1, 9, 0, tzinfo=JST), needs_follow_up=True, status=Status.IN_PROGRESS)
    save(ctx, received_at=datetime(2026, 9, 1, 9, 0, tzinfo=JST), needs_follow_up=True, status=Status.CLOSED)
    save(ctx, received_at=datetime(2026, 9, 1, 9, 0, tzinfo=JST))
    follow_ups, total = services.open_follow_ups(hub.id, date(2026, 11, 23))
    assert total == 2
    assert [(f.consultation.received_on, f.age_days) for f in follow_ups] == [
        (date(2026, 10, 1), 53),
        (date(2026, 11, 20), 3),
    ]


def test_statistics_count_by_month_in_japan_and_by_dimension(ctx, create_organisation):
    hub, _acting = ctx
    clinic = create_organisation("やまぶき在宅クリニック", T.HOME_CARE_CLINIC)
    nurse = create_organisation("訪問看護ステーションかとり", T.VISITING_NURSING)
    # April 30, 23:30 in Japan (14:30 UTC): counts in April
    save(
        ctx,
        received_at=datetime(2026, 4, 30, 14, 30, tzinfo=UTC),
        minutes_spent=20,
        topics=[Topic.HOME_PHYSICIAN, Topic.COST],
        referral_ids=[clinic.id, nurse.id],
        needs_follow_up=True,
    )
    save(
        ctx,
        received_at=datetime(2026, 5, 2, 10, 0, tzinfo=JST),
        channel=Channel.FAX,
        requester=Requester.FAMILY,
        scene=Scene.END_OF_LIFE,
        subject_municipality_code=OUTSIDE_AREA,
        referral_ids=[clinic.id],
    )
    save(ctx, received_at=datetime(2027, 4, 2, 10, 0, tzinfo=JST))  # the next 年度
    stats = statistics.year_statistics(hub, FiscalYear(2026), date(2026, 5, 1))
    assert stats.month_index == 1
    assert stats.consultations.by_month[:3] == (1, 1, 0) and stats.consultations.total == 2
    assert stats.minutes.by_month[:2] == (20, 15) and stats.follow_ups.total == 1
    channel = {row.key: row for row in stats.table("channel").rows}
    assert channel["phone"].by_month[0] == 1 and channel["fax"].by_month[1] == 1 and channel["fax"].percent == 50.0
    assert [row.key for row in stats.table("channel").rows] == [c.value for c in Channel]  # zeros included
    topic = {row.key: row.total for row in stats.table("topic").rows}
    assert topic["home_physician"] == 2 and topic["cost"] == 1 and stats.table("topic").total == 3
    referral_type = {row.key: row.total for row in stats.table("referral_type").rows}
    assert referral_type == {"home_care_clinic": 2, "visiting_nursing": 1}
    organisations = [(row.label, row.total) for row in stats.table("referral_organisation").rows]
    assert organisations == [("やまぶき在宅クリニック", 2), ("訪問看護ステーションかとり", 1)]
    response = {row.key: row.total for row in stats.table("response").rows}
    assert response["referral"] == 2 and response["information"] == 2
    municipality = {row.key: row.total for row in stats.table("municipality").rows}
    assert municipality == {"122360": 0, "123421": 0, "123471": 0, "out": 1, "unknown": 1}
    scene = {row.key: row.total for row in stats.table("scene").rows}
    assert scene["discharge"] == 1 and scene["end_of_life"] == 1
    assert stats.monthly_chart.bars[0].value == 1 and len(stats.monthly_chart.bars) == 12


def test_statistics_files_open_in_excel(ctx):
    hub, _acting = ctx
    save(ctx, subject_pseudonym="Z.Z.")
    stats = statistics.year_statistics(hub, FiscalYear(2026))
    text = exporting.to_csv(stats, encoding="cp932").decode("cp932")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["集計項目", "項目", "令和8年4月"] and table[0][-1] == "年度計"
    assert ["概要", "相談件数", "0", "1", *["0"] * 10, "1"] in table
    assert ["相談経路", "電話", "0", "1", *["0"] * 10, "1"] in table
    assert "Z.Z." not in text  # counts only
    assert exporting.to_csv(stats).startswith(b"\xef\xbb\xbf")
    workbook = load_workbook(io.BytesIO(exporting.to_xlsx(stats, title="テスト")))
    assert workbook.sheetnames[:4] == ["月別", "相談経路", "相談者", "場面"]
    assert workbook["月別"]["B3"].value == 1 and workbook["月別"]["B14"].value == 1
    assert workbook["相談経路"]["A2"].value == "電話" and workbook["相談経路"]["N2"].value == 1
    assert workbook["月別"]._charts and workbook["相談経路"]._charts


def test_tallies_kept_by_the_services_match_a_recount(ctx, create_organisation):
    """Logging, correcting (month, 年度, topics, referrals, municipality, follow-up) and deleting keep the
    tallies exactly where counting every consultation again puts them."""
    hub, _acting = ctx
    clinic = create_organisation("やまぶき在宅クリニック", T.HOME_CARE_CLINIC)
    nurse = create_organisation("訪問看護ステーションかとり", T.VISITING_NURSING)
    first = save(ctx, referral_ids=[clinic.id], topics=[Topic.HOME_PHYSICIAN, Topic.COST], needs_follow_up=True)
    second = save(ctx, received_at=datetime(2026, 8, 3, 9, 0, tzinfo=JST), subject_municipality_code=OUTSIDE_AREA)
    third = save(ctx, received_at=datetime(2027, 3, 31, 23, 0, tzinfo=JST), channel=Channel.EMAIL)
    db.session.commit()
    save(
        ctx,
        first,
        received_at=datetime(2027, 4, 1, 9, 0, tzinfo=JST),
        referral_ids=[nurse.id],
        topics=[Topic.COST],
        minutes_spent=45,
        subject_municipality_code="123471",
    )
    save(ctx, second, requester=Requester.FAMILY, scene=Scene.END_OF_LIFE, needs_follow_up=True)
    services.delete_consultation(third)
    db.session.commit()
    kept = tallies.stored(hub.id)
    tallies.rebuild(hub.id)
    assert tallies.stored(hub.id) == kept
    assert kept[(hub.id, 2027, 4, "minutes", "")] == 45
    assert kept[(hub.id, 2027, 4, "referral_organisation", "visiting_nursing:訪問看護ステーションかとり")] == 1
    assert kept[(hub.id, 2026, 5, "consultations", "")] == 1  # the second, corrected to May; the first moved on
    assert (hub.id, 2026, 8, "consultations", "") not in kept
    assert (hub.id, 2026, 3, "channel", "email") not in kept  # deleted


def test_a_correction_counts_from_the_stored_entry_not_from_a_stale_copy(app, hub, staff):
    """Two people correct the same entry one after the other from copies loaded before either saved: the
    second correction replaces the first, and the tallies follow what is stored."""
    with app.app_context():
        target, acting = db.session.get(Hub, hub.id), db.session.get(User, staff.id)
        consultation_id = services.save_consultation(target, values(staff_id=acting.id), acting, now=NOW).id
        db.session.commit()
    with app.app_context():
        mine = services.get_consultation(hub.id, consultation_id)
        mine.topics  # noqa: B018  (loaded before the other correction)
        with app.app_context():  # the other person, in their own request
            target, acting = db.session.get(Hub, hub.id), db.session.get(User, staff.id)
            theirs = services.get_consultation(hub.id, consultation_id)
            services.save_consultation(target, values(staff_id=acting.id, topics=[Topic.COST]), acting, theirs, now=NOW)
            db.session.commit()
        target, acting = db.session.get(Hub, hub.id), db.session.get(User, staff.id)
        services.save_consultation(target, values(staff_id=acting.id, topics=[Topic.SYSTEM]), acting, mine, now=NOW)
        db.session.commit()
        kept = tallies.stored(hub.id)
        tallies.rebuild(hub.id)
        assert tallies.stored(hub.id) == kept
        assert {k[4] for k in kept if k[3] == "topic"} == {"system"}


def test_removing_an_organisation_or_a_staff_member_keeps_the_entry_as_it_was(ctx, create_organisation):
    from hubapp.directory import services as directory
    from hubapp.directory.models import Organisation
    from hubapp.hubs.models import HubMembership

    hub, acting = ctx
    clinic = create_organisation("やまぶき在宅クリニック", T.HOME_CARE_CLINIC)
    consultation = save(ctx, referral_ids=[clinic.id], requester_organisation_id=clinic.id, requester=Requester.CLINIC)
    db.session.commit()
    assert directory.remove(db.session.get(Organisation, clinic.id))  # nothing in the directory points at it
    db.session.execute(sa.delete(HubMembership).where(HubMembership.user_id == acting.id))
    db.session.commit()
    db.session.expire_all()
    consultation = services.get_consultation(hub.id, consultation.id)
    assert consultation.requester_organisation_id is None
    assert consultation.requester_organisation_name == "やまぶき在宅クリニック"
    assert [(r.organisation_id, r.organisation_name) for r in consultation.referrals] == [
        (None, "やまぶき在宅クリニック")
    ]
    # corrected later by a coordinator: the departed 担当者 stays possible, the old referral stays
    coordinator = User(username="c", display_name="調整 太郎", role=Role.COORDINATOR, password_hash="x")
    db.session.add(coordinator)
    db.session.flush()
    services.save_consultation(
        hub,
        values(staff_id=acting.id, requester=Requester.CLINIC, minutes_spent=30),
        coordinator,
        consultation,
        now=NOW,
    )
    assert consultation.staff_name == "相談 花子" and len(consultation.referrals) == 1
    assert Response.REFERRAL in consultation.response_values
    assert statistics.year_statistics(hub, FiscalYear(2026)).table("referral_organisation").rows[0].total == 1
