"""The supervisor dashboard's figures, counted in SQL: one grouped query per figure family, never a
Python loop over tickets.

Durations are measured on the ticket's own columns: first response = ``first_response_at -
created_at`` for tickets first answered in the window, resolution = ``solved_at - created_at``
for tickets solved in the window (wall-clock time; the SLA clock's pauses are not taken off).
Attainment is the share of targets met among those decided in the window (``first_response_met``
is decided at the first reply, ``resolution_met`` at solving). Medians and p90 are
``percentile_cont`` on PostgreSQL; on SQLite the same linear interpolation is done on the two
ranked rows around each percentile, picked by window functions, so both databases agree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, cast, func, literal, select, tuple_

from inquiry import taxonomy
from inquiry.auth.models import User, queue_members
from inquiry.channels.models import ChannelAccount
from inquiry.extensions import db
from inquiry.tickets.models import Queue, Ticket, is_open
from inquiry.tickets.presence import ONLINE_WITHIN

WINDOWS = (("24h", dt.timedelta(hours=24)), ("7d", dt.timedelta(days=7)))
HOURS = 7 * 24  # the hourly charts' span
NONE = "none"  # a label a ticket does not have yet (triage)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def seconds_between(later, earlier):
    """``later - earlier`` in seconds, as a SQL expression."""
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def hour_number(column):
    """Whole hours since 1970-01-01 UTC, as a SQL expression (the hourly charts' bucket)."""
    if _dialect() == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / 3600), Integer)
    return cast(func.strftime("%s", column), Integer) // 3600


