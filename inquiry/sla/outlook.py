"""Which queues will miss their targets in the next hours, given backlog, arrivals and agents online.

A fluid model, simple enough to explain on a dashboard: the queue's online agents work through
its open tickets in due order at ``60 / handle minutes`` tickets per agent-hour (the queue's
measured handle time: the mean over its tickets solved in the last SLA_HANDLE_DAYS, once at least
SLA_HANDLE_MIN_TICKETS were measured; SLA_HANDLE_MINUTES until then), minus what the
recent arrival rate takes (new work is assumed as urgent as the backlog, which errs on the side
of warning). The i-th ticket is reached after i+1 tickets' worth of that capacity; a ticket whose
deadline falls before it is reached is a predicted breach.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from inquiry.auth.models import User, queue_members
from inquiry.costs.activity import average_handle_seconds
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.tickets.models import Queue, Ticket
from inquiry.tickets.presence import ONLINE_WITHIN


@dataclass(frozen=True)
class QueueOutlook:
    queue: str
    backlog: int  # tickets with a running deadline
    arrivals_per_hour: float
    agents_online: int
    capacity_per_hour: float  # what the online agents clear, after new arrivals
    breached_now: int
    predicted_breaches: int  # within the horizon
    first_predicted_breach: dt.datetime | None
    handle_minutes: float = 12.0  # per ticket, as the prediction assumed it
    handle_measured_tickets: int = 0  # the tickets it was measured on (0: the SLA_HANDLE_MINUTES default)


def outlook(*, at: dt.datetime | None = None, horizon: dt.timedelta = dt.timedelta(hours=4),
            arrival_window: dt.timedelta = dt.timedelta(hours=3),
            running: dict[int, tuple[int, int]] | None = None) -> list[QueueOutlook]:
    """``running``: {queue_id: (running clocks, already breached)} as of ``at`` when the caller has
    counted them already (the dashboard does, over the same open tickets)."""
    at = at or utcnow()
    default_minutes = float(current_app.config.get("SLA_HANDLE_MINUTES", 12))
    least = int(current_app.config.get("SLA_HANDLE_MIN_TICKETS", 20))
    queues = list(db.session.scalars(select(Queue).order_by(Queue.slug)))
    measured = average_handle_seconds([q.id for q in queues],
                                      at - dt.timedelta(days=float(current_app.config.get("SLA_HANDLE_DAYS", 14))),
                                      at)
    arrivals = dict(db.session.execute(
        select(Ticket.queue_id, func.count(Ticket.id)).where(Ticket.created_at >= at - arrival_window,
                                                             Ticket.created_at <= at)
        .group_by(Ticket.queue_id)).all())
    online = dict(db.session.execute(
        select(queue_members.c.queue_id, func.count(User.id))
        .join(User, User.id == queue_members.c.user_id)
        .where(User.is_enabled.is_(True), User.available.is_(True), User.last_seen_at >= at - ONLINE_WITHIN)
        .group_by(queue_members.c.queue_id)).all())
    # Per queue: every running clock (total), those already past (breached, all ahead in the line),
    # then only the deadlines inside the horizon: two queries over the due-date indexes, not a
    # scan of every open ticket of every queue.
    totals = running if running is not None else {queue_id: (int(n), int(past)) for queue_id, n, past in db.session.execute(
        select(Ticket.queue_id, func.count(), func.count().filter(Ticket.due_at <= at))
        .where(Ticket.due_at.is_not(None)).group_by(Ticket.queue_id))}
    upcoming: dict[int, list[dt.datetime]] = {}
    for queue_id, due in db.session.execute(
            select(Ticket.queue_id, Ticket.due_at).where(Ticket.due_at > at, Ticket.due_at <= at + horizon)
            .order_by(Ticket.due_at, Ticket.id)):
        upcoming.setdefault(queue_id, []).append(due)
    result = []
    for queue in queues:
        handle = measured.get(queue.id)
        if handle is not None and handle.tickets < least:
            handle = None  # too few to trust: the default
        handle_minutes = handle.seconds / 60 if handle is not None else default_minutes
        total, breached_now = totals.get(queue.id, (0, 0))
        rate = arrivals.get(queue.id, 0) / (arrival_window.total_seconds() / 3600)
        agents = online.get(queue.id, 0)
        capacity = max(agents * 60 / handle_minutes - rate, 0.0)
        predicted, first = 0, None
        for offset, due in enumerate(upcoming.get(queue.id, [])):
            position = breached_now + offset  # tickets ahead of this one: the breached, then earlier dues
            reached = (at + dt.timedelta(hours=(position + 1) / capacity)) if capacity > 0 else None
            if reached is None or reached > due:
                predicted += 1
                first = first or due
        result.append(QueueOutlook(queue.slug, total, round(rate, 2), agents, round(capacity, 2),
                                   breached_now, predicted, first, round(handle_minutes, 1),
                                   handle.tickets if handle is not None else 0))
    return result
