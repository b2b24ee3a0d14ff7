"""The daily cost ledger and the figures read from it.

A day's cost = agent time × hourly rate (a language's rate, else the queue's, else the default)
+ channel fees (per ticket opened that day on a platform with a fee) + that day's share of the
fixed monthly costs (spread over the day's slices in proportion to agent time). Days are UTC.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import defaultdict
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, func, select

from inquiry.channels.models import ChannelAccount
from inquiry.costs.models import ChannelFee, CostLedger, FixedCost, RateOverride, TicketActivity
from inquiry.costs.services import current_settings
from inquiry.dbtypes import utcnow
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets.models import Queue, Ticket

log = logging.getLogger(__name__)

DIMENSIONS = ("queue", "topic", "channel", "language", "priority")
RUN_RATE_DAYS = 28


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
    return start, start + dt.timedelta(days=1)


def _key(row) -> tuple:
    return (row.queue_id, row.topic, row.platform, row.language, row.priority)


def _ticket_columns():
    return (Ticket.queue_id, Ticket.topic, ChannelAccount.platform, Ticket.language, Ticket.priority)


def daily_fixed(day: dt.date) -> float:
    """The fixed costs one day carries: each monthly amount over the days of that month."""
    monthly = db.session.scalar(select(func.coalesce(func.sum(FixedCost.monthly_amount), 0.0))) or 0.0
    return float(monthly) / calendar.monthrange(day.year, day.month)[1]


def build_ledger(day: dt.date, *, at: dt.datetime | None = None) -> int:
    """Rebuild the ledger rows of ``day`` (delete, then insert: safe to repeat); returns rows written."""
    settings = current_settings()
    overrides = {(o.kind, o.key): o.hourly_rate for o in db.session.scalars(select(RateOverride))}
    fees = {f.platform: f.fee for f in db.session.scalars(select(ChannelFee))}
    start, end = _bounds(day)
    slices: dict[tuple, dict] = defaultdict(lambda: {"agent_seconds": 0.0, "agent_cost": 0.0, "channel_fees": 0.0,
                                                     "fixed_share": 0.0, "tickets_resolved": 0})
    worked = db.session.execute(
        select(*_ticket_columns(), Queue.slug, TicketActivity.seconds)
        .join(Ticket, Ticket.id == TicketActivity.ticket_id).join(Queue, Queue.id == Ticket.queue_id)
        .join(ChannelAccount, ChannelAccount.id == Ticket.channel_account_id)
        .where(TicketActivity.day == day, TicketActivity.seconds > 0)
    )
    for row in worked:
        rate = overrides.get(("language", row.language or ""), overrides.get(("queue", row.slug), settings.hourly_rate))
        entry = slices[_key(row)]
        entry["agent_seconds"] += row.seconds
        entry["agent_cost"] += row.seconds / 3600.0 * rate
    opened = db.session.execute(
        select(*_ticket_columns(), func.count(Ticket.id).label("n"))
        .join(ChannelAccount, ChannelAccount.id == Ticket.channel_account_id)
        .where(Ticket.created_at >= start, Ticket.created_at < end, ChannelAccount.platform.in_(list(fees) or [""]))
        .group_by(*_ticket_columns())
    )
    for row in opened:
        slices[_key(row)]["channel_fees"] += fees[row.platform] * row.n
    resolved = db.session.execute(
        select(*_ticket_columns(), func.count(Ticket.id).label("n"))
        .join(ChannelAccount, ChannelAccount.id == Ticket.channel_account_id)
        .where(Ticket.solved_at >= start, Ticket.solved_at < end)
        .group_by(*_ticket_columns())
    )
    for row in resolved:
        slices[_key(row)]["tickets_resolved"] += row.n
    fixed = daily_fixed(day)
    seconds = sum(s["agent_seconds"] for s in slices.values())
    if fixed and seconds:
        for entry in slices.values():
            entry["fixed_share"] = fixed * entry["agent_seconds"] / seconds
    elif fixed:  # nobody worked: the day's fixed costs still count, on a slice of its own
        slices[(None, None, None, None, None)]["fixed_share"] = fixed
    db.session.execute(delete(CostLedger).where(CostLedger.day == day))
    built_at = at or utcnow()
    for (queue_id, topic, channel, language, priority), entry in slices.items():
        db.session.add(CostLedger(day=day, queue_id=queue_id, topic=topic, channel=channel, language=language,
                                  priority=priority, built_at=built_at, **entry))
    db.session.flush()
    return len(slices)


_last_run: dict[str, dt.datetime] = {}


def run(now: dt.datetime | None = None) -> int:
    """The worker's job: rebuild yesterday's and today's ledger, at most every COSTS_LEDGER_MINUTES."""
    now = now or utcnow()
    every = dt.timedelta(minutes=float(current_app.config.get("COSTS_LEDGER_MINUTES", 15)))
    where = current_app.config["SQLALCHEMY_DATABASE_URI"]
    last = _last_run.get(where)
    if last is not None and now - last < every:
        return 0
    today = now.date()
    build_ledger(today - dt.timedelta(days=1), at=now)
    build_ledger(today, at=now)
    db.session.commit()
    _last_run[where] = now
    return 1


