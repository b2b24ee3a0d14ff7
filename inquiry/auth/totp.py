"""The optional second factor for supervisors and administrators: time-based one-time codes
(RFC 6238, the six digits an authenticator app shows every 30 seconds).

Enrolment is two steps: ``begin`` makes a secret (shown once, with its otpauth:// URI and QR
code), ``confirm`` checks a first code and switches the factor on. At log-in ``verify`` runs
after the password: a wrong or already used code counts as a failed log-in, toward the same lock
as wrong passwords. The secret is never logged, audited or shown again after enrolment.
"""
from __future__ import annotations

import datetime as dt
import hmac

import pyotp

from inquiry.audit.services import record
from inquiry.auth import services
from inquiry.auth.models import Role, User
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid

ISSUER = "Inquiry"
STEP_SECONDS = 30
# Codes of the step before and after the current one pass too: clocks drift and people type slowly.
DRIFT_STEPS = 1
DIGITS = 6
STAFF = (Role.SUPERVISOR, Role.ADMIN)


def may_enrol(user: User) -> bool:
    return user.role in STAFF


def must_enrol(user: User, required: bool) -> bool:
    """Whether ``user`` must enrol before anything else (REQUIRE_TOTP_FOR_STAFF)."""
    return required and may_enrol(user) and not user.has_totp


def _clean(code: str | None) -> str:
    """What people type: "123 456" and "123-456" mean 123456."""
    return "".join(ch for ch in (code or "") if ch not in " -\u00a0\t")


def _step(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str | None, at: dt.datetime) -> int | None:
    """The time-step ``code`` belongs to, within the drift allowed, or None. Every candidate is
    compared in constant time, so timing does not say how close a guess was."""
    code = _clean(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    found = None
    now = _step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def begin(user: User) -> str:
    """A new secret for ``user``, pending until ``confirm``; replaces an unconfirmed one.
    Conflict if the factor is already on (an administrator resets it first)."""
    if not may_enrol(user):
        raise Forbidden("two-factor log-in is for supervisors and administrators")
    if user.has_totp:
        raise Conflict("two-factor log-in is already on for this account", code="totp_enabled")
    user.totp_secret = pyotp.random_base32()  # 32 base32 characters: 160 bits
    user.totp_enabled_at = None
    user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code, or typed)."""
    return pyotp.TOTP(user.totp_secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (made here: no third-party service sees the secret).
    Plain SVG attributes only, no style attribute or script, so it passes a strict CSP."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff",
                                                 title="QR code for your authenticator app")


def confirm(user: User, code: str | None, *, at: dt.datetime | None = None) -> None:
    """Switch the factor on once a code from the app matches the pending secret (Invalid if not)."""
    at = at or utcnow()
    if user.has_totp:
        raise Conflict("two-factor log-in is already on for this account", code="totp_enabled")
    if not user.totp_secret:
        raise Conflict("start the set-up first", code="totp_not_started")
    step = _matching_step(user.totp_secret, code, at)
    if step is None:
        raise Invalid("that code does not match: check the app and the device's clock",
                      fields={"code": ["The 6-digit code your app shows now."]})
    user.totp_enabled_at = at
    user.totp_last_step = step
    record("user.totp_enabled", actor=user, subject=f"user:{user.id}", at=at)


def verify(user: User, code: str | None, *, at: dt.datetime | None = None) -> None:
    """The second step of log-in: completes it (``services.complete_login``) if ``code`` is right
    and newer than the last code accepted. Otherwise Forbidden, and it counts as a failed
    log-in; a locked account is refused even the right code."""
    at = at or utcnow()
    services.refuse_if_locked(user, at)
    if not user.is_enabled:
        raise Forbidden("this account is disabled")
    step = _matching_step(user.totp_secret, code, at) if user.has_totp else None
    replayed = step is not None and user.totp_last_step is not None and step <= user.totp_last_step
    if step is None or replayed:
        record("user.totp_refused", actor_kind="system", subject=f"user:{user.id}", at=at,
               after={"reason": "reused" if replayed else "wrong"})
        services.count_failure(user, at)
        if user.locked_until and user.locked_until > at:
            raise Forbidden("too many failed log-ins; try again later", code="locked")
        raise Forbidden("that code is not right, or was already used: wait for the next one", code="wrong_code")
    user.totp_last_step = step
    services.complete_login(user, at=at)


def reset(user: User, *, actor: User | None) -> bool:
    """Remove the factor and any pending secret (``management.reset_totp`` checks who may)."""
    if not user.totp_secret and user.totp_enabled_at is None:
        return False
    was_on = user.has_totp
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    record("user.totp_reset", actor=actor, subject=f"user:{user.id}", before={"enabled": was_on},
           after={"enabled": False})
    return True
