"""Workspace services: tags, escalation, merge, bulk actions, presence, automatic assignment, SLA due."""
import datetime as dt

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.tickets import assignment, bulk, escalation, inbox, merge, presence, services, tags
from inquiry.tickets.models import Message, TicketStatus
from tests.factories import confident


def second_ticket_of(db, ticket, text="A second question on another chat"):
    """Another open ticket of the same contact, in another conversation."""
    other, _ = services.open_ticket(account=ticket.channel_account, contact=ticket.contact,
                                    conversation_key=ticket.conversation_key + "-b", subject="Second",
                                    prediction=confident(ticket.queue.slug))
    services.add_inbound(other, text, contact=ticket.contact, account=ticket.channel_account)
    db.session.commit()
    return other


def actions(db, ticket):
    return [e.action for e in db.session.scalars(select(AuditEvent).filter_by(ticket_id=ticket.id).order_by(AuditEvent.id))]


# ---- tags ----

def test_tags_are_normalised_added_and_removed(db, make):
    agent = make.agent()
    ticket = make.ticket()
    assert tags.change_tags(ticket, actor=agent, add=tags.parse("Scam Wave, press, PRESS")) == ["press", "scam-wave"]
    assert tags.change_tags(ticket, actor=agent, remove=["PRESS"]) == ["scam-wave"]
    db.session.commit()
    assert ticket.tags == ["scam-wave"]
    assert "ticket.tagged" in actions(db, ticket)


def test_bad_tags_are_refused(db, make):
    agent = make.agent()
    ticket = make.ticket()
    with pytest.raises(Invalid):
        tags.change_tags(ticket, actor=agent, add=["<script>"])
    with pytest.raises(Invalid):
        tags.change_tags(ticket, actor=agent, add=[f"t{i}" for i in range(tags.MAX_TAGS + 1)])


def test_tags_need_access_to_the_ticket(db, make):
    outsider = make.agent("government")
    with pytest.raises(NotFound):
        tags.change_tags(make.ticket(), actor=outsider, add=["x"])


# ---- escalation ----

def test_escalation_goes_to_the_supervisors_view_and_back(db, make):
    agent, supervisor = make.agent(), make.supervisor()
    ticket = make.ticket()
    with pytest.raises(Invalid):
        escalation.escalate(ticket, "  ", actor=agent)
    escalation.escalate(ticket, "Caller says a life is at risk", actor=agent)
    db.session.commit()
    with pytest.raises(Conflict):
        escalation.escalate(ticket, "again", actor=agent)
    page = inbox.list_view(supervisor, inbox.View("escalated"))
    assert [t.id for t in page.pinned + page.items] == [ticket.id]
    assert inbox.view_counts(supervisor)["escalated"] == 1
    with pytest.raises(Forbidden):
        escalation.de_escalate(ticket, actor=agent)
    escalation.de_escalate(ticket, actor=supervisor)
    db.session.commit()
    assert ticket.escalated_at is None
    assert inbox.list_view(supervisor, inbox.View("escalated")).items == []
    assert {"ticket.escalated", "ticket.de_escalated"} <= set(actions(db, ticket))


# ---- merge ----

def test_merge_moves_messages_and_closes_the_source(db, make):
    agent = make.agent()
    first = make.ticket(text="My passport was stolen")
    tags.change_tags(first, actor=agent, add=["passport"])
    second = second_ticket_of(db, first, "Also, who do I call?")
    merge.merge(second, first, actor=agent)
    db.session.commit()
    bodies = [m.body for m in db.session.scalars(select(Message).filter_by(ticket_id=first.id).order_by(Message.id))]
    assert bodies == ["My passport was stolen", "Also, who do I call?"]
    assert second.status == TicketStatus.CLOSED and second.merged_into_id == first.id
    assert second.open_conversation_key is None and second.due_at is None
    assert "ticket.merged" in actions(db, second) and "ticket.merged_in" in actions(db, first)


def test_merge_only_for_the_same_person(db, make):
    agent = make.agent()
    a, b = make.ticket(), make.ticket()
    with pytest.raises(Conflict):
        merge.merge(a, b, actor=agent)
    with pytest.raises(Invalid):
        merge.merge(a, a, actor=agent)


# ---- bulk ----

def test_bulk_assign_reports_each_refusal_and_keeps_the_rest(db, make):
    supervisor = make.supervisor()
    worker = make.agent("general-public")
    ok1, ok2 = make.ticket(), make.ticket()
    elsewhere = make.ticket("government")  # the worker does not work this queue
    result = bulk.apply([ok1.id, ok2.id, elsewhere.id, 999999], "assign", actor=supervisor, assignee=worker)
    db.session.commit()
    assert sorted(result.done) == sorted([ok1.reference, ok2.reference])
    assert set(result.failed) == {elsewhere.reference, "999999"}
    assert ok1.assignee_id == worker.id and ok2.assignee_id == worker.id
    assert elsewhere.assignee_id is None


def test_bulk_solve_and_tag(db, make):
    agent = make.agent()
    a, b = make.ticket(), make.ticket()
    assert bulk.apply([a.id, b.id], "tag", actor=agent, tags="wave-1").done
    assert bulk.apply([a.id, b.id], "solve", actor=agent).done
    db.session.commit()
    assert a.status == b.status == TicketStatus.SOLVED
    assert a.tags == b.tags == ["wave-1"]


