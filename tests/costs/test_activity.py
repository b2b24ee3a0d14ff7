"""Handle time from heartbeats: each beat credits the gap since the last, capped at two intervals;
composing time counted apart; days split at UTC midnight; the ticket page's heartbeat records it."""
import datetime as dt

from sqlalchemy import select

from inquiry.costs.activity import credit_cap, handle_time, record_activity
from inquiry.costs.models import TicketActivity
from inquiry.extensions import db

from tests.costs.conftest import at

DAY = dt.date(2026, 3, 10)


def rows(ticket):
    return list(db.session.scalars(select(TicketActivity).where(TicketActivity.ticket_id == ticket.id)
                                   .order_by(TicketActivity.day, TicketActivity.user_id)))


def beats(ticket, user, *seconds, typing=False):
    start = at(DAY)
    return [record_activity(ticket, user, at=start + dt.timedelta(seconds=s), typing=typing) for s in seconds]


def test_the_cap_is_two_heartbeat_intervals(app):
    assert app.config["WORKSPACE_HEARTBEAT_SECONDS"] == 5
    assert credit_cap() == 10.0


def test_steady_beats_add_up_the_time_between_them(make):
    agent, ticket = make.agent(), make.ticket()
    assert beats(ticket, agent, 0, 5, 10, 15, 20) == [0.0, 5.0, 5.0, 5.0, 5.0]
    db.session.commit()
    assert handle_time(ticket) == {"seconds": 20.0, "composing_seconds": 0.0}


def test_a_long_gap_is_capped_so_an_idle_or_hidden_tab_is_not_billed(make):
    agent, ticket = make.agent(), make.ticket()
    credits = beats(ticket, agent, 0, 5, 3605, 3610)  # an hour with the tab hidden: no beats
    assert credits == [0.0, 5.0, 10.0, 5.0]
    assert handle_time(ticket)["seconds"] == 20.0


def test_composing_time_is_counted_apart(make):
    agent, ticket = make.agent(), make.ticket()
    beats(ticket, agent, 0, 5)
    beats(ticket, agent, 10, 15, typing=True)
    assert handle_time(ticket) == {"seconds": 15.0, "composing_seconds": 10.0}


def test_a_repeated_or_late_beat_counts_nothing(make):
    """Two tabs on the same ticket do not double the time."""
    agent, ticket = make.agent(), make.ticket()
    assert beats(ticket, agent, 0, 10, 10, 7, 12) == [0.0, 10.0, 0.0, 0.0, 2.0]
    assert handle_time(ticket)["seconds"] == 12.0


def test_people_and_tickets_are_counted_separately(make):
    first, second = make.agent(), make.agent()
    ticket, other = make.ticket(), make.ticket()
    beats(ticket, first, 0, 5, 10)
    beats(ticket, second, 0, 5)
    beats(other, first, 0, 5)
    assert [(r.user_id, r.seconds) for r in rows(ticket)] == sorted([(first.id, 10.0), (second.id, 5.0)])
    assert handle_time(other)["seconds"] == 5.0


def test_time_after_midnight_goes_to_the_new_day(make):
    agent, ticket = make.agent(), make.ticket()
    late = dt.datetime(2026, 3, 10, 23, 59, 55, tzinfo=dt.timezone.utc)
    for s in (0, 4, 9):  # 23:59:55, 23:59:59, 00:00:04
        record_activity(ticket, agent, at=late + dt.timedelta(seconds=s))
    assert [(r.day, r.seconds) for r in rows(ticket)] == [(dt.date(2026, 3, 10), 4.0), (dt.date(2026, 3, 11), 5.0)]


def test_the_ticket_page_heartbeat_records_activity(client, make, login):
    agent = login(make.agent("general-public"))
    ticket = make.ticket()
    for typing in ("0", "1"):
        assert client.post(f"/tickets/{ticket.reference}/presence", data={"typing": typing}).status_code == 200
    [row] = rows(ticket)
    assert row.user_id == agent.id and row.day == row.last_beat_at.date()
    assert 0 < row.seconds <= 10.0 and row.composing_seconds == row.seconds  # the second beat was typing


def test_someone_who_cannot_see_the_ticket_records_nothing(client, make, login):
    login(make.agent("corporate"))
    ticket = make.ticket("general-public")
    assert client.post(f"/tickets/{ticket.reference}/presence", data={"typing": "1"}).status_code == 404
    assert rows(ticket) == []
