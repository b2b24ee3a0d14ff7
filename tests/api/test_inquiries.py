"""POST /inquiries: intake through the shared service, idempotency, threading, validation."""
import pytest
from sqlalchemy import select

from inquiry.channels.models import ChannelAccount
from inquiry.tickets.models import Ticket
from inquiry.tickets.services import hash_secret
from tests.api.conftest import ISO_UTC, count, snapshot
from tests.factories import confident


@pytest.fixture
def writer(make):
    """An integrator's token that may only hand in inquiries."""
    return make.token(make.agent("general-public"), scopes=["inquiries:write"])


@pytest.fixture
def full(make):
    """A supervisor's token with every scope."""
    return make.token(make.supervisor())


def test_new_inquiry_opens_ticket_with_public_token(api, full, db):
    resp = api(full).post("/inquiries", json={
        "text": "Is the webinar on crypto scams recorded?",
        "subject": "Webinar recording",
        "language": "en",
        "contact": {"name": "Mika Rossi", "email": "mika@example.org"},
        "message_id": "crm-1",
    })
    assert resp.status_code == 201
    body = resp.json
    assert body["outcome"] == "created"
    ticket = body["ticket"]
    assert ticket["reference"].startswith("INQ-")
    assert ticket["subject"] == "Webinar recording"
    assert ticket["status"] == "new"
    assert ticket["channel"] == "api"
    assert ticket["queue"] == "triage"  # no model loaded: a person routes it
    assert ticket["language"] == "en" and ticket["language_source"] == "sender"
    assert ticket["contact"]["name"] == "Mika Rossi" and ticket["contact"]["platform"] == "api"
    assert [m["body"] for m in ticket["messages"]] == ["Is the webinar on crypto scams recorded?"]
    assert ticket["messages"][0]["direction"] == "inbound" and ticket["messages"][0]["author"] is None
    assert body["message"]["id"] == ticket["messages"][0]["id"]
    assert resp.headers["Location"].endswith(f"/api/v1/tickets/{ticket['id']}")
    stored = db.session.get(Ticket, ticket["id"])
    assert stored.public_token_hash == hash_secret(body["public_token"])
    assert ISO_UTC.match(ticket["created_at"]) and ISO_UTC.match(body["message"]["created_at"])


def test_same_message_id_twice_is_a_duplicate_and_writes_nothing(api, full, db):
    payload = {"text": "Where do I report a fake job offer?", "message_id": "crm-42", "contact": {"external_id": "c-9"}}
    first = api(full).post("/inquiries", json=payload)
    before = snapshot(db)
    again = api(full).post("/inquiries", json=payload)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json["outcome"] == "duplicate"
    assert "public_token" not in again.json
    assert again.json["ticket"]["id"] == first.json["ticket"]["id"]
    assert again.json["message"]["id"] == first.json["message"]["id"]
    assert snapshot(db) == before


def test_repeat_from_same_contact_joins_the_open_ticket(api, full, db):
    first = api(full).post("/inquiries", json={"text": "First question", "contact": {"email": "Ana@Example.org"}})
    second = api(full).post("/inquiries", json={"text": "And a second one", "contact": {"email": "ana@example.org"}})
    other = api(full).post("/inquiries", json={"text": "Someone else", "contact": {"email": "bo@example.org"}})
    assert first.status_code == 201
    assert second.status_code == 200 and second.json["outcome"] == "appended"
    assert "public_token" not in second.json
    assert second.json["ticket"]["id"] == first.json["ticket"]["id"]
    assert [m["body"] for m in second.json["ticket"]["messages"]] == ["First question", "And a second one"]
    assert other.status_code == 201 and other.json["ticket"]["id"] != first.json["ticket"]["id"]


@pytest.mark.parametrize("identity", [{"external_id": "crm-77"}, {"phone": "+44 20 7946 0958"}])
def test_threading_works_for_any_contact_identity(api, full, identity):
    first = api(full).post("/inquiries", json={"text": "one", "contact": identity})
    second = api(full).post("/inquiries", json={"text": "two", "contact": identity})
    assert second.json["outcome"] == "appended"
    assert second.json["ticket"]["id"] == first.json["ticket"]["id"]


