"""The TOTP second factor (RFC 6238) and its recovery codes.

- codes from pyotp, 6 digits, 30-second steps, accepted one step either side of now (clock drift);
- a code is accepted once: the step of the last accepted code is kept on the user, and a later login
  needs a later step. The check-and-set is one conditional UPDATE, so two requests racing with the same
  code cannot both pass, whatever the number of workers;
- ten single-use recovery codes, stored as SHA-256 (each carries 60 random bits), used the same way;
- the enrolment QR code is drawn here as inline SVG (segno): nothing leaves the server.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from hubapp.auth.models import RecoveryCode, User
from hubapp.common.roles import Role
from hubapp.db import utcnow
from hubapp.extensions import db

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
#: Letters and digits that cannot be mistaken for each other when read off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12  # 31**12 ≈ 2**59


def required_for(role: Role) -> bool:
    return str(Role(role).value) in {str(r) for r in current_app.config.get("TOTP_REQUIRED_ROLES", ())}


def new_secret() -> str:
    return pyotp.random_base32()


def valid_secret(secret: str) -> bool:
    try:
        pyotp.TOTP(secret).at(0)
    except Exception:  # noqa: BLE001 - pyotp raises binascii/ValueError/TypeError for bad base32
        return False
    return len(secret) >= 16


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (presentation attributes only: fine under our CSP)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def _digits(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def matching_step(secret: str, code: str, after: int | None, at: float | None = None) -> int | None:
    """The step within ±1 of now whose code is ``code`` and that comes after ``after``, or None."""
    code = _digits(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = current_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def verify(user: User, code: str) -> bool:
    """Whether ``code`` is the user's current TOTP code, not used before; if so it is used up now."""
    if user.totp_secret is None:
        return False
    step = matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    users = User.__table__
    claimed = db.session.execute(
        sa.update(users)
        .where(users.c.id == user.id)
        .where(sa.or_(users.c.totp_last_step.is_(None), users.c.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount
    db.session.expire(user, ["totp_last_step"])
    return claimed == 1


def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the second factor on with ``secret`` when ``code`` proves the app holds it; returns the new
    recovery codes (shown once), or None when the code is wrong."""
    step = matching_step(secret, code, None)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _hash(code: str) -> str:
    return hashlib.sha256(_digits(code).lower().encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes replacing any earlier ones; only their hashes are kept."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; if so it is used up now."""
    if len(_digits(code)) != _RECOVERY_LENGTH:
        return False
    codes = RecoveryCode.__table__
    used = db.session.execute(
        sa.update(codes)
        .where(codes.c.user_id == user.id, codes.c.code_hash == _hash(code), codes.c.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    return used == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
