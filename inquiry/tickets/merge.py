"""Merging two tickets of the same person into one conversation."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from inquiry.audit.services import record
from inquiry.auth import access
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Invalid
from inquiry.extensions import db
from inquiry.tickets.models import Message, Ticket, TicketStatus
from inquiry.tickets.services import _require_writable, _touch
from inquiry.tickets.tags import change_tags


def same_person(a: Ticket, b: Ticket) -> bool:
    if a.contact_id == b.contact_id:
        return True
    return a.contact.person_id is not None and a.contact.person_id == b.contact.person_id


def merge(source: Ticket, target: Ticket, *, actor, at: dt.datetime | None = None) -> Ticket:
    """Move ``source``'s messages and tags into ``target`` and close ``source`` as merged.

    Replies keep going out on ``target``'s channel; the sender's status page of ``source``
    points to ``target``.
    """
    _require_writable(source, actor)
    _require_writable(target, actor)
    at = at or utcnow()
    if source.id == target.id:
        raise Invalid("a ticket cannot be merged into itself", fields={"target": ["another ticket"]})
    if not same_person(source, target):
        raise Conflict("only tickets of the same person can be merged")
    if source.queue_id != target.queue_id and access.is_restricted(source):
        # Its messages would be read by everyone who works the other ticket's queue.
        raise Conflict("a ticket of a restricted queue can only be merged into one of the same queue")
    moved = db.session.execute(
        update(Message).where(Message.ticket_id == source.id).values(ticket_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if source.tags:
        change_tags(target, actor=actor, add=source.tags, at=at)
    source.status = TicketStatus.CLOSED
    source.closed_at = at
    source.solved_at = source.solved_at or at
    source.open_conversation_key = None
    source.merged_into_id = target.id
    source.due_at = source.at_risk_at = source.first_response_due_at = source.next_response_due_at = source.resolution_due_at = None
    if source.last_inbound_at and (target.last_inbound_at is None or source.last_inbound_at > target.last_inbound_at):
        target.last_inbound_at = source.last_inbound_at
    _touch(source, at)
    _touch(target, at)
    db.session.flush()
    db.session.expire(source, ["messages"])
    db.session.expire(target, ["messages"])
    record("ticket.merged", actor=actor, ticket=source, after={"into": target.reference, "messages": moved}, at=at)
    record("ticket.merged_in", actor=actor, ticket=target, after={"from": source.reference, "messages": moved}, at=at)
    return target