def test_conversation_id_separates_threads_of_one_contact(api, full):
    contact = {"external_id": "crm-5"}
    a1 = api(full).post("/inquiries", json={"text": "a1", "contact": contact, "conversation_id": "A"})
    b1 = api(full).post("/inquiries", json={"text": "b1", "contact": contact, "conversation_id": "B"})
    a2 = api(full).post("/inquiries", json={"text": "a2", "contact": contact, "conversation_id": "A"})
    assert b1.status_code == 201 and b1.json["ticket"]["id"] != a1.json["ticket"]["id"]
    assert a2.json["outcome"] == "appended" and a2.json["ticket"]["id"] == a1.json["ticket"]["id"]


def test_same_conversation_id_from_two_contacts_is_two_tickets(api, full):
    one = api(full).post("/inquiries", json={"text": "x", "contact": {"external_id": "p1"}, "conversation_id": "7"})
    two = api(full).post("/inquiries", json={"text": "y", "contact": {"external_id": "p2"}, "conversation_id": "7"})
    assert two.status_code == 201 and two.json["ticket"]["id"] != one.json["ticket"]["id"]


def test_conversation_id_without_contact_threads(api, full):
    one = api(full).post("/inquiries", json={"text": "x", "conversation_id": "thread-1"})
    two = api(full).post("/inquiries", json={"text": "y", "conversation_id": "thread-1"})
    assert two.json["outcome"] == "appended" and two.json["ticket"]["id"] == one.json["ticket"]["id"]


def test_anonymous_inquiries_are_separate_tickets(api, full, db):
    one = api(full).post("/inquiries", json={"text": "anonymous tip"})
    two = api(full).post("/inquiries", json={"text": "anonymous tip"})
    assert one.status_code == two.status_code == 201
    assert one.json["ticket"]["id"] != two.json["ticket"]["id"]
    assert count(db, Ticket) == 2


def test_long_identities_still_thread(api, full):
    """A contact key and conversation id longer than the column together are hashed, not cut."""
    contact = {"external_id": "e" * 200}
    one = api(full).post("/inquiries", json={"text": "x", "contact": contact, "conversation_id": "c" * 200})
    two = api(full).post("/inquiries", json={"text": "y", "contact": contact, "conversation_id": "c" * 200})
    other = api(full).post("/inquiries", json={"text": "z", "contact": contact, "conversation_id": "c" * 199 + "d"})
    assert two.json["outcome"] == "appended" and two.json["ticket"]["id"] == one.json["ticket"]["id"]
    assert other.json["outcome"] == "created"


def test_channel_picks_the_account_and_defaults_to_api(api, full, db):
    relayed = api(full).post("/inquiries", json={"text": "from a Telegram bot", "channel": "telegram"})
    direct = api(full).post("/inquiries", json={"text": "direct"})
    assert relayed.json["ticket"]["channel"] == "telegram"
    assert direct.json["ticket"]["channel"] == "api"
    platforms = set(db.session.scalars(select(ChannelAccount.platform)))
    assert platforms == {"telegram", "api"}


def test_confident_classifier_routes_to_the_audience_queue(api, full, monkeypatch):
    from inquiry.classifier import service as classifier

    # The API must follow the router's verdict, whatever model gives it: install a fixed one.
    classifier.set_model(type("M", (), {"predict": lambda self, text, **kw: confident("education", "webinars")})())
    resp = api(full).post("/inquiries", json={"text": "Our school wants the webinar recording"})
    ticket = resp.json["ticket"]
    assert ticket["queue"] == "education" and ticket["topic"] == "webinars"
    assert ticket["topic_source"] == "classifier" and ticket["topic_confidence"] == pytest.approx(0.93)