# Figures -----------------------------------------------------------------------------------------


def fiscal_year(today: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the fiscal year ``today`` falls in."""
    year = today.year if today.month >= start_month else today.year - 1
    first = dt.date(year, start_month, 1)
    return first, dt.date(year + 1, start_month, 1) - dt.timedelta(days=1)


class Spend(NamedTuple):
    since: dt.date
    until: dt.date
    agent_cost: float
    channel_fees: float
    fixed: float
    agent_seconds: float
    tickets_resolved: int

    @property
    def total(self) -> float:
        return self.agent_cost + self.channel_fees + self.fixed


def spend(since: dt.date, until: dt.date) -> Spend:
    """What the ledger holds for the days ``since``..``until`` (both included)."""
    row = db.session.execute(
        select(func.coalesce(func.sum(CostLedger.agent_cost), 0.0), func.coalesce(func.sum(CostLedger.channel_fees), 0.0),
               func.coalesce(func.sum(CostLedger.fixed_share), 0.0), func.coalesce(func.sum(CostLedger.agent_seconds), 0.0),
               func.coalesce(func.sum(CostLedger.tickets_resolved), 0))
        .where(CostLedger.day >= since, CostLedger.day <= until)
    ).one()
    return Spend(since, until, float(row[0]), float(row[1]), float(row[2]), float(row[3]), int(row[4]))


def year_to_date(now: dt.datetime | None = None) -> Spend:
    """Spend from the start of the fiscal year to today (today as far as the ledger has it)."""
    today = (now or utcnow()).date()
    first, _ = fiscal_year(today, current_settings().fiscal_year_start_month)
    return spend(first, today)


class Projection(NamedTuple):
    year_to_date: Spend
    run_rate_per_day: float
    run_rate_days: int
    remaining_days: int
    year_end: float
    fiscal_year_end: dt.date


def projection(now: dt.datetime | None = None) -> Projection:
    """Year-end spend: year to date + the mean daily spend of the last 28 whole days (within the
    fiscal year; today alone if the year began today) × the days left after today."""
    today = (now or utcnow()).date()
    first, last = fiscal_year(today, current_settings().fiscal_year_start_month)
    ytd = spend(first, today)
    window_start = max(first, today - dt.timedelta(days=RUN_RATE_DAYS))
    days = (today - window_start).days
    if days > 0:
        rate = spend(window_start, today - dt.timedelta(days=1)).total / days
    else:
        days, rate = 1, ytd.total
    remaining = (last - today).days
    return Projection(ytd, rate, days, remaining, ytd.total + rate * remaining, last)


class CostRow(NamedTuple):
    key: str | None
    label: str
    cost: float
    agent_seconds: float
    resolved: int

    @property
    def per_resolved(self) -> float | None:
        return self.cost / self.resolved if self.resolved else None


def cost_per_resolved(by: str, start: dt.date, end: dt.date) -> list[CostRow]:
    """Cost, agent time and resolved inquiries per value of one dimension, days start..end."""
    if by not in DIMENSIONS:
        raise Invalid(f"cannot group by {by!r}", fields={"by": [f"one of {', '.join(DIMENSIONS)}"]})
    total = func.sum(CostLedger.agent_cost + CostLedger.channel_fees + CostLedger.fixed_share)
    measures = (total, func.sum(CostLedger.agent_seconds), func.sum(CostLedger.tickets_resolved))
    period = (CostLedger.day >= start, CostLedger.day <= end)
    if by == "queue":
        query = (select(Queue.slug, Queue.name, *measures).select_from(CostLedger)
                 .outerjoin(Queue, Queue.id == CostLedger.queue_id).where(*period).group_by(Queue.slug, Queue.name))
    else:
        column = getattr(CostLedger, by)
        query = select(column, column, *measures).where(*period).group_by(column)
    rows = [CostRow(key, label if label is not None else "(none)", float(cost or 0), float(secs or 0), int(n or 0))
            for key, label, cost, secs, n in db.session.execute(query)]
    return sorted(rows, key=lambda r: (r.key is None, -r.cost, r.label))


class BurnDown(NamedTuple):
    """The fiscal year week by week: spend so far, the budget spread evenly, the projection."""

    weeks: tuple[dt.date, ...]  # the first day of each week of the fiscal year
    spent: tuple[float | None, ...]  # cumulative spend at the end of each week (None: not yet)
    plan: tuple[float, ...]  # the budget spread evenly over the year, cumulative
    projected: tuple[float | None, ...]  # from this week on: spend so far + the run rate
    budget: float
    plan_to_date: float  # what the even spread allows up to today
    cost_per_resolved: float | None  # year to date

    @property
    def over_plan(self) -> bool:
        return self.spent_to_date > self.plan_to_date

    @property
    def spent_to_date(self) -> float:
        return next((s for s in reversed(self.spent) if s is not None), 0.0)


def burn_down(now: dt.datetime | None = None) -> BurnDown:
    """Spend against the annual budget for the supervisor dashboard: one grouped query by day."""
    now = now or utcnow()
    today = now.date()
    settings = current_settings()
    first, last = fiscal_year(today, settings.fiscal_year_start_month)
    total = func.sum(CostLedger.agent_cost + CostLedger.channel_fees + CostLedger.fixed_share)
    by_day = {day: float(cost or 0) for day, cost in db.session.execute(
        select(CostLedger.day, total).where(CostLedger.day >= first, CostLedger.day <= today).group_by(CostLedger.day))}
    year_days = (last - first).days + 1
    forecast = projection(now)
    weeks, spent, plan, projected = [], [], [], []
    running, start = 0.0, first
    while start <= last:
        end = min(start + dt.timedelta(days=6), last)
        weeks.append(start)
        plan.append(settings.annual_budget * ((end - first).days + 1) / year_days)
        if start <= today:
            running += sum(cost for day, cost in by_day.items() if start <= day <= end)
            spent.append(running)
        else:
            spent.append(None)
        if end >= today:
            days_ahead = max((end - today).days, 0)
            projected.append(forecast.year_to_date.total + forecast.run_rate_per_day * days_ahead)
        else:
            projected.append(None)
        start = end + dt.timedelta(days=1)
    ytd = forecast.year_to_date
    return BurnDown(tuple(weeks), tuple(spent), tuple(plan), tuple(projected), settings.annual_budget,
                    settings.annual_budget * ((today - first).days + 1) / year_days,
                    ytd.total / ytd.tickets_resolved if ytd.tickets_resolved else None)
