"""Telling people things in the app: written in the caller's transaction."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from inquiry.auth import access
from inquiry.auth.models import Role, User, queue_members
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.notifications.models import Notification


def notify(users, kind: str, text: str, *, ticket=None, at: dt.datetime | None = None) -> int:
    """One notification per user (duplicates in ``users`` count once); about a ticket, only to
    those who may see it (``auth.access``: a restricted queue's tickets reach its members only)."""
    at = at or utcnow()
    seen, sent = set(), 0
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        if ticket is not None and not access.can_see_ticket(user, ticket):
            continue
        db.session.add(Notification(user_id=user.id, ticket_id=getattr(ticket, "id", None), kind=kind, text=text,
                                    created_at=at))
        sent += 1
    return sent


def supervisors_of(queue_id: int) -> list[User]:
    """The supervisors who are members of the queue; if none is, every enabled supervisor and admin
    who may see it (for a restricted queue without one: its members)."""
    members = select(queue_members.c.user_id).where(queue_members.c.queue_id == queue_id)
    base = select(User).where(User.is_enabled.is_(True), User.role.in_([Role.SUPERVISOR, Role.ADMIN]))
    people = list(db.session.scalars(base.where(User.id.in_(members)).where(User.role == Role.SUPERVISOR)))
    if people:
        return people
    workers = access.workers_of(queue_id).order_by(User.id)
    return (list(db.session.scalars(workers.where(User.role.in_([Role.SUPERVISOR, Role.ADMIN]))))
            or list(db.session.scalars(workers)))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(user, limit: int = 50) -> list[Notification]:
    """The latest notifications, less those about tickets ``user`` may no longer see (a queue
    restricted since they were sent)."""
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .options(joinedload(Notification.ticket)).order_by(Notification.id.desc()).limit(limit))
    return [n for n in rows if n.ticket is None or access.can_see_ticket(user, n.ticket)]


def mark_read(user, ids: list[int] | None = None, *, at: dt.datetime | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids or [-1]))
    return db.session.execute(query.values(read_at=at or utcnow()).execution_options(synchronize_session=False)).rowcount
