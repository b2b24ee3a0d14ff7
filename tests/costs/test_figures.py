"""Year-to-date spend, the year-end projection at the run rate of the last 28 days, and cost per
resolved inquiry by queue, topic, channel, language and priority."""
import datetime as dt

import pytest

from inquiry.costs import ledger, services
from inquiry.costs.activity import record_activity
from inquiry.costs.models import CostLedger
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets import services as tickets

from tests.costs.conftest import at


def entry(day, agent=0.0, fees=0.0, fixed=0.0, resolved=0, **dims):
    db.session.add(CostLedger(day=day, agent_cost=agent, channel_fees=fees, fixed_share=fixed, agent_seconds=0.0,
                              tickets_resolved=resolved, **dims))


@pytest.mark.parametrize("today, month, first, last", [
    (dt.date(2026, 3, 15), 1, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 3, 15), 4, dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 4, 1), 4, dt.date(2026, 4, 1), dt.date(2027, 3, 31)),
])
def test_fiscal_year(today, month, first, last):
    assert ledger.fiscal_year(today, month) == (first, last)


def test_the_defaults_apply_before_anyone_saves_settings(app):
    settings = services.current_settings()
    assert (settings.annual_budget, settings.fiscal_year_start_month, settings.frontline_share, settings.hourly_rate,
            settings.currency) == (10_000_000, 1, 0.70, 37.30, "EUR")


def test_year_to_date_and_projection(app):
    entry(dt.date(2025, 12, 31), agent=999)  # last fiscal year
    entry(dt.date(2026, 1, 10), agent=60, fees=40)
    entry(dt.date(2026, 3, 1), agent=200, fees=30, fixed=50)
    entry(dt.date(2026, 3, 15), agent=50)  # today, so far
    db.session.commit()
    now = at(dt.date(2026, 3, 15), 12)
    ytd = ledger.year_to_date(now)
    assert (ytd.agent_cost, ytd.channel_fees, ytd.fixed, ytd.total) == (310, 70, 50, 430)
    forecast = ledger.projection(now)
    # Run rate: 15 Feb–14 Mar holds 280 → 10 a day; 291 days after today to 31 Dec.
    assert forecast.run_rate_days == 28 and forecast.run_rate_per_day == pytest.approx(10.0)
    assert forecast.remaining_days == 291 and forecast.fiscal_year_end == dt.date(2026, 12, 31)
    assert forecast.year_end == pytest.approx(430 + 2910)


def test_the_run_rate_stays_within_the_fiscal_year(make):
    services.save_settings(annual_budget=1000, fiscal_year_start_month=3, frontline_share=0.5, hourly_rate=30,
                           actor=make.admin())
    entry(dt.date(2026, 2, 28), agent=1000)  # the year before
    entry(dt.date(2026, 3, 1), agent=40)
    entry(dt.date(2026, 3, 5), agent=7)
    db.session.commit()
    forecast = ledger.projection(at(dt.date(2026, 3, 5)))
    assert forecast.year_to_date.total == 47
    assert forecast.run_rate_days == 4 and forecast.run_rate_per_day == pytest.approx(10.0)
    assert forecast.year_end == pytest.approx(47 + 10 * (dt.date(2027, 2, 28) - dt.date(2026, 3, 5)).days)


def test_on_the_first_day_of_the_year_today_is_the_run_rate(app):
    entry(dt.date(2026, 1, 1), agent=20)
    db.session.commit()
    forecast = ledger.projection(at(dt.date(2026, 1, 1)))
    assert forecast.run_rate_per_day == 20 and forecast.year_end == pytest.approx(20 * 365)


