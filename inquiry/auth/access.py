"""Who may see and change which tickets: the one place the per-queue rule is written."""
from __future__ import annotations

from sqlalchemy import Select

from inquiry.auth.models import Role, User, queue_members
from inquiry.errors import Forbidden, NotFound


def visible_queue_ids(user: User) -> set[int] | None:
    """The queues ``user`` works; None means every queue (supervisors and admins)."""
    if user.sees_all_queues:
        return None
    return {queue.id for queue in user.queues}


def can_see_queue(user: User, queue_id: int) -> bool:
    allowed = visible_queue_ids(user)
    return allowed is None or queue_id in allowed


def workers_of(queue_id: int) -> Select:
    """The same rule as ``can_see_queue``, as SQL: enabled supervisors and admins, and the
    queue's enabled members (who can be given a ticket of that queue)."""
    from sqlalchemy import or_, select

    members = select(queue_members.c.user_id).where(queue_members.c.queue_id == queue_id)
    return (select(User).where(User.is_enabled.is_(True))
            .where(or_(User.role.in_([Role.SUPERVISOR, Role.ADMIN]), User.id.in_(members))))


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
        return query
    member_queues = queue_members.select().with_only_columns(queue_members.c.queue_id).where(
        queue_members.c.user_id == user.id
    )
    return query.where(ticket_model.queue_id.in_(member_queues))


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        raise Forbidden("your role does not allow this")


def is_supervisor(user: User) -> bool:
    return user.role in (Role.SUPERVISOR, Role.ADMIN)
