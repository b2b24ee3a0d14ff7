"""The staffing plan on a controlled history (tests/planning/conftest.py), checked against the
figures worked out by hand there and here."""
import datetime as dt
import math

import pytest
from sqlalchemy import delete

from inquiry.costs.models import BudgetSettings
from inquiry.extensions import db
from inquiry.planning import history
from inquiry.planning.staffing import PlanSettings, plan_staffing
from inquiry.sla import policy as sla_policy
from inquiry.sla.models import BusinessCalendar, SlaPolicy
from inquiry.tickets.models import Queue

from tests.planning.conftest import NOW, W1

WEEKS = 2
FTE_PER_SEAT_HOUR = 1 / (37.5 * 0.7)  # 26.25 paid, available hours a full-timer brings a week
YEAR = 37.5 * 52


def plan(app, **given):
    return plan_staffing(PlanSettings.from_config(app.config, weeks=WEEKS, **given), now=NOW)


def rows(p):
    return {(r.queue, r.language): r for r in p.rows}


def budget(annual, share=1.0):
    db.session.execute(delete(BudgetSettings))
    db.session.add(BudgetSettings(annual_budget=annual, fiscal_year_start_month=1, frontline_share=share,
                                  hourly_rate=37.30, currency="EUR"))
    db.session.commit()


def test_history_is_one_row_per_queue_language_and_hour(app, scenario):
    found = history.arrivals(W1, NOW.replace(minute=0))
    by_key = {(queue_id, language, hour): rest for queue_id, language, hour, *rest in found}
    assert len(found) == 9  # 3 weeks × (travellers en, corporate de, corporate en)
    corporate = db.session.query(Queue.id).filter_by(slug="corporate").scalar()
    third_tuesday = history.hour_number(W1 + dt.timedelta(weeks=2, days=1, hours=9))
    # count, then urgent, high, normal, low
    assert by_key[(corporate, "de", third_tuesday)] == [8, 0, 0, 8, 0]


def test_forecast_arrivals_and_the_models_chosen(app, scenario):
    p = plan(app)
    r = rows(p)
    assert set(r) == {("travellers", "en"), ("corporate", "de"), ("corporate", "en")}  # education: before the window
    urgent, german, english = r[("travellers", "en")], r[("corporate", "de")], r[("corporate", "en")]
    # Hour-of-week mean over W2 and W3 × last week ÷ mean week: German (4 + 8) / 2 × 8 / 6 = 8.
    assert urgent.weekly_arrivals == pytest.approx(2)
    assert german.weekly_arrivals == pytest.approx(8)
    assert english.weekly_arrivals == pytest.approx(3)
    policy = lambda r: (r.priority, r.target_minutes, r.business_hours, r.model)  # noqa: E731
    assert policy(urgent) == ("urgent", 15, False, "erlang_c")
    assert policy(german) == ("normal", 240, True, "workload")
    assert (urgent.aht_seconds, urgent.aht_source) == (600, "measured")
    assert (german.aht_seconds, german.aht_source) == (720, "default")  # SLA_HANDLE_MINUTES
    # Monday 10:00: 2 contacts × 600 s = 1/3 Erlang; one agent answers 1 − ⅓·e^(−⅔·900/600) in 15 min.
    assert urgent.peak_agents == 1
    assert urgent.planned_attainment == pytest.approx(1 - math.exp(-1) / 3)


def test_coverage_floors_fte_and_cost_by_hand(app, scenario):
    p = plan(app)
    r = rows(p)
    urgent, german, english = r[("travellers", "en")], r[("corporate", "de")], r[("corporate", "en")]
    # 24/7: one seat in each of the 168 hours (Erlang asked for one, at Monday 10:00): 6.4 FTE.
    assert (urgent.seat_hours, urgent.floor_seat_hours) == (168, 167)
    assert urgent.fte == pytest.approx(6.4)
    # Workload: 8 × 720 s ÷ (4 h × 0.85) < 1 seat, over the 4 open hours the window spans (Tue
    # 09–13; English Wed 14–17 and Thu 09); the other 32 of the 40 open hours get the floor, on
    # the busier language.
    assert (german.seat_hours, german.floor_seat_hours, german.peak_agents) == (36, 32, 1)
    assert (english.seat_hours, english.floor_seat_hours) == (4, 0)
    assert german.planned_attainment == english.planned_attainment == 1.0
    assert german.fte == pytest.approx(36 * FTE_PER_SEAT_HOUR)
    # Rates: the travellers queue's 40; German's 50 (a language wins); else the default 37.30.
    assert urgent.annual_cost == pytest.approx(6.4 * YEAR * 40)
    assert german.annual_cost == pytest.approx(36 * FTE_PER_SEAT_HOUR * YEAR * 50)
    assert english.annual_cost == pytest.approx(4 * FTE_PER_SEAT_HOUR * YEAR * 37.30)
    assert p.total_fte == pytest.approx((168 + 40) * FTE_PER_SEAT_HOUR)
    assert p.total_cost == pytest.approx(499_200 + 133_714.2857 + 11_083.4286, abs=0.01)
    # Default budget: 10 M × 70 % frontline.
    assert p.frontline_budget == pytest.approx(7_000_000)
    assert p.headroom == pytest.approx(7_000_000 - p.total_cost)


