"""Ticket operations: list, read, change, claim, reply, note.

Each handler parses, calls the ticket services (which hold every rule and write the audit
trail), commits once and answers. A ticket outside the user's queues is a 404 everywhere.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from inquiry.api import responses as out
from inquiry.api.auth import current_user
from inquiry.api.routing import operation
from inquiry.api.schemas import MessageIn, TicketListQuery, TicketUpdate
from inquiry.api.serializers import message_json, ticket_json
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets import queries, services
from inquiry.tickets.models import Message, Ticket

READ, WRITE = "tickets:read", "tickets:write"
TICKET = "/tickets/<int:ticket_id>"
DETAIL = {200: ("The ticket with its messages", out.TicketDetail)}


def _load(ticket_id: int) -> Ticket | None:
    if not queries.is_row_id(ticket_id):
        return None
    return db.session.scalar(
        select(Ticket)
        .where(Ticket.id == ticket_id)
        .options(
            joinedload(Ticket.queue), joinedload(Ticket.assignee), joinedload(Ticket.channel_account),
            joinedload(Ticket.contact), selectinload(Ticket.messages).joinedload(Message.author),
        )
    )


def _visible_ticket(ticket_id: int) -> Ticket:
    """The ticket if the caller may see it; NotFound otherwise, so existence is not revealed."""
    return access.require_ticket(current_user(), _load(ticket_id))


def _detail(ticket_id: int) -> dict:
    return ticket_json(_visible_ticket(ticket_id), with_messages=True)


def _changed(ticket_id: int) -> dict:
    """The ticket just changed, even if the change moved it out of the caller's queues; then
    without its conversation (a tip moved to the restricted queue is for its members to read)."""
    ticket = _load(ticket_id)
    if access.can_see_ticket(current_user(), ticket):
        return ticket_json(ticket, with_messages=True)
    return {**ticket_json(ticket), "messages": []}


@operation("/tickets", "GET", scope=READ, query=TicketListQuery, summary="List tickets",
           responses={200: ("One page, newest first", out.TicketPage)})
def list_tickets(query: TicketListQuery):
    """Tickets of the caller's queues (all queues for supervisors), newest first, by keyset pages.

    Filtering by a queue the caller does not work answers an empty list.
    """
    filters = query.model_dump(exclude={"limit", "cursor"}, exclude_none=True)
    page = queries.list_tickets(current_user(), filters, query.limit, query.cursor)
    return {"items": [ticket_json(ticket) for ticket in page.items], "next": page.next_cursor}


@operation(TICKET, "GET", scope=READ, summary="Read a ticket", responses=DETAIL, errors=(404,))
def get_ticket(ticket_id: int):
    """The ticket with its whole conversation, internal notes included."""
    ticket = _visible_ticket(ticket_id)
    body = ticket_json(ticket, with_messages=True)
    if access.note_view(current_user(), ticket, via="api"):  # a restricted queue's ticket: audited
        db.session.commit()
    return body


def _assignee(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id) if queries.is_row_id(user_id) else None
    if user is None:
        raise Invalid("no such user", fields={"assignee_id": ["no such user"]})
    return user


@operation(TICKET, "PATCH", scope=WRITE, body=TicketUpdate, summary="Change a ticket",
           responses=DETAIL, errors=(404, 409))
def update_ticket(ticket_id: int, body: TicketUpdate):
    """Relabel, assign and change the status in one go: every change is made, or none is.

    Labels apply first (a new audience moves the ticket to that queue), then the assignee
    (checked against the ticket's queue), then the status, so a ticket can be closed last.
    """
    user = current_user()
    ticket = _visible_ticket(ticket_id)
    given = body.model_fields_set
    if not given:
        raise Invalid("nothing to change: give at least one field", fields={"body": ["no field given"]})
    labels = {name: getattr(body, name) for name in services.LABELS if name in given}
    if labels:
        services.update_labels(ticket, actor=user, **labels)
    if "assignee_id" in given:
        try:
            services.assign(ticket, _assignee(body.assignee_id), actor=user)
        except Invalid as exc:
            exc.fields = {("assignee_id" if name == "assignee" else name): msgs for name, msgs in exc.fields.items()}
            raise
    if "status" in given:
        services.change_status(ticket, body.status, actor=user)
    db.session.commit()  # the error handlers roll back everything above if any step refused
    return _changed(ticket_id)


@operation(f"{TICKET}/claim", "POST", scope=WRITE, summary="Claim a ticket", responses=DETAIL, errors=(404, 409))
def claim_ticket(ticket_id: int):
    """Take an unassigned ticket; 409 if someone else got it first."""
    services.claim(_visible_ticket(ticket_id), actor=current_user())
    db.session.commit()
    return _detail(ticket_id)


@operation(f"{TICKET}/replies", "POST", scope=WRITE, body=MessageIn, summary="Reply to the sender",
           responses={201: ("The reply, queued for delivery", out.MessageOut)}, errors=(404, 409))
def reply(ticket_id: int, body: MessageIn):
    """An answer to the sender on the ticket's channel, queued for delivery."""
    message = services.reply(_visible_ticket(ticket_id), body.body, actor=current_user())
    db.session.commit()
    return message_json(message), 201


@operation(f"{TICKET}/notes", "POST", scope=WRITE, body=MessageIn, summary="Add an internal note",
           responses={201: ("The note", out.MessageOut)}, errors=(404, 409))
def add_note(ticket_id: int, body: MessageIn):
    """A note for colleagues: stored on the ticket, never sent."""
    message = services.add_note(_visible_ticket(ticket_id), body.body, actor=current_user())
    db.session.commit()
    return message_json(message), 201
