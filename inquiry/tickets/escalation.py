"""Escalation: an agent hands a ticket up to the queue's supervisors, who take it back down."""
from __future__ import annotations

import datetime as dt

from inquiry.audit.services import record
from inquiry.auth import access
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid
from inquiry.extensions import db
from inquiry.notifications import services as notifications
from inquiry.tickets.models import Ticket
from inquiry.tickets.services import _require_writable, _touch


def escalate(ticket: Ticket, reason: str, *, actor, at: dt.datetime | None = None) -> Ticket:
    """Put the ticket in front of supervisors (their "escalated" view), with the agent's reason."""
    _require_writable(ticket, actor)
    at = at or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("say why it needs a supervisor", fields={"reason": ["must not be empty"]})
    if len(reason) > 2000:
        raise Invalid("the reason is too long", fields={"reason": ["at most 2000 characters"]})
    if ticket.escalated_at is not None:
        raise Conflict("the ticket is already escalated")
    ticket.escalated_at, ticket.escalated_by_id, ticket.escalation_reason = at, actor.id, reason
    _touch(ticket, at)
    db.session.flush()
    record("ticket.escalated", actor=actor, ticket=ticket, after={"reason": reason}, at=at)
    notifications.notify(notifications.supervisors_of(ticket.queue_id), "ticket.escalated",
                         f"{ticket.reference} escalated by {actor.name}: {reason[:200]}", ticket=ticket, at=at)
    return ticket


def de_escalate(ticket: Ticket, *, actor, at: dt.datetime | None = None) -> Ticket:
    """A supervisor has dealt with the escalation."""
    _require_writable(ticket, actor)
    if not access.is_supervisor(actor):
        raise Forbidden("only supervisors close an escalation")
    if ticket.escalated_at is None:
        return ticket
    at = at or utcnow()
    before = {"escalated_at": ticket.escalated_at.isoformat(), "reason": ticket.escalation_reason}
    ticket.escalated_at = ticket.escalated_by_id = ticket.escalation_reason = None
    _touch(ticket, at)
    db.session.flush()
    record("ticket.de_escalated", actor=actor, ticket=ticket, before=before, at=at)
    return ticket
