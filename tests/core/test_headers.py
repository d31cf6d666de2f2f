"""Security headers (issue 8 point 5): CSP without inline script on every page, nosniff, a referrer
policy, no framing, HSTS over HTTPS only, no-store behind login, and a proxy hop trusted only when
configured. Each assertion fails when the protection is taken out of hubapp/common/headers.py."""

import pytest
import sqlalchemy as sa

from hubapp.audit.models import AuditAction, AuditLog
from hubapp.extensions import db
from tests.conftest import TEST_PASSWORD

PAGES = ["/login", "/", "/directory/", "/meetings/", "/rota/", "/rota/now", "/beds/", "/compliance/", "/audit/"]


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def test_every_page_carries_the_headers(app, client, login_as):
    login_as("coordinator")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        csp = _csp(response)
        assert csp["script-src"] == "'self'" and "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert (csp["object-src"], csp["base-uri"], csp["frame-ancestors"]) == ("'none'", "'none'", "'none'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"  # logged in
        html = response.get_data(as_text=True)
        assert "<script" not in html and "<style" not in html and " style=" not in html  # nothing the CSP would block
    anonymous = app.test_client().get("/login")
    assert (
        "no-store" not in anonymous.headers.get("Cache-Control", "") and "Content-Security-Policy" in anonymous.headers
    )


def test_hsts_over_https_only(client):
    """(A browser ignores HSTS on plain HTTP, so Talisman also sends it when a proxy says X-Forwarded-Proto:
    https; that header is harmless to trust.)"""
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://hub.example.jp")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("hops", [0, 1])
def test_one_proxy_hop_is_trusted_only_when_configured(database_url, make_app, create_user, hops):
    from hubapp.common.roles import Role

    app = make_app(database_url, PROXY_HOPS=hops)
    create_user("proxied", Role.MEMBER)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    client = app.test_client()
    response = client.post("/login", data={"username": "proxied", "password": TEST_PASSWORD}, headers=forwarded)
    assert response.status_code == 302
    with app.app_context():
        address = db.session.scalars(
            sa.select(AuditLog.ip_address).where(AuditLog.action == AuditAction.LOGIN).order_by(AuditLog.id.desc())
        ).first()
    assert address == ("203.0.113.7" if hops else "127.0.0.1")
