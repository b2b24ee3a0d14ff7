"""What the planner reads from the database: arrivals per queue × language × hour, measured handle
time per queue, the queues' names and the hourly rates.

The arrivals are one grouped query over the window (``created_at`` range, served by the index
ix_tickets_created): a row per queue, language and UTC hour that had tickets, with the count per
priority beside the total, so the queue's dominant priority comes out of the same scan.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, case, cast, distinct, func, select

from inquiry.costs.models import RateOverride, TicketActivity
from inquiry.costs.services import current_settings
from inquiry.extensions import db
from inquiry.taxonomy import PRIORITIES
from inquiry.tickets.models import Queue, Ticket

UTC = dt.timezone.utc
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
# A queue's measured handle time is used once this many tickets were worked in the window;
# below it the mean says more about one ticket than about the queue.
MIN_MEASURED_TICKETS = 5


def hour_number(at: dt.datetime) -> int:
    """Whole hours from 1970-01-01 00:00 UTC to ``at`` (aware)."""
    return int((at - _EPOCH) // dt.timedelta(hours=1))


def _hour_number(column):
    """The same as SQL, on either database: PostgreSQL's date_part is double precision (fast;
    EXTRACT is numeric), SQLite counts seconds with strftime."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.date_part("epoch", column) / 3600), Integer)
    return cast(func.strftime("%s", column), Integer) // 3600


def arrivals(since: dt.datetime, until: dt.datetime) -> list[tuple]:
    """Tickets created in [since, until), one grouped query: a tuple per queue, language and UTC
    hour that had any, ``(queue_id, language, hour_number, count, *count per PRIORITIES)``.

    Rows (tuples) with integer hours, because a busy desk returns tens of thousands of them."""
    hour = _hour_number(Ticket.created_at).label("hour")  # grouped by its label: one expression
    counts = [func.sum(case((Ticket.priority == p, 1), else_=0)) for p in PRIORITIES]
    query = (select(Ticket.queue_id, Ticket.language, hour, func.count(), *counts)
             .where(Ticket.created_at >= since, Ticket.created_at < until)
             .group_by(Ticket.queue_id, Ticket.language, hour))
    return list(db.session.execute(query))


def first_ticket_at() -> dt.datetime | None:
    """When the desk's history begins (the index's first entry: no scan)."""
    return db.session.scalar(select(func.min(Ticket.created_at)))


@dataclass(frozen=True)
class HandleTime:
    seconds: float  # mean active seconds per ticket worked
    tickets: int


def handle_times(since: dt.date, until: dt.date) -> dict[int, HandleTime]:
    """Mean measured handle time per queue: active seconds ÷ tickets worked, over the activity of
    the days since..until (both included). Only the workspace's measured time counts."""
    rows = db.session.execute(
        select(Ticket.queue_id, func.sum(TicketActivity.seconds), func.count(distinct(TicketActivity.ticket_id)))
        .join(Ticket, Ticket.id == TicketActivity.ticket_id)
        .where(TicketActivity.day >= since, TicketActivity.day <= until, TicketActivity.seconds > 0)
        .group_by(Ticket.queue_id))
    return {queue_id: HandleTime(float(total) / n, int(n)) for queue_id, total, n in rows if n}


def queues() -> dict[int, tuple[str, str]]:
    """Queue id → (slug, name)."""
    return {qid: (slug, name) for qid, slug, name in db.session.execute(select(Queue.id, Queue.slug, Queue.name))}


@dataclass(frozen=True)
class Rates:
    default: float
    by_language: dict[str, float]
    by_queue: dict[str, float]
    currency: str
    annual_budget: float
    frontline_share: float

    def rate(self, queue_slug: str, language: str | None) -> float:
        """A language's rate wins over the queue's, as in the cost ledger; else the default."""
        return self.by_language.get(language or "", self.by_queue.get(queue_slug, self.default))


def rates() -> Rates:
    settings = current_settings()
    overrides = list(db.session.scalars(select(RateOverride)))
    return Rates(default=float(settings.hourly_rate),
                 by_language={o.key: float(o.hourly_rate) for o in overrides if o.kind == "language"},
                 by_queue={o.key: float(o.hourly_rate) for o in overrides if o.kind == "queue"},
                 currency=settings.currency, annual_budget=float(settings.annual_budget),
                 frontline_share=float(settings.frontline_share))
