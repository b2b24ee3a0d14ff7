"""SLA test helpers: tickets opened at a chosen moment (the clock is an argument, not the wall)."""
import datetime as dt
import itertools

import pytest

from inquiry.channels.services import default_account
from inquiry.contacts.services import upsert_contact
from inquiry.tickets import services
from tests.factories import confident

UTC = dt.timezone.utc
_n = itertools.count(1)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def open_at(db):
    def _open(at, *, priority="normal", queue="general-public", channel="telegram"):
        n = next(_n)
        account = default_account(channel)
        contact = upsert_contact(channel, f"sla-{n}", display_name="Sam")
        db.session.flush()
        ticket, _ = services.open_ticket(account=account, contact=contact, conversation_key=f"sla-{n}",
                                         prediction=confident(queue, priority=priority), at=at)
        services.add_inbound(ticket, "Hello, I need help", contact=contact, account=account, at=at)
        db.session.commit()
        return ticket

    return _open
