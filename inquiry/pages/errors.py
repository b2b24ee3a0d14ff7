"""Error answers for the whole app: JSON under /api/, a page everywhere else.

Services raise ``InquiryError``; Werkzeug raises ``HTTPException`` (404, 405, 413, 429, CSRF 400).
Either way the client gets a clear 4xx with a message, in the shape its side of the app speaks.
"""
from __future__ import annotations

import logging

from flask import Response, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from inquiry.errors import InquiryError
from inquiry.extensions import db
from inquiry.pages import bp

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
    507: "storage_full",
}
# Seconds a client (a platform retrying a webhook, a browser) is told to wait after a 503/507.
RETRY_AFTER_SECONDS = 5


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/hooks/"))


def error_response(status: int, message: str, *, code: str | None = None, fields: dict | None = None, headers=None):
    """The one place an error answer is built."""
    code = code or CODES.get(status, "error")
    if wants_json():
        response = jsonify(error={"code": code, "message": message, "fields": fields or {}})
    else:
        response = render_template("errors/error.html", status=status, message=message, fields=fields or {})
        response = (response, status)
        from flask import make_response

        response = make_response(response)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@bp.app_errorhandler(InquiryError)
def handle_inquiry_error(exc: InquiryError):
    db.session.rollback()
    return error_response(exc.status, exc.message, code=exc.code, fields=exc.fields)


@bp.app_errorhandler(HTTPException)
def handle_http_error(exc: HTTPException):
    db.session.rollback()
    status = exc.code or 500
    message = exc.description or exc.name
    headers = {k: v for k, v in exc.get_headers() if k.lower() in {"retry-after", "allow", "www-authenticate"}}
    if status == 429:
        message = f"Too many requests: {exc.description}. Please wait and try again."
    return error_response(status, message, headers=headers)


def storage_failure(exc: BaseException) -> tuple[int, str] | None:
    """(status, message) when ``exc`` means the database could not be reached or written (down,
    disconnected, locked, read-only, full): the request may be retried, so 503/507, not a 500.
    None for anything else (a bug)."""
    if not isinstance(exc, DBAPIError) or not (isinstance(exc, OperationalError) or exc.connection_invalidated):
        return None
    if getattr(exc.orig, "sqlstate", None) == "53100" or "database or disk is full" in str(exc.orig):
        return 507, "The server has run out of storage space; nothing was saved. Please try again later."
    return 503, "The database is unavailable at the moment; nothing was saved. Please try again shortly."


def _storage_error_response(status: int, message: str):
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        return error_response(status, message, headers=headers)
    except Exception:  # the page itself needs the database (the logged-in user): plain text then
        db.session.rollback()
        return Response(message + "\n", status=status, headers=headers, mimetype="text/plain")


@bp.app_errorhandler(Exception)
def handle_unexpected(exc: Exception):
    """A bug: log it with its traceback, answer 500 without details, leave nothing half-written.
    A database outage is not a bug: 503 (507 when storage is full) with Retry-After."""
    if isinstance(exc, HTTPException):
        return handle_http_error(exc)
    db.session.rollback()
    failure = storage_failure(exc)
    if failure is not None:
        log.error("database failure on %s %s: %s", request.method, request.path, exc.orig)
        return _storage_error_response(*failure)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, InternalServerError.description)
