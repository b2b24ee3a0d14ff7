"""The OpenAPI document describes exactly the routes and shapes the API has."""
import re

import pytest

from inquiry.api import responses as out
from inquiry.api.openapi import openapi_path

METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture
def document(client):
    resp = client.get("/api/v1/openapi.json")  # no token needed
    assert resp.status_code == 200
    return resp.json


def _routes(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found.add((re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower()))
    return found


def test_every_route_is_documented_and_nothing_else(app, document):
    documented = {(path, method) for path, item in document["paths"].items() for method in item if method in METHODS}
    routes = _routes(app)
    assert routes, "no API routes found"
    assert documented == routes
    assert ("/tickets/{ticket_id}", "patch") in routes and ("/inquiries", "post") in routes


def test_document_is_openapi_3_1_with_bearer_security(document):
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "An Inquiry API token (inq_…)"}
    for path, item in document["paths"].items():
        for method, op in item.items():
            if path == "/openapi.json":
                assert op["security"] == []
                continue
            [requirement] = op["security"]
            assert requirement["bearerAuth"][0] in {"inquiries:write", "tickets:read", "tickets:write"}
            assert {"401", "403", "422"} <= set(op["responses"])


def test_scopes_in_the_document_are_the_ones_enforced(document, api, make):
    token = make.token(make.supervisor(), scopes=[])
    for path, item in document["paths"].items():
        for method, op in item.items():
            if not op["security"]:
                continue
            resp = api(token).call(method.upper(), path.replace("{ticket_id}", "1"), json={})
            assert resp.status_code == 403, (method, path)
            assert op["security"][0]["bearerAuth"][0] in resp.json["error"]["message"]


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_resolves(document):
    refs = set(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], ref


def test_request_bodies_parameters_and_limits(document, app):
    inquiry = document["paths"]["/inquiries"]["post"]
    schema = document["components"]["schemas"]["InquiryIn"]
    assert inquiry["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/InquiryIn"}
    assert schema["required"] == ["text"] and schema["additionalProperties"] is False
    assert schema["properties"]["text"]["maxLength"] == app.config["MESSAGE_MAX_CHARS"]
    assert set(inquiry["responses"]) >= {"200", "201", "400", "413", "415"}
    params = {p["name"]: p for p in document["paths"]["/tickets"]["get"]["parameters"]}
    assert set(params) == {"queue", "status", "topic", "priority", "language", "assignee", "channel", "limit", "cursor"}
    assert params["limit"]["schema"]["maximum"] == app.config["PAGE_SIZE_MAX"]
    [ticket_id] = document["paths"]["/tickets/{ticket_id}"]["get"]["parameters"]
    assert ticket_id == {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    patch = document["components"]["schemas"]["TicketUpdate"]["properties"]
    assert set(patch) == {"status", "assignee_id", "topic", "audience", "priority", "language"}


def test_error_schema_matches_real_errors(document, api):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    out.Error.model_validate(api(None).get("/tickets").json)
    out.Error.model_validate(api("inq_nope").post("/inquiries", json={}).json)


def test_real_answers_match_their_documented_models(api, make):
    """Each model the document names validates (strictly: no extra keys) what the API sends."""
    token = make.token(make.supervisor())
    created = api(token).post("/inquiries", json={"text": "hello", "contact": {"external_id": "z"}})
    out.InquiryCreated.model_validate(created.json)
    out.InquiryAccepted.model_validate(api(token).post("/inquiries", json={"text": "again", "contact": {"external_id": "z"}}).json)
    ticket_id = created.json["ticket"]["id"]
    out.TicketDetail.model_validate(api(token).get(f"/tickets/{ticket_id}").json)
    out.TicketPage.model_validate(api(token).get("/tickets").json)
    out.QueueList.model_validate(api(token).get("/queues").json)
    out.MessageOut.model_validate(api(token).post(f"/tickets/{ticket_id}/notes", json={"body": "n"}).json)
    out.TicketDetail.model_validate(api(token).post(f"/tickets/{ticket_id}/claim").json)


def test_openapi_path_conversion():
    assert openapi_path("/api/v1/tickets/<int:ticket_id>/claim") == "/tickets/{ticket_id}/claim"
    assert openapi_path("/api/v1/queues") == "/queues"
