"""The JSON document a data-subject access request gets: what the desk holds about one person.

Staff appear by role only ("agent"), not by name: their names are their own personal data.
A delivery that also carried other people's messages is listed without its body.
"""
from __future__ import annotations

import base64
import datetime as dt

from inquiry.contacts.models import Contact
from inquiry.privacy.deliveries import Found
from inquiry.tickets.models import Direction, Message, Ticket

FORMAT = "inquiry.privacy.export/1"


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _contact(contact: Contact) -> dict:
    return {"id": contact.id, "channel": contact.platform, "platform_id": contact.external_id,
            "name": contact.display_name, "email": contact.email, "phone": contact.phone,
            "language": contact.language, "created_at": _time(contact.created_at),
            "updated_at": _time(contact.updated_at)}


def _message(message: Message, contact_ids: set[int]) -> dict:
    if message.direction == Direction.INBOUND:
        author = "you" if message.contact_id in contact_ids else "another sender"
    else:
        author = "agent" if message.author_id else "system"
    return {"id": message.id, "direction": message.direction.value, "author": author, "text": message.body,
            "sent_at": _time(message.sent_at), "stored_at": _time(message.created_at),
            "attachments": message.attachments or [],
            "delivery_status": message.delivery_status.value if message.delivery_status else None}


def _ticket(ticket: Ticket, contact_ids: set[int]) -> dict:
    return {"reference": ticket.reference, "subject": ticket.subject, "status": ticket.status.value,
            "channel": ticket.channel_account.platform if ticket.channel_account else None,
            "contact_id": ticket.contact_id, "topic": ticket.topic, "audience": ticket.audience,
            "priority": ticket.priority, "language": ticket.language, "created_at": _time(ticket.created_at),
            "solved_at": _time(ticket.solved_at), "closed_at": _time(ticket.closed_at),
            "messages": [_message(m, contact_ids) for m in ticket.messages
                         if m.direction != Direction.INBOUND or m.contact_id in contact_ids]}


def _body(raw: bytes) -> dict:
    try:
        return {"body": raw.decode("utf-8"), "body_encoding": "utf-8"}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(raw).decode("ascii"), "body_encoding": "base64"}


def _delivery(found: Found) -> dict:
    d = found.delivery
    entry = {"id": d.id, "channel": d.account.platform if d.account else None, "received_at": _time(d.received_at),
             "processed_at": _time(d.processed_at), "state": d.state.value, "shared_with_others": not found.is_exclusive}
    if found.is_exclusive and d.body:
        entry.update(_body(d.body))
    return entry


def document(contacts: list[Contact], own: list[Ticket], elsewhere: list[Message], found: list[Found],
             now: dt.datetime) -> dict:
    ids = {c.id for c in contacts}
    person = next((c.person for c in contacts if c.person is not None), None)
    return {
        "format": FORMAT,
        "generated_at": _time(now),
        "person": {"id": person.id, "name": person.name} if person else None,
        "contacts": [_contact(c) for c in contacts],
        "tickets": [_ticket(t, ids) for t in own],
        # Their messages on tickets opened by someone else (tickets merged by an agent).
        "other_messages": [{"ticket": m.ticket.reference, **_message(m, ids)} for m in elsewhere],
        "deliveries": [_delivery(f) for f in found],
    }
