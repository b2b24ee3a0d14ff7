"""Reading and working one ticket over the API, and who may do it."""
import pytest
from sqlalchemy import select, update

from inquiry.audit.models import AuditEvent
from inquiry.errors import Conflict
from inquiry.tickets import services
from inquiry.tickets.models import Ticket, TicketStatus
from tests.api.conftest import ISO_UTC, snapshot

TICKET_KEYS = {
    "id", "reference", "subject", "status", "queue", "assignee", "channel", "contact", "why",
    "created_at", "updated_at", "first_response_at", "solved_at",
    *(f"{label}{suffix}" for label in ("topic", "audience", "priority", "language")
      for suffix in ("", "_confidence", "_source")),
}


@pytest.fixture
def desk(make):
    """Two queues, an agent in each, a supervisor, and one ticket per queue."""
    class Desk:
        gov_agent = make.agent("government", name="Gia Gov")
        edu_agent = make.agent("education", name="Eli Edu")
        supervisor = make.supervisor(name="Sam Super")
        gov_ticket = make.ticket("government", topic="webinars", text="When is the next webinar?")
        edu_ticket = make.ticket("education", topic="live-events")
    desk = Desk()
    desk.gov = make.token(desk.gov_agent)
    desk.edu = make.token(desk.edu_agent)
    desk.sup = make.token(desk.supervisor)
    return desk


def test_detail_has_the_ticket_and_its_conversation(api, desk):
    resp = api(desk.gov).get(f"/tickets/{desk.gov_ticket.id}")
    assert resp.status_code == 200
    ticket = resp.json
    assert set(ticket) == TICKET_KEYS | {"messages"}
    assert ticket["reference"] == desk.gov_ticket.reference
    assert ticket["queue"] == "government" and ticket["audience"] == "government"
    assert ticket["topic"] == "webinars" and ticket["topic_source"] == "classifier"
    assert ticket["topic_confidence"] == pytest.approx(0.93)
    assert ticket["channel"] == "telegram"
    assert ticket["contact"] == {"id": desk.gov_ticket.contact_id, "name": "Dana Reyes", "platform": "telegram"}
    assert ticket["assignee"] is None and ticket["solved_at"] is None and ticket["first_response_at"] is None
    assert ISO_UTC.match(ticket["created_at"]) and ISO_UTC.match(ticket["updated_at"])
    [message] = ticket["messages"]
    assert set(message) == {"id", "direction", "body", "author", "delivery_status", "created_at"}
    assert message["body"] == "When is the next webinar?"
    assert message["direction"] == "inbound" and message["delivery_status"] == "received"


def test_unknown_ticket_is_404(api, desk):
    assert api(desk.sup).get("/tickets/999999").status_code == 404
    assert api(desk.sup).get("/tickets/99999999999999999999").status_code == 404


@pytest.mark.parametrize(
    "method, suffix, payload",
    [
        ("GET", "", None),
        ("PATCH", "", {"priority": "high"}),
        ("POST", "/claim", None),
        ("POST", "/replies", {"body": "Hello"}),
        ("POST", "/notes", {"body": "Hmm"}),
    ],
)
def test_agent_gets_404_for_a_ticket_of_another_queue(api, desk, db, method, suffix, payload):
    before = snapshot(db)
    resp = api(desk.gov).call(method, f"/tickets/{desk.edu_ticket.id}{suffix}", json=payload)
    assert resp.status_code == 404
    assert resp.json["error"] == {"code": "not_found", "message": "no such ticket", "fields": {}}
    assert snapshot(db) == before
    db.session.expire_all()
    assert db.session.get(Ticket, desk.edu_ticket.id).assignee_id is None


def test_supervisor_reads_every_queue(api, desk):
    for ticket in (desk.gov_ticket, desk.edu_ticket):
        assert api(desk.sup).get(f"/tickets/{ticket.id}").status_code == 200


