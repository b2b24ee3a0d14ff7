"""Hour-of-week forecast: recovers a weekly pattern, follows a change of level, reports its error."""
import datetime as dt
import math
import random

import pytest

from inquiry.planning.forecast import backtest, hour_of_week, hour_of_week_forecast

MONDAY = dt.datetime(2025, 1, 6)


def shape(how):
    """A weekly pattern: busy office hours, quieter weekends, a small night trickle."""
    day, hour = divmod(how, 24)
    level = 30.0 if 8 <= hour < 20 else 4.0
    return level * (0.5 if day >= 5 else 1.0)


def series(weeks, scale=lambda week: 1.0, noise=None, start=MONDAY):
    rows = []
    for i in range(weeks * 168):
        at = start + dt.timedelta(hours=i)
        mean = shape(hour_of_week(at)) * scale(i // 168)
        count = mean if noise is None else _poisson(noise, mean)
        if count:  # quiet hours have no row, as a GROUP BY would give them
            rows.append((at + dt.timedelta(minutes=17), count))
    return rows


def _poisson(rng, mean):
    # Knuth's method in pieces of 30 keeps exp(−mean) away from underflow
    total = 0
    while mean > 0:
        part, mean = min(mean, 30.0), mean - 30.0
        limit, k, p = math.exp(-part), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                break
            k += 1
        total += k
    return total


def test_hour_of_week_counts_from_monday_midnight():
    assert hour_of_week(dt.datetime(2025, 1, 6, 0, 59)) == 0
    assert hour_of_week(dt.datetime(2025, 1, 7, 9)) == 33
    assert hour_of_week(dt.datetime(2025, 1, 12, 23, 30)) == 167


def test_recovers_a_steady_weekly_pattern_exactly():
    forecast = hour_of_week_forecast(series(6))
    assert len(forecast) == 168
    assert forecast == pytest.approx([shape(h) for h in range(168)])
    result = backtest(series(6))
    assert (result.mape, result.wape, result.bias) == (0.0, 0.0, 0.0)
    assert (result.holdout_weeks, result.training_weeks, result.hours) == (1, 5, 168)


def test_week_windows_need_not_start_on_monday():
    thursday_noon = MONDAY + dt.timedelta(days=3, hours=12)
    assert hour_of_week_forecast(series(5, start=thursday_noon)) == pytest.approx([shape(h) for h in range(168)])


def test_follows_a_level_shift_at_once():
    # Four weeks at the old volume, then one week at double: the shape stays, the level is last week's.
    rows = series(5, scale=lambda week: 2.0 if week == 4 else 1.0)
    assert hour_of_week_forecast(rows) == pytest.approx([2 * shape(h) for h in range(168)])
    # Backtesting that week: the forecast from the old weeks is half of what came.
    result = backtest(rows)
    assert result.wape == pytest.approx(0.5) and result.bias == pytest.approx(-0.5)


def test_uses_only_the_most_recent_weeks():
    # Three old weeks of a night-shift pattern, then three of the current one.
    old = [(MONDAY + dt.timedelta(hours=i), 50) for i in range(3 * 168) if (i % 24) < 6]
    rows = old + series(3, start=MONDAY + dt.timedelta(weeks=3))
    assert hour_of_week_forecast(rows, weeks=3) == pytest.approx([shape(h) for h in range(168)])
    mixed = hour_of_week_forecast(rows, weeks=6)
    assert mixed[2] > shape(2) and mixed[12] < shape(12)
    assert sum(mixed) == pytest.approx(sum(shape(h) for h in range(168)))  # the level is still last week's


def test_noisy_history_backtests_close_to_the_noise_floor():
    rng = random.Random(20250106)
    rows = series(9, noise=rng)
    forecast = hour_of_week_forecast(rows, weeks=8)
    truth = [shape(h) for h in range(168)]
    assert sum(abs(f - t) for f, t in zip(forecast, truth)) / sum(truth) < 0.12
    result = backtest(rows, holdout_weeks=2, weeks=6)
    assert result.training_weeks == 6 and result.hours == 336
    # Poisson counts cannot be forecast better than their own spread; the perfect forecast's error:
    actual = [count for at, count in rows if at >= MONDAY + dt.timedelta(weeks=7)]
    floor = sum(abs(a - shape(hour_of_week(at))) for at, a in rows if at >= MONDAY + dt.timedelta(weeks=7)) / sum(actual)
    assert floor * 0.8 < result.wape < floor * 1.4
    assert abs(result.bias) < 0.1
    assert 0 < result.mape < 1


def test_end_and_missing_hours():
    rows = series(3)
    # An explicit end one week later: the last week had no rows at all, so the level is zero.
    later = MONDAY + dt.timedelta(weeks=4)
    assert hour_of_week_forecast(rows, end=later) == [0.0] * 168
    empty_week = backtest(rows, end=later)  # nothing arrived: percentage errors are undefined
    assert (empty_week.mape, empty_week.wape, empty_week.bias) == (None, None, None)
    # Several rows in one hour add up.
    doubled = rows + rows
    assert hour_of_week_forecast(doubled) == pytest.approx([2 * shape(h) for h in range(168)])


@pytest.mark.parametrize("call", [
    lambda: hour_of_week_forecast([]),
    lambda: hour_of_week_forecast(series(1)[:-5]),  # less than a whole week
    lambda: hour_of_week_forecast(series(2), weeks=0),
    lambda: hour_of_week_forecast([(MONDAY, -3), (MONDAY + dt.timedelta(weeks=2), 1)]),
    lambda: hour_of_week_forecast([(MONDAY, 1), (dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc), 1)]),
    lambda: hour_of_week_forecast([("2025-01-06", 1)]),
    lambda: backtest(series(1)),  # nothing to train on
    lambda: backtest(series(3), holdout_weeks=0),
])
def test_bad_input_is_a_value_error(call):
    with pytest.raises(ValueError):
        call()
