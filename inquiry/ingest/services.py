"""Receiving one inbound message: dedupe, contact, thread, classify, open or append.

The webhooks, the polling connectors, the web form, the API and the demo all come through
``receive`` so that each of these rules exists once.
"""
from __future__ import annotations

import datetime as dt
import enum
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from inquiry.classifier import service as classifier
from inquiry.contacts.services import contact_key, upsert_contact
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.tickets import safety_notice
from inquiry.tickets import services as tickets
from inquiry.tickets.models import Message, Ticket

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    CREATED = "created"  # a new ticket
    APPENDED = "appended"  # joined the conversation's open (or reopened) ticket
    DUPLICATE = "duplicate"  # seen before: nothing written


@dataclass
class Received:
    outcome: Outcome
    ticket: Ticket
    message: Message
    # Only for a new ticket whose sender asked for one; shown once, stored hashed.
    public_token: str | None = None


# Built once: every message received is looked up by its platform id.
_BY_EXTERNAL_ID = select(Message).where(
    Message.channel_account_id == bindparam("account_id"), Message.external_id == bindparam("external_id")
)


def _existing(account_id: int, external_id: str | None) -> Message | None:
    if not external_id:
        return None
    return db.session.scalar(_BY_EXTERNAL_ID, {"account_id": account_id, "external_id": external_id})


def receive(inbound: InboundMessage, *, at: dt.datetime | None = None) -> Received:
    """Store ``inbound`` on its ticket. Safe to call twice with the same platform message id."""
    inbound.storable()  # what the columns can hold, whatever the payload said
    at = at or utcnow()
    account = inbound.account
    text = inbound.text or ""
    if not text.strip() and inbound.attachments:
        # A photo or voice note without a caption is still an inquiry: name what came.
        text = "[" + ", ".join(sorted({a.kind for a in inbound.attachments})) + "]"
    text = tickets.check_body(text, "text")
    duplicate = _existing(account.id, inbound.external_message_id)
    if duplicate is not None:
        if inbound.is_edit and duplicate.body != text:
            _apply_edit(duplicate, text, at)
        return Received(Outcome.DUPLICATE, duplicate.ticket, duplicate)

    sender = contact_key(
        account.platform,
        external_id=inbound.sender_external_id,
        email=inbound.sender_email,
        phone=inbound.sender_phone,
    ) or "anonymous:" + secrets.token_hex(8)
    contact = upsert_contact(
        account.platform,
        sender,
        display_name=inbound.sender_display_name,
        email=inbound.sender_email,
        phone=inbound.sender_phone,
        language=inbound.language,
    )
    db.session.flush()
    conversation = inbound.conversation_key or "msg:" + (inbound.external_message_id or secrets.token_hex(12))
    sent_at = inbound.sent_at or at

    try:
        with db.session.begin_nested():
            ticket, outcome, token = _thread(inbound, account, contact, conversation, text, at)
            message = tickets.add_inbound(
                ticket, text, contact=contact, account=account,
                external_id=inbound.external_message_id, sent_at=sent_at, at=at, **_details(inbound),
            )
    except IntegrityError:
        # A concurrent delivery of the same message, or of the conversation's first message,
        # won the race: take its result instead of writing a second one.
        duplicate = _existing(account.id, inbound.external_message_id)
        if duplicate is not None:
            return Received(Outcome.DUPLICATE, duplicate.ticket, duplicate)
        ticket = tickets.find_open_ticket(account.id, conversation)
        if ticket is None:
            raise
        message = tickets.add_inbound(
            ticket, text, contact=contact, account=account,
            external_id=inbound.external_message_id, sent_at=sent_at, at=at, **_details(inbound),
        )
        outcome, token = Outcome.APPENDED, None
    if outcome == Outcome.CREATED and ticket.priority == "urgent":
        safety_notice.send(ticket, at=at)  # danger now: tell the sender to call local emergency services
    return Received(outcome, ticket, message, token)


def _details(inbound: InboundMessage) -> dict:
    """Attachments are kept as metadata only; the platform keeps the files. Given to add_inbound
    so that the message row is written once, complete."""
    attachments = [
        {"kind": a.kind, "platform_ref": a.platform_ref, "mime": a.mime, "caption": a.caption}
        for a in inbound.attachments
    ] or None
    return {"attachments": attachments, "reply_to_external_id": inbound.reply_to_external_id}


def _apply_edit(message: Message, text: str, at) -> None:
    from inquiry.audit.services import record

    record("message.edited", actor_kind="platform", ticket=message.ticket,
           before={"message_id": message.id, "body": message.body}, after={"body": text}, at=at)
    message.body = text


def _thread(inbound, account, contact, conversation, text, at):
    """The ticket this message belongs to: the open one, a recently solved one, or a new one."""
    ticket = tickets.find_thread_ticket(account.id, conversation, at)
    if ticket is not None:
        return ticket, Outcome.APPENDED, None
    prediction = classifier.predict(text, channel=account.platform, language_hint=inbound.language)
    ticket, token = tickets.open_ticket(
        account=account,
        contact=contact,
        conversation_key=conversation,
        subject=inbound.subject or _subject_from(text),
        prediction=prediction,
        language=inbound.language,
        at=at,
        with_public_token=inbound.wants_public_token,
    )
    return ticket, Outcome.CREATED, token


def _subject_from(text: str) -> str:
    """First line of the message, cut at a word boundary: what a list shows for a DM."""
    line = text.strip().splitlines()[0]
    if len(line) <= 80:
        return line
    return line[:80].rsplit(" ", 1)[0] + "…"
