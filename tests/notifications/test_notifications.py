"""In-app notifications: who gets them, the page, the unread count, marking read."""
from inquiry.notifications import services
from inquiry.tickets import escalation


def test_escalation_notifies_the_queues_supervisors(db, make):
    member = make.supervisor(queues=("general-public",))
    elsewhere = make.supervisor(queues=("government",))
    agent = make.agent()
    ticket = make.ticket()
    escalation.escalate(ticket, "Threat against a school", actor=agent)
    db.session.commit()
    assert services.unread_count(member) == 1
    assert services.unread_count(elsewhere) == 0  # the queue has a supervisor of its own
    assert services.unread_count(agent) == 0


def test_without_queue_supervisors_every_supervisor_hears(db, make):
    boss = make.supervisor(queues=())
    ticket = make.ticket("education")
    escalation.escalate(ticket, "Press enquiry about a case", actor=make.agent("education"))
    db.session.commit()
    assert services.unread_count(boss) == 1


def test_page_shows_and_marks_read(client, db, make, login):
    boss = make.supervisor()
    ticket = make.ticket()
    services.notify([boss], "sla.breached", f"{ticket.reference}: first response target missed", ticket=ticket)
    db.session.commit()
    login(boss)
    page = client.get("/tickets/").text
    assert 'id="unread-count">1<' in page
    listing = client.get("/notifications/").text
    assert "first response target missed" in listing and ticket.reference in listing
    assert client.post("/notifications/read").status_code == 303
    assert services.unread_count(boss) == 0
    assert 'id="unread-count"' not in client.get("/tickets/").text


def test_notifications_need_login(client):
    assert client.get("/notifications/").status_code == 302
