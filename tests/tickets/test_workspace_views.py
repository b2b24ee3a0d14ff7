"""Workspace pages: views and counts, live refresh, next-due, labels, escalation, merge, tags, bulk,
presence and the new-message guard on replies — each with its access rule."""
import re

from sqlalchemy import select

from inquiry.tickets import services
from inquiry.tickets.models import Message, TicketStatus
from tests.factories import PASSWORD, confident
from tests.tickets.conftest import references


def csrf_of(client, url="/tickets/"):
    html = client.get(url).data.decode()
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_views_list_and_count_the_right_tickets(client, make, db, login):
    agent = make.agent("general-public", "triage")
    mine, waiting, in_triage = make.ticket(), make.ticket(), make.ticket("triage")
    services.claim(mine, actor=agent)
    db.session.commit()
    login(agent)
    assert references(client.get("/tickets/")) == [mine.reference]  # "mine" by default
    assert set(references(client.get("/tickets/?view=unassigned"))) == {waiting.reference, in_triage.reference}
    assert references(client.get("/tickets/?view=triage")) == [in_triage.reference]
    html = client.get("/tickets/").data.decode()
    assert 'data-count="mine">1<' in html and 'data-count="unassigned">2<' in html and 'data-count="triage">1<' in html
    # Agents have no "escalated" view: asking for it shows their own.
    assert references(client.get("/tickets/?view=escalated")) == [mine.reference]
    assert client.get("/tickets/?view=bogus").status_code == 422


def test_refresh_sends_rows_only_when_something_changed(client, make, db, login):
    agent = make.agent()
    make.ticket()
    login(agent)
    first = client.get("/tickets/refresh?view=unassigned").get_json()
    assert "rows" in first and first["counts"]["unassigned"] == 1
    same = client.get(f"/tickets/refresh?view=unassigned&known={first['fingerprint']}").get_json()
    assert "rows" not in same
    newcomer = make.ticket()
    changed = client.get(f"/tickets/refresh?view=unassigned&known={first['fingerprint']}").get_json()
    assert newcomer.reference in changed["rows"] and changed["counts"]["unassigned"] == 2


def test_next_opens_the_most_due_ticket(client, make, login):
    make.ticket(priority="low")
    urgent = make.ticket(priority="urgent")
    login(make.agent())
    response = client.get("/tickets/next")
    assert response.status_code == 302 and response.headers["Location"].endswith(urgent.reference)


def test_label_correction_requeues_and_is_recorded(client, make, db, login):
    agent = make.agent("general-public", "government")
    ticket = make.ticket()
    login(agent)
    token = csrf_of(client)
    response = client.post(f"/tickets/{ticket.reference}/labels", data={
        "csrf_token": token, "topic": ticket.topic, "audience": "government", "priority": "normal", "language": "en"})
    assert response.status_code == 303
    db.session.expire_all()
    assert ticket.queue.slug == "government" and ticket.audience_source.value == "agent"
    bad = client.post(f"/tickets/{ticket.reference}/labels", data={
        "csrf_token": token, "topic": "astrology", "audience": "government", "priority": "normal", "language": "en"})
    assert bad.status_code == 422 and b"not a topic" in bad.data


def test_escalate_merge_tags_through_the_pages(client, make, db, login):
    agent = make.agent()
    ticket = make.ticket()
    other, _ = services.open_ticket(account=ticket.channel_account, contact=ticket.contact,
                                    conversation_key="other-chat", prediction=confident())
    db.session.commit()
    login(agent)
    token = csrf_of(client)
    assert client.post(f"/tickets/{ticket.reference}/escalate", data={"csrf_token": token, "reason": ""}).status_code == 422
    assert client.post(f"/tickets/{ticket.reference}/escalate",
                       data={"csrf_token": token, "reason": "Threat to a school"}).status_code == 303
    assert client.post(f"/tickets/{ticket.reference}/tags", data={"csrf_token": token, "add": "School, threat"}).status_code == 303
    db.session.expire_all()
    assert ticket.escalated_at is not None and ticket.tags == ["school", "threat"]
    page = client.get(f"/tickets/{ticket.reference}").data.decode()
    assert "Threat to a school" in page and "#school" in page
    assert other.reference in page  # the person's other ticket is listed
    wrong = client.post(f"/tickets/{other.reference}/merge", data={"csrf_token": token, "target": "INQ-0000-0000"})
    assert wrong.status_code == 422
    merged = client.post(f"/tickets/{other.reference}/merge", data={"csrf_token": token, "target": ticket.reference})
    assert merged.status_code == 303
    db.session.expire_all()
    assert other.merged_into_id == ticket.id and other.status == TicketStatus.CLOSED


