"""Automatic assignment: new work goes round-robin to online agents with room who speak the language.

Run by the worker for queues with ``auto_assign`` on; the same conditional UPDATE as a claim makes
sure a ticket an agent took meanwhile is left alone.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select, update

from inquiry.audit.services import record
from inquiry.auth.models import Role, User, UserLanguage, queue_members
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.tickets.models import OPEN_STATUSES, Queue, Ticket
from inquiry.tickets.presence import ONLINE_WITHIN

_OPEN = list(OPEN_STATUSES)


def candidates(queue_id: int, language: str | None, at: dt.datetime) -> list[User]:
    """Agents of the queue who are online, available, below capacity and speak ``language``,
    longest since their last automatic assignment first."""
    load = (select(func.count(Ticket.id)).where(Ticket.assignee_id == User.id, Ticket.status.in_(_OPEN))
            .correlate(User).scalar_subquery())
    query = (
        select(User)
        .join(queue_members, and_(queue_members.c.user_id == User.id, queue_members.c.queue_id == queue_id))
        .where(User.is_enabled.is_(True), User.available.is_(True), User.role == Role.AGENT,
               User.last_seen_at >= at - ONLINE_WITHIN, load < User.capacity)
        .order_by(User.last_assigned_at.is_not(None), User.last_assigned_at, User.id)
    )
    if language:
        speaks = select(UserLanguage.user_id).where(UserLanguage.language == language)
        query = query.where(User.id.in_(speaks))
    return list(db.session.scalars(query))


def assign_waiting(*, at: dt.datetime | None = None, limit: int = 200) -> int:
    """Give unassigned open tickets of auto-assign queues to agents; returns how many were given."""
    at = at or utcnow()
    waiting = db.session.scalars(
        select(Ticket)
        .join(Queue, Queue.id == Ticket.queue_id)
        .where(Queue.auto_assign.is_(True), Ticket.assignee_id.is_(None), Ticket.status.in_(_OPEN))
        .order_by(Ticket.due_at.is_(None), Ticket.due_at, Ticket.id)
        .limit(limit)
    ).all()
    given = 0
    for ticket in waiting:
        agents = candidates(ticket.queue_id, ticket.language, at)
        latest = max((a.last_assigned_at for a in agents if a.last_assigned_at), default=None)
        for agent in agents:
            taken = db.session.execute(
                update(Ticket).where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None))
                .values(assignee_id=agent.id, updated_at=at).execution_options(synchronize_session=False)
            ).rowcount
            db.session.expire(ticket)
            if taken:
                # Strictly later than anyone's last turn, so the order is a true rotation.
                agent.last_assigned_at = max(at, latest + dt.timedelta(microseconds=1)) if latest else at
                db.session.flush()
                record("ticket.assigned", actor_kind="system", ticket=ticket, before={"assignee_id": None},
                       after={"assignee_id": agent.id, "rule": "round-robin"}, at=at)
                given += 1
            break
    return given


def run() -> int:
    """The worker's job: assign what waits, and commit."""
    given = assign_waiting()
    db.session.commit()
    return given
