"""Helpers for the log-in tests: read the CSRF token a page hands out, log in through the form."""
import re

import pytest

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = CSRF_INPUT.search(text)
    assert match, "the page carries no CSRF token"
    return match.group(1)


@pytest.fixture
def log_in(client):
    """POST the log-in form (with the page's CSRF token, which is ignored when CSRF is off)."""

    def _log_in(email, password, *, next_url=None, remember=False, environ=None):
        page = client.get("/login", environ_base=environ or {})
        data = {"email": email, "password": password, "csrf_token": csrf_from(page.data)}
        if remember:
            data["remember"] = "y"
        url = "/login" + (f"?next={next_url}" if next_url is not None else "")
        return client.post(url, data=data, environ_base=environ or {})

    return _log_in
