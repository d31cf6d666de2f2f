"""The shortest path a user takes: log in as the coordinator and see the Japanese dashboard."""

from hubapp.common.jpcalendar import FiscalYear
from hubapp.core.services import today


def test_coordinator_sees_dashboard_with_fiscal_year(client, login_as, hub):
    login_as("coordinator")
    page = client.get("/").data.decode()
    fiscal_year = FiscalYear.of(today())
    assert hub.name in page
    assert fiscal_year.label_ja in page and fiscal_year.label_western not in page  # 令和 first (SHOW_WESTERN_YEAR)
    assert "広域型（3市町村）" in page
