"""Backup beds in a real Chromium on a phone: the bed manager posts today's figure in two taps, a physician
sees it on the board and requests the bed, the bed manager accepts, and the board shows one bed fewer."""

import pytest
import sqlalchemy as sa

from hubapp.beds.models import BedRequest, RequestStatus
from hubapp.common.roles import Role
from hubapp.extensions import db
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


def test_post_request_accept(app, new_page, beds, hub, create_user, artifacts):
    create_user("physician-a", Role.PHYSICIAN, hubs=(hub,))
    manager = new_page()
    manager.goto("/login")
    log_in(manager, "bm-hokuso")
    manager.goto("/beds/availability")
    today_form = manager.get_by_test_id(f"post-{beds['central']}-1")
    today_form.locator("label.bed-choice", has_text="1").click()  # tap 1 …
    with manager.expect_navigation():
        today_form.get_by_role("button", name="保存").click()  # … and 保存
    assert "空床数を1床にしました" in manager.locator(".flash").inner_text()
    manager.screenshot(path=artifacts / "beds-availability-phone.png", full_page=True)

    physician = new_page()
    physician.goto("/login")
    log_in(physician, "physician-a")
    physician.goto("/beds/")
    line = physician.get_by_test_id(f"bed-line-{beds['central']}")
    assert "1床" in line.get_by_test_id("today-free").inner_text()
    assert "bm-hokuso" in line.inner_text() or "北総中央病院" in line.inner_text()
    line.get_by_role("link", name="ベッドを依頼").click()
    physician.fill("#patient_code", "K-0042")
    physician.select_option("#age_band", "85_plus")
    physician.fill("#reason", "呼吸状態の悪化")
    with physician.expect_navigation():
        physician.get_by_role("button", name="依頼する（1床を確保）").click()
    assert "ベッドを依頼しました" in physician.locator(".flash").inner_text()
    assert physician.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    manager.goto("/beds/requests")
    assert "K-0042" in manager.get_by_test_id("bed-requests").inner_text()
    with manager.expect_navigation():
        manager.get_by_role("button", name="受け入れる").click()
    assert "受け入れました" in manager.locator(".flash").inner_text()

    physician.goto("/beds/")
    line = physician.get_by_test_id(f"bed-line-{beds['central']}")
    assert "0床" in line.get_by_test_id("today-free").inner_text()
    assert line.get_by_role("link", name="ベッドを依頼").count() == 0
    physician.screenshot(path=artifacts / "beds-board-phone.png", full_page=True)
    with app.app_context():
        assert db.session.scalars(sa.select(BedRequest.status)).one() == RequestStatus.ACCEPTED
