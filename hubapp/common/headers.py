"""Security headers on every response (ASVS V3.4 / 50.x), set by flask-talisman:

- ``Content-Security-Policy``: everything from this origin only, no inline script or style at all (the
  app has no JavaScript of its own; the print pages use static style sheets), ``object-src 'none'``,
  ``base-uri 'none'``, ``frame-ancestors 'none'``, forms post only here;
- ``Strict-Transport-Security`` on responses served over HTTPS;
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin``;
- ``Cache-Control: no-store`` on every response to a logged-in user (pages with personal data must not
  stay in a shared PC's cache).

``FORCE_HTTPS`` redirects plain HTTP to HTTPS (on behind a TLS proxy in production; off for ``make run``
on 127.0.0.1). ``PROXY_HOPS`` (0 by default) makes the app trust that many reverse proxies for the
client address and the scheme (werkzeug's ProxyFix) — only when configured, never by default.
"""

from flask import Flask, request
from flask_login import current_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

#: The extension instance: views that serve files use ``@talisman(content_security_policy=DOWNLOAD_CSP)``.
talisman = Talisman()
#: For files served to the browser (attachments): nothing in them may run, even if opened inline.
DOWNLOAD_CSP = "sandbox"

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    talisman.init_app(
        app,
        force_https=bool(app.config.get("FORCE_HTTPS")),
        strict_transport_security=True,
        strict_transport_security_max_age=31_536_000,
        strict_transport_security_include_subdomains=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        # Secure cookies wherever HTTPS is forced (production); `make run` on http://127.0.0.1 stays usable.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE") or app.config.get("FORCE_HTTPS")),
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_xss_protection=False,
    )

    @app.after_request
    def _no_store_behind_login(response):
        cache = response.headers.get("Cache-Control", "")
        if request.endpoint != "static" and current_user.is_authenticated and "no-store" not in cache:
            response.headers["Cache-Control"] = "no-store"
        return response