def test_bulk_refuses_nonsense(db, make):
    agent = make.agent()
    with pytest.raises(Invalid):
        bulk.apply([], "solve", actor=agent)
    with pytest.raises(Invalid):
        bulk.apply(["1; drop table"], "solve", actor=agent)
    with pytest.raises(Invalid):
        bulk.apply([1], "explode", actor=agent)
    with pytest.raises(Invalid):
        bulk.apply(list(range(1, bulk.MAX_SELECTION + 2)), "solve", actor=agent)


def test_agent_cannot_bulk_touch_other_queues(db, make):
    agent = make.agent("general-public")
    hidden = make.ticket("government")
    result = bulk.apply([hidden.id], "solve", actor=agent)
    assert result.done == [] and result.failed == {str(hidden.id): "no such ticket"}
    db.session.commit()
    assert hidden.status == TicketStatus.NEW


# ---- presence ----

def test_presence_shows_other_viewers_and_typists_until_they_go_stale(db, make):
    alice, bob = make.agent(name="Alice"), make.agent(name="Bob")
    ticket = make.ticket()
    now = utcnow()
    presence.beat(ticket, alice, at=now)
    presence.beat(ticket, bob, typing=True, at=now)
    db.session.commit()
    assert presence.others(ticket, alice, at=now) == [presence.Viewer(bob.id, "Bob", True)]
    assert presence.others(ticket, bob, at=now) == [presence.Viewer(alice.id, "Alice", False)]
    later = now + presence.STALE_AFTER + dt.timedelta(seconds=1)
    assert presence.others(ticket, alice, at=later) == []


def test_latest_inbound_id_moves_when_the_sender_writes(db, make):
    ticket = make.ticket()
    before = presence.latest_inbound_id(ticket)
    message = services.add_inbound(ticket, "one more thing", contact=ticket.contact, account=ticket.channel_account)
    db.session.commit()
    assert presence.latest_inbound_id(ticket) == message.id > before


# ---- automatic assignment ----

def _online(db, user, at, *, capacity=20, languages=None):
    user.last_seen_at, user.capacity = at, capacity
    db.session.commit()
    return user


def test_round_robin_among_online_agents_with_room_who_speak_the_language(db, make):
    from inquiry.tickets.models import Queue

    now = utcnow()
    queue = db.session.scalar(select(Queue).filter_by(slug="general-public"))
    queue.auto_assign = True
    a = _online(db, make.agent(name="A", languages=("en",)), now)
    b = _online(db, make.agent(name="B", languages=("en", "fr")), now)
    _offline = make.agent(name="Offline", languages=("en",))
    full = _online(db, make.agent(name="Full", languages=("en",)), now, capacity=0)
    tickets = [make.ticket() for _ in range(4)]
    french = make.ticket(language="fr")
    assert assignment.assign_waiting(at=now) == 5
    db.session.commit()
    owners = [t.assignee_id for t in tickets]
    assert set(owners) == {a.id, b.id}
    assert owners.count(a.id) == 2 and owners.count(b.id) == 2  # turns, not a pile on one agent
    assert french.assignee_id == b.id  # only B speaks French
    assert full.id not in owners
    assert any(e.after.get("rule") == "round-robin"
               for e in db.session.scalars(select(AuditEvent).filter_by(action="ticket.assigned")))


def test_queues_without_auto_assign_are_left_alone(db, make):
    now = utcnow()
    _online(db, make.agent(), now)
    ticket = make.ticket()
    assert assignment.assign_waiting(at=now) == 0
    assert ticket.assignee_id is None


# ---- SLA due dates ----

def test_due_dates_follow_priority_reply_pending_and_solve(db, make):
    """Round-the-clock targets (urgent, high); business hours are tested in tests/sla."""
    agent = make.agent()
    urgent = make.ticket(priority="urgent")
    ticket = make.ticket(priority="high")
    assert urgent.due_at - urgent.created_at == dt.timedelta(minutes=15)
    assert ticket.due_at - ticket.created_at == dt.timedelta(hours=1)
    services.update_labels(ticket, actor=agent, priority="urgent")
    assert ticket.due_at - ticket.created_at == dt.timedelta(minutes=15)
    services.reply(ticket, "We are on it.", actor=agent)
    assert ticket.first_response_due_at is None and ticket.first_response_met is True
    assert ticket.due_at == ticket.resolution_due_at  # only the resolution clock runs now
    services.change_status(ticket, "pending", actor=agent)
    assert ticket.due_at is None  # waiting on the sender: paused
    at = utcnow()
    services.add_inbound(ticket, "Here is the detail you asked for", contact=ticket.contact,
                         account=ticket.channel_account, at=at)
    assert ticket.status == TicketStatus.OPEN
    assert ticket.next_response_due_at == at + dt.timedelta(minutes=15)
    assert ticket.due_at == ticket.next_response_due_at
    services.change_status(ticket, "solved", actor=agent)
    assert ticket.due_at is None and ticket.resolution_met is True


def test_next_due_opens_my_most_due_ticket_first(db, make):
    agent = make.agent()
    unassigned_urgent = make.ticket(priority="urgent")
    mine = make.ticket(priority="low")
    services.claim(mine, actor=agent)
    db.session.commit()
    assert inbox.next_due(agent).id == mine.id
    services.change_status(mine, "solved", actor=agent)
    db.session.commit()
    assert inbox.next_due(agent).id == unassigned_urgent.id


def test_topic_correction_takes_a_ticket_out_of_triage(db, make):
    agent = make.agent("triage", "government")
    ticket = make.ticket("triage")
    ticket.audience = "government"
    db.session.commit()
    assert ticket.queue.slug == "triage"
    services.update_labels(ticket, actor=agent, topic="crime-enablers")
    db.session.commit()
    assert ticket.queue.slug == "government"
