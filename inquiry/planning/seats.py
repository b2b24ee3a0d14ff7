"""Seats per hour of the week for one queue × language, and the share of contacts a given seating
answers within the target. Pure: plain numbers in, plain numbers out.

A ``Demand`` is the forecast arrivals of each of the 168 hours (hour-of-week 0 = Monday 00:00
UTC) as the staffed hours see them: in a business-hours queue the arrivals of a closed hour are
moved to the next open hour, since the clock only starts when the desk opens.

- Minute-level targets (Erlang C, or Erlang A with a patience): each open hour is one interval of
  3600 s; the seats are the fewest that answer ``service_level`` of its contacts within the
  target at an occupancy ≤ the cap. The attainment of a seating is the arrival-weighted service
  level (Erlang C gives 0 to an hour with no more seats than Erlangs: its queue grows without
  bound, a pessimistic figure).
- Hour-level targets (the workload model): the work arriving within one response window (the
  trailing ``window_hours`` open hours, wrapping round the week) must be done within a window at
  the occupancy cap: ceil(arrivals × handle time ÷ (window × cap)). The attainment of a seating
  is, per open hour, min(1, capacity of the window ÷ its work), weighted by that hour's arrivals:
  the share of contacts that can be answered in time when work is taken in turn.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from inquiry.planning.erlang import agents_for, service_level
from inquiry.planning.workload import workload_agents

HOURS = 168
# Arrivals are rounded to this many decimals before the Erlang formulas (far finer than any
# forecast is right), so the many hours with the same expected arrivals are solved once.
_DECIMALS = 3
INTERVAL = 3600.0
ERLANG_C, ERLANG_A, WORKLOAD = "erlang_c", "erlang_a", "workload"


def shift_to_open(arrivals, is_open) -> list[float]:
    """Arrivals of closed hours added to the next open hour (round the week); unchanged when
    every hour is open, or none is."""
    shifted = [0.0] * HOURS
    if not any(is_open):
        return [float(a) for a in arrivals]
    for hour in range(HOURS):
        target = hour
        while not is_open[target]:
            target = (target + 1) % HOURS
        shifted[target] += float(arrivals[hour])
    return shifted


@dataclass(frozen=True)
class Demand:
    model: str
    arrivals: tuple[float, ...]  # per hour-of-week, already shifted to open hours
    is_open: tuple[bool, ...]
    aht: float  # seconds
    target_seconds: float  # the first-response target
    max_occupancy: float
    service_level: float = 0.8  # Erlang models: share to answer within the target
    patience: float | None = None  # Erlang A
    window_hours: int = 1  # workload model

    @functools.cached_property
    def open_hours(self) -> list[int]:
        return [h for h in range(HOURS) if self.is_open[h]]

    @functools.cached_property
    def window_work(self) -> dict[int, float]:
        """Open hour → arrivals within the trailing window of open hours ending there."""
        hours = self.open_hours
        k = min(self.window_hours, len(hours))
        return {hours[p]: sum(self.arrivals[hours[(p - j) % len(hours)]] for j in range(k)) for p in range(len(hours))}

    @property
    def window_seconds(self) -> float:
        return min(self.window_hours, len(self.open_hours)) * INTERVAL

    def required(self) -> list[int]:
        """Seats each hour needs to meet the target (no coverage floor)."""
        seats = [0] * HOURS
        if self.model == WORKLOAD:
            window = self.window_seconds
            for hour, work in self.window_work.items():
                seats[hour] = workload_agents(work, self.aht, window, self.max_occupancy)
            return seats
        for hour in self.open_hours:
            seats[hour] = _erlang_agents(round(self.arrivals[hour], _DECIMALS), self.aht, self.service_level,
                                         self.target_seconds, self.max_occupancy, self.patience)
        return seats

    def answered_in_time(self, seats) -> float:
        """Contacts a week answered within the target with ``seats`` per hour (same unit as arrivals)."""
        total = 0.0
        if self.model == WORKLOAD:
            window = self.window_seconds
            for hour, work in self.window_work.items():
                if self.arrivals[hour] <= 0:
                    continue
                capacity = seats[hour] * self.max_occupancy * window
                total += self.arrivals[hour] * (1.0 if work <= 0 else min(1.0, capacity / (work * self.aht)))
            return total
        for hour in self.open_hours:
            arrivals = self.arrivals[hour]
            if arrivals <= 0:
                continue
            total += arrivals * erlang_level(int(seats[hour]), round(arrivals, _DECIMALS), self.aht,
                                              self.target_seconds, self.patience)
        return total

    @property
    def weekly_arrivals(self) -> float:
        return float(sum(self.arrivals))


@functools.lru_cache(maxsize=65536)
def _erlang_agents(arrivals, aht, level, target_seconds, max_occupancy, patience) -> int:
    return agents_for(arrivals, INTERVAL, aht, level, target_seconds, max_occupancy, patience=patience).agents


@functools.lru_cache(maxsize=65536)
def erlang_level(agents, arrivals, aht, target_seconds, patience) -> float:
    return service_level(agents, arrivals * aht / INTERVAL, aht, target_seconds, patience)
