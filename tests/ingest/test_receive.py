"""Intake rules: dedupe, threading, reopening, triage without a model, nothing half-written."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.channels.services import default_account
from inquiry.errors import Invalid
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import Outcome, receive
from inquiry.tickets.models import Message, Ticket, TicketStatus


def _inbound(account, text="Is the webinar on crypto scams recorded?", **kw):
    kw.setdefault("sender_external_id", "tg-100")
    kw.setdefault("sender_display_name", "Mika")
    kw.setdefault("conversation_key", "chat-100")
    return InboundMessage(account=account, text=text, **kw)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_message_opens_ticket_in_triage_without_model(db):
    account = default_account("telegram")
    got = receive(_inbound(account, external_message_id="1"))
    db.session.commit()
    assert got.outcome == Outcome.CREATED
    assert got.ticket.queue.slug == "triage"
    assert got.ticket.status == TicketStatus.NEW
    assert got.ticket.reference.startswith("INQ-")
    assert got.ticket.contact.display_name == "Mika"
    assert [m.body for m in got.ticket.messages] == ["Is the webinar on crypto scams recorded?"]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.ticket_id == got.ticket.id)) == "ticket.created"


def test_redelivery_creates_nothing(db):
    account = default_account("telegram")
    first = receive(_inbound(account, external_message_id="42"))
    db.session.commit()
    again = receive(_inbound(account, external_message_id="42"))
    db.session.commit()
    assert again.outcome == Outcome.DUPLICATE
    assert again.ticket.id == first.ticket.id
    assert count(db, Message) == 1 and count(db, Ticket) == 1


def test_same_conversation_joins_open_ticket_other_conversation_does_not(db):
    account = default_account("telegram")
    first = receive(_inbound(account, external_message_id="1"))
    second = receive(_inbound(account, text="Also: is there a certificate?", external_message_id="2"))
    other = receive(_inbound(account, text="New question", external_message_id="3", conversation_key="chat-999"))
    db.session.commit()
    assert second.outcome == Outcome.APPENDED and second.ticket.id == first.ticket.id
    assert other.outcome == Outcome.CREATED and other.ticket.id != first.ticket.id
    assert len(first.ticket.messages) == 2


def test_message_after_solved_reopens_within_window_else_new_ticket(db, make, app):
    supervisor = make.supervisor()
    account = default_account("telegram")
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    first = receive(_inbound(account, external_message_id="1"), at=now)
    from inquiry.tickets import services

    services.change_status(first.ticket, "solved", actor=supervisor, at=now)
    db.session.commit()
    back = receive(_inbound(account, text="one more thing", external_message_id="2"), at=now + dt.timedelta(days=2))
    db.session.commit()
    assert back.outcome == Outcome.APPENDED and back.ticket.id == first.ticket.id
    assert back.ticket.status == TicketStatus.OPEN

    services.change_status(back.ticket, "solved", actor=supervisor, at=now + dt.timedelta(days=2))
    db.session.commit()
    late = now + dt.timedelta(days=2 + app.config["REOPEN_WITHIN_DAYS"] + 1)
    fresh = receive(_inbound(account, text="a month later", external_message_id="3"), at=late)
    db.session.commit()
    assert fresh.outcome == Outcome.CREATED and fresh.ticket.id != first.ticket.id


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_message_is_refused_and_nothing_written(db, text):
    account = default_account("telegram")
    db.session.commit()
    with pytest.raises(Invalid):
        receive(_inbound(account, text=text, external_message_id="1"))
    db.session.rollback()
    assert count(db, Ticket) == 0 and count(db, Message) == 0


def test_over_long_message_is_refused(db, app):
    account = default_account("telegram")
    with pytest.raises(Invalid):
        receive(_inbound(account, text="x" * (app.config["MESSAGE_MAX_CHARS"] + 1)))


def test_sender_language_is_trusted_and_recorded_as_senders(db):
    account = default_account("web-form")
    got = receive(_inbound(account, language="ar", text="مرحبا، متى يبدأ المؤتمر؟", wants_public_token=True))
    db.session.commit()
    assert got.ticket.language == "ar" and got.ticket.language_source.value == "sender"
    assert got.public_token and got.ticket.public_token_hash != got.public_token
