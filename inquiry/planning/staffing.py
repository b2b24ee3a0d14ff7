"""The staffing plan: agents, FTE and annual cost per queue × language from the desk's history,
against the frontline budget, and the SLA attainment the budget buys.

Steps, each simple enough to check by hand:

1. History: tickets created per queue × language × UTC hour over the last ``weeks`` + 1 whole
   weeks (one grouped query). The forecast per hour-of-week uses the last ``weeks``; the week
   before them lets the backtest forecast the latest week blind (WAPE/MAPE/bias per queue).
2. Per queue: its dominant priority (the most tickets; a tie goes to the more urgent) sets the
   SLA policy (the queue's own, else the priority's; channel overrides are not planned): the
   first-response target and 24/7 or business hours. Handle time is the queue's measured mean
   (workspace activity) once ``MIN_MEASURED_TICKETS`` were worked, else SLA_HANDLE_MINUTES.
3. Seats per hour (``seats.py``): Erlang C/A for targets ≤ 1 h, the workload model above. Then
   the coverage floor: every hour the queue is covered (all 168 when 24/7; the calendar's open
   hours otherwise, in the coming week with holidays left out) gets ≥ ``coverage_seats``
   seats across its languages, the shortfall on the queue's busiest language.
4. FTE = seat-hours a week ÷ (contracted hours × (1 − shrinkage)); annual cost = FTE × contracted
   hours × 52 × the hourly rate (a language's override, else the queue's, else the default). A
   full-timer is paid 52 weeks; leave and sickness are in the shrinkage.
5. The inverse (budget.py): the frontline budget (annual budget × frontline share) buys the
   coverage floors first, then seat-hours one step at a time wherever they answer the most
   forecast contacts in time per euro; the attainment reported is the share of forecast contacts
   answered within target with that seating. A greedy approximation, monotone in the budget.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from types import SimpleNamespace

import numpy as np

from inquiry.dbtypes import utcnow
from inquiry.planning import budget, history, seats
from inquiry.planning.erlang import scheduled
from inquiry.planning.forecast import backtest_weeks, forecast_weeks
from inquiry.planning.plan import PlanSettings, QueueBacktest, StaffingPlan, StaffingRow
from inquiry.planning.workload import required_fte
from inquiry.sla import calendar as cal
from inquiry.sla import policy as sla_policy
from inquiry.taxonomy import PRIORITIES, PRIORITY_RANK

__all__ = ["PlanSettings", "QueueBacktest", "StaffingPlan", "StaffingRow", "plan_staffing"]

MINUTE_TARGET_LIMIT = dt.timedelta(hours=1)  # targets up to this are planned with Erlang
_WEEK = dt.timedelta(weeks=1)
_HOUR = dt.timedelta(hours=1)
_EPOCH_HOUR_OF_WEEK = 3 * 24  # 1970-01-01 00:00 UTC was a Thursday


# --- the plan -----------------------------------------------------------------------------------

def _floor_hour(at: dt.datetime) -> dt.datetime:
    return at.astimezone(history.UTC).replace(minute=0, second=0, microsecond=0)


def _next_monday(at: dt.datetime) -> dt.datetime:
    """Monday 00:00 UTC at or after ``at``: the start of the week being planned."""
    monday = at.replace(hour=0) + dt.timedelta(days=(7 - at.weekday()) % 7)
    return monday if monday >= at else monday + _WEEK


def _dominant(counts: Counter) -> str:
    return max(PRIORITIES, key=lambda p: (counts.get(p, 0), -PRIORITY_RANK[p]))


def _open_hours(policy: sla_policy.Policy, week_start: dt.datetime) -> tuple[bool, ...]:
    """Which hours of the planned week (from ``week_start``, holidays ignored: a typical week) the
    queue is covered: all when 24/7; else those with any working time. A calendar with none
    counts as 24/7."""
    if not policy.business_hours or policy.calendar.always_open:
        return (True,) * seats.HOURS
    calendar = dataclasses.replace(policy.calendar, holidays=frozenset())
    hours = tuple(cal.between(calendar, week_start + h * _HOUR, week_start + (h + 1) * _HOUR) > 0
                  for h in range(seats.HOURS))
    return hours if any(hours) else (True,) * seats.HOURS


def plan_staffing(settings: PlanSettings, *, now: dt.datetime | None = None) -> StaffingPlan:
    """The staffing plan as of ``now`` (reads only)."""
    now = now or utcnow()
    until = _floor_hour(now)
    since = until - (settings.weeks + 1) * _WEEK
    rates = history.rates()
    plan = StaffingPlan(as_of=now, since=since, until=until, settings=settings, currency=rates.currency, rows=[],
                        backtests=[], annual_budget=rates.annual_budget, frontline_share=rates.frontline_share)
    first = history.first_ticket_at()
    # Whole weeks counted back from ``until`` that the desk's history covers (a desk younger than
    # the window has fewer; the partial week before its first whole one is left out).
    available = min(settings.weeks + 1, (until - max(since, _floor_hour(first))) // _WEEK) if first else 0
    if available < 1:
        plan.notice = "Less than one whole week of tickets: nothing to forecast from yet."
        return plan
    grids, priorities = _count_weeks(history.arrivals(since, until), until, available)
    queues = history.queues()
    handle = history.handle_times(since.date(), (until - dt.timedelta(microseconds=1)).date())
    week_start = _next_monday(until)
    rows_by_queue: dict[int, list[StaffingRow]] = defaultdict(list)
    queue_setup: dict[int, tuple] = {}
    for (queue_id, language), grid in sorted(grids.items(), key=lambda kv: (queues[kv[0][0]][0], kv[0][1] or "")):
        forecast = forecast_weeks(grid[-settings.weeks:])
        if sum(forecast) <= 0:
            continue
        if queue_id not in queue_setup:
            priority = _dominant(priorities[queue_id])
            queue_setup[queue_id] = _queue_setup(queue_id, priority, handle, settings, week_start)
        priority, policy, is_open, aht = queue_setup[queue_id]
        slug, name = queues[queue_id]
        target = policy.first_response.total_seconds()
        if policy.first_response <= MINUTE_TARGET_LIMIT:
            model = seats.ERLANG_C if settings.patience is None else seats.ERLANG_A
        else:
            model = seats.WORKLOAD
        demand = seats.Demand(model=model, arrivals=tuple(seats.shift_to_open(forecast, is_open)), is_open=is_open,
                              aht=aht or settings.default_aht, target_seconds=target,
                              max_occupancy=settings.max_occupancy, service_level=settings.service_level,
                              patience=settings.patience, window_hours=max(1, round(target / 3600)))
        rows_by_queue[queue_id].append(StaffingRow(
            queue=slug, queue_name=name, language=language, priority=priority, target_minutes=target / 60,
            business_hours=policy.business_hours, model=model, weekly_arrivals=demand.weekly_arrivals,
            aht_seconds=demand.aht, aht_source="measured" if aht else "default", peak_agents=0, peak_scheduled=0,
            seat_hours=0, floor_seat_hours=0, fte=0.0, hourly_rate=rates.rate(slug, language), annual_cost=0.0,
            planned_attainment=None, hourly_seats=demand.required(), demand=demand))
    for queue_rows in rows_by_queue.values():
        _apply_floor(queue_rows, settings.coverage_seats)
        for row in queue_rows:
            _finish(row, settings)
        plan.rows.extend(queue_rows)
    plan.backtests = _backtests(grids, queues, settings.weeks)
    _buy_with_budget(plan)
    return plan


def _count_weeks(rows, until: dt.datetime, available: int):
    """Each queue × language's counts as ``available`` whole weeks back from ``until`` (oldest
    first, 168 by hour-of-week, as forecast.py counts them), and the tickets per priority per queue."""
    end, span = history.hour_number(until), available * seats.HOURS
    grids: dict[tuple, list[list[float]]] = {}
    priorities: dict[int, list[int]] = {}
    for queue_id, language, hour, count, *by_priority in rows:
        tally = priorities.get(queue_id)
        if tally is None:
            tally = priorities[queue_id] = [0] * len(PRIORITIES)
        for i, n in enumerate(by_priority):
            tally[i] += n
        back = end - hour  # 1 for the last hour before until
        if not 1 <= back <= span:
            continue
        grid = grids.get((queue_id, language))
        if grid is None:
            grid = grids[(queue_id, language)] = [[0.0] * seats.HOURS for _ in range(available)]
        grid[available - 1 - (back - 1) // seats.HOURS][(hour + _EPOCH_HOUR_OF_WEEK) % seats.HOURS] += count
    return grids, {queue_id: Counter(dict(zip(PRIORITIES, tally))) for queue_id, tally in priorities.items()}


def _queue_setup(queue_id, priority, handle, settings, week_start):
    """(priority, policy, covered hours, measured handle time or None) of a queue."""
    policy = sla_policy.policy_for(SimpleNamespace(priority=priority, queue_id=queue_id, channel_account_id=None))
    measured = handle.get(queue_id)
    aht = measured.seconds if measured and measured.tickets >= history.MIN_MEASURED_TICKETS else None
    return priority, policy, _open_hours(policy, week_start), aht


def _apply_floor(rows: list[StaffingRow], floor: int) -> None:
    """At least ``floor`` seats across the queue's languages in every covered hour; the shortfall
    goes to the busiest language (the one a generalist is likeliest to speak)."""
    if not floor or not rows:
        return
    busiest = max(rows, key=lambda r: r.weekly_arrivals)
    for hour in range(seats.HOURS):
        if not busiest.demand.is_open[hour]:
            continue
        short = floor - sum(r.hourly_seats[hour] for r in rows)
        if short > 0:
            busiest.hourly_seats[hour] += short
            busiest.floor_seat_hours += short


def _finish(row: StaffingRow, settings: PlanSettings) -> None:
    row.seat_hours = sum(row.hourly_seats)
    row.peak_agents = max(row.hourly_seats)
    row.peak_scheduled = scheduled(row.peak_agents, settings.shrinkage)
    row.fte = required_fte(row.seat_hours, settings.contracted_hours, settings.shrinkage)
    row.annual_cost = row.fte * settings.annual_hours * row.hourly_rate
    row.planned_attainment = _attainment(row, row.hourly_seats)


def _attainment(row: StaffingRow, seating) -> float | None:
    if row.weekly_arrivals <= 0:
        return None
    return min(1.0, row.demand.answered_in_time(seating) / row.weekly_arrivals)


def _backtests(grids, queues, weeks) -> list[QueueBacktest]:
    """Forecast each queue's latest week from the ``weeks`` before it, and the desk's total's."""
    by_queue: dict[int, np.ndarray] = {}
    for (queue_id, _language), grid in grids.items():
        counts = np.asarray(grid)
        by_queue[queue_id] = by_queue[queue_id] + counts if queue_id in by_queue else counts
    named = sorted(by_queue.items(), key=lambda kv: queues[kv[0]][0])
    if not named:
        return []
    out = []
    everything = sum(counts for _, counts in named)
    for slug, counts in [(queues[qid][0], counts) for qid, counts in named] + [("(all queues)", everything)]:
        try:
            result = backtest_weeks(counts.tolist(), holdout_weeks=1, weeks=weeks)
        except ValueError:
            out.append(QueueBacktest(slug, None, None, None, 0, None, "needs two whole weeks of history"))
            continue
        out.append(QueueBacktest(slug, result.mape, result.wape, result.bias, result.hours, result.training_weeks))
    return out


