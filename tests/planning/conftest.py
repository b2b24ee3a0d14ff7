"""A small, controlled history for the staffing planner: tickets made by the factories, then given
the creation times the scenario needs, and measured handle time written as workspace activity.

The plan is made as of Monday 2026-03-09 00:30 UTC with two weeks behind the forecast, so the
window is the three whole weeks from Monday 16 February (W1, W2, W3); W3 is the backtest's blind
week. One ticket from January says the desk's history begins before the window.

- travellers (urgent: 15 min, 24/7 → Erlang C), English: 2 tickets each Monday 10:00–11:00,
  each worked 600 s.
- corporate (normal: 4 business hours, Mon–Fri 09–17 UTC → workload), German: Tuesdays
  09:00–10:00, 4, 4 and 8 tickets; English: Wednesdays 14:00–15:00, 3 each week. No measured
  time: the default 12 minutes.
"""
import datetime as dt

import pytest
from sqlalchemy import update

from inquiry.costs.models import RateOverride, TicketActivity
from inquiry.extensions import db
from inquiry.tickets.models import Ticket


UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 9, 0, 30, tzinfo=UTC)
W1 = dt.datetime(2026, 2, 16, tzinfo=UTC)  # a Monday
WEEK = dt.timedelta(weeks=1)


def at(week: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Week 1..3 of the window, day 0 = Monday."""
    return W1 + (week - 1) * WEEK + dt.timedelta(days=day, hours=hour, minutes=minute)


@pytest.fixture
def put(make):
    """put(when, queue, priority=, language=, worked=seconds): a ticket created at ``when``."""
    worker = {}

    def _put(when, queue, *, priority="normal", language="en", worked=None):
        ticket = make.ticket(queue, priority=priority, language=language)
        db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(created_at=when, updated_at=when))
        if worked:
            if "agent" not in worker:
                worker["agent"] = make.agent(queue)
            db.session.add(TicketActivity(ticket_id=ticket.id, user_id=worker["agent"].id, day=when.date(),
                                          seconds=worked, composing_seconds=0.0, last_beat_at=when))
        db.session.commit()
        return ticket

    return _put


@pytest.fixture
def scenario(put):
    """The history described above, with rates: German 50 an hour, the travellers queue 40."""
    put(dt.datetime(2026, 1, 5, 12, tzinfo=UTC), "education")  # before the window: history began earlier
    for week in (1, 2, 3):
        for minute in (5, 35):
            put(at(week, 0, 10, minute), "travellers", priority="urgent", worked=600)
        for n in range({1: 4, 2: 4, 3: 8}[week]):
            put(at(week, 1, 9, 5 * n), "corporate", language="de")
        for n in range(3):
            put(at(week, 2, 14, 10 * n), "corporate", language="en")
    db.session.add_all([RateOverride(kind="language", key="de", hourly_rate=50.0),
                        RateOverride(kind="queue", key="travellers", hourly_rate=40.0)])
    db.session.commit()
