"""The ticket page: what it shows, how it escapes, and that other queues' tickets do not exist."""
import pytest
from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.tickets import services
from inquiry.tickets.models import Message


def test_ticket_page_shows_ticket_labels_and_conversation_in_order(client, make, db, login):
    agent = make.agent()
    ticket = make.ticket(text="When is the next webinar on scams?", contact_name="Mika Tanaka", channel="line")
    services.reply(ticket, "It is on 3 March.", actor=agent)
    services.add_note(ticket, "Sent the link by hand too.", actor=agent)
    db.session.commit()
    login(agent)

    page = client.get(f"/tickets/{ticket.reference}")
    assert page.status_code == 200
    html = page.data.decode()
    for shown in (ticket.reference, ticket.subject, "Mika Tanaka", "LINE", "General public", "91%", "classifier",
                  "nobody"):
        assert shown in html, shown
    inbound = html.index('class="message message-inbound"')
    outbound = html.index('class="message message-outbound"')
    note = html.index('class="message message-note"')
    assert inbound < outbound < note  # oldest first
    assert "When is the next webinar on scams?" in html[inbound:outbound]
    assert "It is on 3 March." in html[outbound:note] and "delivery-queued" in html[outbound:note]
    assert "Sent the link by hand too." in html[note:]
    assert html.count('<div class="user-text" dir="auto">') == 3


def test_reference_typed_loosely_still_finds_the_ticket(client, make, login):
    ticket = make.ticket()
    login(make.agent())
    assert client.get(f"/tickets/{ticket.reference.lower()}").status_code == 200


def test_message_and_subject_are_escaped(client, make, db, login):
    agent = make.agent()
    ticket = make.ticket(text="<script>alert(1)</script>")
    ticket.subject = '<img src=x onerror="alert(2)">'
    services.add_note(ticket, "<b>bold?</b>", actor=agent)
    db.session.commit()
    login(agent)
    html = client.get(f"/tickets/{ticket.reference}").data.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>bold?</b>" not in html
    listing = client.get("/tickets/?view=all").data.decode()
    assert "<img src=x" not in listing and "&lt;img src=x" in listing


def test_other_queue_ticket_is_404_and_unknown_references_too(client, make, login):
    theirs = make.ticket("government")
    login(make.agent("general-public"))
    assert client.get(f"/tickets/{theirs.reference}").status_code == 404
    assert client.get("/tickets/INQ-0000-0000").status_code == 404
    assert client.get("/tickets/not-a-reference").status_code == 404
    gone = client.get(f"/tickets/{theirs.reference}")
    assert theirs.subject.encode() not in gone.data


@pytest.mark.parametrize("action, data", [
    ("reply", {"reply": "Here is the answer"}),
    ("note", {"note": "Internal remark"}),
    ("claim", {}),
    ("status", {"status": "solved"}),
    ("assign", {"assignee": ""}),
])
def test_every_action_on_another_queues_ticket_is_404_and_changes_nothing(client, make, db, login, action, data):
    theirs = make.ticket("government")
    government_agent = make.agent("government")
    services.claim(theirs, actor=government_agent)
    db.session.commit()
    agent = make.agent("general-public")
    if action == "assign":
        data = {"assignee": str(agent.id)}
    before_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    login(agent)

    response = client.post(f"/tickets/{theirs.reference}/{action}", data=data)
    assert response.status_code == 404

    db.session.expire_all()
    db.session.refresh(theirs)
    assert theirs.status.value == "new"
    assert theirs.assignee_id == government_agent.id
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == theirs.id)) == 1
    # Logging in writes one event; the refused action writes none.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before_events + 1


def test_actions_need_login(client, make, db):
    ticket = make.ticket()
    response = client.post(f"/tickets/{ticket.reference}/reply", data={"reply": "hello"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == ticket.id)) == 1


def test_supervisor_sees_assign_form_with_only_people_who_work_the_queue(client, make, login):
    ticket = make.ticket("education")
    teacher_desk = make.agent("education", name="Edu Agent")
    make.agent("government", name="Gov Agent")
    supervisor = make.supervisor(name="Sam Supervisor")
    login(supervisor)
    html = client.get(f"/tickets/{ticket.reference}").data.decode()
    form = html[html.index('class="assign-form"'):]
    form = form[:form.index("</form>")]
    assert f'value="{teacher_desk.id}"' in form and "Edu Agent" in form
    assert "Sam Supervisor" in form
    assert "Gov Agent" not in form


def test_agent_gets_no_assign_form(client, make, login):
    ticket = make.ticket()
    login(make.agent())
    assert b"assign-form" not in client.get(f"/tickets/{ticket.reference}").data


def test_failed_delivery_is_shown_with_its_reason(client, make, db, login):
    from inquiry.tickets.models import DeliveryStatus

    agent = make.agent()
    ticket = make.ticket()
    reply = services.reply(ticket, "Our answer", actor=agent)
    reply.delivery_status = DeliveryStatus.FAILED
    reply.delivery_error = "the user blocked the account"
    db.session.commit()
    login(agent)
    html = client.get(f"/tickets/{ticket.reference}").data.decode()
    outbound = html[html.index('class="message message-outbound"'):]
    assert "delivery-failed" in outbound and "the user blocked the account" in outbound
