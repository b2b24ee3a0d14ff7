"""Ticket rules: replies, notes, assignment, claiming, status life cycle, relabelling, audit."""
import threading

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus, Direction, LabelSource, Ticket, TicketStatus


def actions(db, ticket):
    return [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id))]


def test_reply_queues_delivery_opens_ticket_and_records_first_response(db, make):
    agent = make.agent("general-public")
    ticket = make.ticket("general-public")
    message = services.reply(ticket, "  We are on it.  ", actor=agent)
    db.session.commit()
    assert message.direction == Direction.OUTBOUND and message.body == "We are on it."
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert ticket.status == TicketStatus.OPEN and ticket.first_response_at is not None
    first = ticket.first_response_at
    services.reply(ticket, "Second answer", actor=agent)
    assert ticket.first_response_at == first
    assert actions(db, ticket) == ["ticket.created", "ticket.replied", "ticket.replied"]


def test_note_is_internal_and_does_not_count_as_response(db, make):
    agent = make.agent("general-public")
    ticket = make.ticket("general-public")
    note = services.add_note(ticket, "Checked with the field office", actor=agent)
    assert note.direction == Direction.NOTE and note.delivery_status is None
    assert ticket.first_response_at is None and ticket.status == TicketStatus.NEW


def test_agent_cannot_touch_a_ticket_outside_their_queues(db, make):
    agent = make.agent("education")
    ticket = make.ticket("government")
    for call in (
        lambda: services.reply(ticket, "hi", actor=agent),
        lambda: services.add_note(ticket, "hi", actor=agent),
        lambda: services.claim(ticket, actor=agent),
        lambda: services.change_status(ticket, "solved", actor=agent),
        lambda: services.update_labels(ticket, actor=agent, topic="webinars"),
        lambda: services.assign(ticket, None, actor=agent),
    ):
        with pytest.raises(NotFound):
            call()
    db.session.rollback()
    assert actions(db, ticket) == ["ticket.created"]


def test_empty_reply_is_refused(db, make):
    agent = make.agent()
    ticket = make.ticket()
    with pytest.raises(Invalid):
        services.reply(ticket, " \n ", actor=agent)


def test_status_transitions(db, make):
    agent = make.agent()
    ticket = make.ticket()
    services.change_status(ticket, "pending", actor=agent)
    services.change_status(ticket, "solved", actor=agent)
    assert ticket.solved_at is not None and ticket.open_conversation_key is None
    with pytest.raises(Conflict):
        services.change_status(ticket, "pending", actor=agent)
    services.change_status(ticket, "closed", actor=agent)
    assert ticket.closed_at is not None
    with pytest.raises(Conflict):
        services.change_status(ticket, "open", actor=agent)
    with pytest.raises(Conflict):
        services.reply(ticket, "too late", actor=agent)
    with pytest.raises(Invalid):
        services.change_status(make.ticket(), "archived", actor=agent)


def test_reopening_is_refused_when_the_conversation_has_a_newer_open_ticket(db, make, app):
    agent = make.agent()
    old = make.ticket(conversation="chat-7")
    services.change_status(old, "solved", actor=agent)
    db.session.commit()
    make.ticket(conversation="chat-7", prediction=None)  # a newer ticket on the same conversation
    with pytest.raises(Conflict):
        services.change_status(old, "open", actor=agent)


def test_agents_claim_unassigned_only_supervisors_reassign(db, make):
    ana, ben = make.agent("general-public"), make.agent("general-public")
    boss = make.supervisor()
    ticket = make.ticket("general-public")
    services.assign(ticket, ana, actor=ana)
    assert ticket.assignee_id == ana.id
    with pytest.raises(Forbidden):
        services.assign(ticket, ben, actor=ben)
    with pytest.raises(Conflict):
        services.claim(ticket, actor=ben)
    services.assign(ticket, ben, actor=boss)
    assert ticket.assignee_id == ben.id
    outsider = make.agent("education")
    with pytest.raises(Invalid):
        services.assign(ticket, outsider, actor=boss)
    services.assign(ticket, None, actor=ben)
    assert ticket.assignee_id is None


def test_simultaneous_claims_have_one_winner(app, db, make):
    agents = [make.agent("general-public") for _ in range(6)]
    ticket_id = make.ticket("general-public").id
    agent_ids = [a.id for a in agents]
    db.session.commit()  # the test's own session must not hold a transaction while threads write
    barrier = threading.Barrier(len(agent_ids))
    results = []

    def claim(user_id):
        from inquiry.auth.models import User
        from inquiry.extensions import db as _db

        with app.app_context():
            user = _db.session.get(User, user_id)
            ticket = _db.session.get(Ticket, ticket_id)
            _db.session.commit()  # hold no transaction (on SQLite: no lock) while waiting
            barrier.wait()
            try:
                services.claim(ticket, actor=user)
                _db.session.commit()
                results.append("won")
            except Conflict:
                _db.session.rollback()
                results.append("lost")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=claim, args=(uid,)) for uid in agent_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost"] * 5 + ["won"]
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).assignee_id in agent_ids


def test_correcting_audience_moves_queue_records_source_and_unassigns_outsider(db, make):
    agent = make.agent("general-public")
    ticket = make.ticket("general-public")
    services.claim(ticket, actor=agent)
    services.update_labels(ticket, actor=agent, audience="education", topic="webinars", priority="high")
    db.session.commit()
    assert ticket.queue.slug == "education"
    assert ticket.audience_source == LabelSource.AGENT and ticket.audience_set_by_id == agent.id
    assert ticket.topic == "webinars" and ticket.topic_confidence is None
    assert ticket.assignee_id is None
    event = db.session.scalars(select(AuditEvent).filter_by(action="ticket.relabelled")).one()
    assert event.before["queue"] == "general-public" and event.after["queue"] == "education"


def test_unknown_labels_are_refused(db, make):
    agent = make.agent()
    ticket = make.ticket()
    with pytest.raises(Invalid):
        services.update_labels(ticket, actor=agent, audience="aliens")
    with pytest.raises(Invalid):
        services.update_labels(ticket, actor=agent, priority="whenever")
    with pytest.raises(Invalid):
        services.update_labels(ticket, actor=agent, colour="red")
