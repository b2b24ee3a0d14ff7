"""The supervisor dashboard's figures, counted in SQL, never by a Python loop over tickets.

At a million tickets the cost is in visiting the rows, not in counting them, so the page makes
one pass per kind of row (``Scans``): the open tickets, and the tickets opened, first answered and
solved in the last 7 days. Each pass is grouped several ways at once (GROUPING SETS on
PostgreSQL; one query per grouping on SQLite, the embedded database of small desks) and every
figure, table and chart reads the pass it needs.

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
from functools import cached_property

from sqlalchemy import Integer, and_, case, cast, func, literal, select, tuple_

from inquiry import taxonomy
from inquiry.auth.models import User, queue_members
from inquiry.channels.models import ChannelAccount
from inquiry.dbtypes import utcnow
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


# --- one pass per kind of row ----------------------------------------------------------------

SPAN = dt.timedelta(days=7)  # the furthest back any figure looks
PS = ((0.5, "p50"), (0.9, "p90"))


def grouped(groupings: dict[str, tuple], measures: dict, where, *, joins=()) -> dict[str, dict]:
    """{grouping: {key: {measure: value}}} over the tickets matching ``where``, grouped each way
    named in ``groupings`` ({name: (expression, …)}); a key is the expression's value, or the tuple
    of the values when a grouping has several. PostgreSQL reads the rows once (GROUPING SETS);
    SQLite runs one query per grouping with the same expressions."""

    def query(*keys):
        q = select(*keys, *(m.label(name) for name, m in measures.items())).select_from(Ticket)
        for target, on in joins:
            q = q.outerjoin(target, on)
        return q.where(*where)

    out: dict[str, dict] = {name: {} for name in groupings}
    if _dialect() != "postgresql":
        for name, keys in groupings.items():
            for row in db.session.execute(query(*keys).group_by(*keys)):
                values = tuple(row[:len(keys)])
                out[name][values[0] if len(keys) == 1 else values] = {m: row._mapping[m] for m in measures}
        return out
    columns: list = []  # every grouping expression once (the same object renders the same SQL)
    for keys in groupings.values():
        columns += [k for k in keys if not any(k is c for c in columns)]
    # grouping() sets a bit for each argument a row is *not* grouped by, the first argument highest.
    masks = {sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if not any(c is k for k in keys)): name
             for name, keys in groupings.items()}
    positions = {name: [next(i for i, c in enumerate(columns) if c is k) for k in keys]
                 for name, keys in groupings.items()}
    rows = db.session.execute(
        query(*(c.label(f"g{i}") for i, c in enumerate(columns)), func.grouping(*columns).label("grouped_by"))
        .group_by(func.grouping_sets(*(tuple_(*keys) for keys in groupings.values()))))
    for row in rows:
        name = masks[row.grouped_by]
        values = tuple(row[i] for i in positions[name])
        out[name][values[0] if len(values) == 1 else values] = {m: row._mapping[m] for m in measures}
    return out


class Scans:
    """The dashboard's passes over tickets as of ``now``: each made on first use and shared by
    every figure that reads it, so one page visits each row at most once."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.today = start_of_day(now)

    @cached_property
    def open(self) -> dict[str, dict]:
        """Open tickets by queue, by topic × audience and by assignee (from the partial index)."""
        now = self.now
        return grouped(
            {"queue": (Ticket.queue_id,),
             "matrix": (func.coalesce(Ticket.topic, NONE), func.coalesce(Ticket.audience, NONE)),
             "assignee": (Ticket.assignee_id,)},
            {"n": func.count(), "oldest": func.min(Ticket.created_at), "running": func.count(Ticket.due_at),
             "breached": _count(Ticket.due_at <= now),
             "at_risk": _count(and_(Ticket.due_at > now, Ticket.at_risk_at <= now))},
            [is_open()])

    @cached_property
    def created(self) -> dict[str, dict]:
        """Tickets opened in the last 7 days: per queue and hour, and by channel, topic and language."""
        return self._timeline(
            Ticket.created_at,
            extra={"channel": (ChannelAccount.platform,), "topic": (func.coalesce(Ticket.topic, literal(NONE)),),
                   "language": (func.coalesce(Ticket.language, literal(NONE)),)},
            joins=((ChannelAccount, ChannelAccount.id == Ticket.channel_account_id),))

    @cached_property
    def responded(self) -> dict[str, dict]:
        """Tickets first answered in the last 7 days, with the first-response target's verdicts."""
        return self._timeline(Ticket.first_response_at, Ticket.first_response_met)

    @cached_property
    def solved(self) -> dict[str, dict]:
        """Tickets solved in the last 7 days, with the resolution target's verdicts."""
        return self._timeline(Ticket.solved_at, Ticket.resolution_met)

    def _timeline(self, at, met=None, *, extra=None, joins=()) -> dict[str, dict]:
        """Tickets whose ``at`` fell in the last 7 days, per queue and per hour (and ``extra``):
        how many, how many today, and with ``met``, per window the targets met and decided and
        the median and p90 of ``at - created_at``."""
        now, postgres = self.now, _dialect() == "postgresql"
        measures = {"n": func.count(), "today": _count(at >= self.today)}
        value = seconds_between(at, Ticket.created_at)
        if met is not None:
            for name, span in WINDOWS:
                inside = at >= now - span
                measures[f"met_{name}"] = _count(and_(inside, met.is_(True)))
                measures[f"decided_{name}"] = _count(and_(inside, met.is_not(None)))
                if postgres:
                    for p, label in PS:
                        measures[f"{label}_{name}"] = func.percentile_cont(p).within_group(value.asc()).filter(inside)
        out = grouped({"queue": (Ticket.queue_id,), "hour": (hour_number(at),), **(extra or {})}, measures,
                      [at >= now - SPAN, at <= now], joins=joins)
        if met is not None and not postgres:
            for name, span in WINDOWS:
                for queue_id, ps in percentiles(value, Ticket.queue_id, [at >= now - span, at <= now]).items():
                    out["queue"][queue_id].update({f"{label}_{name}": ps[p] for p, label in PS})
        return out


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


