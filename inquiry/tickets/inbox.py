"""The agent's inbox: named views of the tickets one may see, sorted by what is due first.

Views ("mine", "unassigned", a queue, "triage", "escalated", "all") are narrowed by
``access.scope_tickets`` like every other list, so what a view shows and what it counts agree.
Urgent tickets of a view are pinned above the list; the rest page by SLA due date with a keyset
cursor: first the tickets whose clock runs (due_at, id), then those whose clock is paused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload

from inquiry import taxonomy
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.dbtypes import utcnow
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets.models import Queue, Ticket, TicketTag, is_open, is_urgent
from inquiry.tickets.queries import BadCursor, TicketFilters, TicketPage, _filtered, page_limit

VIEWS = ("mine", "unassigned", "triage", "escalated", "all")
SUPERVISOR_VIEWS = frozenset({"escalated"})
# "due" filter values: how soon the earliest running deadline falls.
DUE_WINDOWS = {"overdue": dt.timedelta(0), "1h": dt.timedelta(hours=1), "4h": dt.timedelta(hours=4),
               "24h": dt.timedelta(hours=24)}
_SALT = "inquiry.tickets.inbox-cursor"
# Urgent tickets pinned above a view's first page; past this many the page links to all of them
# (a surge would otherwise push the rest of the work off the page and slow every refresh).
PINNED_LIMIT = 10


@dataclass(frozen=True)
class View:
    """Where the agent is looking: a named view, or a queue by slug."""

    name: str = "mine"
    queue: str | None = None

    @classmethod
    def parse(cls, name: str | None, queue: str | None, user: User) -> "View":
        _printable("queue", queue)
        if queue:
            return cls("queue", queue)
        name = name or "mine"
        if name not in VIEWS:
            raise Invalid(f"no view {name!r}", fields={"view": [f"one of {', '.join(VIEWS)}"]})
        if name in SUPERVISOR_VIEWS and not access.is_supervisor(user):
            name = "mine"  # agents have no such view: show them their own
        return cls(name)


def _printable(field: str, value: str | None) -> None:
    """A NUL cannot be in any slug or tag, and PostgreSQL refuses it in a query: 422, not 500."""
    if value and "\x00" in value:
        raise Invalid(f"invalid {field}", fields={field: ["contains a NUL character"]})


def _view_clause(view: View, user: User):
    if view.name == "mine":
        return Ticket.assignee_id == user.id
    if view.name == "unassigned":
        return Ticket.assignee_id.is_(None)
    if view.name == "triage":
        return Ticket.queue_id.in_(select(Queue.id).where(Queue.slug == taxonomy.TRIAGE_QUEUE))
    if view.name == "escalated":
        return Ticket.escalated_at.is_not(None)
    if view.name == "queue":
        queue_id = db.session.scalar(select(Queue.id).where(Queue.slug == view.queue))
        if queue_id is None:
            raise Invalid(f"no queue {view.queue!r}", fields={"queue": ["unknown queue"]})
        return Ticket.queue_id == queue_id
    return None  # all


def _base(user: User, view: View, filters: TicketFilters, due: str | None, tag: str | None, now: dt.datetime):
    query = access.scope_tickets(select(Ticket), user, Ticket)
    clause = _view_clause(view, user)
    if clause is not None:
        query = query.where(clause)
    if filters.queue and view.name == "queue":
        filters = TicketFilters(**{**filters.__dict__, "queue": None})
    query = _filtered(query, user, filters)
    if due:
        if due not in DUE_WINDOWS:
            raise Invalid(f"unknown due window {due!r}", fields={"due": [f"one of {', '.join(DUE_WINDOWS)}"]})
        query = query.where(Ticket.due_at <= now + DUE_WINDOWS[due])
    if tag:
        _printable("tag", tag)
        query = query.where(Ticket.id.in_(select(TicketTag.ticket_id).where(TicketTag.tag == tag.strip().lower())))
    return query


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _encode(ticket: Ticket) -> str:
    if ticket.due_at is not None:
        return _serializer().dumps(["d", ticket.due_at.isoformat(), ticket.id])
    return _serializer().dumps(["p", ticket.created_at.isoformat(), ticket.id])


def _decode(cursor: str) -> tuple[str, dt.datetime, int]:
    try:
        phase, at, ticket_id = _serializer().loads(cursor)
        if phase not in ("d", "p") or type(ticket_id) is not int:
            raise ValueError
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError
    except (BadSignature, ValueError, TypeError):
        raise BadCursor("invalid cursor: use the link the list gave", fields={"cursor": ["not a cursor this list handed out"]}) from None
    return phase, when.astimezone(dt.timezone.utc), ticket_id


def _load():
    return (joinedload(Ticket.queue), joinedload(Ticket.assignee), joinedload(Ticket.channel_account),
            joinedload(Ticket.contact))


@dataclass
class InboxPage:
    pinned: list[Ticket]  # urgent tickets of the view, shown above the list on its first page
    items: list[Ticket]
    next_cursor: str | None
    more_urgent: bool = False  # more urgent tickets than PINNED_LIMIT: the page links to them all


def list_view(user: User, view: View, filters: TicketFilters | None = None, *, due: str | None = None,
              tag: str | None = None, cursor: str | None = None, limit: int | str | None = None,
              now: dt.datetime | None = None) -> InboxPage:
    """One page of a view: urgent tickets pinned, then by SLA due date (paused clocks last)."""
    now = now or utcnow()
    filters = filters or TicketFilters()
    size = page_limit(limit)
    base = _base(user, view, filters, due, tag, now)
    # A view shows work still to do unless a status is asked for. A running clock (due_at set)
    # already means new, open or on hold, so only the pinned and paused phases need the test.
    open_only = filters.status is None
    pinned: list[Ticket] = []
    more_urgent = False
    rest = base
    if filters.priority is None and open_only:  # asked for urgent ones: all of them, by due date
        if cursor is None:
            urgent = base.where(is_urgent(), is_open())  # matches ix_tickets_open_urgent
            pinned = list(db.session.scalars(
                urgent.options(*_load()).order_by(Ticket.due_at.is_(None), Ticket.due_at, Ticket.id)
                .limit(PINNED_LIMIT + 1)).unique())
            more_urgent = len(pinned) > PINNED_LIMIT
            pinned = pinned[:PINNED_LIMIT]
        rest = base.where(Ticket.priority != "urgent")
    phase, at, last_id = _decode(cursor) if cursor else ("d", None, 0)
    items: list[Ticket] = []
    if phase == "d":
        running = rest.where(Ticket.due_at.is_not(None))
        if at is not None:
            running = running.where(tuple_(Ticket.due_at, Ticket.id) > tuple_(at, last_id))
        items = list(db.session.scalars(
            running.options(*_load()).order_by(Ticket.due_at, Ticket.id).limit(size + 1)).unique())
        if len(items) > size:
            return InboxPage(pinned, items[:size], _encode(items[size - 1]), more_urgent)
        phase, at, last_id = "p", None, 0
    paused = rest.where(Ticket.due_at.is_(None))
    if open_only:
        paused = paused.where(is_open())
    if at is not None:
        paused = paused.where(tuple_(Ticket.created_at, Ticket.id) < tuple_(at, last_id))
    more = list(db.session.scalars(
        paused.options(*_load()).order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(size + 1 - len(items))).unique())
    items += more
    if len(items) > size:
        return InboxPage(pinned, items[:size], _encode(items[size - 1]), more_urgent)
    return InboxPage(pinned, items, None, more_urgent)


def view_counts(user: User) -> dict[str, int]:
    """Open tickets per named view, in one query."""
    triage = select(Queue.id).where(Queue.slug == taxonomy.TRIAGE_QUEUE).scalar_subquery()
    query = select(
        func.count().filter(Ticket.assignee_id == user.id),
        func.count().filter(Ticket.assignee_id.is_(None)),
        func.count().filter(Ticket.queue_id == triage),
        func.count().filter(Ticket.escalated_at.is_not(None)),
        func.count(),
    ).where(is_open())  # index-only on ix_tickets_open_counts
    query = access.scope_tickets(query, user, Ticket)
    mine, unassigned, in_triage, escalated, everything = db.session.execute(query).one()
    counts = {"mine": mine, "unassigned": unassigned, "triage": in_triage}
    if access.is_supervisor(user):
        counts["escalated"] = escalated
    counts["all"] = everything
    return counts


def next_due(user: User, *, now: dt.datetime | None = None) -> Ticket | None:
    """The ticket an agent should open next: their own most urgent, else the most urgent unassigned."""
    for view in (View("mine"), View("unassigned")):
        page = list_view(user, view, limit=1, now=now)
        found = (page.pinned or page.items)
        if found:
            return found[0]
    return None


def fingerprint(page: InboxPage, counts: dict[str, int]) -> str:
    """What changes when the list changes: lets a refresh skip redrawing an unchanged list."""
    parts = [f"{t.id}:{t.updated_at.timestamp():.3f}" for t in page.pinned + page.items]
    parts += [f"{k}={v}" for k, v in sorted(counts.items())]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
