"""POST /inquiries: an integrator hands in a message from the public.

It goes through ``ingest.services.receive``, the same intake the webhooks and the web form use,
so deduplication, threading, classification and routing are the ones every channel gets.
"""
from __future__ import annotations

import hashlib

from flask import url_for

from inquiry.api import responses as out
from inquiry.api.auth import current_token, current_user
from inquiry.api.routing import operation
from inquiry.api.schemas import InquiryIn
from inquiry.api.serializers import inquiry_json
from inquiry.auth import access
from inquiry.channels.services import default_account
from inquiry.contacts.services import contact_key
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import Outcome, receive
from inquiry.tickets.models import Ticket

# Ticket.conversation_key's column size; longer keys are hashed to fit.
_KEY_LENGTH = 255


def conversation_key(platform: str, body: InquiryIn) -> str | None:
    """The thread an inquiry belongs to: its contact and conversation, whichever are given.

    Scoping a conversation id by the contact keeps two senders who reuse an id apart; with
    neither, None lets intake start a conversation of its own.
    """
    contact = body.contact
    identity = contact and contact_key(platform, external_id=contact.external_id, email=contact.email,
                                       phone=contact.phone)
    parts = ([f"contact:{identity}"] if identity else []) + (
        [f"conversation:{body.conversation_id}"] if body.conversation_id else []
    )
    if not parts:
        return None
    key = "|".join(parts)
    return key if len(key) <= _KEY_LENGTH else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _may_read(ticket: Ticket) -> bool:
    return "tickets:read" in current_token().scope_set and access.can_see_ticket(current_user(), ticket)


@operation(
    "/inquiries", "POST",
    scope="inquiries:write",
    body=InquiryIn,
    summary="Hand in an inquiry",
    description=(
        "Stores the message on its ticket: a new one (201, with the sender's `public_token`), the "
        "contact's open ticket in the same conversation (200, `appended`), or nothing at all when "
        "`message_id` was seen before (200, `duplicate`). The ticket comes with its messages when "
        "the token may also read it."
    ),
    responses={201: ("A new ticket", out.InquiryCreated), 200: ("Appended, or a duplicate", out.InquiryAccepted)},
)
def create_inquiry(body: InquiryIn):
    account = default_account(body.channel)
    contact = body.contact
    received = receive(InboundMessage(
        account=account,
        text=body.text,
        sender_external_id=contact and contact.external_id,
        sender_display_name=contact and contact.name,
        sender_email=contact and contact.email,
        sender_phone=contact and contact.phone,
        external_message_id=body.message_id,
        conversation_key=conversation_key(account.platform, body),
        subject=body.subject or "",
        language=body.language,
        wants_public_token=True,
    ))
    db.session.commit()
    answer = inquiry_json(received, with_messages=_may_read(received.ticket))
    if received.outcome == Outcome.CREATED:
        return answer, 201, {"Location": url_for("api.get_ticket", ticket_id=received.ticket.id)}
    return answer, 200
