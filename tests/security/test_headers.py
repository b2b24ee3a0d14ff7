"""Security headers on every kind of response: pages, errors, the JSON API, webhooks, static files."""
from __future__ import annotations

import pytest

from inquiry.security.headers import CONTENT_SECURITY_POLICY, security_headers

from tests.security.conftest import Client

DIRECTIVES = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "frame-ancestors": "'none'", "form-action": "'self'", "base-uri": "'none'", "object-src": "'none'",
}


def policy(header: str) -> dict[str, str]:
    return {name: value.strip() for name, _, value in (part.strip().partition(" ") for part in header.split(";"))}


def assert_hardened(response) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for name, value in DIRECTIVES.items():
        assert policy(csp)[name] == value, name
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]


def test_pages_and_error_pages_are_hardened(client):
    for path, status in [("/login", 200), ("/contact", 200), ("/no-such-page", 404), ("/tickets/", 302)]:
        response = client.get(path)
        assert response.status_code == status, path
        assert_hardened(response)
        assert "Strict-Transport-Security" not in response.headers  # plain-HTTP development and tests


def test_json_api_answers_are_hardened_and_still_json(app, make):
    token = make.token(make.agent())
    api = Client(app)
    ok = api.get("/api/v1/queues", headers={"Authorization": f"Bearer {token}"})
    refused = api.get("/api/v1/queues")
    for response, status in [(ok, 200), (refused, 401)]:
        assert response.status_code == status and response.is_json and response.get_json() is not None
        assert_hardened(response)
    assert refused.get_json()["error"]["code"] in ("missing_token", "unauthorized")
    assert "openapi" in api.get("/api/v1/openapi.json").get_json()


def test_webhooks_static_files_and_health_are_hardened(client, db):
    from inquiry.channels.services import create_account, webhook_url

    account = create_account("telegram", "Desk bot", signing_secret="s3cret-value-for-test")
    db.session.commit()
    for response, status in [(client.post(webhook_url(account), json={"update_id": 1}), 401),
                             (client.post("/hooks/telegram/unknown-key", json={}), 404),
                             (client.get("/static/css/inquiry.css"), 200),
                             (client.get("/healthz"), 200)]:
        assert response.status_code == status
        assert_hardened(response)


def test_a_view_may_set_a_stricter_header_of_its_own(app):
    """The hook only fills in what a response does not already say."""
    @app.get("/_test/stricter")
    def stricter():
        return "ok", 200, {"Referrer-Policy": "no-referrer"}

    response = app.test_client().get("/_test/stricter")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("config,sends_hsts", [
    ({"ENV": "production", "SESSION_COOKIE_SECURE": True}, True),
    ({"ENV": "testing", "SESSION_COOKIE_SECURE": True}, True),  # HTTPS in staging
    ({"ENV": "development", "SESSION_COOKIE_SECURE": False}, False),
])
def test_hsts_only_where_cookies_are_secure(config, sends_hsts):
    with_config = type("FakeApp", (), {"config": config})()
    headers = security_headers(with_config)
    assert ("Strict-Transport-Security" in headers) is sends_hsts
    if sends_hsts:
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
