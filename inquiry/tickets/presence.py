"""Who else is on a ticket: viewers and typists, from a heartbeat the ticket page sends."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import delete, select, update

from inquiry.auth.models import User
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.tickets.models import Direction, Message, Ticket, TicketPresence

# A viewer who has not sent a heartbeat for this long has left; the page beats every 10 s.
STALE_AFTER = dt.timedelta(seconds=30)
# "Online" for automatic assignment: seen in the workspace this recently.
ONLINE_WITHIN = dt.timedelta(minutes=2)


class Viewer(NamedTuple):
    user_id: int
    name: str
    typing: bool


def beat(ticket: Ticket, user: User, *, typing: bool = False, at: dt.datetime | None = None) -> None:
    """Record that ``user`` has the ticket open (and whether they are typing)."""
    at = at or utcnow()
    changed = db.session.execute(
        update(TicketPresence)
        .where(TicketPresence.ticket_id == ticket.id, TicketPresence.user_id == user.id)
        .values(typing=typing, seen_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.add(TicketPresence(ticket_id=ticket.id, user_id=user.id, typing=typing, seen_at=at))
    seen(user, at)
    db.session.flush()


def leave(ticket: Ticket, user: User) -> None:
    db.session.execute(delete(TicketPresence).where(TicketPresence.ticket_id == ticket.id,
                                                    TicketPresence.user_id == user.id))


def others(ticket: Ticket, user: User, *, at: dt.datetime | None = None) -> list[Viewer]:
    """The other people with this ticket open right now."""
    since = (at or utcnow()) - STALE_AFTER
    rows = db.session.execute(
        select(User.id, User.name, TicketPresence.typing)
        .join(TicketPresence, TicketPresence.user_id == User.id)
        .where(TicketPresence.ticket_id == ticket.id, TicketPresence.user_id != user.id,
               TicketPresence.seen_at >= since)
        .order_by(User.name)
    )
    return [Viewer(*row) for row in rows]


def seen(user: User, at: dt.datetime | None = None) -> None:
    """Mark the user as present in the workspace (written at most every 30 s)."""
    at = at or utcnow()
    if user.last_seen_at is None or at - user.last_seen_at > dt.timedelta(seconds=30):
        user.last_seen_at = at


def latest_inbound_id(ticket: Ticket) -> int:
    """The id of the sender's newest message: a reply drafted before it arrived must say so."""
    return db.session.scalar(
        select(Message.id).where(Message.ticket_id == ticket.id, Message.direction == Direction.INBOUND)
        .order_by(Message.id.desc()).limit(1)
    ) or 0


def sweep(at: dt.datetime | None = None) -> int:
    """Forget presence rows nobody refreshed; the worker runs it now and then."""
    since = (at or utcnow()) - STALE_AFTER * 10
    return db.session.execute(delete(TicketPresence).where(TicketPresence.seen_at < since)).rowcount


def run() -> int:
    """The worker's job: forget stale presence, and commit."""
    gone = sweep()
    db.session.commit()
    return gone
