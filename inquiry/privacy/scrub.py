"""Removing what identifies a person from rows that stay: the building blocks of the retention
sweep and of erasure.

A ticket keeps its labels, queue, status and timestamps (the reports count it), and loses its
words: message bodies, subject, escalation reason, the router's "why" (words of the message),
attachment references, platform ids that name the sender. Changes go through the ORM so that
``inquiry.search.index`` rewrites the search rows (name, e-mail, phone of a contact) in the same
flush; the rows of tombstoned messages and subjects are then dropped.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from inquiry.audit.models import AuditEvent
from inquiry.classifier.models import TrainingExample
from inquiry.contacts.models import Contact
from inquiry.extensions import db
from inquiry.ingest.models import Delivery
from inquiry.notifications.models import Notification
from inquiry.outbound.models import OutboxItem
from inquiry.privacy.redact import redact
from inquiry.search.models import SearchDocument
from inquiry.tickets.models import Message, Ticket

# What replaces the words of an anonymised ticket; also how an anonymised ticket is recognised.
RETENTION_TOMBSTONE = "[removed after retention period]"
ERASURE_TOMBSTONE = "[removed on request]"
TOMBSTONES = (RETENTION_TOMBSTONE, ERASURE_TOMBSTONE)
# A pseudonymised contact's platform id (unique per platform, like the id it replaces).
PSEUDONYM_PREFIX = "anonymised:"
# Audit events that copy words of a ticket into ``before`` / ``after``.
_TEXT_KEYS = ("body", "reason", "text", "caption")


def is_anonymised(ticket: Ticket) -> bool:
    return ticket.subject in TOMBSTONES


def not_anonymised():
    """SQL: the ticket still has its words."""
    return Ticket.subject.notin_(TOMBSTONES)


def tickets_with_messages(ids: Iterable[int]) -> list[Ticket]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id)
                                   .options(selectinload(Ticket.messages))))


def scrub_message(message: Message, tombstone: str) -> bool:
    """The message's words and platform references gone; True if anything changed."""
    changed = message.body != tombstone
    message.body = tombstone
    if message.attachments:
        message.attachments = [{"kind": a.get("kind"), "mime": a.get("mime")} for a in message.attachments]
        changed = True
    if message.external_id or message.reply_to_external_id:
        # WhatsApp's and e-mail's message ids carry the sender's number or address.
        message.external_id = message.reply_to_external_id = None
        changed = True
    if message.delivery_error:
        message.delivery_error = redact(message.delivery_error)
    return changed


def scrub_tickets(tickets: list[Ticket], tombstone: str) -> dict[str, int]:
    """Anonymise whole tickets (every message, whoever wrote it) and what copies their words."""
    counts = {"tickets": 0, "messages": 0}
    for ticket in tickets:
        for message in ticket.messages:
            counts["messages"] += scrub_message(message, tombstone)
        ticket.subject = tombstone
        ticket.escalation_reason = tombstone if ticket.escalation_reason else None
        ticket.label_why = None
        ticket.public_token_hash = None
        # A DM's conversation key is often the sender's chat id or phone number.
        ticket.conversation_key = f"{PSEUDONYM_PREFIX}{ticket.id}"
        counts["tickets"] += 1
    ids = [t.id for t in tickets]
    if ids:
        message_ids = [m.id for t in tickets for m in t.messages]
        scrub_copies(ids, message_ids, tombstone)
        drop_search_rows(message_ids, ids)
    return counts


def drop_search_rows(message_ids: list[int], ticket_ids: list[int] = ()) -> None:
    """After the flush that re-indexed them as the tombstone: no search row at all is better
    (a search for "removed" should not list every anonymised ticket)."""
    db.session.flush()
    if message_ids:
        db.session.execute(delete(SearchDocument).where(SearchDocument.message_id.in_(message_ids)))
    if ticket_ids:
        db.session.execute(delete(SearchDocument).where(SearchDocument.subject_ticket_id.in_(list(ticket_ids))))


def scrub_copies(ticket_ids: list[int], message_ids: list[int], tombstone: str) -> None:
    """Audit events, notifications and outbox errors that quote the tickets' words."""
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.ticket_id.in_(ticket_ids))):
        event.before, event.after = _scrub_dict(event.before, tombstone), _scrub_dict(event.after, tombstone)
    for note in db.session.scalars(select(Notification).where(Notification.ticket_id.in_(ticket_ids),
                                                              Notification.kind == "ticket.escalated")):
        note.text = f"{note.text.split(' ', 1)[0]} escalated: {tombstone}"
    if message_ids:
        for item in db.session.scalars(select(OutboxItem).where(OutboxItem.message_id.in_(message_ids),
                                                                OutboxItem.last_error.is_not(None))):
            item.last_error = redact(item.last_error)


def scrub_message_edits(message_ids: list[int], tombstone: str) -> None:
    """The audit events of platform edits to these messages (they quote the old and new text)."""
    if not message_ids:
        return
    wanted = set(message_ids)
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message.edited")
                                    .where(AuditEvent.ticket_id.in_(select(Message.ticket_id)
                                                                    .where(Message.id.in_(message_ids))))):
        if (event.before or {}).get("message_id") in wanted:
            event.before, event.after = _scrub_dict(event.before, tombstone), _scrub_dict(event.after, tombstone)


def _scrub_dict(value: dict | None, tombstone: str) -> dict | None:
    if not value or not any(key in value for key in _TEXT_KEYS):
        return value
    return {k: (tombstone if k in _TEXT_KEYS and v else v) for k, v in value.items()}


def redact_training_examples(ticket_ids: list[int]) -> int:
    """Examples kept for the next model keep their words, without personal data."""
    changed = 0
    for example in db.session.scalars(select(TrainingExample).where(TrainingExample.ticket_id.in_(ticket_ids))):
        text = redact(example.text, language=example.lang)
        if text != example.text:
            example.text = text
            changed += 1
    return changed


def delete_training_examples(ticket_ids: list[int]) -> int:
    if not ticket_ids:
        return 0
    return db.session.execute(delete(TrainingExample).where(TrainingExample.ticket_id.in_(ticket_ids))).rowcount


def contact_is_done(contact_id: int) -> bool:
    """No ticket of the contact, and no message of theirs on another ticket, still has its words."""
    own = exists().where(Ticket.contact_id == contact_id, not_anonymised())
    written = (exists().where(Message.contact_id == contact_id, Message.ticket_id == Ticket.id, not_anonymised()))
    return not db.session.scalar(select(or_(own, written)))


def pseudonymise_contact(contact: Contact) -> bool:
    """Name, e-mail, phone and platform id replaced; the language stays (reports count it).
    The person linking it to other channels goes once none of their contacts is left."""
    if contact.external_id.startswith(PSEUDONYM_PREFIX):
        return False
    contact.display_name = contact.email = contact.phone = None
    contact.external_id = f"{PSEUDONYM_PREFIX}{contact.id}"
    person = contact.person
    contact.person = None
    db.session.flush()
    if person is not None and not db.session.scalar(select(func.count()).where(Contact.person_id == person.id)):
        db.session.delete(person)
    return True


def clear_deliveries(ids: list[int]) -> int:
    """Raw webhook bodies (and the headers and parameters kept to re-read them) emptied; the row
    stays with its counts, so a redelivery is still recognised."""
    if not ids:
        return 0
    return db.session.execute(
        update(Delivery).where(Delivery.id.in_(ids)).values(body=b"", headers={}, args={})
        .execution_options(synchronize_session=False)
    ).rowcount