def test_shrinkage_changes_fte_not_seats(app, scenario):
    lean = rows(plan(app, shrinkage=0.0))[("travellers", "en")]
    assert (lean.seat_hours, lean.fte) == (168, pytest.approx(168 / 37.5))
    assert lean.peak_scheduled == 1
    assert rows(plan(app, shrinkage=0.5))[("travellers", "en")].peak_scheduled == 2


def test_backtest_error_per_queue(app, scenario):
    p = plan(app)
    tests = {b.queue: b for b in p.backtests}
    # W3 forecast from W1–W2: German 4 (8 came), English 3 (3 came).
    corporate = tests["corporate"]
    assert corporate.wape == pytest.approx(4 / 11)
    assert corporate.mape == pytest.approx((4 / 8 + 0) / 2)
    assert corporate.bias == pytest.approx((7 - 11) / 11)
    assert corporate.training_weeks == 2
    assert tests["travellers"].wape == 0
    assert "(all queues)" in tests


def test_patience_switches_minute_targets_to_erlang_a(app, scenario):
    r = rows(plan(app, patience=120))
    assert r[("travellers", "en")].model == "erlang_a"
    assert r[("corporate", "de")].model == "workload"


def test_a_queue_policy_with_a_minute_target_is_planned_with_erlang(app, scenario):
    corporate = db.session.query(Queue).filter_by(slug="corporate").one()
    db.session.add(SlaPolicy(priority="normal", queue_id=corporate.id, first_response_minutes=30,
                             next_response_minutes=60, resolution_minutes=600, business_hours=False))
    db.session.commit()
    sla_policy.forget()
    r = rows(plan(app))
    german = r[("corporate", "de")]
    assert (german.model, german.target_minutes, german.business_hours) == ("erlang_c", 30, False)
    english = r[("corporate", "en")]
    # 24/7 now: every hour but Tuesday 09:00 (German's own Erlang seats) and Wednesday 14:00
    # (English's) gets the floor seat, on German, the busier language.
    assert german.floor_seat_hours == 166 and english.floor_seat_hours == 0
    assert english.seat_hours == english.peak_agents
    assert all(g + e >= 1 for g, e in zip(german.hourly_seats, english.hourly_seats))


def test_business_hours_follow_the_queue_calendar_s_time_zone(app, scenario):
    calendar = db.session.get(BusinessCalendar, 1)  # the desk's default calendar: 09–17 on weekdays
    calendar.timezone = "Europe/Berlin"  # UTC+1 in March, before the change to summer time
    db.session.commit()
    sla_policy.forget()
    german = rows(plan(app))[("corporate", "de")]
    assert german.seat_hours == 36
    monday = german.hourly_seats[:24]
    assert monday[8] == monday[15] == 1 and monday[7] == monday[16] == 0  # 09:00–17:00 in Berlin


def test_budget_comparison_and_what_it_buys(app, scenario):
    needed = plan(app).total_cost
    floor = (168 * 40 + 36 * 50 + 4 * 37.30) * FTE_PER_SEAT_HOUR * YEAR  # one seat in every covered hour
    budget(needed)
    exact = plan(app)
    assert exact.headroom == pytest.approx(0) and exact.floor_cost == pytest.approx(floor)
    # Floors first, then seats where they answer the most: the plan's own cost buys at least as much.
    assert exact.budget_attainment >= exact.planned_attainment - 1e-12
    assert exact.budget_cost <= exact.frontline_budget
    budget(needed * 0.5)
    half = plan(app)
    assert half.headroom == pytest.approx(-needed * 0.5)
    assert half.as_dict()["attainment"]["budget_covers_floor"] is False
    assert half.budget_cost <= half.frontline_budget and half.budget_seat_hours < 208
    # The floor seats that answer contacts come first: half the money still answers as many in
    # time (what it cannot pay is cover in hours that had no tickets).
    assert half.budget_attainment == pytest.approx(half.planned_attainment)
    # One seat-hour a week at German's rate: 37.5 × 52 ÷ 26.25 × 50 = 3,714 a year. It goes where it
    # answers the most per euro: Tuesday 09:00, German's 8 contacts; the other 5 go unanswered.
    budget(3_800)
    poor = plan(app)
    assert (poor.budget_seat_hours, poor.budget_cost) == (1, pytest.approx(3714.2857))
    assert poor.budget_attainment == pytest.approx(8 / 13)


def test_attainment_rises_with_the_budget(app, scenario):
    needed = plan(app).total_cost
    bought = []
    for share in (0.0, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 3.0, 10.0):
        budget(needed * share)
        p = plan(app)
        assert p.budget_cost <= p.frontline_budget + 1e-6
        bought.append(p.budget_attainment)
    assert bought == sorted(bought)
    assert bought[0] == 0 and bought[-1] > 0.99


def test_too_little_history_is_said_not_guessed(app, put):
    put(NOW - dt.timedelta(days=3), "travellers", priority="urgent")
    p = plan(app)
    assert p.rows == [] and "one whole week" in p.notice


def test_bad_settings_are_refused(app):
    from inquiry.errors import Invalid

    with pytest.raises(Invalid, match="shrinkage"):
        PlanSettings.from_config(app.config, shrinkage=1.5)
    with pytest.raises(Invalid, match="weeks"):
        PlanSettings.from_config(app.config, weeks=0)
