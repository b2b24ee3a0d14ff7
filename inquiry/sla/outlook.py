"""Which queues will miss their targets in the next hours, given backlog, arrivals and agents online.

A fluid model, simple enough to explain on a dashboard: the queue's online agents work through
its open tickets in due order at ``60 / handle minutes`` tickets per agent-hour, minus what the
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


def outlook(*, at: dt.datetime | None = None, horizon: dt.timedelta = dt.timedelta(hours=4),
            arrival_window: dt.timedelta = dt.timedelta(hours=3)) -> list[QueueOutlook]:
    at = at or utcnow()
    handle_minutes = current_app.config.get("SLA_HANDLE_MINUTES", 12)
    arrivals = dict(db.session.execute(
        select(Ticket.queue_id, func.count(Ticket.id)).where(Ticket.created_at >= at - arrival_window,
                                                             Ticket.created_at <= at)
        .group_by(Ticket.queue_id)).all())
    online = dict(db.session.execute(
        select(queue_members.c.queue_id, func.count(User.id))
        .join(User, User.id == queue_members.c.user_id)
        .where(User.is_enabled.is_(True), User.available.is_(True), User.last_seen_at >= at - ONLINE_WITHIN)
        .group_by(queue_members.c.queue_id)).all())
    result = []
    for queue in db.session.scalars(select(Queue).order_by(Queue.slug)):
        dues = list(db.session.scalars(select(Ticket.due_at).where(Ticket.queue_id == queue.id,
                                                                   Ticket.due_at.is_not(None))
                                       .order_by(Ticket.due_at)))
        rate = arrivals.get(queue.id, 0) / (arrival_window.total_seconds() / 3600)
        agents = online.get(queue.id, 0)
        capacity = max(agents * 60 / handle_minutes - rate, 0.0)
        breached_now = sum(1 for due in dues if due <= at)
        predicted, first = 0, None
        for position, due in enumerate(dues):
            if due <= at or due > at + horizon:
                continue
            reached = (at + dt.timedelta(hours=(position + 1) / capacity)) if capacity > 0 else None
            if reached is None or reached > due:
                predicted += 1
                first = first or due
        result.append(QueueOutlook(queue.slug, len(dues), round(rate, 2), agents, round(capacity, 2),
                                   breached_now, predicted, first))
    return result
