"""Deadlines on tickets: business hours, pause and resume, priority change mid-flight, reopen,
per-queue calendars and per-channel policies."""
import datetime as dt

from inquiry.sla import policy as policies
from inquiry.sla.models import BusinessCalendar, SlaPolicy
from inquiry.tickets import services
from tests.sla.conftest import utc

H = 3600


def test_normal_priority_counts_business_hours_over_the_weekend(db, open_at, make):
    friday_4pm = utc(2026, 11, 20, 16, 0)
    ticket = open_at(friday_4pm)
    assert ticket.first_response_due_at == utc(2026, 11, 23, 12, 0)  # 1 h Friday + 3 h Monday
    assert ticket.resolution_due_at == utc(2026, 11, 25, 16, 0)  # 24 business hours
    assert ticket.due_at == ticket.first_response_due_at
    # At risk once less than 25 % of the 4 h is left: 3 business hours in, Monday 11:00.
    assert ticket.at_risk_at == utc(2026, 11, 23, 11, 0)


def test_urgent_is_round_the_clock(db, open_at):
    saturday_night = utc(2026, 11, 21, 23, 50)
    ticket = open_at(saturday_night, priority="urgent")
    assert ticket.first_response_due_at == saturday_night + dt.timedelta(minutes=15)
    assert ticket.resolution_due_at == saturday_night + dt.timedelta(hours=4)


def test_queue_calendar_with_holiday_and_timezone(db, open_at):
    from inquiry.tickets.models import Queue
    from sqlalchemy import select

    paris = BusinessCalendar(name="Lyon office", timezone="Europe/Paris",
                             hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
                             holidays=[{"date": "2026-12-25", "name": "Noël"}])
    db.session.add(paris)
    db.session.flush()
    db.session.scalar(select(Queue).filter_by(slug="education")).calendar_id = paris.id
    db.session.commit()
    policies.forget()
    # Thursday 24 Dec 15:00 UTC = 16:00 in Paris: 1 h left that day, Friday is Noël, then Monday.
    ticket = open_at(utc(2026, 12, 24, 15, 0), queue="education")
    assert ticket.first_response_due_at == utc(2026, 12, 28, 11, 0)  # Monday 12:00 Paris


def test_pending_pauses_the_clock_and_the_reply_resumes_it(db, open_at, make):
    agent = make.agent()
    monday_9 = utc(2026, 11, 23, 9, 0)
    ticket = open_at(monday_9, priority="high")  # 1 h / 24 h round the clock
    services.reply(ticket, "Which city?", actor=agent, at=monday_9 + dt.timedelta(minutes=10))
    services.change_status(ticket, "pending", actor=agent, at=monday_9 + dt.timedelta(minutes=10))
    assert ticket.due_at is None and ticket.sla_paused_at is not None
    back = monday_9 + dt.timedelta(hours=5, minutes=10)  # the sender answers 5 h later
    services.add_inbound(ticket, "Lyon", contact=ticket.contact, account=ticket.channel_account, at=back)
    assert ticket.sla_paused_seconds == 5 * H
    assert ticket.resolution_due_at == monday_9 + dt.timedelta(hours=24 + 5)  # pushed by the pause
    assert ticket.next_response_due_at == back + dt.timedelta(hours=1)
    assert ticket.due_at == ticket.next_response_due_at


def test_priority_change_mid_flight_moves_the_deadlines(db, open_at, make):
    agent = make.agent()
    monday_9 = utc(2026, 11, 23, 9, 0)
    ticket = open_at(monday_9, priority="low")  # 24 h first response
    assert ticket.first_response_due_at == monday_9 + dt.timedelta(hours=24)
    services.update_labels(ticket, actor=agent, priority="urgent", at=monday_9 + dt.timedelta(minutes=5))
    assert ticket.first_response_due_at == monday_9 + dt.timedelta(minutes=15)  # counted from the start
    assert ticket.resolution_due_at == monday_9 + dt.timedelta(hours=4)


def test_reopen_starts_a_fresh_resolution_clock(db, open_at, make):
    agent = make.agent()
    monday_9 = utc(2026, 11, 23, 9, 0)
    ticket = open_at(monday_9, priority="high")
    services.reply(ticket, "Done.", actor=agent, at=monday_9 + dt.timedelta(minutes=30))
    services.change_status(ticket, "solved", actor=agent, at=monday_9 + dt.timedelta(hours=2))
    assert ticket.resolution_met is True and ticket.due_at is None
    again = monday_9 + dt.timedelta(days=2)
    services.add_inbound(ticket, "It happened again", contact=ticket.contact, account=ticket.channel_account, at=again)
    assert ticket.status.value == "open"
    assert ticket.resolution_due_at == again + dt.timedelta(hours=24)
    assert ticket.next_response_due_at == again + dt.timedelta(hours=1)
    assert ticket.resolution_met is None


def test_channel_specific_policy_wins(db, open_at):
    db.session.add(SlaPolicy(priority="normal", channel="whatsapp", first_response_minutes=30,
                             next_response_minutes=30, resolution_minutes=600, business_hours=False))
    db.session.commit()
    policies.forget()
    at = utc(2026, 11, 21, 12, 0)  # a Saturday: round the clock for WhatsApp
    on_whatsapp = open_at(at, channel="whatsapp")
    on_telegram = open_at(at, channel="telegram")
    assert on_whatsapp.first_response_due_at == at + dt.timedelta(minutes=30)
    assert on_telegram.first_response_due_at == utc(2026, 11, 23, 13, 0)  # business hours from Monday


def test_first_response_met_or_missed_is_recorded(db, open_at, make):
    agent = make.agent()
    at = utc(2026, 11, 23, 9, 0)
    late = open_at(at, priority="urgent")
    services.reply(late, "Sorry for the wait", actor=agent, at=at + dt.timedelta(minutes=20))
    assert late.first_response_met is False
