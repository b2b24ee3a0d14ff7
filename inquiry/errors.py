"""Errors the services raise; the web views and the API turn them into 4xx answers."""
from __future__ import annotations


class InquiryError(Exception):
    """A refused request: nothing was written. ``status`` is the HTTP status it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class Invalid(InquiryError):
    status = 422
    code = "invalid"


class NotFound(InquiryError):
    status = 404
    code = "not_found"


class Forbidden(InquiryError):
    status = 403
    code = "forbidden"


class Conflict(InquiryError):
    status = 409
    code = "conflict"
