"""The worker's SLA sweep: tickets whose running deadline came at risk or passed.

Each deadline is reported once per state (``tickets.sla_state``): an ``SlaEvent`` and an audit
event are written, and a breach sets off the policy's escalation rules — notify the queue's
supervisors in the app, raise the priority one step, move the ticket to an escalation queue.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.notifications import services as notifications
from inquiry.sla import deadlines
from inquiry.sla.models import SlaEvent
from inquiry.sla.policy import policy_for
from inquiry.tickets.models import Queue, Ticket

BATCH = 500


def _target_of(ticket: Ticket) -> str:
    for name in ("first_response", "next_response", "resolution"):
        if getattr(ticket, f"{name}_due_at") == ticket.due_at:
            return name
    return "resolution"


def _label(target: str) -> str:
    return target.replace("_", " ")


def _escalate(ticket: Ticket, target: str, at: dt.datetime) -> dict:
    """Apply the policy's breach rules; returns what was done, for the audit trail."""
    policy = policy_for(ticket)
    done: dict = {}
    if policy.notify_supervisors:
        people = notifications.supervisors_of(ticket.queue_id)
        done["notified"] = notifications.notify(
            people, "sla.breached", f"{ticket.reference}: {_label(target)} target missed ({ticket.priority})",
            ticket=ticket, at=at)
    if policy.raise_priority:
        rank = taxonomy.PRIORITY_RANK.get(ticket.priority, 2)
        if rank > 0:
            done["priority"] = [ticket.priority, taxonomy.PRIORITIES[rank - 1]]
            ticket.priority = taxonomy.PRIORITIES[rank - 1]
    # A restricted queue's ticket (a whistleblower's tip) is never escalated out of it: the
    # escalation queue's workers would read it. Its members are notified instead, above.
    if (policy.escalation_queue_id and policy.escalation_queue_id != ticket.queue_id
            and not ticket.queue.is_restricted):
        queue = db.session.get(Queue, policy.escalation_queue_id)
        if queue is not None:
            done["queue"] = [ticket.queue.slug, queue.slug]
            ticket.queue_id, ticket.queue = queue.id, queue
    if "priority" in done or "queue" in done:
        deadlines.refresh(ticket, at)  # new targets; the ticket stays "breached" if already late
        ticket.sla_state = "breached"
    return done


def sweep(*, at: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Report what came at risk or passed since the last sweep; returns how many events."""
    at = at or utcnow()
    due = select(Ticket).where(
        Ticket.due_at.is_not(None),
        or_(and_(Ticket.due_at <= at, Ticket.sla_state != "breached"),
            and_(Ticket.at_risk_at <= at, Ticket.sla_state == "ok")),
    ).order_by(Ticket.due_at).limit(limit)
    events = 0
    for ticket in db.session.scalars(due).all():
        target = _target_of(ticket)
        kind = "breached" if ticket.due_at <= at else "at_risk"
        due_at = ticket.due_at
        ticket.sla_state = kind
        detail = {"target": target, "due_at": due_at.isoformat()}
        if kind == "breached":
            detail |= _escalate(ticket, target, at)
        elif ticket.assignee is not None:
            notifications.notify([ticket.assignee], "sla.at_risk",
                                 f"{ticket.reference}: {_label(target)} due soon", ticket=ticket, at=at)
        db.session.add(SlaEvent(ticket_id=ticket.id, queue_id=ticket.queue_id, kind=kind, target=target,
                                due_at=due_at, created_at=at))
        record(f"sla.{kind}", actor_kind="system", ticket=ticket, after=detail, at=at)
        events += 1
    db.session.flush()
    return events


def run() -> int:
    """The worker's job."""
    done = sweep()
    db.session.commit()
    return done
