"""Helpers for the cost tests: log in through the form; open tickets at a chosen time through the
ticket service, labelled as a confident router would."""
import datetime as dt
import itertools

import pytest

from inquiry.channels.services import default_account
from inquiry.contacts.services import upsert_contact
from inquiry.costs import ledger
from inquiry.extensions import db
from inquiry.tickets import services as tickets

from tests.factories import confident

_seq = itertools.count(1)
UTC = dt.timezone.utc


def at(day: dt.date, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_ledger_job():
    """The worker job remembers when it last ran (per process): start each test without that."""
    ledger._last_run.clear()
    yield
    ledger._last_run.clear()


@pytest.fixture
def open_at(app):
    """open_at(when, queue=, topic=, priority=, language=, channel=): a ticket opened at ``when``."""

    def _open(when, *, queue="general-public", topic="general", priority="normal", language="en", channel="telegram"):
        n = next(_seq)
        account = default_account(channel)
        contact = upsert_contact(channel, f"cost-sender-{n}", display_name=f"Sender {n}")
        db.session.flush()
        ticket, _ = tickets.open_ticket(account=account, contact=contact, conversation_key=f"cost-chat-{n}",
                                        prediction=confident(queue, topic, priority, language), at=when)
        tickets.add_inbound(ticket, f"Message {n}: when is the next webinar?", contact=contact, account=account,
                            external_id=f"cost-m-{n}", at=when)
        db.session.commit()
        return ticket

    return _open
