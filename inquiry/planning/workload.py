"""The workload model, for queues whose target is hours (email, social posts, letters), and what
covered seats cost in full-time equivalents.

When the promise is "answered within four hours", contacts can wait their turn: what matters is
that the work arriving within one response window is done within that window, at an occupancy
agents can sustain. Queueing formulas would overstaff such queues badly, so there is no Erlang
here, only arithmetic.

Coverage: keeping one seat filled around the clock is 168 seat-hours a week. A full-timer is
contracted for 37.5 hours, of which shrinkage (leave, sickness, training, meetings, breaks; 30 %
is typical) takes a share, so one 24/7 seat costs 168 ÷ (37.5 × 0.7) = 6.4 FTE.
"""
from __future__ import annotations

import math

from inquiry.planning.checks import number, share, whole

HOURS_PER_WEEK = 168.0
DEFAULT_MAX_OCCUPANCY = 0.85  # the sustainable share of logged-in time spent on contacts
DEFAULT_CONTRACTED_HOURS = 37.5  # a full-time week
DEFAULT_SHRINKAGE = 0.3  # paid time not available to the queue


def workload_agents(arrivals: float, aht: float, window: float, max_occupancy: float = DEFAULT_MAX_OCCUPANCY) -> int:
    """Agents needed to handle the ``arrivals`` of one response window (``window`` seconds) within
    it: ceil(arrivals × aht ÷ (window × max_occupancy)); at least 1 when anything arrives."""
    arrivals = number("arrivals", arrivals)
    aht = number("aht", aht, strict=True)
    window = number("window", window, strict=True)
    max_occupancy = share("max_occupancy", max_occupancy, allow_one=True)
    if arrivals == 0:
        return 0
    return max(1, math.ceil(round(arrivals * aht / (window * max_occupancy), 9)))


def required_fte(seat_hours_per_week: float, contracted_hours: float = DEFAULT_CONTRACTED_HOURS,
                 shrinkage: float = DEFAULT_SHRINKAGE) -> float:
    """Full-time equivalents that keep ``seat_hours_per_week`` of seats filled once shrinkage is
    paid: seat-hours ÷ (contracted hours × (1 − shrinkage))."""
    seat_hours = number("seat_hours_per_week", seat_hours_per_week)
    contracted = number("contracted_hours", contracted_hours, strict=True)
    shrinkage = share("shrinkage", shrinkage, allow_zero=True)
    return seat_hours / (contracted * (1.0 - shrinkage))


def fte_for_coverage(hours_per_week_covered: float, contracted_hours: float = DEFAULT_CONTRACTED_HOURS,
                     shrinkage: float = DEFAULT_SHRINKAGE, seats: int = 1) -> float:
    """FTE a coverage floor costs: ``seats`` kept filled for ``hours_per_week_covered`` hours a
    week. With the defaults a 24/7 seat (168 h) is 168 ÷ (37.5 × 0.7) = 6.4 FTE."""
    hours = number("hours_per_week_covered", hours_per_week_covered)
    if hours > HOURS_PER_WEEK:
        raise ValueError(f"a week has {HOURS_PER_WEEK:g} hours, not {hours:g}")
    return required_fte(hours * whole("seats", seats), contracted_hours, shrinkage)