def test_reply_is_queued_and_counts_as_first_response(api, desk, db):
    resp = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/replies", json={"body": "It is on 3 March."})
    assert resp.status_code == 201
    assert resp.json["direction"] == "outbound"
    assert resp.json["delivery_status"] == "queued"
    assert resp.json["author"] == "Gia Gov"
    assert resp.json["body"] == "It is on 3 March."
    detail = api(desk.gov).get(f"/tickets/{desk.gov_ticket.id}").json
    assert detail["status"] == "open" and ISO_UTC.match(detail["first_response_at"])
    assert [m["direction"] for m in detail["messages"]] == ["inbound", "outbound"]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.ticket_id == desk.gov_ticket.id)).all()
    assert "ticket.replied" in actions


def test_note_is_stored_never_sent(api, desk):
    resp = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/notes", json={"body": "Check with the events team."})
    assert resp.status_code == 201
    assert resp.json["direction"] == "note" and resp.json["delivery_status"] is None
    detail = api(desk.gov).get(f"/tickets/{desk.gov_ticket.id}").json
    assert detail["first_response_at"] is None and detail["status"] == "new"


@pytest.mark.parametrize("kind", ["replies", "notes"])
@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": "   "}, {"body": "z" * 10_001}, {"body": 5},
                                     {"body": "ok", "to": "x"}])
def test_bad_reply_or_note_is_422(api, desk, db, kind, payload):
    before = snapshot(db)
    resp = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/{kind}", json=payload)
    assert resp.status_code == 422
    assert resp.json["error"]["fields"]
    assert snapshot(db) == before


def test_reply_to_a_closed_ticket_is_409(api, desk, db):
    services.change_status(desk.gov_ticket, "closed", actor=desk.supervisor)
    db.session.commit()
    resp = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/replies", json={"body": "late"})
    assert resp.status_code == 409


def test_claim_gives_the_ticket_to_the_caller(api, desk):
    resp = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/claim")
    assert resp.status_code == 200
    assert resp.json["assignee"] == {"id": desk.gov_agent.id, "name": "Gia Gov"}
    again = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/claim")
    assert again.status_code == 200  # claiming one's own ticket is harmless


def test_second_claim_by_another_agent_is_409(api, desk, make, db):
    colleague = make.agent("government", name="Cy Colleague")
    colleague_token = make.token(colleague)
    first = api(desk.gov).post(f"/tickets/{desk.gov_ticket.id}/claim")
    before = snapshot(db)
    second = api(colleague_token).post(f"/tickets/{desk.gov_ticket.id}/claim")
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json["error"]["code"] == "conflict"
    assert "Gia Gov" in second.json["error"]["message"]
    assert snapshot(db) == before
    db.session.expire_all()
    assert db.session.get(Ticket, desk.gov_ticket.id).assignee_id == desk.gov_agent.id


def test_claim_loses_to_a_concurrent_claim_it_has_not_seen(desk, make, db):
    """The guard is in the UPDATE itself, not in what the losing request had read."""
    colleague = make.agent("government")
    ticket = db.session.get(Ticket, desk.gov_ticket.id)
    # Another request claims it between our read and our claim; our copy still says "unassigned".
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(assignee_id=colleague.id)
                       .execution_options(synchronize_session=False))
    assert ticket.assignee_id is None
    with pytest.raises(Conflict):
        services.claim(ticket, actor=desk.gov_agent)
    assert ticket.assignee_id == colleague.id


def test_patch_changes_labels_assignee_and_status_together(api, desk, db):
    resp = api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json={
        "topic": "live-events", "priority": "high", "language": "fr",
        "assignee_id": desk.gov_agent.id, "status": "pending",
    })
    assert resp.status_code == 200, resp.json
    ticket = resp.json
    assert ticket["topic"] == "live-events" and ticket["topic_source"] == "agent" and ticket["topic_confidence"] is None
    assert ticket["priority"] == "high" and ticket["language"] == "fr"
    assert ticket["assignee"]["id"] == desk.gov_agent.id
    assert ticket["status"] == "pending"
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.ticket_id == desk.gov_ticket.id)))
    assert {"ticket.relabelled", "ticket.assigned", "ticket.status"} <= actions


