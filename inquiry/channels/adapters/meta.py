"""Meta Graph webhooks (channels.md §1): what Facebook, Messenger, Instagram, WhatsApp and Threads share.

One base class answers the GET ``hub.verify_token`` handshake, checks ``X-Hub-Signature-256``
(HMAC-SHA256 of the raw body, keyed with the App Secret) and builds the delivery's dedupe key from
the ids of the events it carries. The products differ only in what they read and how they reply:
meta_pages.py (Facebook, Messenger, Instagram), meta_whatsapp.py and meta_threads.py.
"""
from __future__ import annotations

import hashlib
import re

from inquiry.channels.base import (
    Adapter, Parsed, PermanentFailure, Rejected, Reply, TemporaryFailure, from_epoch, load_json, malformed, unauthorized,
)
from inquiry.channels.http import call
from inquiry.channels.signatures import hmac_sha256_hex, same

GRAPH_BASE = "https://graph.facebook.com"
GRAPH_VERSION = "v21.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# What a malformed element of a batch can raise while being read; the rest of the batch goes on.
ELEMENT_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError)
# Graph error codes that mean "slow down / try later" even though the HTTP status is 4xx:
# API unknown/service (1, 2), app/user/page throttling (4, 17, 32, 613, 800xx), WhatsApp rate limits.
_TRANSIENT_CODES = {1, 2, 4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 130429, 131048, 131056}
_ERROR_CODE = re.compile(r'"code"\s*:\s*(\d+)')
_TRANSIENT_FLAG = re.compile(r'"is_transient"\s*:\s*true')


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac_sha256_hex(secret, body)


class Reading:
    """One delivery read: the Parsed result plus one dedupe key per event (None once any event
    has no id of its own, so the core falls back to the body hash)."""

    def __init__(self) -> None:
        self.parsed = Parsed()
        self.keys: list[str] | None = []

    def key(self, key: str | None) -> None:
        if key is None:
            self.keys = None
        elif self.keys is not None:
            self.keys.append(key)

    def ignore(self, key: str | None = None) -> None:
        self.parsed.ignored += 1
        self.key(key)

    def attempt(self, where: str, read, *args) -> None:
        """Run ``read(*args)``; a broken element becomes a problem, never an exception."""
        try:
            read(*args)
        except ELEMENT_ERRORS as exc:
            self.parsed.problems.append(f"{where}: unreadable ({exc!r})"[:500])
            self.keys = None


class MetaAdapter(Adapter):
    """Handshake, signature and dedupe for every Meta product; subclasses implement ``read``."""

    api_base = GRAPH_BASE
    kept_headers = (SIGNATURE_HEADER,)  # a signature, not a secret: lets an operator re-verify

    def handshake(self, account, request):
        if request.method != "GET" or "hub.mode" not in request.args:
            return None
        if not account.verify_token:
            raise Rejected(403, "account has no verify token configured")
        if request.args.get("hub.mode") != "subscribe" or not same(request.args.get("hub.verify_token"), account.verify_token):
            raise Rejected(403, "verify token mismatch")
        return Reply(200, request.args.get("hub.challenge", ""), "text/plain")

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no App Secret configured")
        given = request.header(SIGNATURE_HEADER) or ""
        if not given.startswith("sha256="):
            raise unauthorized("missing X-Hub-Signature-256")
        if not same("sha256=" + given[len("sha256="):].lower(), signature(account.signing_secret, request.body)):
            raise unauthorized("bad signature")

    def parse(self, account, request) -> Parsed:
        return self.read(account, load_json(request.body)).parsed

    def delivery_key(self, account, request):
        try:
            keys = self.read(account, load_json(request.body)).keys
        except Rejected:
            return None
        if not keys:
            return None
        if len(keys) == 1 and len(keys[0]) <= 200:
            return keys[0]
        return "events:" + hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()

    def read(self, account, body) -> Reading:
        raise NotImplementedError

    def base_url(self, account) -> str:
        return (account.api_base_url or self.api_base).rstrip("/")


def envelope(body, expected: str) -> list:
    """The ``entry`` list of a Graph envelope whose ``object`` is ``expected``."""
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        raise malformed("not a Meta webhook envelope (no entry list)")
    if body.get("object") != expected:
        raise malformed(f"object {str(body.get('object'))[:40]!r} is not what Meta sends to this account ({expected})")
    return body["entry"]


def ident(value) -> str:
    """A platform id as an exact string (numbers beyond 2^53 included: JSON ints parse exactly)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"not an id: {str(value)[:40]!r}")
    text = str(value).strip()
    if not text:
        raise ValueError("empty id")
    return text


def optional_ident(value) -> str | None:
    return None if value is None or value == "" else ident(value)


def text_of(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"text is not a string: {str(value)[:40]!r}")
    return value


def mapping(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not an object")
    return value


def listing(value, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list")
    return value


def when(value, unit: str = "auto"):
    """Aware UTC from epoch s/ms (by magnitude unless told); None when absent, boolean or absurd."""
    return None if isinstance(value, bool) else from_epoch(value, unit)


def graph_post(http, url: str, account, *, json=None, data=None, bearer: bool = True):
    """POST to a Graph API; throttling reported as a 4xx is still a temporary failure."""
    if not account.access_token:
        raise PermanentFailure(f"account {account.name!r} has no access token")
    headers = {"Authorization": f"Bearer {account.access_token}"} if bearer else {}
    try:
        return call(http, "POST", url, json=json, data=data, headers=headers)
    except PermanentFailure as exc:
        detail = str(exc)
        codes = {int(code) for code in _ERROR_CODE.findall(detail)[:1]}
        if codes & _TRANSIENT_CODES or _TRANSIENT_FLAG.search(detail):
            raise TemporaryFailure(detail) from None
        raise


def answer(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
