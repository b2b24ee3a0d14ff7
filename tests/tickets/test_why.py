"""The router's "why" travels with the ticket: stored, shown on the page and in the API, and
dropped for a label a person corrects."""
from inquiry.channels.services import default_account
from inquiry.classifier import service as classifier
from inquiry.classifier.service import Label, Prediction
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive
from inquiry.tickets import services

PREDICTION = Prediction(topic=Label("webinars", 0.91, ("webinar", "recording")), audience=Label("education", 0.9, ("pupils",)),
                        priority=Label("normal", 0.8), language=Label("en", 0.99), is_confident=True)


def routed_ticket(db):
    classifier.set_model(type("Fixed", (), {"predict": lambda self, t, **k: PREDICTION})())
    ticket = receive(InboundMessage(account=default_account("telegram"), text="Can my pupils get the webinar recording?",
                                    sender_external_id="t1", conversation_key="c1")).ticket
    db.session.commit()
    return ticket


def test_why_is_stored_shown_and_served(db, make, client):
    ticket = routed_ticket(db)
    assert ticket.label_why == {"topic": ["webinar", "recording"], "audience": ["pupils"]}
    agent = make.agent("education")
    token = make.token(agent)
    api = client.get(f"/api/v1/tickets/{ticket.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["why"] == {"topic": ["webinar", "recording"], "audience": ["pupils"]}
    client.post("/login", data={"email": agent.email, "password": make.password})
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "webinar, recording" in page and "pupils" in page


def test_a_corrected_label_loses_its_why(db, make):
    ticket = routed_ticket(db)
    services.update_labels(ticket, actor=make.agent("education"), topic="crime-awareness")
    db.session.commit()
    assert ticket.label_why == {"audience": ["pupils"]}
