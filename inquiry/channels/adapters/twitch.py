"""Twitch EventSub over webhooks (channels.md §10): HMAC over id + timestamp + body.

Chat messages (``channel.chat.message``) and whispers (``user.whisper.message``) become inquiries.
The verification challenge is echoed as text after the signature is checked; a revocation is
acknowledged and logged (nothing to store). Redeliveries keep the message id, our dedupe key.

Chat is public and shared by every viewer, so a chat conversation is one chatter in one channel
(``<broadcaster id>:<chatter id>``), not the whole channel: two viewers' questions are two
inquiries. Whispers are ``whisper:<user id>``. ``account.external_account_id`` is our Twitch user
id (the one that sends replies); ``options["client_id"]`` the app's client id.
"""
from __future__ import annotations

import logging
import time

from inquiry.channels.adapters._values import ident, obj, optional_ident, text
from inquiry.channels.base import (Adapter, Parsed, PermanentFailure, Reply, Sent, from_iso, load_json,
                                   malformed, unauthorized)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import hmac_sha256_hex, same
from inquiry.ingest.inbound import InboundMessage

log = logging.getLogger(__name__)

DEFAULT_API = "https://api.twitch.tv"
MAX_AGE_SECONDS = 600  # Twitch: reject messages older than 10 minutes
ID, TIMESTAMP, SIGNATURE = "Twitch-Eventsub-Message-Id", "Twitch-Eventsub-Message-Timestamp", "Twitch-Eventsub-Message-Signature"
TYPE, SUBSCRIPTION = "Twitch-Eventsub-Message-Type", "Twitch-Eventsub-Subscription-Type"
CHAT, WHISPER = "channel.chat.message", "user.whisper.message"
WHISPER_PREFIX = "whisper:"


def sign(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac_sha256_hex(secret, message_id.encode() + timestamp.encode() + body)


@register("twitch")
class Twitch(Adapter):
    platform = "twitch"
    max_text = 500
    kept_headers = (ID, TIMESTAMP, TYPE, SUBSCRIPTION)
    clock = staticmethod(time.time)

    def handshake(self, account, request):
        kind = request.header(TYPE)
        if request.method != "POST" or kind not in ("webhook_callback_verification", "revocation"):
            return None
        self.authenticate(account, request)
        body = load_json(request.body)
        if kind == "revocation":
            subscription = obj(obj(body).get("subscription"))
            log.warning("Twitch revoked subscription %s (%s) of account %s: %s", subscription.get("id"),
                        subscription.get("type"), account.id, subscription.get("status"))
            return Reply(204)
        challenge = obj(body).get("challenge")
        if not isinstance(challenge, str):
            raise malformed("verification without a challenge")
        return Reply(200, challenge, "text/plain")

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no subscription secret configured")
        message_id, stamp = request.header(ID) or "", request.header(TIMESTAMP) or ""
        sent = from_iso(stamp)
        if not message_id or sent is None:
            raise unauthorized("missing message id or timestamp")
        if abs(self.clock() - sent.timestamp()) > MAX_AGE_SECONDS:
            raise unauthorized("message timestamp older than 10 minutes (or in the future)")
        if not same(request.header(SIGNATURE), sign(account.signing_secret, message_id, stamp, request.body)):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        message_id = request.header(ID)
        return f"msg:{message_id}" if message_id else None

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("subscription"), dict):
            raise malformed("not an EventSub message (no subscription)")
        parsed = Parsed()
        kind = text(body["subscription"].get("type")) or request.header(SUBSCRIPTION)
        if request.header(TYPE) not in (None, "notification") or kind not in (CHAT, WHISPER):
            parsed.ignored += 1
            return parsed
        event = body.get("event")
        if not isinstance(event, dict):
            parsed.problems.append(f"{kind}: no event object")
            return parsed
        try:
            message = self._chat(event) if kind == CHAT else self._whisper(event)
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"{kind}: unreadable event ({exc!r})")
            return parsed
        if message.sender_external_id == account.external_account_id:
            parsed.ignored += 1  # our own reply, echoed back by the chat subscription
            return parsed
        message.sent_at = from_iso(request.header(TIMESTAMP))
        parsed.messages.append(message)
        return parsed

    def _chat(self, event: dict) -> InboundMessage:
        broadcaster, chatter = ident(event["broadcaster_user_id"]), ident(event["chatter_user_id"])
        return InboundMessage(
            account=None,
            text=text(obj(event.get("message")).get("text")),
            sender_external_id=chatter,
            sender_display_name=text(event.get("chatter_user_name")) or text(event.get("chatter_user_login")) or None,
            external_message_id=ident(event["message_id"]),
            conversation_key=f"{broadcaster}:{chatter}",
            reply_to_external_id=optional_ident(obj(event.get("reply")).get("parent_message_id")),
        )

    def _whisper(self, event: dict) -> InboundMessage:
        sender = ident(event["from_user_id"])
        return InboundMessage(
            account=None,
            text=text(obj(event.get("whisper")).get("text")),
            sender_external_id=sender,
            sender_display_name=text(event.get("from_user_name")) or text(event.get("from_user_login")) or None,
            external_message_id=ident(event["whisper_id"]),
            conversation_key=WHISPER_PREFIX + sender,
        )

    def send(self, account, outgoing, http) -> Sent:
        if not account.external_account_id:
            raise PermanentFailure("Twitch account has no user id (external account id) to send as")
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        headers = {"Client-Id": (account.options or {}).get("client_id", ""),
                   "Authorization": f"Bearer {account.access_token or ''}"}
        if outgoing.conversation_key.startswith(WHISPER_PREFIX):
            call(http, "POST", f"{base}/helix/whispers", headers=headers, json={"message": outgoing.text},
                 params={"from_user_id": account.external_account_id,
                         "to_user_id": outgoing.conversation_key[len(WHISPER_PREFIX):]})
            return Sent()  # 204: whispers get no id
        payload = {"broadcaster_id": outgoing.conversation_key.split(":", 1)[0],
                   "sender_id": account.external_account_id, "message": outgoing.text}
        if outgoing.reply_to_external_id:
            payload["reply_parent_message_id"] = outgoing.reply_to_external_id
        response = call(http, "POST", f"{base}/helix/chat/messages", headers=headers, json=payload)
        try:
            result = obj((response.json().get("data") or [{}])[0])
        except (ValueError, AttributeError, IndexError, TypeError):
            result = {}
        if result.get("is_sent") is False:
            reason = obj(result.get("drop_reason"))
            raise PermanentFailure(f"Twitch dropped the message: {reason.get('code')}: {reason.get('message')}")
        return Sent(external_id=optional_ident(result.get("message_id")))
