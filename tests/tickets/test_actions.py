"""Reply, note, claim, status and assign from the ticket page: each changes the database, writes
its audit event and redirects; a refused action says why and changes nothing."""
import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus, Direction, Message, TicketStatus


def events(db, ticket) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id)
    ))


def messages(db, ticket) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)))


def fresh(db, ticket):
    db.session.expire_all()
    return db.session.get(type(ticket), ticket.id)


@pytest.fixture
def desk(make, login):
    """An agent of general-public, logged in, and one new ticket in their queue."""
    agent = make.agent("general-public")
    ticket = make.ticket("general-public")
    login(agent)
    return agent, ticket


def test_reply_queues_an_outbound_message(client, db, desk):
    agent, ticket = desk
    response = client.post(f"/tickets/{ticket.reference}/reply", data={"reply": "  Thank you, we are on it.  "})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/tickets/{ticket.reference}"

    reply = messages(db, ticket)[-1]
    assert reply.direction == Direction.OUTBOUND
    assert reply.body == "Thank you, we are on it."
    assert reply.author_id == agent.id and reply.delivery_status == DeliveryStatus.QUEUED
    ticket = fresh(db, ticket)
    assert ticket.status == TicketStatus.OPEN and ticket.first_response_at is not None
    assert events(db, ticket)[-1] == "ticket.replied"

    page = client.get(response.headers["Location"]).data.decode()
    assert "Reply queued for delivery." in page
    assert "Thank you, we are on it." in page


def test_empty_or_too_long_reply_is_refused_and_keeps_what_was_typed(client, db, app, desk):
    _agent, ticket = desk
    empty = client.post(f"/tickets/{ticket.reference}/reply", data={"reply": "   "})
    assert empty.status_code == 422
    assert b"message is empty" in empty.data

    too_long = "x" * (app.config["MESSAGE_MAX_CHARS"] + 1)
    refused = client.post(f"/tickets/{ticket.reference}/reply", data={"reply": too_long})
    assert refused.status_code == 422
    assert b"longer than" in refused.data
    assert too_long.encode() in refused.data  # the text is still in the box
    assert len(messages(db, ticket)) == 1
    assert "ticket.replied" not in events(db, ticket)


def test_note_is_internal(client, db, desk):
    agent, ticket = desk
    response = client.post(f"/tickets/{ticket.reference}/note", data={"note": "Caller sounded worried."})
    assert response.status_code == 303
    note = messages(db, ticket)[-1]
    assert note.direction == Direction.NOTE and note.author_id == agent.id and note.delivery_status is None
    assert fresh(db, ticket).status == TicketStatus.NEW  # a note answers nobody
    assert events(db, ticket)[-1] == "ticket.noted"
    page = client.get(f"/tickets/{ticket.reference}").data.decode()
    assert 'class="message message-note"' in page and "Caller sounded worried." in page


def test_claim_then_someone_else_cannot(client, db, make, login, desk):
    agent, ticket = desk
    response = client.post(f"/tickets/{ticket.reference}/claim")
    assert response.status_code == 303
    assert fresh(db, ticket).assignee_id == agent.id
    assert events(db, ticket)[-1] == "ticket.assigned"

    client.post("/logout")
    colleague = login(make.agent("general-public"))
    taken = client.post(f"/tickets/{ticket.reference}/claim")
    assert taken.status_code == 409
    assert b"already has this ticket" in taken.data
    assert fresh(db, ticket).assignee_id == agent.id != colleague.id


def test_agent_can_release_own_ticket_but_not_give_it_away(client, db, make, desk):
    agent, ticket = desk
    colleague = make.agent("general-public")
    client.post(f"/tickets/{ticket.reference}/claim")

    refused = client.post(f"/tickets/{ticket.reference}/assign", data={"assignee": str(colleague.id)})
    assert refused.status_code == 403
    assert b"only supervisors" in refused.data
    assert fresh(db, ticket).assignee_id == agent.id

    released = client.post(f"/tickets/{ticket.reference}/assign", data={"assignee": ""})
    assert released.status_code == 303
    assert fresh(db, ticket).assignee_id is None
    assert events(db, ticket)[-1] == "ticket.assigned"


