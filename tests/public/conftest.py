"""Helpers for the public pages: a valid submission, and reading what the pages show."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.channels.models import ChannelAccount
from inquiry.contacts.models import Contact
from inquiry.tickets.models import Message, Ticket

REFERENCE = re.compile(r'id="receipt-reference"[^>]*>(INQ-[0-9A-Z]{4}-[0-9A-Z]{4})<')
SECRET = re.compile(r'id="receipt-token"[^>]*>([^<]+)<')


def valid_form(**overrides) -> dict[str, str]:
    data = {
        "name": "Amira Haddad",
        "email": "amira@example.org",
        "phone": "",
        "subject": "Webinar recording",
        "message": "Is the webinar on crypto scams recorded? I missed it.",
        "language": "",
        "website": "",
    }
    data.update(overrides)
    return data


def stored(db) -> dict[str, int]:
    """How many rows an intake could have written, by kind."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Ticket, Message, Contact, ChannelAccount, AuditEvent)
    }


NOTHING = {"tickets": 0, "messages": 0, "contacts": 0, "channel_accounts": 0, "audit_events": 0}


def receipt_of(html: str) -> tuple[str | None, str | None]:
    """The reference and secret token a confirmation page shows (None where absent)."""
    reference, secret = REFERENCE.search(html), SECRET.search(html)
    return (reference.group(1) if reference else None, secret.group(1).strip() if secret else None)


@pytest.fixture
def submit(client):
    """POST the contact form and follow to the confirmation page; returns (reference, token)."""

    def _submit(**overrides):
        response = client.post("/contact", data=valid_form(**overrides))
        assert response.status_code == 302, response.get_data(as_text=True)
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        return receipt_of(page.get_data(as_text=True))

    return _submit
