"""The generic signed-JSON bridge (channels.md §12.1) for networks with no webhook of their own.

An external tool or an operator posts one message per request, signed with the account's key over
``timestamp + "." + body``; replies go back to the tool at the account's API base URL, signed the
same way, so the tool can post them on the network.
"""
from __future__ import annotations

import json
import time

from inquiry.channels.adapters._values import optional_ident, text
from inquiry.channels.base import Adapter, Parsed, Reply, Sent, from_iso, load_json, malformed, unauthorized
from inquiry.channels.http import call, require_base_url
from inquiry.channels.registry import BRIDGE, register
from inquiry.channels.signatures import hmac_sha256_hex, same
from inquiry.ingest.inbound import Attachment, InboundMessage, clean_text, fit_id

TOLERANCE_SECONDS = 300


def _id(value) -> str | None:
    """An id the tool sent (a string or an integer), without NUL, fitted to the id columns."""
    return fit_id(optional_ident(clean_text(value) if isinstance(value, str) else value))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac_sha256_hex(secret, timestamp.encode() + b"." + body)


@register(BRIDGE)
class Bridge(Adapter):
    platform = BRIDGE

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no bridge key configured")
        stamp = request.header("X-Bridge-Timestamp") or ""
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
            raise unauthorized("timestamp missing or outside the 300 s window")
        if not same(request.header("X-Bridge-Signature"), sign(account.signing_secret, stamp, request.body)):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        message_id = _id(body.get("external_message_id")) if isinstance(body, dict) else None
        return "msg:" + message_id if message_id else None

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict):
            raise malformed("the bridge takes one JSON object")
        message_id, sender = _id(body.get("external_message_id")), _id(body.get("sender_external_id"))
        missing = [name for name, value in (("external_message_id", message_id), ("sender_external_id", sender),
                                            ("text", clean_text(body.get("text")))) if not value or not value.strip()]
        if missing:
            raise malformed(f"missing or non-string field(s): {', '.join(missing)}")
        if body.get("platform") not in (None, account.platform):
            raise malformed(f"platform {body.get('platform')!r} does not match this account ({account.platform})")
        listed = body.get("attachments")
        attachments = [
            Attachment(kind=text(a.get("kind")) or "link", platform_ref=a.get("url") or a.get("platform_ref"),
                       mime=a.get("mime"), caption=a.get("caption"))
            for a in (listed if isinstance(listed, list) else []) if isinstance(a, dict)
        ]
        return Parsed(messages=[InboundMessage(
            account=None,
            text=body["text"],
            sender_external_id=sender,
            sender_display_name=text(body.get("sender_display_name")) or None,
            external_message_id=message_id,
            conversation_key=_id(body.get("conversation_key")) or sender,
            sent_at=from_iso(body.get("sent_at")),
            attachments=attachments,
            language=body.get("language") if isinstance(body.get("language"), str) else None,
        )])

    def acknowledge(self, account, request, parsed):
        return Reply.json({"accepted": True}, status=202)

    def send(self, account, outgoing, http) -> Sent:
        payload = json.dumps({
            "platform": account.platform,
            "conversation_key": outgoing.conversation_key,
            "recipient_external_id": outgoing.recipient_external_id,
            "in_reply_to": outgoing.reply_to_external_id,
            "text": outgoing.text,
            "idempotency_key": outgoing.idempotency_key,
            "reference": outgoing.ticket_reference,
        }).encode()
        stamp = str(int(time.time()))
        response = call(http, "POST", require_base_url(account) + "/replies", data=payload, headers={
            "Content-Type": "application/json",
            "X-Bridge-Timestamp": stamp,
            "X-Bridge-Signature": sign(account.signing_secret or "", stamp, payload),
            "Idempotency-Key": outgoing.idempotency_key,
        })
        try:
            external = response.json().get("external_message_id")
        except ValueError:
            external = None
        return Sent(external_id=external)
