import json

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from inquiry.cli import main

EXPECTED = {"n", "topic", "audience", "priority", "language", "triage_rate", "routed_accuracy"}


def run(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


class TestWithModel:
    @pytest.fixture
    def instance_path(self, trained_instance):
        return trained_instance

    def test_predict_prints_every_head(self, app):
        result = run(app, "classifier", "predict", "Can my students join the webinar on cyberbullying?", "--channel", "instagram")
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert out["topic"]["label"] == "webinars" and out["language"]["label"] == "en" and out["topic"]["why"]

    def test_evaluate_json_has_the_documented_shape(self, app, tmp_path):
        sample = tmp_path / "sample.jsonl"
        sample.write_text(json.dumps({"id": "t1", "channel": "x", "lang": "en", "text": "Is the Lisbon forum still on next week?",
                                      "topic": "live-events", "audience": "general-public", "priority": "normal"}) + "\n")
        result = run(app, "classifier", "evaluate", str(sample), "--json")
        assert result.exit_code == 0, result.output
        metrics = json.loads(result.output)
        assert EXPECTED <= set(metrics) and {"urgent_recall", "urgent_precision"} <= set(metrics["priority"])
        assert {"accuracy", "macro_f1", "per_label"} <= set(metrics["topic"])

    def test_models_and_promote(self, app):
        listed = run(app, "classifier", "models")
        assert listed.exit_code == 0 and listed.output.startswith("*")
        assert run(app, "classifier", "promote", "nope").exit_code != 0


def test_predict_without_a_model_says_so(app):
    result = run(app, "classifier", "predict", "hello")
    assert result.exit_code != 0 and "no model" in result.output
