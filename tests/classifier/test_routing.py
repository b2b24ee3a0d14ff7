"""Intake with and without a router: routed to the audience queue, or to triage saying why."""
import shutil

import pytest

from inquiry.channels.services import default_account
from inquiry.classifier import service
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive


def inbound(text, **kw):
    return InboundMessage(account=default_account("telegram"), text=text, sender_external_id="tg-1",
                          conversation_key=kw.pop("conversation", "chat-1"), **kw)


class TestWithRouter:
    @pytest.fixture
    def instance_path(self, trained_instance):
        return trained_instance

    def test_confident_prediction_lands_in_the_audience_queue_with_labels(self, db):
        got = receive(inbound("Good morning, I'm a long-haul truck driver. At the border depot last night men offered "
                              "my colleague money to carry sealed boxes without papers. Who should we report this to?"))
        db.session.commit()
        ticket = got.ticket
        assert ticket.audience == "transport" and ticket.topic_source.value == "classifier"
        assert ticket.queue.slug in ("transport", "triage")
        assert ticket.topic_confidence and ticket.language == "en"

    def test_urgent_message_is_marked_urgent(self, db):
        got = receive(inbound("HELP they locked me in the back room of the restaurant and took my passport, "
                              "I can hear them shouting, please send someone now"))
        assert got.ticket.priority == "urgent"

    def test_health_reports_the_loaded_model(self, client):
        assert client.get("/healthz").get_json()["router"]["loaded"] is True


def test_without_a_model_tickets_go_to_triage_and_health_says_why(db, client):
    got = receive(inbound("Where can I find the crime index for my city?"))
    assert got.ticket.queue.slug == "triage" and got.ticket.topic is None
    health = client.get("/healthz").get_json()
    assert health["router"]["loaded"] is False and "no model" in health["router"]["reason"]


class TestCorruptModel:
    @pytest.fixture
    def instance_path(self, trained_instance, tmp_path):
        shutil.copytree(f"{trained_instance}/models", tmp_path / "models")
        current = (tmp_path / "models" / "current").read_text()
        (tmp_path / "models" / f"{current}.skops").write_bytes(b"\x00garbage")
        return str(tmp_path)

    def test_intake_keeps_working_and_triage_explains(self, db, client):
        got = receive(inbound("Is the webinar recorded?"))
        db.session.commit()
        assert got.ticket.queue.slug == "triage"
        assert "cannot be read" in service.status()["reason"]
        assert client.get("/healthz").get_json()["router"]["loaded"] is False