def _seconds(value) -> float | None:
    return None if value is None else float(value)


def queue_figures(now: dt.datetime, scans: Scans | None = None) -> list[QueueFigures]:
    """Every queue's figures as of ``now``, ordered by slug."""
    scans = scans or Scans(now)
    queues = {q.id: QueueFigures(q.id, q.slug, q.name) for q in db.session.scalars(select(Queue).order_by(Queue.slug))}
    for queue_id, row in scans.open["queue"].items():
        q = queues[queue_id]
        q.open_backlog, q.breached_now, q.at_risk_now = row["n"], int(row["breached"]), int(row["at_risk"])
        q.running_clocks, q.oldest_open_at = int(row["running"]), row["oldest"]
    for queue_id, row in scans.created["queue"].items():
        queues[queue_id].new_today = int(row["today"])
    for queue_id, row in scans.solved["queue"].items():
        queues[queue_id].solved_today = int(row["today"])
    _agents(queues, now, scans.open["assignee"])
    for name, _span in WINDOWS:
        for q in queues.values():
            q.windows[name] = WindowFigures()
        for queue_id, row in scans.responded["queue"].items():
            w = queues[queue_id].windows[name]
            w.first_response_median, w.first_response_p90 = _seconds(row.get(f"p50_{name}")), _seconds(row.get(f"p90_{name}"))
            w.first_response_met, w.first_response_decided = int(row[f"met_{name}"]), int(row[f"decided_{name}"])
        for queue_id, row in scans.solved["queue"].items():
            w = queues[queue_id].windows[name]
            w.resolution_median, w.resolution_p90 = _seconds(row.get(f"p50_{name}")), _seconds(row.get(f"p90_{name}"))
            w.resolution_met, w.resolution_decided = int(row[f"met_{name}"]), int(row[f"decided_{name}"])
    return list(queues.values())


