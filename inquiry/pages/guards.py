"""A guard for every form: no NUL character in a posted field.

No text field can hold U+0000 (PostgreSQL refuses it outright, so a NUL typed into the log-in or
contact form was a 500 there and a stored oddity on SQLite). Refused once here, for every form,
with a 400 that says why. The API refuses it per field (422, ``api.schemas``); webhooks are
authenticated on their raw bytes and cleaned at intake (``ingest.inbound.storable``), so both are
skipped; query strings are read by their views (search drops control characters).
"""
from __future__ import annotations

from flask import request

from inquiry.pages import bp
from inquiry.pages.errors import error_response

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@bp.before_app_request
def refuse_nul_characters():
    if request.path.startswith(("/api/", "/hooks/")) or request.mimetype not in _FORMS:
        return None
    if any("\x00" in name or "\x00" in value for name, value in request.form.items(multi=True)):
        return error_response(400, "The request contains a NUL character, which no field can hold.")
    return None
