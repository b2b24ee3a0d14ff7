"""Production cookies: the session and "remember me" cookies are Secure, HttpOnly and SameSite=Lax,
and pages come with HSTS. The app here is built as production builds it (ENV=production, a key)."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config):
    config = {**app_config, "ENV": "production", "SECRET_KEY": "a-production-secret-key-0123456789abcdef"}
    config.pop("SESSION_COOKIE_SECURE", None)  # production decides: on
    return config


def set_cookies(response) -> dict[str, list[str]]:
    """name → the attributes of its Set-Cookie header, lower-cased."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        found[name] = [part.strip().lower() for part in header.split(";")[1:]]
    return found


def test_production_settings(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax" and app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_login_sets_secure_httponly_lax_cookies(app, make):
    user = make.agent()
    client = app.test_client()
    response = client.post("/login", base_url="https://desk.example.org",
                           data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = set_cookies(response)
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        attributes = cookies[name]
        assert "secure" in attributes and "httponly" in attributes and "samesite=lax" in attributes, (name, attributes)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_pages_carry_hsts(app):
    response = app.test_client().get("/login", base_url="https://desk.example.org")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
