"""Expected arrivals per hour of the week, from the last few weeks of history, and how far off
that forecast would have been.

The model is deliberately plain, so a supervisor can check it by hand: the mean count of each
hour-of-week over the history (its weekly shape), scaled by the recent level — last week's total
÷ the mean weekly total. Equivalently: the average share of each hour in a week × last week's
total. A step change in volume therefore shows up in next week's forecast at once, while the
shape is still averaged over several weeks.

``forecast_weeks`` and ``backtest_weeks`` take the weeks already counted (oldest first, each 168
counts by hour-of-week), for callers that bucket the history themselves (the staffing planner,
from one grouped query).

Inputs are plain ``(datetime, count)`` pairs, one per hour that had arrivals (hours with no row
count as zero; several rows for one hour are added up). Pass the datetimes in the time zone whose
week you plan — naive or aware, not mixed; hour-of-week 0 is Monday 00:00–01:00.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from inquiry.planning.checks import number, whole

HOURS_IN_WEEK = 168
DEFAULT_WEEKS = 8
_HOUR = dt.timedelta(hours=1)


def hour_of_week(at: dt.datetime) -> int:
    """0 for Monday 00:00–00:59 … 167 for Sunday 23:00–23:59."""
    return at.weekday() * 24 + at.hour


def _floor_hour(at) -> dt.datetime:
    if not isinstance(at, dt.datetime):
        raise ValueError(f"expected a datetime, not {at!r}")
    return at.replace(minute=0, second=0, microsecond=0)


def _weeks(weeks) -> int | None:
    if weeks is None:
        return None
    if whole("weeks", weeks) < 1:
        raise ValueError("weeks must be at least 1")
    return int(weeks)


def _weekly_counts(history: Iterable[tuple[dt.datetime, float]], weeks: int | None,
                   end: dt.datetime | None) -> list[list[float]]:
    """The last whole weeks before ``end`` (oldest first), each 168 counts by hour-of-week.

    Weeks are counted back from ``end`` (default: the hour after the latest row); only weeks the
    history wholly covers are used, and at most ``weeks`` of them.
    """
    rows = []
    for at, count in history:
        rows.append((_floor_hour(at), number("count", count)))
    if not rows:
        raise ValueError("no history: need at least one whole week of hourly counts")
    try:
        first = min(at for at, _ in rows)
        end = _floor_hour(end) if end is not None else max(at for at, _ in rows) + _HOUR
        available = (end - first) // dt.timedelta(weeks=1)
    except TypeError:
        raise ValueError("the datetimes mix naive and time-zone-aware values") from None
    if weeks is not None:
        available = min(available, weeks)
    if available < 1:
        raise ValueError("need at least one whole week of hourly counts before the end")
    grid = [[0.0] * HOURS_IN_WEEK for _ in range(available)]
    for at, count in rows:
        back = (end - at) // _HOUR  # 1 for the last hour before end
        if 1 <= back <= available * HOURS_IN_WEEK:
            grid[available - 1 - (back - 1) // HOURS_IN_WEEK][hour_of_week(at)] += count
    return grid


def forecast_weeks(grid: list[list[float]]) -> list[float]:
    """The forecast from whole weeks of counts (oldest first, each 168 by hour-of-week)."""
    if not grid:
        raise ValueError("need at least one whole week of hourly counts before the end")
    return _forecast(grid)


def _forecast(grid: list[list[float]]) -> list[float]:
    totals = [sum(week) for week in grid]
    mean_total = sum(totals) / len(grid)
    if mean_total == 0:
        return [0.0] * HOURS_IN_WEEK
    level = totals[-1] / mean_total
    return [sum(week[h] for week in grid) / len(grid) * level for h in range(HOURS_IN_WEEK)]


def hour_of_week_forecast(counts_by_hour: Iterable[tuple[dt.datetime, float]], weeks: int | None = DEFAULT_WEEKS,
                          end: dt.datetime | None = None) -> list[float]:
    """Expected arrivals for each of the 168 hours of the coming week (index = ``hour_of_week``):
    the mean per hour-of-week over the last ``weeks`` whole weeks × (last week's total ÷ the mean
    weekly total)."""
    return _forecast(_weekly_counts(counts_by_hour, _weeks(weeks), end))


@dataclass(frozen=True)
class Backtest:
    """How the forecast did on weeks it had not seen. Errors are shares (0.1 = 10 %)."""

    mape: float | None   # mean of |forecast − actual| ÷ actual over hours that had arrivals
    wape: float | None   # Σ|forecast − actual| ÷ Σ actual: the error per contact, robust to quiet hours
    bias: float | None   # (Σ forecast − Σ actual) ÷ Σ actual: > 0 means over-forecast
    holdout_weeks: int
    training_weeks: int  # weeks behind each holdout forecast (the fewest, if they differ)
    hours: int           # hours compared

    def as_dict(self) -> dict:
        return asdict(self)


def backtest(history: Iterable[tuple[dt.datetime, float]], holdout_weeks: int = 1, weeks: int | None = DEFAULT_WEEKS,
             end: dt.datetime | None = None) -> Backtest:
    """Forecast each of the last ``holdout_weeks`` whole weeks from up to ``weeks`` weeks before
    it, and score the forecasts against what arrived."""
    holdout = whole("holdout_weeks", holdout_weeks)
    if holdout < 1:
        raise ValueError("holdout_weeks must be at least 1")
    weeks = _weeks(weeks)
    span = None if weeks is None else weeks + holdout
    return backtest_weeks(_weekly_counts(history, span, end), holdout, weeks)


def backtest_weeks(grid: list[list[float]], holdout_weeks: int = 1, weeks: int | None = DEFAULT_WEEKS) -> Backtest:
    """``backtest`` on whole weeks already counted (oldest first, each 168 by hour-of-week)."""
    holdout = whole("holdout_weeks", holdout_weeks)
    if holdout < 1:
        raise ValueError("holdout_weeks must be at least 1")
    weeks = _weeks(weeks)
    if weeks is not None:
        grid = grid[-(weeks + holdout):]
    if len(grid) <= holdout:
        raise ValueError(f"need more than {holdout} whole week(s) of history to backtest {holdout}")
    errors, actual_total, forecast_total, ape, training = 0.0, 0.0, 0.0, [], []
    for index in range(len(grid) - holdout, len(grid)):
        start = 0 if weeks is None else max(0, index - weeks)
        predicted, actual = _forecast(grid[start:index]), grid[index]
        training.append(index - start)
        for f, a in zip(predicted, actual):
            errors += abs(f - a)
            actual_total += a
            forecast_total += f
            if a > 0:
                ape.append(abs(f - a) / a)
    return Backtest(
        mape=sum(ape) / len(ape) if ape else None,
        wape=errors / actual_total if actual_total else None,
        bias=(forecast_total - actual_total) / actual_total if actual_total else None,
        holdout_weeks=holdout,
        training_weeks=min(training),
        hours=holdout * HOURS_IN_WEEK,
    )
