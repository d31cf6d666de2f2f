"""Backup-bed pages through the test client: who may do what, a bed manager's own hospitals, the flow from
posting to discharge, bad input, other hubs, and a fixed number of queries on the board."""

from datetime import timedelta

import sqlalchemy as sa

from hubapp.beds import services
from hubapp.beds.models import BedAgreement, BedAvailability, BedRequest, RequestStatus
from hubapp.core.services import today
from hubapp.db import utcnow
from hubapp.extensions import db


def _free(app, agreement_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(BedAvailability.free_beds).where(
                BedAvailability.agreement_id == agreement_id, BedAvailability.day == today()
            )
        ).one_or_none()


def test_from_posting_to_discharge(app, client, login, login_as, beds, hub):
    login("bm-hokuso")
    page = client.get("/beds/availability").data.decode()
    assert "北総中央病院" in page and "香取夜間病院" not in page  # only the hospital they manage
    done = client.post(
        "/beds/availability",
        data={"agreement": beds["central"], "day": today().isoformat(), "free_beds": "1"},
        follow_redirects=True,
    )
    assert "空床数を1床にしました" in done.data.decode()
    # the other hospital's figure is not theirs to post
    assert (
        client.post(
            "/beds/availability", data={"agreement": beds["night"], "day": today().isoformat(), "free_beds": "1"}
        ).status_code
        == 404
    )
    client.post("/logout")

    login_as("physician")
    board = client.get("/beds/").data.decode()
    assert "1床" in board and "ベッドを依頼" in board and "0478-00-0001" in board
    sent = client.post(
        f"/beds/requests/new?agreement={beds['central']}",
        data={"patient_code": "K-0100", "age_band": "85_plus", "reason": "発熱と呼吸苦", "urgency": "immediate"},
    )
    assert sent.status_code == 302 and _free(app, beds["central"]) == 0
    again = client.post(
        f"/beds/requests/new?agreement={beds['central']}",
        data={"patient_code": "K-0101", "age_band": "85_plus", "reason": "発熱", "urgency": "today"},
    )
    assert again.status_code == 200 and "空きベッドがありません" in again.data.decode()
    assert "K-0100" in client.get("/beds/requests").data.decode()
    client.post("/logout")

    with app.app_context():
        request_id = db.session.scalars(sa.select(BedRequest.id)).one()
    login("bm-katori")  # manages the other hospital: may not answer
    assert client.post(f"/beds/requests/{request_id}/answer", data={"decision": "accept"}).status_code == 404
    client.post("/logout")
    login("bm-hokuso")
    client.post(f"/beds/requests/{request_id}/answer", data={"decision": "accept"})
    with app.app_context():
        assert db.session.get(BedRequest, request_id).status == RequestStatus.ACCEPTED
    assert _free(app, beds["central"]) == 0
    client.post(f"/beds/requests/{request_id}/discharge")
    with app.app_context():
        assert db.session.get(BedRequest, request_id).status == RequestStatus.DISCHARGED
    assert _free(app, beds["central"]) == 1


def test_a_stale_form_does_not_overwrite_a_newer_figure(app, client, login, beds):
    login("bm-hokuso")
    day = today().isoformat()
    client.post("/beds/availability", data={"agreement": beds["central"], "day": day, "free_beds": "1"})
    with app.app_context():
        version = db.session.scalars(sa.select(BedAvailability.version)).one()
    client.post(
        "/beds/availability", data={"agreement": beds["central"], "day": day, "free_beds": "0", "version": version}
    )
    late = client.post(
        "/beds/availability",
        data={"agreement": beds["central"], "day": day, "free_beds": "1", "version": version},
        follow_redirects=True,
    )
    assert "他の人が先に更新しました" in late.data.decode()
    assert _free(app, beds["central"]) == 0


