"""Read-only ticket queries shared by the JSON API and the workspace: lists, look-ups, counts.

Every list here is narrowed by ``access`` in SQL, so what a list shows, what it counts and what
a detail page allows always agree.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from inquiry import taxonomy
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.channels.models import ChannelAccount
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets.models import Queue, Ticket, TicketStatus, is_open

_CURSOR_SALT = "inquiry.tickets.list-cursor"
# Largest value an integer primary key can hold on PostgreSQL; bigger "ids" match nothing.
_MAX_ROW_ID = 2**31 - 1


class BadCursor(Invalid):
    """The cursor was not one this desk handed out (edited, truncated or from elsewhere)."""

    status = 400
    code = "bad_cursor"


@dataclass(frozen=True)
class TicketFilters:
    """What a ticket list may be narrowed by; None means "any"."""

    queue: str | None = None  # queue slug
    status: str | None = None  # a TicketStatus value
    topic: str | None = None
    priority: str | None = None
    language: str | None = None
    assignee: str | int | None = None  # a user id, "me" or "none"
    channel: str | None = None  # the platform slug of the ticket's channel account

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "TicketFilters":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise Invalid("unknown filter", fields={name: ["not a ticket filter"] for name in unknown})
        return cls(**{k: v for k, v in values.items() if v is not None and v != ""})


class TicketPage(NamedTuple):
    """One page of a list; unpacks as ``items, next_cursor``."""

    items: list[Ticket]
    # Opaque position after the last item; None on the last page.
    next_cursor: str | None


def is_row_id(value: object) -> bool:
    """True for an int, or a string of ASCII digits, that a primary key can hold."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return False
        value = int(value)
    return isinstance(value, int) and 0 < value <= _MAX_ROW_ID


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_CURSOR_SALT)


def encode_cursor(ticket: Ticket) -> str:
    """A signed, URL-safe token for the list position just after ``ticket``."""
    return _serializer().dumps([ticket.created_at.isoformat(), ticket.id])


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    """The (created_at, id) a cursor stands for, or BadCursor (400) if it was tampered with."""
    try:
        created, ticket_id = _serializer().loads(cursor)
        if not isinstance(created, str) or not is_row_id(ticket_id) or isinstance(ticket_id, str):
            raise ValueError
        at = dt.datetime.fromisoformat(created)
        if at.tzinfo is None:
            raise ValueError
    except (BadSignature, ValueError, TypeError):
        raise BadCursor("invalid cursor: pass back the `next` value of the previous page unchanged",
                        fields={"cursor": ["not a cursor this list handed out"]}) from None
    return at.astimezone(dt.timezone.utc), ticket_id


def page_limit(limit: int | str | None) -> int:
    """The page size asked for, within 1..PAGE_SIZE_MAX (PAGE_SIZE when not given)."""
    if limit is None or limit == "":
        return current_app.config["PAGE_SIZE"]
    largest = current_app.config["PAGE_SIZE_MAX"]
    if isinstance(limit, str) and limit.isascii() and limit.isdigit() and len(limit) < 6:
        limit = int(limit)
    if type(limit) is not int or not 1 <= limit <= largest:
        raise Invalid(f"limit must be between 1 and {largest}", fields={"limit": [f"an integer from 1 to {largest}"]})
    return limit


def _one_of(name: str, value: str, allowed) -> str:
    if value not in allowed:
        raise Invalid(f"{value!r} is not a known {name}", fields={name: [f"not a known {name}"]})
    return value


def _filtered(query, user: User, filters: TicketFilters):
    """Apply each given filter; a value that cannot match anything is refused (422), not ignored."""
    if filters.queue is not None:
        queue_id = db.session.scalar(select(Queue.id).filter_by(slug=filters.queue))
        if queue_id is None:
            raise Invalid(f"no queue {filters.queue!r}", fields={"queue": ["unknown queue"]})
        # An agent asking for a queue they do not work gets an empty list: scope_tickets sees to it.
        query = query.where(Ticket.queue_id == queue_id)
    if filters.status is not None:
        _one_of("status", filters.status, {s.value for s in TicketStatus})
        query = query.where(Ticket.status == TicketStatus(filters.status))
    if filters.topic is not None:
        query = query.where(Ticket.topic == _one_of("topic", filters.topic, taxonomy.TOPICS))
    if filters.priority is not None:
        query = query.where(Ticket.priority == _one_of("priority", filters.priority, taxonomy.PRIORITIES))
    if filters.language is not None:
        query = query.where(Ticket.language == _one_of("language", filters.language, taxonomy.LANGUAGES))
    if filters.channel is not None:
        platform = _one_of("channel", filters.channel, taxonomy.CHANNELS)
        query = query.where(
            Ticket.channel_account_id.in_(select(ChannelAccount.id).where(ChannelAccount.platform == platform))
        )
    if filters.assignee is not None:
        query = query.where(_assignee_clause(user, filters.assignee))
    return query


