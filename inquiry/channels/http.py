"""Calling platform APIs: one place that maps HTTP outcomes to retry or give up."""
from __future__ import annotations

import requests

from inquiry.channels.base import PermanentFailure, TemporaryFailure

RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "Inquiry/0.1 (+helpdesk)"
    return session


def call(http: requests.Session, method: str, url: str, *, timeout: float = 10, **kwargs) -> requests.Response:
    """Send one request; 2xx returns the response, retryable failures raise TemporaryFailure,
    anything else PermanentFailure (with the platform's words, for the dead letter)."""
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
    if 200 <= response.status_code < 300:
        return response
    detail = f"HTTP {response.status_code}: {response.text[:500]}"
    if response.status_code in RETRYABLE:
        raise TemporaryFailure(detail)
    raise PermanentFailure(detail)


def require_base_url(account) -> str:
    if not account.api_base_url:
        raise PermanentFailure(f"account {account.name!r} has no API base URL")
    return account.api_base_url.rstrip("/")
