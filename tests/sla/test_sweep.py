"""The SLA sweep: at risk, breached, reported once, escalation rules, notifications and audit."""
import datetime as dt

from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.notifications import services as notifications
from inquiry.notifications.models import Notification
from inquiry.sla import policy as policies, sweep
from inquiry.sla.models import SlaEvent, SlaPolicy
from inquiry.tickets import services
from inquiry.tickets.models import Queue
from tests.sla.conftest import utc


def events(db, ticket):
    return [(e.kind, e.target) for e in db.session.scalars(select(SlaEvent).filter_by(ticket_id=ticket.id).order_by(SlaEvent.id))]


def test_at_risk_then_breached_each_reported_once(db, open_at, make):
    supervisor = make.supervisor()
    agent = make.agent()
    at = utc(2026, 11, 23, 9, 0)
    ticket = open_at(at, priority="urgent")
    services.claim(ticket, actor=agent, at=at)
    db.session.commit()
    assert sweep.sweep(at=at + dt.timedelta(minutes=5)) == 0
    assert sweep.sweep(at=at + dt.timedelta(minutes=12)) == 1  # less than 25 % of 15 min left
    assert sweep.sweep(at=at + dt.timedelta(minutes=13)) == 0
    assert sweep.sweep(at=at + dt.timedelta(minutes=16)) == 1
    assert sweep.sweep(at=at + dt.timedelta(minutes=30)) == 0
    db.session.commit()
    assert events(db, ticket) == [("at_risk", "first_response"), ("breached", "first_response")]
    assert ticket.sla_state == "breached"
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (agent.id, "sla.at_risk") in kinds and (supervisor.id, "sla.breached") in kinds
    assert notifications.unread_count(supervisor) == 1
    audit = [e.action for e in db.session.scalars(select(AuditEvent).filter_by(ticket_id=ticket.id))]
    assert "sla.at_risk" in audit and "sla.breached" in audit


def test_a_reply_clears_the_state_for_the_next_deadline(db, open_at, make):
    agent = make.agent()
    at = utc(2026, 11, 23, 9, 0)
    ticket = open_at(at, priority="urgent")
    sweep.sweep(at=at + dt.timedelta(minutes=16))
    services.reply(ticket, "Call 112 now; we are following up.", actor=agent, at=at + dt.timedelta(minutes=17))
    db.session.commit()
    assert ticket.sla_state == "ok" and ticket.due_at == ticket.resolution_due_at
    assert sweep.sweep(at=at + dt.timedelta(hours=4, minutes=1)) == 1
    assert events(db, ticket)[-1] == ("breached", "resolution")


def test_breach_raises_priority_and_moves_to_the_escalation_queue_once(db, open_at, make):
    escalations = db.session.scalar(select(Queue).filter_by(slug="government"))
    db.session.add(SlaPolicy(priority="low", first_response_minutes=60, next_response_minutes=60,
                             resolution_minutes=600, raise_priority=True, escalation_queue_id=escalations.id))
    db.session.commit()
    policies.forget()
    at = utc(2026, 11, 23, 9, 0)
    ticket = open_at(at, priority="low")
    assert sweep.sweep(at=at + dt.timedelta(minutes=61)) == 1
    db.session.commit()
    assert ticket.priority == "normal" and ticket.queue.slug == "government"
    assert ticket.sla_state == "breached"
    # The new (normal) target is also behind: no cascade of further raises.
    assert sweep.sweep(at=at + dt.timedelta(hours=2)) == 0
    assert ticket.priority == "normal"


def test_paused_tickets_are_not_swept(db, open_at, make):
    agent = make.agent()
    at = utc(2026, 11, 23, 9, 0)
    ticket = open_at(at, priority="high")
    services.reply(ticket, "Which city?", actor=agent, at=at)
    services.change_status(ticket, "pending", actor=agent, at=at)
    db.session.commit()
    assert sweep.sweep(at=at + dt.timedelta(days=3)) == 0