def test_status_change_follows_the_life_cycle(client, db, desk):
    _agent, ticket = desk
    page = client.get(f"/tickets/{ticket.reference}").data.decode()
    form = page[page.index('class="status-form"'):]
    form = form[:form.index("</form>")]
    offered = {status.value for status in services.TRANSITIONS[TicketStatus.NEW]}
    assert all(f'value="{value}"' in form for value in offered)
    assert 'value="new"' not in form

    response = client.post(f"/tickets/{ticket.reference}/status", data={"status": "pending"})
    assert response.status_code == 303
    assert fresh(db, ticket).status == TicketStatus.PENDING
    assert events(db, ticket)[-1] == "ticket.status"


def test_invalid_transition_shows_the_error_and_changes_nothing(client, db, desk):
    _agent, ticket = desk
    assert client.post(f"/tickets/{ticket.reference}/status", data={"status": "closed"}).status_code == 303
    before = events(db, ticket)

    refused = client.post(f"/tickets/{ticket.reference}/status", data={"status": "open"})
    assert refused.status_code == 409
    assert b"a closed ticket cannot become open" in refused.data
    assert fresh(db, ticket).status == TicketStatus.CLOSED
    assert events(db, ticket) == before

    unknown = client.post(f"/tickets/{ticket.reference}/status", data={"status": "vanished"})
    assert unknown.status_code == 422
    assert b"unknown status" in unknown.data
    assert fresh(db, ticket).status == TicketStatus.CLOSED

    # A closed ticket takes no reply either.
    closed_reply = client.post(f"/tickets/{ticket.reference}/reply", data={"reply": "hello?"})
    assert closed_reply.status_code == 409
    assert len(messages(db, ticket)) == 1


def test_supervisor_assigns_to_a_queue_member_only(client, db, make, login):
    ticket = make.ticket("education")
    member = make.agent("education")
    outsider = make.agent("government")
    login(make.supervisor())

    response = client.post(f"/tickets/{ticket.reference}/assign", data={"assignee": str(member.id)})
    assert response.status_code == 303
    assert fresh(db, ticket).assignee_id == member.id
    assert events(db, ticket)[-1] == "ticket.assigned"

    refused = client.post(f"/tickets/{ticket.reference}/assign", data={"assignee": str(outsider.id)})
    assert refused.status_code == 422
    assert b"does not work the education queue" in refused.data
    assert fresh(db, ticket).assignee_id == member.id

    for junk in ("999999", "abc", "99999999999999999999"):
        bad = client.post(f"/tickets/{ticket.reference}/assign", data={"assignee": junk})
        assert bad.status_code == 422, junk
        assert b"no such user" in bad.data
    assert fresh(db, ticket).assignee_id == member.id


def test_supervisor_acts_on_any_queue(client, db, make, login):
    ticket = make.ticket("government")
    login(make.supervisor())
    assert client.post(f"/tickets/{ticket.reference}/note", data={"note": "seen"}).status_code == 303
    assert messages(db, ticket)[-1].direction == Direction.NOTE


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_actions_need_the_csrf_token(self, client, db, make):
        import re

        agent = make.agent()
        ticket = make.ticket()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").data.decode()).group(1)
        client.post("/login", data={"email": agent.email, "password": make.password, "csrf_token": token})
        page = client.get(f"/tickets/{ticket.reference}").data.decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

        assert client.post(f"/tickets/{ticket.reference}/reply", data={"reply": "no token"}).status_code == 400
        assert len(messages(db, ticket)) == 1
        ok = client.post(f"/tickets/{ticket.reference}/reply", data={"reply": "with token", "csrf_token": token})
        assert ok.status_code == 303
        assert messages(db, ticket)[-1].body == "with token"
