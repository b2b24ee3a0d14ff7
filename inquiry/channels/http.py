"""Calling platform APIs: one place that maps HTTP outcomes to retry or give up."""
from __future__ import annotations

from urllib.parse import urlsplit

import requests

from inquiry.channels.base import PermanentFailure, TemporaryFailure

RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "Inquiry/0.1 (+helpdesk)"
    return session


def call(http: requests.Session, method: str, url: str, *, timeout: float = 10, also_ok: tuple[int, ...] = (),
         **kwargs) -> requests.Response:
    """Send one request; 2xx returns the response, retryable failures raise TemporaryFailure,
    anything else PermanentFailure (with the platform's words, for the dead letter).
    ``also_ok``: statuses that mean success on this API (LINE's 409 "retry key already accepted")."""
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        # The URL may carry a credential (Telegram's /bot<token>/, ?access_token=): never store it.
        raise TemporaryFailure(f"{type(exc).__name__}: {redact(str(exc), url)}") from None
    if 200 <= response.status_code < 300 or response.status_code in also_ok:
        return response
    detail = f"HTTP {response.status_code}: {response.text[:500]}"
    if response.status_code in RETRYABLE:
        raise TemporaryFailure(detail)
    raise PermanentFailure(detail)


def redact(text: str, url: str) -> str:
    """``text`` with ``url`` (and its path, which may hold a token) reduced to scheme and host."""
    parts = urlsplit(url)
    safe = f"{parts.scheme}://{parts.netloc}/…"
    for secret in (url, parts.path, parts.query):
        if secret and len(secret) > 1:
            text = text.replace(secret, "…" if secret is not url else safe)
    return text


def require_base_url(account) -> str:
    if not account.api_base_url:
        raise PermanentFailure(f"account {account.name!r} has no API base URL")
    return account.api_base_url.rstrip("/")
