"""Configuration: these defaults, then ``instance/config.py``, then ``HUBAPP_*`` environment variables.

``HUBAPP_DATABASE_URL`` (or the conventional ``DATABASE_URL``) names the database; without one the app
uses SQLite in the instance folder. ``HUBAPP_SECRET_KEY`` sets the secret; without one a random key is
generated into ``instance/secret_key`` on first run (the instance folder is never committed).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

#: Secrets that tutorials and templates ship with: never acceptable outside debug and tests.
PLACEHOLDER_SECRETS = {"dev", "secret", "changeme", "change-me", "change_me", "development", "test"}
MIN_SECRET_LENGTH = 32


class Defaults:
    DATABASE_URL: str | None = None
    #: hide_parameters: a database error in the log shows the SQL, never the values (passwords' hashes,
    #: consultation entries, patient codes).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    #: A page's data is loaded by its view and service; SQL sent while a template renders (a lazy
    #: relationship met in a loop) raises instead. On in tests (``TESTING``) unless set; off otherwise,
    #: where such a page would still work, only slower.
    RAISE_ON_TEMPLATE_QUERIES: bool | None = None

    SECRET_KEY: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: A session ends after this many idle minutes, and this many hours after login whatever happens.
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; a form left open overnight works

    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")

    #: 年末年始: the days between these month-day pairs count as holidays for shifts (SPEC conventions).
    YEAR_END_HOLIDAYS = ((12, 29), (1, 3))

    #: Argon2id cost (argon2-cffi's RFC 9106 low-memory profile by default); tests may lower it.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    DEMO_PASSWORD: str | None = None

    #: Dates in the evidence pack: "wareki" (令和8年5月21日, date cells formatted so) or "western" (2026/05/21),
    #: as the prefecture wants them.
    EXPORT_DATE_STYLE = "wareki"
    #: 令和 first everywhere; with this on, pages add the western year after it: 令和8年度（2026年度）.
    SHOW_WESTERN_YEAR = False

    #: 地域資源: rows not confirmed for this many days are listed for re-confirmation.
    DIRECTORY_STALE_DAYS = 365
    #: 年度 targets shown on the meetings page (program A item 1: ≥4 multi-disciplinary gatherings).
    MEETING_TARGETS = (
        {
            "label": "多職種連携会議",
            "kinds": ("multidisciplinary", "admin_managers", "case_conference", "disaster"),
            "count": 4,
        },
    )
    #: 自動作成: the solver's time limit (seconds) for one month.
    ROTA_SOLVER_SECONDS = 10.0
    #: 後方支援病床: a free-bed figure older than this many hours is shown as unconfirmed, not as free.
    BEDS_STALE_HOURS = 12
    #: Largest meeting document (minutes, handouts) accepted.
    MEETING_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    #: SMTP for invitations; without a host, messages are written to instance/outbox/ instead.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "hubapp@localhost"
    #: Shortest password accepted (13: the MHLW guideline's option for accounts without a second factor).
    PASSWORD_MIN_LENGTH = 13
    #: ... and with a TOTP second factor on (the guideline's option for two-factor accounts).
    PASSWORD_MIN_LENGTH_WITH_TOTP = 8
    #: A temporary password set by an admin stops working after this many hours (or at its first use).
    TEMPORARY_PASSWORD_HOURS = 24
    #: Roles that must pass a TOTP second factor (others may enrol by choice). JSON list in the env var:
    #: HUBAPP_TOTP_REQUIRED_ROLES='["admin", "coordinator"]'.
    TOTP_REQUIRED_ROLES = ("admin", "coordinator", "consultant")
    #: The name authenticator apps show next to the account.
    TOTP_ISSUER = "hubapp 在宅医療連携"
    #: Base32 TOTP secret seed-demo gives the demo accounts that need a second factor (random if unset).
    DEMO_TOTP_SECRET: str | None = None
    #: Login throttling: failures per account and per address before 429 (limits' notation).
    LOGIN_FAILURE_LIMIT = "5 per 10 minutes"
    #: Where the throttle counts: "redis://127.0.0.1:6379" for several workers; memory in one process.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "hubapp"
    #: Redirect plain HTTP to HTTPS (production behind TLS); HSTS is sent on HTTPS responses either way.
    FORCE_HTTPS = False
    #: Reverse proxies in front of the app to trust for the client address and scheme (0: none).
    PROXY_HOPS = 0
    #: Folder of the funding programs' TOML files (None: the ones shipped in hubapp/compliance/programs/).
    COMPLIANCE_PROGRAM_DIR: str | None = None
    #: Largest directory file an import accepts.
    DIRECTORY_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    #: ZIP-based uploads (.xlsx, .docx, .pptx, a ZIP of CSV), checked before anything opens them (ZIP bombs;
    #: hubapp/common/archives.py): at most this many entries, this many bytes once unpacked, and no entry of
    #: 1 MB or more compressed over this ratio (ordinary Office files stay well under 50).
    ARCHIVE_MAX_ENTRIES = 10_000
    ARCHIVE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
    ARCHIVE_MAX_RATIO = 200


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` in the documented order and settle the database URL and the secret."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("HUBAPP")
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    if app.config.get("RAISE_ON_TEMPLATE_QUERIES") is None:
        app.config["RAISE_ON_TEMPLATE_QUERIES"] = app.config.get("TESTING") is True
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        # Refuse oversized requests before Werkzeug spools them to disk: the largest upload plus forms.
        app.config["MAX_CONTENT_LENGTH"] = (
            max(app.config["MEETING_UPLOAD_MAX_BYTES"], app.config["DIRECTORY_IMPORT_MAX_BYTES"]) + 2**20
        )
    app.config["SECRET_KEY"] = secret_key(app)


def database_url(app: Flask) -> str:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url and app.config.get("TESTING") is not True:
        url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'hubapp.sqlite3'}"
    # Heroku-style and bare PostgreSQL URLs mean psycopg 3 here, the driver we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(app: Flask) -> str:
    """The configured secret, else the one in ``instance/secret_key``, generated on first run.

    Outside debug and tests a weak secret (a placeholder or under 32 characters) stops the start-up.
    """
    key = app.config.get("SECRET_KEY")
    if key is not None:
        key = str(key)  # from_prefixed_env reads an all-digit value as a number
    if not key:
        key = _instance_secret(Path(app.instance_path) / "secret_key")
    if (len(key) < MIN_SECRET_LENGTH or key.lower() in PLACEHOLDER_SECRETS) and not (
        app.debug or app.testing
    ):
        raise RuntimeError(
            "hubapp: SECRET_KEY is a placeholder or shorter than "
            f"{MIN_SECRET_LENGTH} characters; set HUBAPP_SECRET_KEY or remove it to use instance/secret_key"
        )
    return key


def _instance_secret(path: Path) -> str:
    if path.exists():
        return _read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written under a temporary name and linked into place: when several gunicorn workers start at
    # once, exactly one key wins and nobody ever reads a half-written file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise RuntimeError(f"hubapp: {path} is empty; delete it to generate a new secret key")
    return key
