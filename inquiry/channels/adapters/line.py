"""LINE Messaging API (channels.md §4): base64 HMAC of the raw body, batched events, 2 s deadline.

The console's "Verify" button posts a signed delivery with no events: it is answered at once and
not stored. Threads are the group, the room, or the user for one-to-one chats; replies use the push
API (reply tokens expire within a minute, long before an agent answers).
"""
from __future__ import annotations

import hashlib
import uuid

from inquiry.channels.base import posted_object
from inquiry.channels.base import Adapter, Parsed, Rejected, Reply, Sent, from_epoch, load_json, malformed, unauthorized
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import hmac_sha256_b64, same
from inquiry.ingest.inbound import Attachment, InboundMessage

DEFAULT_API = "https://api.line.me"
MEDIA_KINDS = {"image": "image", "video": "video", "audio": "audio", "file": "file"}


def signature(secret: str, body: bytes) -> str:
    return hmac_sha256_b64(secret, body)


@register("line")
class Line(Adapter):
    platform = "line"
    max_text = 5000
    deadline_seconds = 2

    def handshake(self, account, request):
        """The console's "Verify" request: signed like any delivery, with ``events: []``."""
        body = posted_object(request)
        if body is None or body.get("events") != []:
            return None
        self.authenticate(account, request)
        return Reply(200)

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no channel secret configured")
        if not same(request.header("x-line-signature"), signature(account.signing_secret, request.body)):
            raise unauthorized("bad signature")
        # Authentic for this channel secret; still refuse a delivery addressed to another bot.
        try:
            destination = load_json(request.body).get("destination")
        except (Rejected, AttributeError):
            return
        if account.external_account_id and isinstance(destination, str) and destination != account.external_account_id:
            raise Rejected(403, "delivery addressed to another LINE bot")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        events = body.get("events") if isinstance(body, dict) else None
        ids = sorted({e["webhookEventId"] for e in events or []
                      if isinstance(e, dict) and isinstance(e.get("webhookEventId"), str)})
        if not ids or not isinstance(events, list) or len(ids) != len(events):
            return None  # an event without an id: fall back to the body hash
        joined = ",".join(ids)
        return "events:" + joined if len(joined) <= 200 else "events:" + hashlib.sha256(joined.encode()).hexdigest()

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            raise malformed("not a LINE webhook delivery (no events list)")
        parsed = Parsed()
        for index, event in enumerate(body["events"]):
            try:
                message = self._event(event)
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                parsed.problems.append(f"events[{index}]: unreadable ({exc!r})")
                continue
            if message is None:
                parsed.ignored += 1
            else:
                parsed.messages.append(message)
        return parsed

    def _event(self, event: dict) -> InboundMessage | None:
        # follow, unfollow, join, postback, unsend … are not inquiries; in standby mode another
        # module owns the chat and we must stay silent.
        if event["type"] != "message" or event.get("mode") == "standby":
            return None
        message, source = event["message"], event["source"]
        message_id = _required(message["id"])
        user = source.get("userId")
        thread = conversation_key(source)
        kind = message["type"]
        text, attachments = "", []
        if kind == "text":
            text = _str(message.get("text"))
        elif kind in MEDIA_KINDS:
            provider = message.get("contentProvider") if isinstance(message.get("contentProvider"), dict) else {}
            ref = provider.get("originalContentUrl") if provider.get("type") == "external" else message_id
            attachments.append(Attachment(MEDIA_KINDS[kind], platform_ref=ref, caption=_str(message.get("fileName")) or None))
        elif kind == "location":
            label = ", ".join(_str(message.get(k)) for k in ("title", "address") if _str(message.get(k)))
            where = f"geo:{float(message['latitude'])},{float(message['longitude'])}"
            attachments.append(Attachment("location", platform_ref=where, caption=label or None))
        elif kind == "sticker":
            sticker = f"{_required(message['packageId'])}/{_required(message['stickerId'])}"
            attachments.append(Attachment("sticker", platform_ref=sticker))
        else:
            raise ValueError(f"unknown message type {kind!r}")
        return InboundMessage(
            account=None,
            text=text,
            # In groups and rooms the user id is only given for LINE's mobile apps: the group speaks.
            sender_external_id=user if isinstance(user, str) and user else thread,
            sender_display_name=None,  # not in the payload; LINE's profile API has it
            external_message_id=message_id,
            conversation_key=thread,
            sent_at=from_epoch(event.get("timestamp"), "ms"),
            attachments=attachments,
            reply_to_external_id=_str(message.get("quotedMessageId")) or None,
        )

    def send(self, account, outgoing, http) -> Sent:
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        response = call(http, "POST", f"{base}/v2/bot/message/push", also_ok=(409,), json={
            "to": outgoing.conversation_key,
            "messages": [{"type": "text", "text": outgoing.text}],
        }, headers={
            "Authorization": f"Bearer {account.access_token or ''}",
            # LINE keeps the key a day and answers a repeat with 409 (already accepted): a retry
            # after a lost answer never sends the reply twice.
            "X-Line-Retry-Key": retry_key(outgoing.idempotency_key),
        })
        try:
            sent = response.json().get("sentMessages") or []
            external = str(sent[0]["id"]) if sent and isinstance(sent[0], dict) and "id" in sent[0] else None
        except (ValueError, AttributeError, TypeError):
            external = None
        return Sent(external_id=external)


def conversation_key(source: dict) -> str:
    kind = source["type"]
    field = {"group": "groupId", "room": "roomId"}.get(kind, "userId")
    return _required(source[field])


def retry_key(idempotency_key: str) -> str:
    """LINE wants a UUID: the outbox key is 32 hex digits, so it is one; anything else maps to a
    stable UUID of its own."""
    try:
        return str(uuid.UUID(hex=idempotency_key))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "inquiry:" + idempotency_key))


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def _required(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise ValueError(f"missing id: {value!r}")
    return str(value)
