"""Handle time measured from the workspace: each heartbeat credits the time since the last one.

The ticket page beats every WORKSPACE_HEARTBEAT_SECONDS while it is visible. A beat credits the
gap since the same person's previous beat on the same ticket, capped at two intervals: a hidden
tab sends nothing, and whatever gap it leaves is not billed beyond the cap.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inquiry.costs.models import TicketActivity
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.tickets.models import Ticket


def credit_cap() -> float:
    """The most seconds one beat may credit: two heartbeat intervals."""
    return 2.0 * float(current_app.config.get("WORKSPACE_HEARTBEAT_SECONDS", 5))


def record_activity(ticket, user, *, at: dt.datetime | None = None, typing: bool = False) -> float:
    """Count a heartbeat of ``user`` on ``ticket``; returns the seconds credited (flushes)."""
    at = at or utcnow()
    previous = db.session.execute(
        select(TicketActivity).where(TicketActivity.ticket_id == ticket.id, TicketActivity.user_id == user.id)
        .order_by(TicketActivity.last_beat_at.desc()).limit(1)
    ).scalar_one_or_none()
    credit = 0.0
    if previous is not None:
        gap = (at - previous.last_beat_at).total_seconds()
        if gap <= 0:  # a late or duplicate beat (two tabs): nothing more to count
            return 0.0
        credit = min(gap, credit_cap())
    day = at.date()
    row = previous if previous is not None and previous.day == day else None
    if row is None:
        row = TicketActivity(ticket_id=ticket.id, user_id=user.id, day=day, seconds=0.0, composing_seconds=0.0,
                             last_beat_at=at)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # another beat made today's row first
            row = db.session.execute(select(TicketActivity).where(
                TicketActivity.ticket_id == ticket.id, TicketActivity.user_id == user.id,
                TicketActivity.day == day)).scalar_one()
    row.seconds = (row.seconds or 0.0) + credit
    if typing:
        row.composing_seconds = (row.composing_seconds or 0.0) + credit
    row.last_beat_at = max(at, row.last_beat_at)
    db.session.flush()
    return credit


def handle_time(ticket) -> dict[str, float]:
    """Seconds worked on ``ticket`` by everyone, all days: {"seconds": …, "composing_seconds": …}."""
    seconds, composing = db.session.execute(
        select(func.coalesce(func.sum(TicketActivity.seconds), 0.0),
               func.coalesce(func.sum(TicketActivity.composing_seconds), 0.0))
        .where(TicketActivity.ticket_id == ticket.id)
    ).one()
    return {"seconds": float(seconds), "composing_seconds": float(composing)}


class HandleTime(NamedTuple):
    seconds: float  # mean active seconds per ticket
    tickets: int  # tickets measured


def average_handle_seconds(queue_ids, since: dt.datetime, until: dt.datetime | None = None) -> dict[int, HandleTime]:
    """Mean handle time per ticket, per queue, of the tickets solved in [since, until): every
    second anyone actively worked each one (any day), over the tickets with some. One grouped query.

    The mean, not the median: capacity is tickets per agent-hour, i.e. time worked over tickets
    handled, and the mean is exactly that. Solved tickets only, so half-done ones do not pull it
    down; a ticket counts in the queue it sits in now. Queues with nothing measured are absent."""
    ids = list(queue_ids)
    if not ids:
        return {}
    tickets = func.count(func.distinct(TicketActivity.ticket_id))
    query = (select(Ticket.queue_id, func.sum(TicketActivity.seconds), tickets)
             .join(Ticket, Ticket.id == TicketActivity.ticket_id)
             .where(Ticket.queue_id.in_(ids), Ticket.solved_at >= since, Ticket.solved_at < (until or utcnow()),
                    TicketActivity.seconds > 0)
             .group_by(Ticket.queue_id))
    return {queue_id: HandleTime(float(total) / n, int(n)) for queue_id, total, n in db.session.execute(query) if n}
