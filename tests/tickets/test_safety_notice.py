"""Urgent inquiries get the emergency-services notice at once, in the sender's language."""
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.channels.services import default_account
from inquiry.classifier import service as classifier
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive
from inquiry.outbound.models import OutboxItem
from inquiry.tickets.models import Direction
from inquiry.tickets.safety_notice import NOTICE

from tests.factories import confident


def receive_with(prediction, text="Ayuda, me tienen encerrada", **kw):
    classifier.set_model(type("Fixed", (), {"predict": lambda self, t, **k: prediction})())
    return receive(InboundMessage(account=default_account("whatsapp"), text=text, sender_external_id="34600",
                                  conversation_key="wa:34600", **kw))


def test_urgent_ticket_gets_the_notice_in_its_language_through_the_outbox(db):
    got = receive_with(confident("general-public", "crime-types-events", "urgent", "es"))
    db.session.commit()
    outbound = [m for m in got.ticket.messages if m.direction == Direction.OUTBOUND]
    assert [m.body for m in outbound] == [NOTICE["es"]]
    assert db.session.scalars(select(OutboxItem)).one().message_id == outbound[0].id
    assert got.ticket.first_response_at is None  # a person still owes the first response
    assert db.session.scalar(select(AuditEvent.actor_kind).filter_by(action="ticket.safety_notice")) == "system"


def test_unknown_language_gets_english_and_later_messages_get_no_second_notice(db):
    first = receive_with(confident("general-public", "crime-types-events", "urgent", "sw"), text="msaada", external_message_id="1")
    again = receive_with(confident("general-public", "crime-types-events", "urgent", "sw"), text="tafadhali", external_message_id="2")
    db.session.commit()
    notices = [m.body for m in first.ticket.messages if m.direction == Direction.OUTBOUND]
    assert again.ticket.id == first.ticket.id and notices == [NOTICE["en"]]


def test_non_urgent_tickets_get_no_notice(db):
    got = receive_with(confident("general-public", "webinars", "normal", "es"), text="¿Hay grabación del webinar?")
    db.session.commit()
    assert [m for m in got.ticket.messages if m.direction == Direction.OUTBOUND] == []