def _agents(queues: dict[int, QueueFigures], now: dt.datetime, load: dict) -> None:
    """Agents online per queue, the open tickets assigned to them (``load``: the open tickets by
    assignee) and what they take at most."""
    rows = db.session.execute(
        select(queue_members.c.queue_id, User.id, User.capacity)
        .join(User, User.id == queue_members.c.user_id).where(_online(now)))
    for queue_id, user_id, capacity in rows:
        if queue_id in queues:
            q = queues[queue_id]
            q.agents_online += 1
            q.agents_load += int(load[user_id]["n"]) if user_id in load else 0
            q.agents_capacity += capacity or 0


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


def backlog_matrix(scans: Scans | None = None) -> Matrix:
    """Open tickets by topic and audience (a ticket without a label yet counts under "none")."""
    scans = scans or Scans(utcnow())
    cells = {key: int(row["n"]) for key, row in scans.open["matrix"].items()}
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


def flow(now: dt.datetime, scans: Scans | None = None) -> Flow:
    """The hourly series, the hour now begun last."""
    scans = scans or Scans(now)
    last = int(now.timestamp()) // 3600
    hours = range(last - HOURS + 1, last + 1)
    opened, solved = scans.created["hour"], scans.solved["hour"]
    inflow = tuple(int(opened[h]["n"]) if h in opened else 0 for h in hours)
    outflow = tuple(int(solved[h]["n"]) if h in solved else 0 for h in hours)
    level = sum(int(row["n"]) for row in scans.open["queue"].values())
    backlog = []
    for i in reversed(range(len(inflow))):
        backlog.append(max(level, 0))
        level -= inflow[i] - outflow[i]
    return Flow(tuple(dt.datetime.fromtimestamp(h * 3600, dt.timezone.utc) for h in hours), inflow, outflow,
                tuple(reversed(backlog)))


DAYS = 7  # the attainment chart's span, within the passes' 7 days


def attainment_by_day(now: dt.datetime, scans: Scans | None = None) -> list[tuple[dt.date, float | None, float | None]]:
    """(day, first-response attainment, resolution attainment) for each of the last 7 UTC days,
    oldest first; None where no target was decided that day. Days are summed from the passes'
    hours (a UTC day is 24 of them)."""
    scans = scans or Scans(now)
    first = start_of_day(now) - dt.timedelta(days=DAYS - 1)
    first_day = int(first.timestamp()) // 86400

    def per_day(hours: dict) -> dict[int, tuple[int, int]]:
        days: dict[int, tuple[int, int]] = {}
        for hour, row in hours.items():
            if hour // 24 >= first_day:
                met, decided = days.get(hour // 24, (0, 0))
                days[hour // 24] = (met + int(row["met_7d"]), decided + int(row["decided_7d"]))
        return days

    responded, solved = per_day(scans.responded["hour"]), per_day(scans.solved["hour"])
    out = []
    for i in range(DAYS):
        shares = []
        for counts in (responded, solved):
            met, decided = counts.get(first_day + i, (0, 0))
            shares.append(met / decided if decided else None)
        out.append(((first + dt.timedelta(days=i)).date(), *shares))
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


def volumes(now: dt.datetime, scans: Scans | None = None) -> dict[str, list[tuple[str, int]]]:
    """``volume`` over the last 7 days by channel, topic and language at once, from the pass over
    the tickets opened (a ticket with no channel account has no channel, as in ``volume``)."""
    scans = scans or Scans(now)
    return {by: sorted(((str(k), int(row["n"])) for k, row in scans.created[by].items() if k is not None),
                       key=lambda r: (-r[1], r[0]))
            for by in VOLUME_BY}


def totals_by_queue() -> dict[int, tuple[int, int]]:
    """{queue_id: (tickets ever created, tickets solved)} for the counters of /metrics."""
    return {q: (int(c), int(s)) for q, c, s in db.session.execute(
        select(Ticket.queue_id, func.count(), _count(Ticket.solved_at.is_not(None))).group_by(Ticket.queue_id))}