def day_number(column):
    """Whole days since 1970-01-01 UTC, as a SQL expression."""
    if _dialect() == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / 86400), Integer)
    return cast(func.strftime("%s", column), Integer) // 86400


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def start_of_day(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


# --- percentiles -----------------------------------------------------------------------------


def percentiles(value, group, where, ps=(0.5, 0.9)) -> dict:
    """{group: {p: value}} of ``value`` over the rows matching ``where``, per ``group`` (a column
    of tickets), interpolated as ``percentile_cont`` does."""
    if _dialect() == "postgresql":
        cols = [func.percentile_cont(p).within_group(value.asc()).label(f"p{i}") for i, p in enumerate(ps)]
        rows = db.session.execute(select(group.label("g"), *cols).where(*where).group_by(group)).all()
        return {row.g: {p: float(row[i + 1]) for i, p in enumerate(ps)} for row in rows}
    ranked = (
        select(group.label("g"), value.label("v"),
               func.row_number().over(partition_by=group, order_by=value).label("rn"),
               func.count().over(partition_by=group).label("n"))
        .where(*where).subquery()
    )
    result: dict = {}
    for p in ps:
        position = p * (ranked.c.n - 1)  # 0-based rank of the percentile, fractional
        low = cast(position, Integer)
        rows = db.session.execute(
            select(ranked.c.g, ranked.c.rn, ranked.c.n, ranked.c.v)
            .where(ranked.c.rn - 1 >= low, ranked.c.rn - 1 <= low + 1)
        ).all()
        picked: dict = {}
        for g, rn, n, v in rows:  # at most two rows per group
            picked.setdefault(g, {})[rn - 1] = (n, float(v))
        for g, by_rank in picked.items():
            n = next(iter(by_rank.values()))[0]
            exact = p * (n - 1)
            lo = int(exact)
            v_lo = by_rank[lo][1]
            v_hi = by_rank.get(lo + 1, (n, v_lo))[1]
            result.setdefault(g, {})[p] = v_lo + (v_hi - v_lo) * (exact - lo)
    return result


# --- per queue --------------------------------------------------------------------------------


@dataclass
class WindowFigures:
    """One queue over one window (24 h or 7 d)."""

    first_response_median: float | None = None  # seconds
    first_response_p90: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None
    first_response_met: int = 0
    first_response_decided: int = 0
    resolution_met: int = 0
    resolution_decided: int = 0

    @property
    def first_response_attainment(self) -> float | None:
        return self.first_response_met / self.first_response_decided if self.first_response_decided else None

    @property
    def resolution_attainment(self) -> float | None:
        return self.resolution_met / self.resolution_decided if self.resolution_decided else None


@dataclass
class QueueFigures:
    queue_id: int
    slug: str
    name: str
    open_backlog: int = 0
    new_today: int = 0
    solved_today: int = 0
    oldest_open_at: dt.datetime | None = None
    running_clocks: int = 0  # open, with a running deadline (not paused)
    breached_now: int = 0  # open, with a running deadline already past
    at_risk_now: int = 0  # open, past the at-risk mark, deadline still ahead
    agents_online: int = 0
    agents_load: int = 0  # open tickets assigned to this queue's online agents (any queue)
    agents_capacity: int = 0  # what those agents take at most
    windows: dict[str, WindowFigures] = field(default_factory=dict)

    def oldest_open_age(self, now: dt.datetime) -> float | None:
        """Seconds the oldest open ticket has waited."""
        return (now - self.oldest_open_at).total_seconds() if self.oldest_open_at else None

    @property
    def load_share(self) -> float | None:
        return self.agents_load / self.agents_capacity if self.agents_capacity else None


def _online(now: dt.datetime):
    return and_(User.is_enabled.is_(True), User.available.is_(True), User.last_seen_at >= now - ONLINE_WITHIN)


def queue_figures(now: dt.datetime) -> list[QueueFigures]:
    """Every queue's figures as of ``now``, ordered by slug."""
    queues = {q.id: QueueFigures(q.id, q.slug, q.name) for q in db.session.scalars(select(Queue).order_by(Queue.slug))}
    today = start_of_day(now)
    # Open work, from the partial index over open tickets.
    for row in db.session.execute(
        select(Ticket.queue_id, func.count().label("n"), func.min(Ticket.created_at).label("oldest"),
               func.count(Ticket.due_at).label("running"), _count(Ticket.due_at <= now).label("breached"),
               _count(and_(Ticket.due_at > now, Ticket.at_risk_at <= now)).label("at_risk"))
        .where(is_open()).group_by(Ticket.queue_id)
    ):
        q = queues[row.queue_id]
        q.open_backlog, q.breached_now, q.at_risk_now = row.n, int(row.breached), int(row.at_risk)
        q.running_clocks = int(row.running)
        q.oldest_open_at = row.oldest
    for queue_id, n in db.session.execute(
            select(Ticket.queue_id, func.count()).where(Ticket.created_at >= today, Ticket.created_at <= now)
            .group_by(Ticket.queue_id)):
        queues[queue_id].new_today = n
    for queue_id, n in db.session.execute(
            select(Ticket.queue_id, func.count()).where(Ticket.solved_at >= today, Ticket.solved_at <= now)
            .group_by(Ticket.queue_id)):
        queues[queue_id].solved_today = n
    _agents(queues, now)
    for name, span in WINDOWS:
        _window(queues, name, now - span, now)
    return list(queues.values())


def _agents(queues: dict[int, QueueFigures], now: dt.datetime) -> None:
    load = (select(Ticket.assignee_id.label("user_id"), func.count().label("n"))
            .where(is_open(), Ticket.assignee_id.is_not(None))
            .group_by(Ticket.assignee_id).subquery())
    rows = db.session.execute(
        select(queue_members.c.queue_id, func.count(User.id), func.coalesce(func.sum(load.c.n), 0),
               func.coalesce(func.sum(User.capacity), 0))
        .join(User, User.id == queue_members.c.user_id)
        .outerjoin(load, load.c.user_id == User.id)
        .where(_online(now)).group_by(queue_members.c.queue_id))
    for queue_id, agents, assigned, capacity in rows:
        if queue_id in queues:
            q = queues[queue_id]
            q.agents_online, q.agents_load, q.agents_capacity = agents, int(assigned), int(capacity)


def _window(queues: dict[int, QueueFigures], name: str, since: dt.datetime, now: dt.datetime) -> None:
    for q in queues.values():
        q.windows[name] = WindowFigures()
    responded = _durations(Ticket.first_response_at, Ticket.first_response_met, since, now)
    for queue_id, (median, p90, met, decided) in responded.items():
        w = queues[queue_id].windows[name]
        w.first_response_median, w.first_response_p90 = median, p90
        w.first_response_met, w.first_response_decided = met, decided
    for queue_id, (median, p90, met, decided) in _durations(Ticket.solved_at, Ticket.resolution_met, since, now).items():
        w = queues[queue_id].windows[name]
        w.resolution_median, w.resolution_p90 = median, p90
        w.resolution_met, w.resolution_decided = met, decided


def _durations(at, met, since: dt.datetime, now: dt.datetime) -> dict[int, tuple]:
    """{queue_id: (median, p90, targets met, targets decided)} of ``at - created_at`` over the
    tickets whose ``at`` falls in the window: one grouped query on PostgreSQL (the dashboard's
    round trips add up at scale), the interpolation by rank on SQLite."""
    where = [at >= since, at <= now]
    value = seconds_between(at, Ticket.created_at)
    counts = (_count(met.is_(True)), _count(met.is_not(None)))
    if _dialect() == "postgresql":
        rows = db.session.execute(
            select(Ticket.queue_id, func.percentile_cont(0.5).within_group(value.asc()),
                   func.percentile_cont(0.9).within_group(value.asc()), *counts)
            .where(*where).group_by(Ticket.queue_id))
        return {q: (float(p50), float(p90), int(m), int(d)) for q, p50, p90, m, d in rows}
    ps = percentiles(value, Ticket.queue_id, where)
    return {q: (ps[q][0.5], ps[q][0.9], int(m), int(d)) for q, m, d in db.session.execute(
        select(Ticket.queue_id, *counts).where(*where).group_by(Ticket.queue_id))}


# --- topic × audience ------------------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    cells: dict  # (topic, audience) → open tickets

    def cell(self, topic: str, audience: str) -> int:
        return self.cells.get((topic, audience), 0)

    def topic_total(self, topic: str) -> int:
        return sum(n for (t, _a), n in self.cells.items() if t == topic)

    def audience_total(self, audience: str) -> int:
        return sum(n for (_t, a), n in self.cells.items() if a == audience)

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def backlog_matrix() -> Matrix:
    """Open tickets by topic and audience (a ticket without a label yet counts under "none")."""
    topic = func.coalesce(Ticket.topic, NONE)
    audience = func.coalesce(Ticket.audience, NONE)
    cells = {(t, a): n for t, a, n in db.session.execute(
        select(topic, audience, func.count()).where(is_open()).group_by(topic, audience))}
    order_t = {s: i for i, s in enumerate(taxonomy.TOPICS)}
    order_a = {s: i for i, s in enumerate(taxonomy.AUDIENCES)}
    topics = tuple(sorted({t for t, _ in cells} | set(taxonomy.TOPICS), key=lambda s: (order_t.get(s, 99), s)))
    audiences = tuple(sorted({a for _, a in cells} | set(taxonomy.AUDIENCES), key=lambda s: (order_a.get(s, 99), s)))
    return Matrix(topics, audiences, cells)


# --- series for the charts --------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """Per hour over the last 7 days, oldest first: tickets opened, solved, and the backlog then."""

    hours: tuple[dt.datetime, ...]  # the start of each hour
    inflow: tuple[int, ...]
    outflow: tuple[int, ...]
    # Open tickets at the end of each hour, worked back from the backlog now and the flows; an
    # estimate: reopened tickets and tickets closed without being solved are not in the flows.
    backlog: tuple[int, ...]


def flow(now: dt.datetime, open_now: int | None = None) -> Flow:
    """The hourly series; ``open_now`` is the open backlog when the caller has counted it already."""
    last = int(now.timestamp()) // 3600
    first = last - HOURS + 1
    since = dt.datetime.fromtimestamp(first * 3600, dt.timezone.utc)

    def per_hour(column) -> dict[int, int]:
        bucket = hour_number(column)
        return {int(h): n for h, n in db.session.execute(
            select(bucket, func.count()).where(column >= since, column <= now).group_by(bucket))}

    opened, solved = per_hour(Ticket.created_at), per_hour(Ticket.solved_at)
    hours = range(first, last + 1)
    inflow = tuple(opened.get(h, 0) for h in hours)
    outflow = tuple(solved.get(h, 0) for h in hours)
    level = open_now if open_now is not None else db.session.scalar(select(func.count()).where(is_open()))
    backlog = []
    for i in reversed(range(len(inflow))):
        backlog.append(max(level, 0))
        level -= inflow[i] - outflow[i]
    return Flow(tuple(dt.datetime.fromtimestamp(h * 3600, dt.timezone.utc) for h in hours), inflow, outflow,
                tuple(reversed(backlog)))


def attainment_by_day(now: dt.datetime, days: int = 7) -> list[tuple[dt.date, float | None, float | None]]:
    """(day, first-response attainment, resolution attainment) for each of the last ``days`` UTC
    days, oldest first; None where no target was decided that day."""
    first = start_of_day(now) - dt.timedelta(days=days - 1)

    def per_day(at, met) -> dict[int, tuple[int, int]]:
        bucket = day_number(at)
        return {int(d): (int(m), int(n)) for d, m, n in db.session.execute(
            select(bucket, _count(met.is_(True)), _count(met.is_not(None)))
            .where(at >= first, at <= now).group_by(bucket))}

    responded = per_day(Ticket.first_response_at, Ticket.first_response_met)
    solved = per_day(Ticket.solved_at, Ticket.resolution_met)
    out = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        key = int(day.timestamp()) // 86400
        shares = []
        for counts in (responded, solved):
            met, decided = counts.get(key, (0, 0))
            shares.append(met / decided if decided else None)
        out.append((day.date(), *shares))
    return out


def volume(now: dt.datetime, by: str, days: int = 7) -> list[tuple[str, int]]:
    """Tickets opened in the last ``days`` by ``channel``, ``topic`` or ``language``, largest first."""
    since = now - dt.timedelta(days=days)
    if by == "channel":
        label = ChannelAccount.platform
        query = select(label, func.count()).select_from(Ticket).join(ChannelAccount, ChannelAccount.id == Ticket.channel_account_id)
    elif by in ("topic", "language"):
        label = func.coalesce(getattr(Ticket, by), literal(NONE))
        query = select(label, func.count()).select_from(Ticket)
    else:
        raise ValueError(by)
    rows = db.session.execute(query.where(Ticket.created_at >= since, Ticket.created_at <= now).group_by(label))
    return sorted(((str(k), int(n)) for k, n in rows), key=lambda r: (-r[1], r[0]))


VOLUME_BY = ("channel", "topic", "language")


def volumes(now: dt.datetime, days: int = 7) -> dict[str, list[tuple[str, int]]]:
    """``volume`` by channel, topic and language at once: on PostgreSQL one scan of the window's
    tickets grouped three ways (GROUPING SETS), on SQLite one query per way."""
    if _dialect() != "postgresql":
        return {by: volume(now, by, days) for by in VOLUME_BY}
    since = now - dt.timedelta(days=days)
    labels = (ChannelAccount.platform, func.coalesce(Ticket.topic, literal(NONE)),
              func.coalesce(Ticket.language, literal(NONE)))
    rows = db.session.execute(
        select(*labels, func.grouping(*labels), func.count()).select_from(Ticket)
        .outerjoin(ChannelAccount, ChannelAccount.id == Ticket.channel_account_id)
        .where(Ticket.created_at >= since, Ticket.created_at <= now)
        .group_by(func.grouping_sets(*(tuple_(label) for label in labels))))
    # grouping() sets a bit for each argument the row is *not* grouped by (first argument highest).
    sets = {0b011: 0, 0b101: 1, 0b110: 2}
    out: dict[str, list[tuple[str, int]]] = {by: [] for by in VOLUME_BY}
    for *values, grouped, n in rows:
        position = sets[grouped]
        if values[position] is None:  # a ticket with no channel account has no platform (as volume())
            continue
        out[VOLUME_BY[position]].append((str(values[position]), int(n)))
    return {by: sorted(pairs, key=lambda r: (-r[1], r[0])) for by, pairs in out.items()}


def totals_by_queue() -> dict[int, tuple[int, int]]:
    """{queue_id: (tickets ever created, tickets solved)} for the counters of /metrics."""
    return {q: (int(c), int(s)) for q, c, s in db.session.execute(
        select(Ticket.queue_id, func.count(), _count(Ticket.solved_at.is_not(None))).group_by(Ticket.queue_id))}

