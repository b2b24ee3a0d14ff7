"""Agents' corrections become labelled examples, and retraining learns from them."""
import shutil

import pytest
from sqlalchemy import select

from inquiry.classifier import store
from inquiry.classifier.models import TrainingExample
from inquiry.tickets import services


def test_a_correction_stores_the_first_message_with_the_settled_labels(db, make):
    agent = make.agent("general-public", "education")
    ticket = make.ticket("general-public", text="Can my pupils join the webinar on phishing next Tuesday?")
    services.update_labels(ticket, actor=agent, audience="education", topic="webinars")
    db.session.commit()
    example = db.session.scalars(select(TrainingExample)).one()
    assert example.text == "Can my pupils join the webinar on phishing next Tuesday?"
    assert (example.topic, example.audience, example.priority) == ("webinars", "education", "normal")
    assert example.channel == "telegram" and example.corrected_by_id == agent.id

    services.update_labels(ticket, actor=agent, priority="high")
    db.session.commit()
    assert db.session.scalars(select(TrainingExample)).one().priority == "high"


def test_language_only_or_incomplete_labels_store_nothing(db, make):
    agent = make.agent("general-public", "triage")
    services.update_labels(make.ticket("general-public"), actor=agent, language="fr")
    untouched = make.ticket("triage")  # no labels yet: the router was not sure
    services.update_labels(untouched, actor=agent, priority="low")
    db.session.commit()
    assert db.session.scalars(select(TrainingExample)).all() == []


class TestRetrain:
    @pytest.fixture
    def instance_path(self, trained_instance, tmp_path):
        shutil.copytree(f"{trained_instance}/models", tmp_path / "models")
        return str(tmp_path)

    def test_retrain_learns_corrections_and_promotes_when_not_worse(self, app, db, make, instance_path, monkeypatch):
        from inquiry.classifier import cli
        from inquiry.classifier.cli import retrain
        from inquiry.classifier.corpus import load_corpus

        # Every fourth corpus message: the promotion rule is the same, at a quarter of the
        # training time (the full corpus took 95 s of the suite's time on a 2-core machine).
        sample = load_corpus()[::4]
        monkeypatch.setattr(cli, "load_corpus", lambda: list(sample))

        agent = make.agent("general-public", "vehicle-rental")
        ticket = make.ticket("general-public", text="Our scooter hire shop keeps getting bookings with stolen cards")
        services.update_labels(ticket, actor=agent, audience="vehicle-rental", topic="crime-enablers", priority="normal")
        db.session.commit()
        before = store.current_id(instance_path)
        lines = []
        meta, promoted = retrain(instance_path, echo=lines.append, folds=2)  # 2 folds: the rule, at a test's cost
        assert "1 corrections" in lines[0]
        # One right example cannot make the router worse: promoted, trained on it, earlier model kept.
        assert promoted and store.current_id(instance_path) == meta["id"] != before
        assert meta["examples"] == len(sample) + 1 and meta["metrics"]["corrections"] == 1
        assert len(store.list_models(instance_path)) == 2