def test_cost_per_resolved_by_each_dimension(make, open_at):
    agent = make.agent("general-public", "travellers")
    day = dt.date(2026, 3, 10)
    a = open_at(at(day, 8), language="en", topic="webinars", priority="high", channel="whatsapp")
    b = open_at(at(day, 8), language="en", topic="general", channel="telegram")
    c = open_at(at(day, 8), queue="travellers", language="de", topic="general", channel="telegram")
    for ticket, seconds in ((a, 3600), (b, 3600), (c, 7200)):
        for s in range(0, seconds + 1, 5):
            record_activity(ticket, agent, at=at(day, 10) + dt.timedelta(seconds=s))
    for ticket in (a, b, c):
        tickets.change_status(ticket, "solved", actor=agent, at=at(day, 16))
    d = open_at(at(day, 8), queue="travellers", language="de")  # resolved later: no resolved count yet
    for s in range(0, 3601, 5):
        record_activity(d, agent, at=at(day, 13) + dt.timedelta(seconds=s))
    db.session.commit()
    ledger.build_ledger(day)
    db.session.commit()

    def table(by):
        return {r.key: (round(r.cost, 2), r.resolved, None if r.per_resolved is None else round(r.per_resolved, 2))
                for r in ledger.cost_per_resolved(by, day, day)}

    hour = 37.30

    def figures(cost, resolved, per):
        return (round(cost, 2), resolved, round(per, 2))

    assert table("language") == {"en": figures(2 * hour, 2, hour), "de": figures(3 * hour, 1, 3 * hour)}
    assert table("queue") == {"general-public": figures(2 * hour, 2, hour), "travellers": figures(3 * hour, 1, 3 * hour)}
    assert table("channel") == {"whatsapp": figures(hour, 1, hour), "telegram": figures(4 * hour, 2, 2 * hour)}
    assert table("topic") == {"webinars": figures(hour, 1, hour), "general": figures(4 * hour, 2, 2 * hour)}
    assert table("priority") == {"high": figures(hour, 1, hour), "normal": figures(4 * hour, 2, 2 * hour)}
    assert ledger.cost_per_resolved("language", day + dt.timedelta(days=1), day + dt.timedelta(days=9)) == []


def test_an_unknown_dimension_is_refused(app):
    with pytest.raises(Invalid):
        ledger.cost_per_resolved("colour", dt.date(2026, 1, 1), dt.date(2026, 1, 2))


@pytest.mark.parametrize("typed, value", [("37.30", 37.3), ("37,30", 37.3), ("2,500,000", 2_500_000),
                                          ("10 000 000", 10_000_000), ("2,500,000.50", 2_500_000.5), (0, 0)])
def test_amounts_are_read_as_typed(typed, value):
    assert services.number(typed, "amount") == value


@pytest.mark.parametrize("typed", ["1,2,3", "1.000,50", "", "inf", "-1", "1e13", None])
def test_unreadable_or_out_of_range_amounts_are_refused(typed):
    with pytest.raises(Invalid) as refused:
        services.number(typed, "amount")
    assert "amount" in refused.value.fields


def test_burn_down_week_by_week_against_the_budget_spread_evenly(make):
    services.save_settings(annual_budget=36_500, fiscal_year_start_month=1, frontline_share=0.7, hourly_rate=30,
                           actor=make.admin())
    entry(dt.date(2025, 12, 31), agent=999)  # the year before: not in this year's line
    entry(dt.date(2026, 1, 2), agent=300, resolved=3)
    entry(dt.date(2026, 1, 9), agent=200, fees=100, resolved=2)  # second week
    db.session.commit()
    burn = ledger.burn_down(at(dt.date(2026, 1, 10), 12))
    assert burn.weeks[:3] == (dt.date(2026, 1, 1), dt.date(2026, 1, 8), dt.date(2026, 1, 15))
    assert burn.spent[:3] == (300, 600, None)  # cumulative; nothing for weeks still ahead
    assert burn.plan[0] == pytest.approx(700) and burn.plan[-1] == pytest.approx(36_500)  # 100 a day
    assert burn.plan_to_date == pytest.approx(1000) and not burn.over_plan  # 10 days: 1,000 allowed, 600 spent
    assert burn.cost_per_resolved == pytest.approx(120)
    assert burn.projected[0] is None and burn.projected[1] is not None and burn.projected[-1] > 600
