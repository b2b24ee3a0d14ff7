"""The small interface every platform adapter implements, and the types it speaks.

An adapter is pure: it sees bytes, headers and query parameters, never Flask's request or the
database, so each one is tested without an app. The webhook view and the worker do the I/O.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from inquiry.ingest.inbound import InboundMessage


class Rejected(Exception):
    """The delivery is refused before anything is stored (bad signature: 401/403; wrong shape: 4xx)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def unauthorized(reason: str = "bad signature") -> Rejected:
    return Rejected(401, reason)


def malformed(reason: str) -> Rejected:
    return Rejected(400, reason)


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    body: bytes
    headers: Mapping[str, str]  # case-insensitive (werkzeug Headers, or a dict with lower-case keys)
    args: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        if value is None and isinstance(self.headers, dict):
            value = self.headers.get(name.lower())
        return value


@dataclass(frozen=True)
class Reply:
    """What the platform must get back: status, body and content type."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/plain"

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> "Reply":
        return cls(status, json.dumps(payload), "application/json")


@dataclass
class StatusUpdate:
    """A platform's report on one of our outbound messages."""

    external_id: str
    status: str  # sent | delivered | read | failed
    at: dt.datetime | None = None
    error: str | None = None


@dataclass
class Parsed:
    """Everything one delivery carried. ``problems`` lists elements that could not be read."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ignored: int = 0  # authentic events that are not inquiries (typing, reads, echoes …)


@dataclass(frozen=True)
class Outgoing:
    """One reply to deliver: everything an adapter needs, copied out of the database."""

    message_id: int
    text: str
    conversation_key: str
    recipient_external_id: str | None
    reply_to_external_id: str | None
    idempotency_key: str
    ticket_reference: str


@dataclass(frozen=True)
class Sent:
    external_id: str | None = None
    status: str = "sent"


class TemporaryFailure(Exception):
    """Try again later (5xx, timeouts, rate limits)."""


class PermanentFailure(Exception):
    """Never going to work (4xx other than rate limits, a closed reply window): dead-letter it."""


class Adapter:
    """Base adapter: subclasses override what their platform does differently."""

    platform: ClassVar[str] = ""
    # Longest text the platform accepts in one outbound message (None: no stated limit).
    max_text: ClassVar[int | None] = None
    # How long after the sender's last message a free-form reply is allowed (None: no window).
    reply_window: ClassVar[dt.timedelta | None] = None
    # Seconds within which the platform expects the acknowledgement.
    deadline_seconds: ClassVar[float] = 3.0
    # Headers stored with the delivery because parsing needs them (never secrets or bearer tokens).
    kept_headers: ClassVar[tuple[str, ...]] = ()

    def reply_rules(self, conversation_key: str | None) -> tuple[int | None, dt.timedelta | None]:
        """(max_text, reply_window) for one conversation: platforms whose accounts carry both DMs
        and public comments (Facebook, Instagram) answer differently per thread."""
        return self.max_text, self.reply_window

    def handshake(self, account, request: WebhookRequest) -> Reply | None:
        """Answer a verification request (GET challenge, PING …); None if this is not one."""
        return None

    def authenticate(self, account, request: WebhookRequest) -> None:
        """Raise Rejected unless the request provably comes from the platform."""
        raise NotImplementedError

    def delivery_key(self, account, request: WebhookRequest) -> str | None:
        """A key that is the same on every redelivery of this request (None: use the body hash)."""
        return None

    def acknowledge(self, account, request: WebhookRequest, parsed: Parsed) -> Reply:
        return Reply(200)

    def parse(self, account, request: WebhookRequest) -> Parsed:
        """Read the delivery: raise Rejected(400) if the whole body is unreadable; a bad element
        goes into ``problems`` and the others are still taken."""
        raise NotImplementedError

    def send(self, account, outgoing: Outgoing, http) -> Sent:
        """Deliver one reply through the platform's API at ``account.api_base_url``."""
        raise PermanentFailure(f"{self.platform} has no send API")


def posted_object(request: "WebhookRequest") -> dict | None:
    """The JSON object a POST carries, or None (not a POST, not JSON, not an object): how
    adapters recognise a platform's in-band handshake before authenticating it."""
    if request.method != "POST":
        return None
    try:
        body = load_json(request.body)
    except Rejected:
        return None
    return body if isinstance(body, dict) else None


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: "[[[[…" nested too deep
        raise malformed(f"malformed JSON: {str(exc)[:200]}") from None


def from_epoch(value, unit: str = "s") -> dt.datetime | None:
    """Platform timestamps: seconds or milliseconds, as numbers or strings."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer beyond float range
        return None
    if unit == "auto":
        unit = "ms" if number > 10**12 else "s"
    if unit == "ms":
        number /= 1000
    try:
        return dt.datetime.fromtimestamp(number, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def from_iso(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 → +00:00
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
