"""Queue-level breach prediction from backlog, arrivals and agents online."""
import datetime as dt

from inquiry.sla.outlook import outlook
from tests.sla.conftest import utc


def _row(rows, slug):
    return next(r for r in rows if r.queue == slug)


def test_no_agents_online_means_every_deadline_in_the_horizon_is_at_risk(db, open_at):
    at = utc(2026, 11, 23, 9, 0)
    for minutes in (0, 1, 2):
        open_at(at + dt.timedelta(minutes=minutes), priority="urgent")
    row = _row(outlook(at=at + dt.timedelta(minutes=3)), "general-public")
    assert row.backlog == 3 and row.agents_online == 0 and row.capacity_per_hour == 0
    assert row.predicted_breaches == 3
    assert row.first_predicted_breach == at + dt.timedelta(minutes=15)


def test_enough_agents_clear_the_backlog_in_time(db, open_at, make):
    at = utc(2026, 11, 23, 9, 0)
    for _ in range(2):
        open_at(at, priority="high")  # due in 1 h
    for n in range(4):
        agent = make.agent()
        agent.last_seen_at = at
    db.session.commit()
    row = _row(outlook(at=at), "general-public")
    # 4 agents × 5 tickets/h each, minus 2 arrivals in 3 h: plenty for 2 tickets due in an hour.
    assert row.agents_online == 4 and row.capacity_per_hour > 19
    assert row.predicted_breaches == 0


def test_one_agent_cannot_reach_a_long_backlog(db, open_at, make):
    at = utc(2026, 11, 23, 9, 0)
    for _ in range(10):
        open_at(at, priority="high")  # all due at 10:00
    agent = make.agent()
    agent.last_seen_at = at
    db.session.commit()
    row = _row(outlook(at=at), "general-public")
    # One agent clears 5 an hour (less what arrives): about half are reached in time.
    assert 5 <= row.predicted_breaches <= 10


def _measured(db, open_at, make, count, minutes, at):
    """``count`` tickets solved in the last days, each worked ``minutes`` in the workspace."""
    from inquiry.costs.models import TicketActivity
    from inquiry.tickets import services

    boss = make.supervisor()
    for n in range(count):
        opened = at - dt.timedelta(days=3, hours=n)
        ticket = open_at(opened)
        db.session.add(TicketActivity(ticket_id=ticket.id, user_id=boss.id, day=opened.date(), seconds=minutes * 60,
                                      composing_seconds=0.0, last_beat_at=opened))
        services.change_status(ticket, "solved", actor=boss, at=opened + dt.timedelta(hours=1))
    db.session.commit()


def _busy_queue(db, open_at, make, at):
    """Three tickets due within the hour, one agent online."""
    for _ in range(3):
        open_at(at, priority="high")  # due at 10:00
    agent = make.agent()
    agent.last_seen_at = at
    db.session.commit()


def test_a_long_measured_handle_time_predicts_breaches_the_default_would_not(db, open_at, make):
    at = utc(2026, 11, 23, 9, 0)
    _measured(db, open_at, make, 20, 45, at)
    _busy_queue(db, open_at, make, at)
    row = _row(outlook(at=at), "general-public")
    # 45 min a ticket: 1.33 tickets an hour, less 1 an hour arriving: none of the three is reached in time.
    assert row.handle_minutes == 45 and row.handle_measured_tickets == 20
    assert row.predicted_breaches == 3


def test_too_few_measurements_fall_back_to_the_default(db, open_at, make, app):
    at = utc(2026, 11, 23, 9, 0)
    _measured(db, open_at, make, 19, 45, at)
    _busy_queue(db, open_at, make, at)
    row = _row(outlook(at=at), "general-public")
    # 12 min a ticket: 5 an hour, less 1 arriving: the third is reached after 45 min, in time.
    assert row.handle_minutes == app.config["SLA_HANDLE_MINUTES"] == 12 and row.handle_measured_tickets == 0
    assert row.predicted_breaches == 0
    app.config["SLA_HANDLE_MIN_TICKETS"] = 19
    assert _row(outlook(at=at), "general-public").predicted_breaches == 3
