"""Malformed input gets a clear 4xx and writes nothing: size, media type, JSON, query strings."""
import io

import pytest

from tests.api.conftest import snapshot


@pytest.fixture
def token(make):
    return make.token(make.supervisor())


def test_invalid_json_is_400(api, token, db):
    before = snapshot(db)
    resp = api(token).post("/inquiries", data=b'{"text": "hi",', content_type="application/json")
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "invalid_json"
    assert "not valid JSON" in resp.json["error"]["message"]
    assert snapshot(db) == before


@pytest.mark.parametrize("raw", [b'["text"]', b'"text"', b"42", b"null", b'{"text": NaN}', b"\xff\xfe{", b"   ", b""])
def test_body_that_is_not_a_json_object_is_400(api, token, raw):
    resp = api(token).post("/inquiries", data=raw, content_type="application/json")
    assert resp.status_code == 400, raw
    assert resp.json["error"]["code"] == "invalid_json"


def test_deeply_nested_json_is_400_not_500(api, token):
    raw = b"[" * 50_000 + b"]" * 50_000
    resp = api(token).post("/inquiries", data=raw, content_type="application/json")
    assert resp.status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_body_is_415(api, token, db, content_type):
    before = snapshot(db)
    kw = {"content_type": content_type} if content_type else {}
    resp = api(token).post("/inquiries", data=b'{"text": "hello there"}', **kw)
    assert resp.status_code == 415
    assert resp.json["error"]["code"] == "unsupported_media_type"
    assert snapshot(db) == before


def test_json_with_charset_parameter_is_accepted(api, token):
    resp = api(token).post("/inquiries", data='{"text": "¿Hay grabación?"}'.encode(),
                           content_type="application/json; charset=utf-8")
    assert resp.status_code == 201


def test_body_over_the_limit_is_413_before_parsing(api, token, app, db):
    before = snapshot(db)
    limit = app.config["API_MAX_BODY_BYTES"]
    # Not even JSON: the size alone decides, the body is never parsed.
    resp = api(token).post("/inquiries", data=b"x" * (limit + 1), content_type="application/json")
    assert resp.status_code == 413
    assert resp.json["error"]["code"] == "too_large"
    assert snapshot(db) == before


@pytest.fixture
def small_limit(app_config):
    app_config["API_MAX_BODY_BYTES"] = 64


def test_body_limit_comes_from_the_configuration(small_limit, api, make):
    token = make.token(make.supervisor())
    small = api(token).post("/inquiries", json={"text": "short"})
    big = api(token).post("/inquiries", json={"text": "a question that is a little too long for this desk, by some way"})
    assert small.status_code == 201
    assert big.status_code == 413
    note = api(token).post(f"/tickets/{small.json['ticket']['id']}/notes", json={"body": "n" * 80})
    assert note.status_code == 413


def test_body_without_content_length_is_cut_off_at_the_limit(small_limit, api, make, db):
    token = make.token(make.supervisor())
    before = snapshot(db)
    body = b'{"text": "' + b"y" * 200 + b'"}'
    resp = api(token).post(
        "/inquiries", input_stream=io.BytesIO(body), content_type="application/json",
        environ_base={"wsgi.input_terminated": True},
    )
    assert resp.status_code == 413
    assert snapshot(db) == before


@pytest.mark.parametrize("path", ["/tickets?colour=red", "/queues?x=1", "/openapi.json?debug=1"])
def test_unknown_query_parameters_are_refused(api, token, path):
    resp = api(token).get(path)
    assert resp.status_code == 422
    name = path.split("?")[1].split("=")[0]
    assert resp.json["error"]["fields"] == {name: ["unknown query parameter"]}


def test_repeated_query_parameter_is_refused(api, token):
    resp = api(token).get("/tickets?status=new&status=open")
    assert resp.status_code == 422
    assert resp.json["error"]["fields"] == {"status": ["given more than once"]}


def test_unknown_route_and_wrong_method_answer_json(api, token):
    missing = api(token).get("/nothing-here")
    wrong = api(token).call("DELETE", "/tickets")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
