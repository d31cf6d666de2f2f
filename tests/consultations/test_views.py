"""Consultation pages: who may open them, logging through the form, bad input, audited views, hub
isolation, follow-ups, statistics with a fixed number of queries, and the files."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.consultations.models import Consultation, ConsultationTally, Status
from hubapp.core.services import today
from hubapp.directory.models import OrganisationType as T
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.consultations.conftest import bulk_insert
from tests.twofactor import next_code


def form(**changes) -> dict:
    """The form as a phone submits it: a phone call from a care manager today, 10 minutes."""
    data = {
        "received_date": today().isoformat(),
        "received_time": "00:00",
        "channel": "phone",
        "requester": "care_manager",
        "requester_organisation_id": "0",
        "scene": "daily_care",
        "topics": ["home_physician"],
        "responses": ["information"],
        "minutes_spent": "10",
        "status": "open",
        "subject_pseudonym": "A.B.",
        "subject_age_band": "85_plus",
        "subject_municipality_code": "122360",
        "subject_care_level": "care_2",
    }
    data.update(changes)
    return data


def count(model=Consultation) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PHYSICIAN, Role.BED_MANAGER, Role.PREFECTURE])
def test_only_consultation_staff_coordinators_and_admins_may_open_the_log(client, login_as, role, create_consultation):
    consultation_id = create_consultation()
    login_as(role)
    for url in (
        "/consultations/",
        f"/consultations/{consultation_id}",
        "/consultations/new",
        "/consultations/stats",
        "/consultations/stats.csv",
        "/consultations/stats.xlsx",
        f"/consultations/{consultation_id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/consultations/{consultation_id}/status", data={"status": "closed"}).status_code == 403
    assert "相談支援" not in client.get("/").data.decode()


def test_consultant_logs_a_consultation_and_sees_it(app, client, login_as, hub, create_organisation):
    clinic = create_organisation("やまぶき在宅クリニック", T.HOME_CARE_CLINIC)
    office = create_organisation("居宅介護支援事業所すいごう", T.CARE_MANAGEMENT)
    user = login_as("consultant")
    assert "相談支援" in client.get("/").data.decode()  # in the menu
    page = client.get("/consultations/new").data.decode()
    assert 'name="received_date"' in page and f'<option selected value="{user.id}">' in page
    response = client.post(
        "/consultations/new",
        data=form(
            staff_id=str(user.id),
            requester_organisation_id=str(office.id),
            referral_ids=[str(clinic.id)],
            needs_follow_up="y",
        ),
    )
    assert response.status_code == 302, response.data.decode()
    with app.app_context():
        saved = db.session.scalars(sa.select(Consultation)).one()
        assert saved.requester_organisation_name == "居宅介護支援事業所すいごう" and saved.staff_name == user.username
        assert [r.organisation_name for r in saved.referrals] == ["やまぶき在宅クリニック"]
        assert saved.is_open and saved.subject_pseudonym == "A.B."
        consultation_id = saved.id
    listing = client.get(response.headers["Location"]).data.decode()
    assert "相談を記録しました" in listing and "A.B." in listing and "未完了のフォローアップ（1件）" in listing
    detail = client.get(f"/consultations/{consultation_id}").data.decode()
    assert "居宅介護支援事業所すいごう" in detail and "やまぶき在宅クリニック" in detail and "85歳以上" in detail
    stats = client.get("/consultations/stats").data.decode()
    assert 'data-testid="month-count">1件<' in stats


def test_every_view_of_an_entry_is_audited(app, client, login_as, create_consultation):
    consultation_id = create_consultation(needs_follow_up=True)
    other_id = create_consultation()
    login_as("coordinator")
    client.get(f"/consultations/{consultation_id}")
    client.get(f"/consultations/{consultation_id}/edit")
    client.get("/consultations/?month=2026-05")
    client.get("/consultations/stats")  # counts only: no entry shown
    with app.app_context():
        views = db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == AuditAction.VIEW).order_by(AuditLog.id)
        ).all()
        assert [(v.entity, v.entity_id, v.changes["page"][1]) for v in views] == [
            ("consultations", consultation_id, "detail"),
            ("consultations", consultation_id, "edit"),
            ("consultations", None, "index"),
        ]
        assert sorted(views[2].changes["ids"][1]) == sorted([consultation_id, other_id])
        assert {v.actor for v in views} == {"coordinator-user"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject_pseudonym": "山田 太郎"}, "氏名は記録しません"),
        ({"subject_pseudonym": "ABCDEFGHIJKL"}, "仮名・イニシャルは10文字以内で入力してください。"),
        ({"minutes_spent": "abc"}, "0〜1440分で入力してください。"),
        ({"minutes_spent": "5000"}, "0〜1440分で入力してください。"),
        ({"received_date": "2026-13-45"}, "無効な日付"),
        ({"received_date": (today() + timedelta(days=3)).isoformat()}, "受付日時が未来になっています。"),
        ({"topics": []}, "相談内容を1つ以上選んでください。"),
        ({"topics": ["gossip"]}, "選択肢が正しくありません。"),
        ({"requester": ""}, "選んでください。"),
        ({"requester": "neighbour"}, "選択肢が正しくありません。"),
        ({"channel": "pigeon"}, "選択肢が正しくありません。"),
        ({"referral_ids": ["999999"]}, "選択肢が正しくありません。"),
        ({"referral_ids": ["abc"]}, "選択肢が正しくありません。"),
        ({"subject_municipality_code": "131016"}, "選択肢が正しくありません。"),
        ({"requester": "family", "requester_organisation_id": "1"}, "本人・家族・住民からの相談には"),
    ],
)
def test_bad_input_gets_a_japanese_message_and_changes_nothing(
    app, client, login_as, create_organisation, changes, message
):
    create_organisation("北総中央病院", T.HOSPITAL)
    user = login_as("consultant")
    response = client.post("/consultations/new", data=form(staff_id=str(user.id), **changes))
    page = response.data.decode()
    assert response.status_code == 200
    errors = re.findall(r'class="field__error"[^>]*>([^<]*)<', page)
    assert "保存はされていません" in page and any(message in error for error in errors), errors
    with app.app_context():
        assert count() == 0 and count(ConsultationTally) == 0


def test_another_hubs_consultations_are_404(client, login_as, create_hub, create_user, create_consultation):
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    theirs = create_consultation(hub_id=other.id)
    login_as("coordinator")
    assert client.get(f"/consultations/{theirs}").status_code == 404
    assert client.get(f"/consultations/{theirs}/edit").status_code == 404
    assert client.post(f"/consultations/{theirs}/edit", data=form()).status_code == 404
    assert client.post(f"/consultations/{theirs}/status", data={"status": "closed"}).status_code == 404
    assert client.post(f"/consultations/{theirs}/delete").status_code == 404
    assert "件" in client.get("/consultations/stats").data.decode()


def test_follow_up_status_and_deletion(app, client, login_as, create_consultation):
    consultation_id = create_consultation(needs_follow_up=True)
    login_as("consultant")
    response = client.post(f"/consultations/{consultation_id}/status", data={"status": "closed"})
    assert response.status_code == 302
    assert "完了" in client.get(response.headers["Location"]).data.decode()
    assert client.post(f"/consultations/{consultation_id}/status", data={"status": "bogus"}).status_code == 302
    assert client.post(f"/consultations/{consultation_id}/delete").status_code == 403  # consultants do not delete
    with app.app_context():
        assert db.session.get(Consultation, consultation_id).status is Status.CLOSED


def test_coordinator_deletes_a_mistaken_entry(app, client, login_as, create_consultation):
    consultation_id = create_consultation()
    login_as("coordinator")
    assert client.post(f"/consultations/{consultation_id}/delete").status_code == 302
    with app.app_context():
        assert count() == 0


def test_stats_and_list_pages_query_count_is_the_same_for_10_and_10000(
    app, client, login_as, hub, count_queries, create_organisation, create_consultation
):
    organisation_ids = [create_organisation(f"機関{n}", T.CLINIC).id for n in range(3)]
    login_as("consultant")
    fiscal_year = FiscalYear.of(today())

    def measure(url: str) -> int:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.n

    # one of this month, with an open follow-up, so that the small list shows a row of each kind
    create_consultation(received_at=datetime.now(UTC) - timedelta(minutes=5), needs_follow_up=True)
    urls = (
        "/consultations/stats",
        f"/consultations/stats?fy={fiscal_year.year - 1}",
        "/consultations/",
        "/consultations/stats.csv",
        "/consultations/stats.xlsx",
    )
    with app.app_context():
        bulk_insert(hub.id, 9, fiscal_year=fiscal_year, organisation_ids=organisation_ids)
    small = {url: measure(url) for url in urls}
    with app.app_context():
        bulk_insert(hub.id, 9_990, fiscal_year=fiscal_year, seed=2, organisation_ids=organisation_ids)
        assert count() == 10_000
    large = {url: measure(url) for url in urls}
    assert large == small
    assert small["/consultations/stats"] <= 8, small  # the user, the hub (3 at most), the tallies


def test_statistics_files_download(client, login_as, create_consultation):
    create_consultation()
    login_as("admin")
    cp932 = client.get("/consultations/stats.csv?fy=2026&encoding=cp932")
    assert cp932.headers["Content-Type"] == "text/csv; charset=shift_jis"
    assert 'filename="soudan-toukei-FY2026.csv"' in cp932.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(cp932.data.decode("cp932"))))
    assert ["概要", "相談件数", "0", "1", *["0"] * 10, "1"] in table
    xlsx = client.get("/consultations/stats.xlsx?fy=2026")
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.data[:2] == b"PK"


def test_the_statistics_page_draws_its_charts_without_javascript(client, login_as, create_consultation):
    create_consultation()
    login_as("consultant")
    page = client.get("/consultations/stats?fy=2026&month=2026-05").data.decode()
    assert (
        '<svg class="chart"' in page and 'data-testid="chart-months"' in page and 'data-testid="chart-channel"' in page
    )
    assert "<script" not in page
    assert "令和8年度" in page and "FY2026" not in page and 'data-testid="month-count">1件<' in page


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_posts_without_the_token_are_refused_and_every_form_carries_one(
        self, app, client, create_user, hub, create_consultation
    ):
        consultation_id = create_consultation(needs_follow_up=True)
        user = create_user("sato", Role.CONSULTANT, hubs=(hub,))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())
        client.post("/login", data={"username": "sato", "password": TEST_PASSWORD, "csrf_token": token.group(1)})
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/2fa").data.decode())
        client.post("/login/2fa", data={"code": next_code(app, "sato"), "csrf_token": token.group(1)})
        for url in (
            "/consultations/new",
            f"/consultations/{consultation_id}",
            f"/consultations/{consultation_id}/edit",
        ):
            page = client.get(url).data.decode()
            assert page.count("<form") > 0 and page.count('name="csrf_token"') >= page.count("<form"), url
        response = client.post("/consultations/new", data=form(staff_id=str(user.id)))
        assert response.status_code == 400 and "フォームの有効期限が切れました" in response.data.decode()
        assert client.post(f"/consultations/{consultation_id}/status", data={"status": "closed"}).status_code == 400
        with app.app_context():
            assert count() == 1 and db.session.get(Consultation, consultation_id).status is Status.OPEN
