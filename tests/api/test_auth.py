"""Bearer tokens: missing or dead tokens are 401 with a challenge, missing scopes 403, no session."""
import datetime as dt

import pytest

from inquiry.auth import services as auth
from inquiry.auth.models import ApiToken
from inquiry.dbtypes import utcnow


def _assert_challenge(resp, code):
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == code
    assert resp.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'realm="inquiry"' in resp.headers["WWW-Authenticate"]


def test_missing_token_is_401_with_bare_bearer_challenge(api):
    resp = api(None).get("/tickets")
    _assert_challenge(resp, "missing_token")
    assert "error=" not in resp.headers["WWW-Authenticate"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token inq_abc", "inq_abc"])
def test_malformed_authorization_header_is_401(client, header):
    resp = client.get("/api/v1/tickets", headers={"Authorization": header})
    _assert_challenge(resp, "invalid_token")
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


@pytest.mark.parametrize("token", ["garbage", "inq_" + "x" * 43, "inq_"])
def test_unknown_token_is_401(api, make, token):
    make.agent()
    resp = api(token).get("/tickets")
    _assert_challenge(resp, "invalid_token")


def test_expired_token_is_401(api, make, db):
    agent = make.agent()
    past = utcnow() - dt.timedelta(days=3)
    token = make.token(agent, days=1, at=past)
    resp = api(token).get("/tickets")
    _assert_challenge(resp, "expired_token")
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_token_within_its_lifetime_works(api, make):
    agent = make.agent()
    token = make.token(agent, days=1, at=utcnow() - dt.timedelta(hours=23))
    assert api(token).get("/tickets").status_code == 200


def test_revoked_token_is_401(api, make, db):
    agent = make.agent()
    row, token = auth.create_token(agent)
    db.session.commit()
    assert api(token).get("/tickets").status_code == 200
    auth.revoke_token(row.id, actor=agent)
    db.session.commit()
    _assert_challenge(api(token).get("/tickets"), "revoked_token")


def test_token_of_disabled_user_is_401(api, make, db):
    agent = make.agent()
    token = make.token(agent)
    agent.is_enabled = False
    db.session.commit()
    _assert_challenge(api(token).get("/tickets"), "invalid_token")


@pytest.mark.parametrize(
    "scopes, method, path, needed",
    [
        (["inquiries:write"], "GET", "/tickets", "tickets:read"),
        (["inquiries:write"], "GET", "/queues", "tickets:read"),
        (["tickets:read"], "POST", "/inquiries", "inquiries:write"),
        (["tickets:read"], "PATCH", "/tickets/1", "tickets:write"),
        (["tickets:read"], "POST", "/tickets/1/claim", "tickets:write"),
        (["tickets:read"], "POST", "/tickets/1/replies", "tickets:write"),
        (["tickets:read", "inquiries:write"], "POST", "/tickets/1/notes", "tickets:write"),
        (["tickets:write"], "GET", "/tickets/1", "tickets:read"),
    ],
)
def test_token_without_the_scope_is_403(api, make, db, scopes, method, path, needed):
    supervisor = make.supervisor()
    make.ticket()
    token = make.token(supervisor, scopes=scopes)
    resp = api(token).call(method, path, json={"text": "hello", "body": "hello", "status": "open"})
    assert resp.status_code == 403
    assert resp.json["error"]["code"] == "insufficient_scope"
    assert needed in resp.json["error"]["message"]
    assert f'scope="{needed}"' in resp.headers["WWW-Authenticate"]


def test_a_logged_in_session_is_not_enough(client, make):
    """Session-less: a browser's log-in cookie does not authenticate API calls."""
    agent = make.agent()
    with client.session_transaction() as session:
        session["_user_id"] = str(agent.id)
        session["_fresh"] = True
    resp = client.get("/api/v1/tickets")
    assert resp.status_code == 401


def test_api_answers_set_no_cookie_and_no_cache(api, make):
    token = make.token(make.agent())
    resp = api(token).get("/tickets")
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Cache-Control"] == "no-store"


def test_use_is_recorded_on_the_token(api, make, db):
    agent = make.agent()
    row, token = auth.create_token(agent)
    db.session.commit()
    assert row.last_used_at is None
    api(token).get("/tickets")
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_api_needs_no_csrf_token_when_csrf_is_on(csrf_on, api, make):
    token = make.token(make.agent())
    resp = api(token).post("/inquiries", json={"text": "Is the webinar on fraud recorded?"})
    assert resp.status_code == 201