def test_bad_input_gets_a_message_and_changes_nothing(app, client, login, login_as, beds):
    login("bm-hokuso")
    for data, message in (
        ({"day": today().isoformat(), "free_beds": "x"}, "空床数を選んでください。"),
        ({"day": (today() + timedelta(days=3)).isoformat(), "free_beds": "1"}, "今日と明日の空床数だけ"),
        ({"day": today().isoformat(), "free_beds": "5"}, "空床数は0〜1で入力してください"),
    ):
        response = client.post("/beds/availability", data={"agreement": beds["central"]} | data, follow_redirects=True)
        assert response.status_code == 200 and message in response.data.decode()
    assert _free(app, beds["central"]) is None
    client.post("/logout")
    login_as("coordinator")
    before = client.get("/beds/agreements").data.decode().count("<tr")
    for data, message in (
        ({"hospital": "", "beds_secured": "1", "valid_from": "2026-04-01"}, "協力病院を"),
        ({"beds_secured": "0", "valid_from": "2026-04-01"}, "確保病床数は1〜99"),
        ({"beds_secured": "一", "valid_from": "2026-04-01"}, "確保病床数は1〜99"),
        ({"beds_secured": "²", "valid_from": "2026-04-01"}, "確保病床数は1〜99"),  # isdigit(), but not for int()
        ({"beds_secured": "１" * 5000, "valid_from": "2026-04-01"}, "確保病床数は1〜99"),  # over int()'s 4,300 digits
        ({"beds_secured": "1", "valid_from": ""}, "契約の開始日"),
        ({"beds_secured": "1", "valid_from": "2026-04-01", "valid_to": "2026-03-01"}, "終了日は開始日以降"),
        ({"beds_secured": "1", "valid_from": "2026-04-01", "hours": "partial", "starts": "25:00"}, "時刻を"),
        ({"beds_secured": "1", "valid_from": "2026-04-01", "managers": "999999"}, "病床管理者から"),
    ):
        with app.app_context():
            hospital = db.session.get(BedAgreement, beds["central"]).hospital_id
        response = client.post("/beds/agreements", data={"hospital": hospital} | data)
        assert response.status_code == 200 and message in response.data.decode(), data
    assert client.get("/beds/agreements").data.decode().count("<tr") == before


def test_roles_and_other_hubs(app, client, login_as, beds, create_hub, create_organisation, create_user, login):
    login_as("member")
    assert client.get("/beds/").status_code == 200  # a visiting nurse may look at the board
    assert client.get(f"/beds/requests/new?agreement={beds['central']}").status_code == 403
    assert client.get("/beds/availability").status_code == 403
    assert client.get("/beds/stats").status_code == 403
    client.post("/logout")
    other = create_hub("よその拠点", name_kana="ヨソノキョテン")
    create_user(
        "coordinator-other", __import__("hubapp.common.roles", fromlist=["Role"]).Role.COORDINATOR, hubs=(other,)
    )
    login("coordinator-other")
    assert client.get(f"/beds/agreements/{beds['central']}").status_code == 404
    assert client.get(f"/beds/requests/new?agreement={beds['central']}").status_code == 404
    assert "北総中央病院" not in client.get("/beds/").data.decode()


def test_the_board_takes_a_fixed_number_of_queries(
    app, client, login_as, beds, hub, create_organisation, count_queries
):
    from hubapp.directory.models import OrganisationType

    login_as("physician")

    def add(n):
        hospitals = [create_organisation(f"病院{n}-{k:03d}", OrganisationType.HOSPITAL) for k in range(n)]
        with app.app_context():
            for org in hospitals:
                agreement = services.save_agreement(
                    hub.id,
                    None,
                    hospital_id=org.id,
                    beds_secured=2,
                    all_day=True,
                    starts=None,
                    ends=None,
                    valid_from=today() - timedelta(days=30),
                    valid_to=None,
                )
                services.post_availability(agreement, today(), 1, None, None, utcnow())
            db.session.commit()

    counts = []
    for n in (1, 20):
        add(n)
        client.get("/beds/")
        with count_queries() as counted:
            assert client.get("/beds/").status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]
