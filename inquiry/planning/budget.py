"""What a budget buys: seat-hours placed one step at a time where they answer the most contacts in
time per euro, until the next step no longer fits. Pure: plain numbers in and out.

1. Coverage first: each queue's floor (``coverage_seats`` in every hour it is covered, placed on
   seats the plan has there) is bought before anything else, a queue promised round-the-clock
   keeping that promise; if the budget cannot pay it all, the floor seats that answer the most
   contacts per euro are bought first and the empty hours go without.
2. Then, greedily: every hour of every queue × language with arrivals offers its next step, the
   few seats that raise the contacts answered in time the most per euro (several seats at once
   where Erlang needs more seats than Erlangs before anyone is answered in time). The best step
   is bought; the search stops at the first step the budget cannot pay, or when every hour
   answers ``enough`` of its contacts in time.

The steps come in the same order whatever the budget, and the budget only decides where the
sequence stops: so a larger budget never buys a lower attainment. Greedy allocation is not
guaranteed optimal (Erlang's gains are not concave everywhere), but it spends a shortfall far
better than cutting every hour by the same share.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from inquiry.planning.seats import HOURS, INTERVAL, WORKLOAD, Demand, erlang_level

ENOUGH = 0.9999  # an hour answering this share in time gets no more seats
_LOOKAHEAD = 2  # seats tried beyond the first that answers anyone in time


@dataclass(frozen=True)
class Purchase:
    seats: list[list[int]]  # per row, per hour-of-week
    cost: float  # a year
    seat_hours: int  # a week
    floor_cost: float  # a year, of the whole coverage floor (bought in full only if the budget allows)


class _Cell:
    """One row's one hour: what n seats answer in time there."""

    def __init__(self, demand: Demand, hour: int, work: float, window: float):
        self.demand, self.hour, self.work, self.window = demand, hour, work, window
        self.arrivals = demand.arrivals[hour]

    def answered(self, seats: int) -> float:
        d = self.demand
        if d.model == WORKLOAD:
            return self.arrivals * min(1.0, seats * d.max_occupancy * self.window / (self.work * d.aht))
        return self.arrivals * erlang_level(seats, round(self.arrivals, 3), d.aht, d.target_seconds, d.patience)

    def next_step(self, seats: int) -> tuple[int, float] | None:
        """(seats to add, contacts gained) with the best gain per seat; None when enough."""
        now = self.answered(seats)
        if now >= ENOUGH * self.arrivals:
            return None
        if self.demand.model == WORKLOAD:
            return 1, self.answered(seats + 1) - now
        traffic = self.arrivals * self.demand.aht / INTERVAL
        reach = max(1, math.floor(traffic) + 1 - seats) + _LOOKAHEAD
        best = max(((k, self.answered(seats + k) - now) for k in range(1, reach + 1)),
                   key=lambda step: (step[1] / step[0], -step[0]))
        return best if best[1] > 0 else None


def buy(demands: list[Demand], unit_costs: list[float], floors: list[list[int]], budget: float) -> Purchase:
    """The seating ``budget`` buys. ``unit_costs[i]``: a year's cost of one seat-hour a week in row
    i; ``floors[i]``: the coverage seats row i holds per hour in the plan (bought first)."""
    seats = [[0] * HOURS for _ in demands]
    left = budget
    cells = {(i, hour): _cell(demand, hour)
             for i, demand in enumerate(demands) for hour in demand.open_hours if demand.arrivals[hour] > 0}
    # Floor seats in the order they answer the most per euro; those in empty hours come last.
    order = sorted(((-(cells[(i, h)].answered(n) if (i, h) in cells else 0.0) / max(n * unit_costs[i], 1e-12), i, h, n)
                    for i, floor in enumerate(floors) for h, n in enumerate(floor) if n))
    floor_cost = sum(n * unit_costs[i] for _, i, _, n in order)
    for _, i, hour, n in order:
        if n * unit_costs[i] > left:
            return _purchase(seats, unit_costs, budget - left, floor_cost)
        seats[i][hour] += n
        left -= n * unit_costs[i]
    heap: list = []
    for (i, hour), cell in cells.items():
        _offer(heap, cell, i, seats[i][hour], unit_costs[i])
    while heap:
        _ratio, i, hour, k, _gain = heapq.heappop(heap)
        if k * unit_costs[i] > left:
            break
        seats[i][hour] += k
        left -= k * unit_costs[i]
        _offer(heap, cells[(i, hour)], i, seats[i][hour], unit_costs[i])
    return _purchase(seats, unit_costs, budget - left, floor_cost)


def _offer(heap, cell: _Cell, row: int, seats: int, unit_cost: float) -> None:
    step = cell.next_step(seats)
    if step is not None:
        k, gain = step
        # Best gain per euro first; ties go to the earlier row and hour, so the order is fixed.
        heapq.heappush(heap, (-gain / max(k * unit_cost, 1e-12), row, cell.hour, k, gain))


def _cell(demand: Demand, hour: int) -> _Cell:
    work = demand.window_work.get(hour, 0.0) if demand.model == WORKLOAD else 0.0
    return _Cell(demand, hour, work, demand.window_seconds)


def _purchase(seats, unit_costs, spent, floor_cost) -> Purchase:
    return Purchase(seats=seats, cost=max(0.0, spent), seat_hours=sum(map(sum, seats)), floor_cost=floor_cost)
