"""What the public pages may do: submit an inquiry, prove ownership of one, follow it up.

A sender has no account: the reference and the secret token given once at submission are the
only proof that an inquiry is theirs. Everything here treats a wrong pair the same way,
whatever was wrong, so the pages cannot be used to learn which references exist.
"""
from __future__ import annotations

import hmac
import logging
import secrets

from sqlalchemy import select

from inquiry import taxonomy
from inquiry.channels.services import default_account
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import Received, receive
from inquiry.tickets.models import Direction, LabelSource, Message, Ticket, TicketStatus
from inquiry.tickets.references import new_reference, normalise_reference
from inquiry.tickets.services import hash_secret

log = logging.getLogger(__name__)

# The one answer to any reference/token pair that does not prove an inquiry.
NO_MATCH = "No inquiry matches that reference and token. Check both and try again."

# Compared against when there is nothing real to compare, so a miss costs what a hit costs.
_DUMMY_HASH = hash_secret("no-such-token")

# How a status reads to the sender: on hold is an internal matter, shown as being handled.
PUBLIC_STATUS: dict[TicketStatus, str] = {
    TicketStatus.NEW: "Received",
    TicketStatus.OPEN: "Being handled",
    TicketStatus.ON_HOLD: "Being handled",
    TicketStatus.PENDING: "Waiting for your reply",
    TicketStatus.SOLVED: "Answered",
    TicketStatus.CLOSED: "Closed",
}


def submit_inquiry(
    *,
    name: str,
    text: str,
    email: str | None = None,
    phone: str | None = None,
    subject: str = "",
    language: str | None = None,
) -> Received:
    """A new ticket from the web form, with a status token for the sender (flushed, not committed).

    Every submission starts a conversation of its own, so it is always a new ticket.
    """
    inbound = InboundMessage(
        account=default_account(taxonomy.WEB_FORM),
        text=text,
        sender_display_name=name,
        sender_email=email or None,
        sender_phone=phone or None,
        subject=subject or "",
        language=language or None,
        wants_public_token=True,
    )
    return receive(inbound)


def decoy_receipt() -> tuple[str, str]:
    """A reference and token shaped like real ones, for a bot that filled the honeypot."""
    return new_reference(), secrets.token_urlsafe(16)


def find_by_reference_and_token(reference: str, token: str) -> Ticket | None:
    """The ticket the pair proves, or None; the token is checked in constant time."""
    normalised = normalise_reference(reference or "")
    ticket = None
    if normalised is not None:
        ticket = db.session.scalar(select(Ticket).filter_by(reference=normalised))
    expected = (ticket.public_token_hash if ticket is not None else None) or _DUMMY_HASH
    matches = hmac.compare_digest(hash_secret(token or ""), expected)
    if ticket is None or ticket.public_token_hash is None or not matches:
        return None
    return ticket


def public_status(ticket: Ticket) -> str:
    return PUBLIC_STATUS[ticket.status]


def public_messages(ticket: Ticket) -> list[Message]:
    """The sender's messages and the organisation's replies; internal notes never leave the desk."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.direction.in_([Direction.INBOUND, Direction.OUTBOUND]))
            .order_by(Message.created_at, Message.id)
        )
    )


def add_follow_up(ticket: Ticket, text: str) -> Received:
    """The sender writes again on ``ticket`` (flushed, not committed).

    The message goes through intake like any other on the ticket's conversation: an open or
    recently solved ticket takes it; after a close (or long after a solve) intake opens a new
    ticket, which gets a token of its own for the sender.
    """
    contact = ticket.contact
    inbound = InboundMessage(
        account=ticket.channel_account,
        text=text,
        sender_external_id=contact.external_id,
        conversation_key=ticket.conversation_key,
        subject=f"Follow-up to {ticket.reference}: {ticket.subject}"[:200],
        # Only what the sender chose carries over; a guess is made afresh on a new ticket.
        language=ticket.language if ticket.language_source == LabelSource.SENDER else None,
        wants_public_token=True,
    )
    received = receive(inbound)
    if received.ticket.id != ticket.id:
        log.info("follow-up to %s went to %s (%s)", ticket.reference, received.ticket.reference, received.outcome)
    return received
