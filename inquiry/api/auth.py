"""Bearer-token authentication for the API: who is calling, and whether their token may do this.

The API keeps no session: every request names its token in ``Authorization: Bearer <token>``.
Without a valid token the answer is 401 with a ``WWW-Authenticate`` challenge (RFC 6750); a
valid token without the scope an operation needs gets 403.
"""
from __future__ import annotations

from flask import g, request

from inquiry.api import bp
from inquiry.auth import services as auth
from inquiry.auth.models import ApiToken, User
from inquiry.errors import Forbidden, InquiryError
from inquiry.extensions import db
from inquiry.pages.errors import error_response

REALM = "inquiry"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "").replace('"', "'") + '"'


class Unauthenticated(InquiryError):
    """No token, or one that is unknown, revoked or expired: 401 with a Bearer challenge."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str, *, code: str | None = None, rfc_error: str | None = None):
        super().__init__(message, code=code)
        params = [f"realm={_quoted(REALM)}"]
        if rfc_error:  # RFC 6750: no error code when the request carried no credentials at all
            params += [f"error={_quoted(rfc_error)}", f"error_description={_quoted(message)}"]
        self.challenge = "Bearer " + ", ".join(params)


class InsufficientScope(Forbidden):
    """A live token that was not granted the scope this operation needs: 403."""

    code = "insufficient_scope"

    def __init__(self, scope: str):
        super().__init__(f"this API token lacks the {scope!r} scope")
        self.challenge = f"Bearer realm={_quoted(REALM)}, error=\"insufficient_scope\", scope={_quoted(scope)}"


@bp.errorhandler(Unauthenticated)
@bp.errorhandler(InsufficientScope)
def _challenge(exc: Unauthenticated | InsufficientScope):
    db.session.rollback()
    return error_response(exc.status, exc.message, code=exc.code, fields=exc.fields,
                          headers={"WWW-Authenticate": exc.challenge})


def _bearer_credentials() -> str:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise Unauthenticated("this operation needs an API token: send 'Authorization: Bearer <token>'",
                              code="missing_token")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'", code="invalid_token",
                              rfc_error="invalid_token")
    return credentials.strip()


def authenticate(scope: str) -> User:
    """The user behind the request's bearer token, if the token is live and has ``scope``."""
    try:
        token = auth.token_for(_bearer_credentials())
    except Forbidden as exc:
        raise Unauthenticated(exc.message, code=exc.code, rfc_error="invalid_token") from None
    if db.session.is_modified(token):
        # token_for noted the use (at most once a minute); keep that whatever the request does next.
        db.session.commit()
    if scope not in token.scope_set:
        raise InsufficientScope(scope)
    g.api_token = token
    return token.user


def current_token() -> ApiToken:
    """The token that authenticated this request (only inside an authenticated operation)."""
    return g.api_token


def current_user() -> User:
    """The user the request acts for (only inside an authenticated operation)."""
    return g.api_token.user
