"""Helpers for the privacy tests: tickets closed long ago, and messages that arrive the real way
(a Telegram webhook processed by the worker, the web form through intake)."""
import datetime as dt
import json

import pytest

from inquiry.channels.services import create_account, default_account, webhook_url
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive
from inquiry.tickets.models import TicketStatus
from inquiry.worker import drain

SECRET = "tg-secret_123"


@pytest.fixture
def close_at(db):
    """close_at(ticket, days_ago, status=closed): the ticket solved or closed that long ago."""

    def _close(ticket, days_ago, status=TicketStatus.CLOSED):
        at = utcnow() - dt.timedelta(days=days_ago)
        ticket.created_at = min(ticket.created_at, at - dt.timedelta(days=1))
        ticket.status = status
        ticket.solved_at = at
        ticket.closed_at = at if status == TicketStatus.CLOSED else None
        ticket.open_conversation_key = None
        db.session.commit()
        return ticket

    return _close


@pytest.fixture
def telegram(db):
    account = create_account("telegram", "Desk bot", signing_secret=SECRET, access_token="123:abc")
    db.session.commit()
    return account


@pytest.fixture
def tg_send(client, telegram):
    """tg_send(chat, text, name): one Telegram update posted to the webhook and processed."""
    counter = iter(range(1, 10_000))

    def _send(chat: int, text: str, name: str = "Lena Example"):
        n = next(counter)
        first, _, last = name.partition(" ")
        body = {"update_id": 1000 + n, "message": {
            "message_id": n, "date": 1731400700 + n, "text": text,
            "from": {"id": chat, "first_name": first, "last_name": last}, "chat": {"id": chat, "type": "private"}}}
        response = client.post(webhook_url(telegram), data=json.dumps(body, ensure_ascii=False).encode(),
                               headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status_code == 200
        drain()

    return _send


@pytest.fixture
def form_send(app):
    """form_send(email, text, name): an inquiry through the web form's intake."""

    def _send(email: str, text: str, name: str):
        received = receive(InboundMessage(account=default_account("web-form"), text=text, sender_email=email,
                                          sender_display_name=name, subject=text[:40]))
        db.session.commit()
        return received.ticket

    return _send