# --- what the budget buys -----------------------------------------------------------------------

def _floor_seating(rows: list[StaffingRow], floor: int) -> list[list[int]]:
    """The coverage floor as a seating: in every hour a queue is covered, ``floor`` of the plan's
    own seats there, taken from the rows with the most seats that hour (then the most arrivals)
    so that the floor never costs more than the plan does."""
    seating = [[0] * seats.HOURS for _ in rows]
    by_queue: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_queue[row.queue].append(i)
    for members in by_queue.values():
        for hour in range(seats.HOURS):
            if not rows[members[0]].demand.is_open[hour]:
                continue
            need = floor
            for i in sorted(members, key=lambda i: (-rows[i].hourly_seats[hour], -rows[i].demand.arrivals[hour],
                                                    -rows[i].weekly_arrivals, i)):
                take = min(need, rows[i].hourly_seats[hour])
                seating[i][hour], need = take, need - take
    return seating


def _buy_with_budget(plan: StaffingPlan) -> None:
    """The seating the frontline budget buys (budget.py) and each row's attainment with it."""
    if not plan.rows:
        return
    s = plan.settings
    per_seat_hour = required_fte(1.0, s.contracted_hours, s.shrinkage) * s.annual_hours
    floors = _floor_seating(plan.rows, s.coverage_seats)
    bought = budget.buy([row.demand for row in plan.rows], [per_seat_hour * row.hourly_rate for row in plan.rows],
                        floors, plan.frontline_budget)
    plan.budget_cost = bought.cost
    plan.floor_cost = bought.floor_cost
    plan.budget_seat_hours = bought.seat_hours
    plan.budget_fte = required_fte(bought.seat_hours, s.contracted_hours, s.shrinkage)
    for row, seating in zip(plan.rows, bought.seats):
        row.budget_attainment = _attainment(row, seating)
