"""GET /api/v1/reports/router-quality: the report page's figures as JSON, for supervisors."""
import datetime as dt

import pytest

from inquiry.api.reports import RouterQualityReport
from inquiry.classifier import store
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.tickets import services as tickets

from tests.reports.conftest import unsure

PATH = "/api/v1/reports/router-quality"


def get(client, token):
    return client.get(PATH, headers={"Authorization": f"Bearer {token}"})


def test_needs_a_token_with_the_scope_and_a_supervisor(client, make):
    assert client.get(PATH).status_code == 401
    agent = make.agent("general-public")
    response = get(client, make.token(agent, scopes=["tickets:read"]))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert get(client, make.token(make.supervisor(), scopes=["tickets:write"])).status_code == 403


def test_without_a_model_says_why_and_counts_overrides(client, make, open_at):
    agent = make.agent("general-public", "triage")
    ticket = open_at(utcnow() - dt.timedelta(days=10), unsure())
    tickets.update_labels(ticket, actor=agent, topic="webinars", at=utcnow() - dt.timedelta(days=9))
    db.session.commit()
    response = get(client, make.token(make.admin(), scopes=["tickets:read"]))
    assert response.status_code == 200
    body = RouterQualityReport.model_validate(response.json)  # exactly the documented shape
    assert not body.model.loaded and "no model" in body.model.reason and body.model.heads == []
    week, month = body.overrides
    assert (week.days, month.days) == (7, 30)
    assert [h.head for h in month.heads] == ["topic", "audience", "priority", "language"]
    topic = month.heads[0]
    assert (topic.triaged, topic.labelled_in_triage, topic.tickets, topic.overrides, topic.rate) == (1, 1, 1, 1, 1.0)
    assert week.heads[0].tickets == 0 and week.heads[0].rate is None


def test_the_openapi_document_describes_it(client):
    op = client.get("/api/v1/openapi.json").json["paths"]["/reports/router-quality"]["get"]
    assert op["security"] == [{"bearerAuth": ["tickets:read"]}] and {"200", "401", "403"} <= set(op["responses"])


class TestWithATrainedModel:
    @pytest.fixture
    def instance_path(self, trained_instance):
        return trained_instance

    def test_per_label_figures_of_the_model_in_use(self, client, make, trained_instance):
        meta = next(m for m in store.list_models(trained_instance) if m["is_current"])
        body = get(client, make.token(make.supervisor(), scopes=["tickets:read"])).json
        model = RouterQualityReport.model_validate(body).model
        assert model.loaded and model.id == meta["id"] and model.thresholds == meta["thresholds"]
        heads = {h.head: h for h in model.heads}
        webinars = next(x for x in heads["topic"].labels if x.label == "webinars")
        assert webinars.model_dump() == {"label": "webinars", **meta["metrics"]["topic"]["per_label"]["webinars"]}
        assert {x.label for x in heads["language"].labels} == set(meta["metrics"]["language"]["per_label"])
