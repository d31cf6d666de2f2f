"""Login throttling (ASVS V6.3 / 2.2), with the ``limits`` library that Flask-Limiter is
built on: after ``LOGIN_FAILURE_LIMIT`` failures (default 5 in 10 minutes) for one account or one
address, further attempts get 429 until the window ends, then work again — no permanent lockout that an
attacker could use to shut a physician out.

The counters live where ``RATELIMIT_STORAGE_URI`` says (``HUBAPP_RATELIMIT_STORAGE_URI``): Redis for
several gunicorn workers, memory (one process) otherwise. Only failures count; a success does not reset
the address counter (an attacker with one valid account must not unlock guessing others).
"""

from flask import Flask, current_app
from limits import parse, storage, strategies


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    backend = storage.storage_from_string(uri)
    app.extensions["login_throttle"] = (
        strategies.FixedWindowRateLimiter(backend),
        parse(app.config.get("LOGIN_FAILURE_LIMIT") or "5 per 10 minutes"),
        app.config.get("RATELIMIT_KEY_PREFIX") or "hubapp",  # keeps two deployments sharing one Redis apart
    )


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    return [("login-user", username.strip().lower()[:80]), ("login-address", address or "?")]


def blocked(username: str, address: str) -> bool:
    limiter, item, namespace = current_app.extensions["login_throttle"]
    return any(not limiter.test(item, namespace, kind, key) for kind, key in _keys(username, address))


def failed(username: str, address: str) -> None:
    limiter, item, namespace = current_app.extensions["login_throttle"]
    for kind, key in _keys(username, address):
        limiter.hit(item, namespace, kind, key)
