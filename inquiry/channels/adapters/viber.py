"""Viber REST Bot API (channels.md §5): hex HMAC of the raw body keyed with the bot's auth token.

One event per callback. ``message`` events become inquiries; ``delivered``/``seen``/``failed``
report on our own replies; subscriptions and conversation openings are acknowledged and dropped.
Viber answers API calls with HTTP 200 and a ``status`` code, so send() reads the body.
"""
from __future__ import annotations

from inquiry.channels.adapters._values import ident, optional_ident
from inquiry.channels.adapters._values import text as as_text
from inquiry.channels.base import posted_object
from inquiry.channels.base import (
    Adapter, Parsed, PermanentFailure, Reply, Sent, StatusUpdate, TemporaryFailure, from_epoch, load_json,
    malformed, unauthorized,
)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import hmac_sha256_hex, same
from inquiry.ingest.inbound import Attachment, InboundMessage

DEFAULT_API = "https://chatapi.viber.com"
STATUS_EVENTS = {"delivered": "delivered", "seen": "read", "failed": "failed"}
MEDIA_KINDS = {"picture": "image", "video": "video", "file": "file", "sticker": "sticker", "url": "link"}
SENDER_NAME_MAX = 28  # Viber refuses longer sender names
RETRYABLE_STATUS = {12}  # tooManyRequests; the rest (not subscribed, bad token …) will not heal


def signature(auth_token: str, body: bytes) -> str:
    return hmac_sha256_hex(auth_token, body)


@register("viber")
class Viber(Adapter):
    platform = "viber"
    max_text = 7000

    def handshake(self, account, request):
        """After set_webhook Viber posts a signed ``webhook`` event; a 200 completes the set-up."""
        body = posted_object(request)
        if body is None or body.get("event") != "webhook":
            return None
        self.authenticate(account, request)
        return Reply(200)

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no auth token configured")
        given = (request.header("X-Viber-Content-Signature") or "").strip().lower()
        if not same(given, signature(account.signing_secret, request.body)):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("event"), str):
            return None
        token = optional_ident(body.get("message_token"))
        # delivered and seen reports share our message's token: the event name keeps them apart.
        return f"{body['event']}:{token}" if token else None

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("event"), str):
            raise malformed("not a Viber callback (no event)")
        parsed = Parsed()
        event = body["event"]
        try:
            if event == "message":
                parsed.messages.append(self._message(body))
            elif event in STATUS_EVENTS:
                parsed.statuses.append(StatusUpdate(
                    external_id=ident(body.get("message_token")),
                    status=STATUS_EVENTS[event],
                    at=from_epoch(body.get("timestamp"), "ms"),
                    error=str(body.get("desc") or "failed on Viber") if event == "failed" else None,
                ))
            else:  # webhook, subscribed, unsubscribed, conversation_started, client_status …
                parsed.ignored += 1
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            parsed.problems.append(f"{event} event: unreadable ({exc!r})")
        return parsed

    def _message(self, body: dict) -> InboundMessage:
        sender, message = body["sender"], body["message"]
        sender_id = sender["id"]
        if not isinstance(sender_id, str) or not sender_id:
            raise ValueError("sender.id missing")
        kind = message["type"]
        text = message.get("text") if isinstance(message.get("text"), str) else ""
        attachments = []
        if kind in MEDIA_KINDS:
            media = message.get("media") if isinstance(message.get("media"), str) else None
            caption = message.get("file_name") if isinstance(message.get("file_name"), str) else None
            attachments.append(Attachment(MEDIA_KINDS[kind], platform_ref=media or optional_ident(message.get("sticker_id")),
                                          caption=caption))
            if kind == "url" and not text and media:
                text = media
        elif kind == "location":
            where = message["location"]
            attachments.append(Attachment("location", platform_ref=f"geo:{float(where['lat'])},{float(where['lon'])}"))
        elif kind == "contact":
            contact = message["contact"]
            attachments.append(Attachment("contact", platform_ref=as_text(contact.get("phone_number")) or None,
                                          caption=as_text(contact.get("name")) or None))
        elif kind != "text":
            attachments.append(Attachment("file", caption=str(kind)[:100]))
        name = sender.get("name")
        return InboundMessage(
            account=None,
            text=text,
            sender_external_id=sender_id,
            sender_display_name=name if isinstance(name, str) and name.strip() else None,
            external_message_id=ident(body.get("message_token")),
            conversation_key=sender_id,  # one chat per user and bot
            sent_at=from_epoch(body.get("timestamp"), "ms"),
            attachments=attachments,
        )

    def send(self, account, outgoing, http) -> Sent:
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        sender_name = str((account.options or {}).get("sender_name") or account.name)[:SENDER_NAME_MAX]
        response = call(http, "POST", f"{base}/pa/send_message", json={
            "receiver": outgoing.conversation_key,
            "type": "text",
            "text": outgoing.text,
            "sender": {"name": sender_name},
            "min_api_version": 1,
        }, headers={"X-Viber-Auth-Token": account.access_token or account.signing_secret or ""})
        try:
            answer = response.json()
        except ValueError:
            raise TemporaryFailure(f"Viber answered HTTP {response.status_code} without JSON") from None
        status = answer.get("status") if isinstance(answer, dict) else None
        if status == 0:
            return Sent(external_id=optional_ident(answer.get("message_token")))
        detail = f"Viber status {status}: {answer.get('status_message') if isinstance(answer, dict) else answer}"
        if status in RETRYABLE_STATUS:
            raise TemporaryFailure(detail)
        raise PermanentFailure(detail)