def test_actions_on_other_queues_are_404(client, make, login):
    hidden = make.ticket("government")
    login(make.agent("general-public"))
    token = csrf_of(client)
    for action in ("labels", "escalate", "tags", "merge", "presence"):
        assert client.post(f"/tickets/{hidden.reference}/{action}", data={"csrf_token": token}).status_code == 404


def test_supervisor_bulk_reassigns_and_agent_cannot_give_work_away(client, make, db, login):
    supervisor = make.supervisor()
    agent = make.agent(name="Target Agent")
    a, b = make.ticket(), make.ticket()
    login(supervisor)
    token = csrf_of(client)
    response = client.post("/tickets/bulk", data={"csrf_token": token, "bulk-ids": [a.id, b.id], "bulk-action": "assign",
                                                  "bulk-assignee": agent.id, "next": "/tickets/?view=all"})
    assert response.status_code == 303 and response.headers["Location"] == "/tickets/?view=all"
    db.session.expire_all()
    assert a.assignee_id == b.assignee_id == agent.id
    client.post("/logout")
    other = make.agent()
    login(other)
    token = csrf_of(client)
    c = make.ticket()
    client.post("/tickets/bulk", data={"csrf_token": token, "bulk-ids": [c.id], "bulk-action": "assign", "bulk-assignee": agent.id})
    db.session.expire_all()
    assert c.assignee_id is None


def test_presence_heartbeat_shows_who_else_is_here(client, make, db, login):
    alice = make.agent(name="Alice")
    bob = make.agent(name="Bob")
    ticket = make.ticket()
    from inquiry.tickets import presence
    presence.beat(ticket, bob, typing=True)
    db.session.commit()
    login(alice)
    token = csrf_of(client)
    data = client.post(f"/tickets/{ticket.reference}/presence", data={"typing": "0"},
                       headers={"X-CSRFToken": token}).get_json()
    assert data["viewers"] == [{"name": "Bob", "typing": True}]
    page = client.get(f"/tickets/{ticket.reference}").data.decode()
    assert "Bob is typing" in page


def test_reply_drafted_before_a_new_message_asks_first(client, make, db, login):
    agent = make.agent()
    ticket = make.ticket()
    login(agent)
    page = client.get(f"/tickets/{ticket.reference}").data.decode()
    seen = re.search(r'id="seen-inbound-id" name="seen_inbound_id" type="hidden" value="(\d+)"', page).group(1)
    token = csrf_of(client)
    services.add_inbound(ticket, "Actually it is worse now", contact=ticket.contact, account=ticket.channel_account)
    db.session.commit()
    held = client.post(f"/tickets/{ticket.reference}/reply",
                       data={"csrf_token": token, "reply": "Thanks, noted.", "seen_inbound_id": seen})
    assert held.status_code == 409
    assert b"A new message arrived" in held.data and b"Thanks, noted." in held.data
    assert db.session.scalar(select(Message).filter_by(ticket_id=ticket.id, body="Thanks, noted.")) is None
    latest = re.search(r'id="seen-inbound-id" name="seen_inbound_id" type="hidden" value="(\d+)"', held.data.decode()).group(1)
    sent = client.post(f"/tickets/{ticket.reference}/reply",
                       data={"csrf_token": token, "reply": "Thanks, noted.", "seen_inbound_id": latest, "solve": "y"})
    assert sent.status_code == 303
    db.session.expire_all()
    assert ticket.status == TicketStatus.SOLVED
