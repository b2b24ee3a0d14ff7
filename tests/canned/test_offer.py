"""GET /canned/offer/<reference>: the replies for a ticket's reply box, as JSON, for whoever may see it."""
import pytest

from inquiry.canned import services
from inquiry.extensions import db


@pytest.fixture
def replies(reply):
    reply("lost-passport", title="Lost passport", topic="crime-awareness",
          en="Dear {contact_name}, contact your national authority. Ref {reference}.",
          fr="Bonjour {contact_name}, contactez votre autorité nationale. Réf. {reference}.")
    reply("signature", title="Signature", en="— {agent_name}, {queue}")
    reply("government-only", queue="government", en="Only for government tickets")


def test_an_agent_gets_the_offers_for_a_ticket_of_their_queue(client, make, login, replies):
    agent = login(make.agent("general-public", name="María González"))
    ticket = make.ticket("general-public", language="fr", topic="crime-awareness", contact_name="Aline")
    response = client.get(f"/canned/offer/{ticket.reference}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert [o["shortcut"] for o in body] == ["lost-passport", "signature"]  # topic first; not the government one
    first = body[0]
    assert set(first) == {"id", "title", "shortcut", "language", "languages", "body"}
    assert first["language"] == "fr" and first["languages"] == ["en", "fr"]
    assert first["body"] == f"Bonjour Aline, contactez votre autorité nationale. Réf. {ticket.reference}."
    assert body[1]["body"] == f"— {agent.name}, {ticket.queue.name}"


def test_language_parameter_picks_another_variant(client, make, login, replies):
    login(make.supervisor())
    ticket = make.ticket(language="fr", contact_name="Aline")
    body = client.get(f"/canned/offer/{ticket.reference}?language=EN").get_json()
    assert body[0]["language"] == "en" and body[0]["body"].startswith("Dear Aline")
    # A language the reply lacks falls back to the ticket's language, then English.
    body = client.get(f"/canned/offer/{ticket.reference}?language=de").get_json()
    assert [o["language"] for o in body] == ["fr", "en"]


def test_an_unknown_language_is_422_json(client, make, login, replies):
    login(make.supervisor())
    ticket = make.ticket()
    response = client.get(f"/canned/offer/{ticket.reference}?language=klingon")
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"language": ["an ISO 639-1 code, e.g. fr"]}


def test_a_ticket_outside_the_agents_queues_is_404_like_a_missing_one(client, make, login, replies):
    login(make.agent("travellers"))
    hidden = make.ticket("government")
    response = client.get(f"/canned/offer/{hidden.reference}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    missing = client.get("/canned/offer/INQ-AAAA-AAAA")
    assert missing.status_code == 404 and missing.get_json() == response.get_json()
    assert client.get("/canned/offer/not-a-reference").status_code == 404


def test_logged_out_is_401_json(client, make, replies):
    ticket = make.ticket()
    response = client.get(f"/canned/offer/{ticket.reference}")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_disabled_user_session_is_refused(client, make, login, replies):
    agent = login(make.agent())
    ticket = make.ticket()
    agent.is_enabled = False
    db.session.commit()
    assert client.get(f"/canned/offer/{ticket.reference}").status_code == 401


def test_no_replies_is_an_empty_list(client, make, login):
    login(make.agent())
    ticket = make.ticket()
    assert client.get(f"/canned/offer/{ticket.reference}").get_json() == []


def test_disabled_replies_are_not_offered(client, make, login, reply):
    made = reply("gone")
    services.set_enabled(made, False)
    db.session.commit()
    login(make.agent())
    assert client.get(f"/canned/offer/{make.ticket().reference}").get_json() == []