def _assignee_clause(user: User, assignee: str | int):
    if assignee == "me":
        return Ticket.assignee_id == user.id
    if assignee == "none":
        return Ticket.assignee_id.is_(None)
    if is_row_id(assignee):
        return Ticket.assignee_id == int(assignee)
    raise Invalid("assignee must be a user id, 'me' or 'none'", fields={"assignee": ["a user id, 'me' or 'none'"]})


def list_tickets(
    user: User,
    filters: TicketFilters | Mapping[str, object] | None = None,
    limit: int | str | None = None,
    cursor: str | None = None,
    **filter_values: object,
) -> TicketPage:
    """One page of the tickets ``user`` may see, newest first (created_at, then id, descending).

    Filters come as a TicketFilters, a mapping, or keyword arguments. Keyset pagination: the
    cursor names the last ticket seen, so pages neither skip nor repeat tickets while new ones
    arrive. A bad filter value or limit raises Invalid (422), a bad cursor BadCursor (400).
    """
    if not isinstance(filters, TicketFilters):
        filters = TicketFilters.from_mapping({**(filters or {}), **filter_values})
    elif filter_values:
        raise TypeError("give filters either as a TicketFilters or as keywords, not both")
    size = page_limit(limit)
    query = access.scope_tickets(select(Ticket), user, Ticket)
    query = _filtered(query, user, filters)
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(or_(Ticket.created_at < at, and_(Ticket.created_at == at, Ticket.id < last_id)))
    query = (
        query.options(
            joinedload(Ticket.queue),
            joinedload(Ticket.assignee),
            joinedload(Ticket.channel_account),
            joinedload(Ticket.contact),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(size + 1)
    )
    rows = list(db.session.scalars(query).unique())
    items = rows[:size]
    return TicketPage(items, encode_cursor(items[-1]) if len(rows) > size else None)


def ticket_by_reference(reference: str) -> Ticket | None:
    """The ticket with this canonical reference (see ``references.normalise_reference``), if any."""
    return db.session.scalar(select(Ticket).filter_by(reference=reference))


def visible_queues(user: User) -> list[Queue]:
    """The queues ``user`` works (every queue for supervisors and admins), by slug."""
    query = select(Queue).order_by(Queue.slug)
    visible = access.visible_queue_ids(user)
    if visible is not None:
        query = query.where(Queue.id.in_(visible or [-1]))
    return list(db.session.scalars(query))


def queue_counts(user: User) -> list[tuple[Queue, int]]:
    """The queues ``user`` works, each with its number of open tickets (new, open, pending, on hold)."""
    # Grouped over open tickets alone, then joined: an index-only scan of ix_tickets_open_counts.
    counted = select(Ticket.queue_id, func.count().label("n")).where(is_open()).group_by(Ticket.queue_id).subquery()
    query = (
        select(Queue, func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.queue_id == Queue.id)
        .order_by(Queue.slug)
    )
    visible = access.visible_queue_ids(user)
    if visible is not None:
        query = query.where(Queue.id.in_(visible or [-1]))
    return [(queue, count) for queue, count in db.session.execute(query)]


def assignable_users(ticket: Ticket) -> list[User]:
    """Enabled people who may hold ``ticket``: its queue's agents, and every supervisor and admin."""
    return list(db.session.scalars(access.workers_of(ticket.queue_id).order_by(User.name, User.id)))

def assignable_people(user: User) -> list[User]:
    """Everyone a supervisor may hand work to: enabled staff, by name (the service checks queues)."""
    return list(db.session.scalars(select(User).where(User.is_enabled.is_(True)).order_by(User.name, User.id)))


def related_tickets(user: User, ticket: Ticket, limit: int = 20) -> list[Ticket]:
    """The same person's other tickets (on any of their channels) that ``user`` may see, newest first."""
    from inquiry.contacts.models import Contact

    person_id = ticket.contact.person_id
    if person_id is not None:
        same = Ticket.contact_id.in_(select(Contact.id).where(Contact.person_id == person_id))
    else:
        same = Ticket.contact_id == ticket.contact_id
    query = access.scope_tickets(select(Ticket), user, Ticket).where(same, Ticket.id != ticket.id)
    query = query.options(joinedload(Ticket.channel_account)).order_by(Ticket.created_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def conversation(ticket: Ticket, others: list[Ticket]):
    """The messages of ``ticket`` and, if given, the person's other tickets, oldest first."""
    from inquiry.tickets.models import Message, thread_order

    ids = [ticket.id] + [t.id for t in others]
    return list(db.session.scalars(
        select(Message).where(Message.ticket_id.in_(ids))
        .options(joinedload(Message.author), joinedload(Message.ticket))
        .order_by(*thread_order())))
