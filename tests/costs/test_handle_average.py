"""The mean handle time per queue the queue outlook uses: solved tickets of the period only, every
second worked on each (any day, anyone), over the tickets measured."""
import datetime as dt

from inquiry.costs.activity import HandleTime, average_handle_seconds
from inquiry.costs.models import TicketActivity
from inquiry.extensions import db
from inquiry.tickets import services as tickets
from inquiry.tickets.models import Queue

from tests.costs.conftest import UTC

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def worked(ticket, user, *seconds, solved_at=None):
    """Activity rows on consecutive days, then solve the ticket at ``solved_at``."""
    for n, s in enumerate(seconds):
        day = (ticket.created_at + n * DAY)
        db.session.add(TicketActivity(ticket_id=ticket.id, user_id=user.id, day=day.date(), seconds=s,
                                      composing_seconds=0.0, last_beat_at=day))
    if solved_at:
        tickets.change_status(ticket, "solved", actor=user, at=solved_at)
    db.session.commit()


def queue_id(slug):
    return db.session.query(Queue.id).filter_by(slug=slug).scalar()


def test_the_mean_over_solved_tickets_per_queue(make, open_at):
    boss = make.supervisor()
    public, edu = queue_id("general-public"), queue_id("education")
    worked(open_at(NOW - 5 * DAY), boss, 300, 300, solved_at=NOW - 2 * DAY)  # 600 s over two days
    worked(open_at(NOW - 4 * DAY), boss, 1200, solved_at=NOW - DAY)
    worked(open_at(NOW - 4 * DAY), boss, 9000)  # still open: half done, not counted
    worked(open_at(NOW - 40 * DAY), boss, 9000, solved_at=NOW - 30 * DAY)  # solved before the period
    worked(open_at(NOW - 4 * DAY), boss, 0.0, solved_at=NOW - DAY)  # opened, never worked: nothing measured
    worked(open_at(NOW - 3 * DAY, queue="education"), boss, 60, solved_at=NOW - DAY)
    result = average_handle_seconds([public, edu, queue_id("law-enforcement")], NOW - 14 * DAY, NOW)
    assert result == {public: HandleTime(900.0, 2), edu: HandleTime(60.0, 1)}
    assert average_handle_seconds([], NOW - 14 * DAY, NOW) == {}
