"""Accounts, passwords, log-in throttling and API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.auth.models import ApiToken, Role, User, UserLanguage
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets.models import Queue

MIN_PASSWORD_LENGTH = 12
# What a token may do; a token without a scope is refused that part of the API.
SCOPES = ("inquiries:write", "tickets:read", "tickets:write")
TOKEN_PREFIX = "inq_"
# A real hash to check against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(str(exc), fields={"email": [str(exc)]}) from None


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
            fields={"password": [f"at least {MIN_PASSWORD_LENGTH} characters"]},
        )
    return password


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).filter_by(email=email.strip().lower()))


def create_user(
    email: str,
    *,
    name: str | None = None,
    role: Role | str = Role.AGENT,
    password: str,
    queues: list[str] = (),
    languages: list[str] = (),
    actor: User | None = None,
) -> User:
    """A new enabled account with a hashed password, its queues and languages."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    try:
        role = Role(role)
    except ValueError:
        raise Invalid(f"unknown role {role!r}", fields={"role": ["agent, supervisor or admin"]}) from None
    user = User(email=email, name=name or email.split("@")[0], role=role, password_hash=_hash(check_password(password)))
    set_queues(user, queues)
    set_languages(user, languages)
    db.session.add(user)
    db.session.flush()
    record("user.created", actor=actor, subject=f"user:{user.id}",
           after={"email": email, "role": role.value, "queues": list(queues), "languages": list(languages)})
    return user


def set_queues(user: User, slugs) -> None:
    slugs = list(dict.fromkeys(slugs))
    queues = db.session.scalars(select(Queue).where(Queue.slug.in_(slugs))).all() if slugs else []
    missing = set(slugs) - {q.slug for q in queues}
    if missing:
        raise Invalid(f"unknown queue(s): {', '.join(sorted(missing))}", fields={"queue": ["unknown queue"]})
    user.queues = list(queues)


def set_languages(user: User, codes) -> None:
    codes = list(dict.fromkeys(code.strip().lower() for code in codes))
    unknown = [code for code in codes if code not in taxonomy.LANGUAGES]
    if unknown:
        raise Invalid(f"unknown language code(s): {', '.join(unknown)}", fields={"language": ["ISO 639-1 codes"]})
    user.language_rows = [UserLanguage(language=code) for code in codes]


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    user.password_hash = _hash(check_password(password))
    user.failed_logins = 0
    user.locked_until = None
    record("user.password_changed", actor=actor, subject=f"user:{user.id}")


def refuse_if_locked(user: User, at: dt.datetime) -> None:
    if user.locked_until and user.locked_until > at:
        raise Forbidden("too many failed log-ins; try again later", code="locked")


def count_failure(user: User, at: dt.datetime) -> None:
    """One more failed log-in (a wrong password or a wrong one-time code): after
    LOGIN_MAX_FAILURES the account is locked for LOGIN_LOCK_MINUTES."""
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = at + dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        record("user.locked", actor_kind="system", subject=f"user:{user.id}", at=at)


def verify_password(email: str, password: str, *, at: dt.datetime | None = None) -> User:
    """The user these credentials belong to, or Forbidden: the first factor only.

    After LOGIN_MAX_FAILURES wrong passwords the account is locked for LOGIN_LOCK_MINUTES, even
    for the right password, so guessing from many addresses does not help. A right password does
    not clear the failure count: ``complete_login`` does, once every factor has passed, so a
    known password cannot be used to reset the count of wrong one-time codes.
    """
    at = at or utcnow()
    user = user_by_email(email or "")
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        raise Forbidden("wrong e-mail or password")
    refuse_if_locked(user, at)
    if not check_password_hash(user.password_hash, password or ""):
        count_failure(user, at)
        raise Forbidden("wrong e-mail or password")
    if not user.is_enabled:
        raise Forbidden("this account is disabled")
    return user


def complete_login(user: User, *, at: dt.datetime | None = None) -> None:
    """Every factor passed: clear the failure count and any lock, and record the log-in."""
    at = at or utcnow()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = at
    record("user.login", actor=user, subject=f"user:{user.id}", at=at)


def authenticate(email: str, password: str, *, at: dt.datetime | None = None) -> User:
    """A log-in with the password alone: the user, or Forbidden. An account with a second factor
    is refused here (code "totp_required"): log it in with ``verify_password`` then
    ``totp.verify``."""
    user = verify_password(email, password, at=at)
    if user.has_totp:
        raise Forbidden("this account needs its one-time code too", code="totp_required")
    complete_login(user, at=at)
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User,
    *,
    name: str = "",
    scopes=SCOPES,
    days: int | None = None,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token for ``user``; the plain token is returned once and never stored."""
    at = at or utcnow()
    scopes = list(dict.fromkeys(scopes))
    bad = [scope for scope in scopes if scope not in SCOPES]
    if bad:
        raise Invalid(f"unknown scope(s): {', '.join(bad)}", fields={"scope": [f"one of {', '.join(SCOPES)}"]})
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    secret = secrets.token_urlsafe(32)
    plain = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken(
        user=user,
        name=name,
        prefix=plain[:12],
        token_hash=_hash_token(plain),
        scopes=" ".join(scopes),
        created_at=at,
        expires_at=at + dt.timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    record("token.created", actor=actor or user, subject=f"token:{token.id}",
           after={"user_id": user.id, "prefix": token.prefix, "scopes": scopes, "expires_at": token.expires_at and token.expires_at.isoformat()})
    return token, plain


def token_for(plain: str, *, at: dt.datetime | None = None) -> ApiToken:
    """The live token matching ``plain``, or Forbidden saying why (unknown, revoked, expired)."""
    at = at or utcnow()
    if not plain or not plain.startswith(TOKEN_PREFIX):
        raise Forbidden("not an Inquiry API token", code="invalid_token")
    token = db.session.scalar(select(ApiToken).filter_by(token_hash=_hash_token(plain)))
    if token is None:
        raise Forbidden("unknown API token", code="invalid_token")
    if token.revoked_at is not None:
        raise Forbidden("this API token was revoked", code="revoked_token")
    if token.expires_at is not None and token.expires_at <= at:
        raise Forbidden("this API token has expired", code="expired_token")
    if not token.user.is_active:
        raise Forbidden("the token's user is disabled", code="invalid_token")
    # Write at most once a minute per token: a busy integrator should not rewrite it per request.
    if token.last_used_at is None or at - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = at
    return token


def revoke_token(token_id: int, *, actor: User, at: dt.datetime | None = None) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role != Role.ADMIN):
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = at or utcnow()
        record("token.revoked", actor=actor, subject=f"token:{token.id}")
    return token
