"""Helpers for the report tests: log in through the form; open tickets at a chosen time through
the ticket and intake services, as the router would have labelled them."""
import itertools

import pytest

from inquiry.channels.services import default_account
from inquiry.classifier.service import Label, Prediction
from inquiry.contacts.services import upsert_contact
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive
from inquiry.tickets import services as tickets

from tests.factories import confident

_seq = itertools.count(1)


def unsure(audience="general-public", topic="general"):
    """The router's labels below its thresholds: the ticket goes to triage with them."""
    return Prediction(topic=Label(topic, 0.41), audience=Label(audience, 0.38), priority=Label("normal", 0.7),
                      language=Label("en", 0.99), is_confident=False, reason="low confidence")


@pytest.fixture
def open_at(app):
    """open_at(at, prediction=confident(), language=None): a ticket opened by the ticket service at ``at``."""

    def _open(at, prediction="confident", *, language=None):
        n = next(_seq)
        account = default_account("telegram")
        contact = upsert_contact("telegram", f"sender-{n}", display_name=f"Sender {n}")
        db.session.flush()
        ticket, _ = tickets.open_ticket(account=account, contact=contact, conversation_key=f"chat-{n}",
                                        prediction=confident() if prediction == "confident" else prediction,
                                        language=language, at=at)
        tickets.add_inbound(ticket, f"Message {n}: when is the next webinar?", contact=contact, account=account,
                            external_id=f"m-{n}", at=at)
        db.session.commit()
        return ticket

    return _open


@pytest.fixture
def receive_at(app):
    """receive_at(at, text, language=None): a message through intake (the router as loaded, if any)."""

    def _receive(at, text, *, language=None):
        n = next(_seq)
        inbound = InboundMessage(account=default_account("telegram"), text=text, sender_external_id=f"in-{n}",
                                 external_message_id=f"in-{n}", conversation_key=f"in-chat-{n}", language=language)
        ticket = receive(inbound, at=at).ticket
        db.session.commit()
        return ticket

    return _receive