def test_patch_audience_moves_the_ticket_to_that_queue(api, desk):
    resp = api(desk.gov).patch(f"/tickets/{desk.gov_ticket.id}", json={"audience": "education"})
    assert resp.status_code == 200
    assert resp.json["queue"] == "education"
    # Moved out of the agent's queues: from now on it is another queue's ticket.
    assert api(desk.gov).get(f"/tickets/{desk.gov_ticket.id}").status_code == 404
    assert api(desk.edu).get(f"/tickets/{desk.gov_ticket.id}").status_code == 200


def test_patch_null_assignee_unassigns(api, desk, db):
    services.claim(desk.gov_ticket, actor=desk.gov_agent)
    db.session.commit()
    resp = api(desk.gov).patch(f"/tickets/{desk.gov_ticket.id}", json={"assignee_id": None})
    assert resp.status_code == 200 and resp.json["assignee"] is None


def test_solved_at_is_reported(api, desk):
    resp = api(desk.gov).patch(f"/tickets/{desk.gov_ticket.id}", json={"status": "solved"})
    assert resp.json["status"] == "solved" and ISO_UTC.match(resp.json["solved_at"])


def _unchanged(db, ticket_id, before_rows, **expected):
    assert snapshot(db) == before_rows
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    for name, value in expected.items():
        assert getattr(ticket, name) == value, name


def test_patch_valid_status_with_invalid_topic_changes_nothing(api, desk, db):
    before = snapshot(db)
    resp = api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json={"status": "pending", "topic": "gossip"})
    assert resp.status_code == 422
    assert "topic" in resp.json["error"]["fields"]
    _unchanged(db, desk.gov_ticket.id, before, status=TicketStatus.NEW, topic="webinars")


def test_patch_rolls_back_labels_when_the_status_change_conflicts(api, desk, db):
    services.change_status(desk.gov_ticket, "solved", actor=desk.supervisor)
    db.session.commit()
    before = snapshot(db)
    resp = api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json={"topic": "journalism", "status": "pending"})
    assert resp.status_code == 409
    _unchanged(db, desk.gov_ticket.id, before, status=TicketStatus.SOLVED, topic="webinars")


def test_patch_rolls_back_labels_when_the_assignee_is_refused(api, desk, db):
    before = snapshot(db)
    resp = api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json={"priority": "urgent", "assignee_id": desk.edu_agent.id})
    assert resp.status_code == 422
    assert "assignee_id" in resp.json["error"]["fields"]
    _unchanged(db, desk.gov_ticket.id, before, priority="normal", assignee_id=None)


def test_agent_may_not_assign_to_someone_else(api, desk, make, db):
    colleague = make.agent("government")
    before = snapshot(db)
    resp = api(desk.gov).patch(f"/tickets/{desk.gov_ticket.id}", json={"assignee_id": colleague.id})
    assert resp.status_code == 403
    _unchanged(db, desk.gov_ticket.id, before, assignee_id=None)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "body"),
        ({"status": "archived"}, "status"),
        ({"status": None}, "status"),
        ({"status": 3}, "status"),
        ({"topic": None}, "topic"),
        ({"audience": "aliens"}, "audience"),
        ({"priority": "asap"}, "priority"),
        ({"language": "klingon"}, "language"),
        ({"assignee_id": "5"}, "assignee_id"),
        ({"assignee_id": True}, "assignee_id"),
        ({"assignee_id": 987654}, "assignee_id"),
        ({"assignee_id": 2**40}, "assignee_id"),
        ({"queue": "education"}, "queue"),
    ],
)
def test_patch_refuses_bad_values_with_422(api, desk, db, payload, field):
    before = snapshot(db)
    resp = api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json=payload)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["error"]["fields"]
    assert snapshot(db) == before


def test_patch_of_a_closed_ticket_is_409(api, desk, db):
    services.change_status(desk.gov_ticket, "closed", actor=desk.supervisor)
    db.session.commit()
    assert api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json={"status": "open"}).status_code == 409
    assert api(desk.sup).patch(f"/tickets/{desk.gov_ticket.id}", json={"topic": "general"}).status_code == 409
