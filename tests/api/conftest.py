"""API test helpers: a client that speaks JSON with a bearer token, and row counters."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.tickets.models import Message, Ticket

PREFIX = "/api/v1"
# How every time in an answer looks: ISO 8601 in UTC.
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


class Api:
    """The Flask test client with ``Authorization: Bearer <token>`` and the /api/v1 prefix."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, headers):
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**base, **(headers or {})}

    def call(self, method: str, path: str, *, headers=None, **kw):
        return self.client.open(PREFIX + path, method=method, headers=self._headers(headers), **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def patch(self, path, **kw):
        return self.call("PATCH", path, **kw)


@pytest.fixture
def api(client):
    """``api(token)``: a JSON client acting with that token (None: no Authorization header)."""
    return lambda token=None: Api(client, token)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot(db) -> dict[str, int]:
    """Row counts that must not move when a request is refused."""
    return {"tickets": count(db, Ticket), "messages": count(db, Message), "audit": count(db, AuditEvent)}
