"""Who may see and change which tickets: the one place the per-queue rule is written.

Agents see the queues they are members of. Supervisors and admins see every queue, except a
restricted one (``Queue.is_restricted``, e.g. whistleblowing) unless they are its named member:
a restricted queue's tickets are seen by its members and nobody else. Every list, count, search,
API answer and ticket page goes through ``scope_tickets`` or ``can_see_ticket``.
"""
from __future__ import annotations

from sqlalchemy import Select, and_, or_, select

from inquiry.audit.services import record
from inquiry.auth.models import Role, User, queue_members
from inquiry.errors import Forbidden, NotFound
from inquiry.extensions import db
from inquiry.tickets.models import Queue


def _member_queues(user: User) -> Select:
    return select(queue_members.c.queue_id).where(queue_members.c.user_id == user.id)


def _hidden_queues(user: User) -> Select:
    """The restricted queues ``user`` is not a member of (ids), as SQL."""
    return select(Queue.id).where(Queue.is_restricted.is_(True), Queue.id.not_in(_member_queues(user)))


def visible_queue_ids(user: User) -> set[int] | None:
    """The queues ``user`` sees; None means every queue (supervisors and admins, when no
    restricted queue is closed to them)."""
    if not user.sees_all_queues:
        return {queue.id for queue in user.queues}
    rows = db.session.execute(select(Queue.id, and_(Queue.is_restricted.is_(True),
                                                    Queue.id.not_in(_member_queues(user))))).all()
    if not any(hidden for _, hidden in rows):
        return None
    return {queue_id for queue_id, hidden in rows if not hidden}


def can_see_queue(user: User, queue_id: int) -> bool:
    if not user.sees_all_queues:
        return any(queue.id == queue_id for queue in user.queues)
    queue = db.session.get(Queue, queue_id)
    if queue is None or not queue.is_restricted:
        return True
    return any(q.id == queue_id for q in user.queues)


def workers_of(queue_id: int) -> Select:
    """The same rule as ``can_see_queue``, as SQL: the queue's enabled members and, unless the
    queue is restricted, every enabled supervisor and admin (who can be given a ticket of it)."""
    members = User.id.in_(select(queue_members.c.user_id).where(queue_members.c.queue_id == queue_id))
    queue = db.session.get(Queue, queue_id)
    if queue is not None and queue.is_restricted:
        who = members
    else:
        who = or_(User.role.in_([Role.SUPERVISOR, Role.ADMIN]), members)
    return select(User).where(User.is_enabled.is_(True)).where(who)


def can_see_ticket(user: User, ticket) -> bool:
    return user.is_active and can_see_queue(user, ticket.queue_id)


def require_ticket(user: User, ticket):
    """The ticket, if ``user`` may see it; otherwise NotFound, so its existence is not revealed."""
    if ticket is None or not can_see_ticket(user, ticket):
        raise NotFound("no such ticket")
    return ticket


def scope_tickets(query: Select, user: User, ticket_model) -> Select:
    """Narrow a ticket query to what ``user`` may see (in SQL, so lists and counts agree)."""
    if user.sees_all_queues:
        # One small subquery, no extra round trip; queue_id stays index-only for the counts.
        return query.where(ticket_model.queue_id.not_in(_hidden_queues(user)))
    return query.where(ticket_model.queue_id.in_(_member_queues(user)))


def is_restricted(ticket) -> bool:
    queue = db.session.get(Queue, ticket.queue_id)
    return queue is not None and queue.is_restricted


def note_view(user: User, ticket, *, via: str) -> bool:
    """Audit that ``user`` opened a ticket of a restricted queue (who, when, through what: "web"
    or "api"). Other tickets are not recorded. The caller commits. True if recorded."""
    if not is_restricted(ticket):
        return False
    record("ticket.viewed", actor=user, ticket=ticket, after={"via": via})
    return True


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        raise Forbidden("your role does not allow this")


def is_supervisor(user: User) -> bool:
    return user.role in (Role.SUPERVISOR, Role.ADMIN)
