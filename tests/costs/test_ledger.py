"""The daily ledger: agent time × rate (language over queue over default) + channel fees per ticket
opened + the day's share of fixed costs, resolved tickets per slice; rebuilt idempotently; the
worker job rebuilds yesterday and today at most every COSTS_LEDGER_MINUTES."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from inquiry.costs import ledger, services
from inquiry.costs.activity import record_activity
from inquiry.costs.models import CostLedger
from inquiry.extensions import db
from inquiry.tickets import services as tickets
from inquiry.tickets.services import queue_id_for

from tests.costs.conftest import at

DAY = dt.date(2026, 3, 10)  # March: 31 days


def work(ticket, user, seconds: int, day=DAY, hour=10):
    """Beat every 5 s for ``seconds`` seconds (the first beat credits nothing)."""
    start = at(day, hour)
    for s in range(0, seconds + 1, 5):
        record_activity(ticket, user, at=start + dt.timedelta(seconds=s))
    db.session.commit()


def slices(day=DAY) -> dict:
    rows = db.session.scalars(select(CostLedger).where(CostLedger.day == day))
    return {(r.queue_id, r.topic, r.channel, r.language, r.priority): r for r in rows}


def test_agent_time_times_rate_plus_fees_plus_fixed_share(make, open_at):
    admin, agent = make.admin(), make.agent("general-public", "travellers")
    english = open_at(at(DAY, 8), language="en", channel="whatsapp")
    german = open_at(at(DAY, 8), queue="travellers", topic="webinars", priority="high", language="de")
    services.set_channel_fee("whatsapp", "0.50", actor=admin)
    services.set_fixed_cost("Hosting", "3100", actor=admin)  # 100 a day in March
    db.session.commit()
    work(english, agent, 1800)
    work(german, agent, 5400, hour=12)

    assert ledger.build_ledger(DAY) == 2
    db.session.commit()
    got = slices()
    en = got[(queue_id_for("general-public"), "general", "whatsapp", "en", "normal")]
    de = got[(queue_id_for("travellers"), "webinars", "telegram", "de", "high")]
    assert en.agent_seconds == 1800 and en.agent_cost == pytest.approx(0.5 * 37.30)
    assert de.agent_seconds == 5400 and de.agent_cost == pytest.approx(1.5 * 37.30)
    assert en.channel_fees == pytest.approx(0.50) and de.channel_fees == 0  # telegram has no fee
    assert en.fixed_share == pytest.approx(25.0) and de.fixed_share == pytest.approx(75.0)  # by agent time
    assert en.total == pytest.approx(18.65 + 0.50 + 25.0)
    assert sum(r.total for r in got.values()) == pytest.approx(2 * 37.30 + 0.50 + 100.0)


def test_a_language_rate_wins_over_a_queue_rate_which_wins_over_the_default(make, open_at):
    admin, agent = make.admin(), make.agent("general-public", "travellers")
    services.set_rate_override("language", "fr", "60", actor=admin)
    services.set_rate_override("queue", "travellers", "45", actor=admin)
    db.session.commit()
    french = open_at(at(DAY, 8), queue="travellers", language="fr")
    spanish = open_at(at(DAY, 8), queue="travellers", language="es")
    english = open_at(at(DAY, 8), language="en")
    for ticket in (french, spanish, english):
        work(ticket, agent, 3600)
    ledger.build_ledger(DAY)
    costs = {r.language: r.agent_cost for r in slices().values()}
    assert costs == {"fr": pytest.approx(60.0), "es": pytest.approx(45.0), "en": pytest.approx(37.30)}


def test_resolved_tickets_count_on_the_day_they_were_solved(make, open_at):
    agent = make.agent("general-public")
    solved = open_at(at(DAY - dt.timedelta(days=1)))
    still_open = open_at(at(DAY))
    tickets.change_status(solved, "solved", actor=agent, at=at(DAY, 15))
    db.session.commit()
    ledger.build_ledger(DAY)
    ledger.build_ledger(DAY - dt.timedelta(days=1))
    assert sum(r.tickets_resolved for r in slices().values()) == 1
    assert sum(r.tickets_resolved for r in slices(DAY - dt.timedelta(days=1)).values()) == 0
    assert still_open.solved_at is None


def test_rebuilding_a_day_replaces_it(make, open_at):
    admin, agent = make.admin(), make.agent("general-public")
    ticket = open_at(at(DAY, 8))
    work(ticket, agent, 600)
    ledger.build_ledger(DAY)
    ledger.build_ledger(DAY)
    assert db.session.scalar(select(func.count()).select_from(CostLedger)) == 1
    services.save_settings(annual_budget=1e6, fiscal_year_start_month=1, frontline_share=0.7, hourly_rate=60,
                           actor=admin)
    ledger.build_ledger(DAY)
    [row] = slices().values()
    assert row.agent_cost == pytest.approx(10.0)  # the new rate: 600 s × 60 an hour


def test_a_day_nobody_worked_still_carries_the_fixed_costs(make):
    services.set_fixed_cost("Licences", 620, actor=make.admin())  # 20 a day in March
    assert ledger.build_ledger(DAY) == 1
    [row] = slices().values()
    assert row.queue_id is None and row.fixed_share == pytest.approx(20.0) and row.agent_cost == 0


def test_an_empty_day_writes_nothing(app):
    assert ledger.build_ledger(DAY) == 0
    assert slices() == {}


def test_the_worker_job_rebuilds_yesterday_and_today_then_waits(make, open_at):
    agent = make.agent("general-public")
    now = at(DAY, 11)
    for day in (DAY - dt.timedelta(days=1), DAY):
        work(open_at(at(day, 8)), agent, 60, day=day)
    assert ledger.run(now) == 1
    assert slices(DAY) and slices(DAY - dt.timedelta(days=1))
    assert ledger.run(now + dt.timedelta(minutes=5)) == 0  # too soon
    work(open_at(at(DAY, 8)), agent, 60, hour=11)
    assert len(slices(DAY)) == 1  # not rebuilt yet: the same slice, 60 s
    assert ledger.run(now + dt.timedelta(minutes=16)) == 1
    assert sum(r.agent_seconds for r in slices(DAY).values()) == 120


def test_the_worker_runs_the_job(app):
    from inquiry.worker import jobs

    assert ("costs", ledger.run) in jobs()
