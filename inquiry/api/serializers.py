"""Tickets, messages and queues as the JSON the API answers (shapes in ``api.responses``)."""
from __future__ import annotations

from inquiry.api import responses as out
from inquiry.tickets.models import Message, Queue, Ticket

LABELS = ("topic", "audience", "priority", "language")


def _value(enum_member):
    return None if enum_member is None else enum_member.value


def message_json(message: Message) -> dict:
    return _message(message).model_dump(mode="json")


def _message(message: Message) -> out.MessageOut:
    return out.MessageOut(
        id=message.id,
        direction=message.direction.value,
        body=message.body,
        author=message.author.name if message.author is not None else None,
        delivery_status=_value(message.delivery_status),
        created_at=message.created_at,
    )


def _ticket_fields(ticket: Ticket) -> dict:
    labels = {}
    for label in LABELS:
        labels[label] = getattr(ticket, label)
        labels[f"{label}_confidence"] = getattr(ticket, f"{label}_confidence")
        labels[f"{label}_source"] = _value(getattr(ticket, f"{label}_source"))
    assignee = ticket.assignee
    return dict(
        id=ticket.id,
        reference=ticket.reference,
        subject=ticket.subject,
        status=ticket.status.value,
        **labels,
        why=ticket.label_why or {},
        queue=ticket.queue.slug,
        assignee=out.UserRef(id=assignee.id, name=assignee.name) if assignee is not None else None,
        channel=ticket.channel_account.platform,
        contact=out.ContactOut(id=ticket.contact.id, name=ticket.contact.display_name, platform=ticket.contact.platform),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        solved_at=ticket.solved_at,
    )


def ticket_json(ticket: Ticket, *, with_messages: bool = False) -> dict:
    """A ticket; ``with_messages`` adds its whole conversation, internal notes included."""
    if with_messages:
        model = out.TicketDetail(**_ticket_fields(ticket), messages=[_message(m) for m in ticket.messages])
    else:
        model = out.TicketOut(**_ticket_fields(ticket))
    return model.model_dump(mode="json")


def queue_json(queue: Queue, open_count: int) -> dict:
    return out.QueueOut(slug=queue.slug, name=queue.name, open_count=open_count).model_dump(mode="json")


def inquiry_json(received, *, with_messages: bool) -> dict:
    """The answer to POST /inquiries: outcome, ticket, the stored message, and a new ticket's token."""
    fields = _ticket_fields(received.ticket)
    ticket = (
        out.TicketDetail(**fields, messages=[_message(m) for m in received.ticket.messages])
        if with_messages else out.TicketOut(**fields)
    )
    common = dict(outcome=received.outcome.value, ticket=ticket, message=_message(received.message))
    if received.public_token is not None:
        model = out.InquiryCreated(**common, public_token=received.public_token)
    else:
        model = out.InquiryAccepted(**common)
    return model.model_dump(mode="json")