def test_token_without_read_scope_gets_the_ticket_without_messages(api, writer):
    resp = api(writer).post("/inquiries", json={"text": "question", "contact": {"external_id": "x1"}})
    assert resp.status_code == 201
    assert "messages" not in resp.json["ticket"]
    assert resp.json["message"]["body"] == "question"
    assert resp.json["public_token"]


def test_agent_outside_the_tickets_queue_gets_no_conversation(api, make):
    """The reply would otherwise show notes of a queue the agent does not work."""
    agent = make.agent("government")
    token = make.token(agent)  # all scopes, but the new ticket lands in triage
    resp = api(token).post("/inquiries", json={"text": "question"})
    assert resp.status_code == 201
    assert resp.json["ticket"]["queue"] == "triage"
    assert "messages" not in resp.json["ticket"]


LONG = "x" * 10_001


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "  \n\t "}, "text"),
        ({"text": LONG}, "text"),
        ({"text": 42}, "text"),
        ({"text": ["hi"]}, "text"),
        ({"text": "hi", "extra": 1}, "extra"),
        ({"text": "hi", "language": "english"}, "language"),
        ({"text": "hi", "language": "xx"}, "language"),
        ({"text": "hi", "channel": "myspace"}, "channel"),
        ({"text": "hi", "channel": None}, "channel"),
        ({"text": "hi", "subject": "s" * 201}, "subject"),
        ({"text": "hi", "message_id": 12}, "message_id"),
        ({"text": "hi", "message_id": ""}, "message_id"),
        ({"text": "hi", "message_id": "m" * 201}, "message_id"),
        ({"text": "hi", "conversation_id": "c" * 201}, "conversation_id"),
        ({"text": "hi", "contact": "bob"}, "contact"),
        ({"text": "hi", "contact": {"email": "not-an-address"}}, "contact.email"),
        ({"text": "hi", "contact": {"email": "a" * 250 + "@x.org"}}, "contact.email"),
        ({"text": "hi", "contact": {"phone": "call me"}}, "contact.phone"),
        ({"text": "hi", "contact": {"phone": "1" * 41}}, "contact.phone"),
        ({"text": "hi", "contact": {"name": "n" * 201}}, "contact.name"),
        ({"text": "hi", "contact": {"external_id": "e" * 201}}, "contact.external_id"),
        ({"text": "hi", "contact": {"nickname": "b"}}, "contact.nickname"),
    ],
)
def test_refused_values_are_422_naming_the_field_and_write_nothing(api, full, db, payload, field):
    before = snapshot(db)
    resp = api(full).post("/inquiries", json=payload)
    assert resp.status_code == 422, resp.json
    assert resp.json["error"]["code"] == "invalid"
    assert field in resp.json["error"]["fields"], resp.json
    assert all(isinstance(m, str) and m for m in resp.json["error"]["fields"][field])
    assert snapshot(db) == before


def test_text_at_the_limit_is_accepted(api, full, app):
    resp = api(full).post("/inquiries", json={"text": "y" * app.config["MESSAGE_MAX_CHARS"]})
    assert resp.status_code == 201


def test_a_long_valid_email_is_accepted_and_threads(api, full):
    local, domain = "l" * 64, ".".join(["d" * 60] * 3) + ".org"  # 64 + 1 + 187 = 252 characters
    contact = {"email": f"{local}@{domain}"}
    first = api(full).post("/inquiries", json={"text": "hi", "contact": contact})
    second = api(full).post("/inquiries", json={"text": "again", "contact": contact})
    assert first.status_code == 201, first.json
    assert second.json["outcome"] == "appended" and second.json["ticket"]["id"] == first.json["ticket"]["id"]


def test_public_token_finds_the_ticket_for_the_status_page(api, full):
    from inquiry.public.services import find_by_reference_and_token

    resp = api(full).post("/inquiries", json={"text": "Any news on my report?"})
    ticket = resp.json["ticket"]
    assert find_by_reference_and_token(ticket["reference"], resp.json["public_token"]).id == ticket["id"]
    assert find_by_reference_and_token(ticket["reference"], "not-the-token") is None
