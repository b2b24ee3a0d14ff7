"""TikTok (channels.md §9): ``TikTok-Signature: t=…,s=…`` over ``t + "." + body``, business DMs.

The envelope's ``content`` is a JSON *string* parsed a second time. Only ``im_receive_msg`` events
addressed to our business account are inquiries; ``im_send_msg`` (the echo of our own replies) and
the developer events (``authorization.removed``, ``video.*`` …) are acknowledged and ignored.
Replies go through the Business Messaging API (``/open_api/v1.3/business/message/send/``, as
Chatwoot uses it — the endpoint and error codes are UNVERIFIED against TikTok's own page).
"""
from __future__ import annotations

import datetime as dt
import time

from inquiry.channels.adapters._values import ident, nested_json, obj, optional_ident, text
from inquiry.channels.base import (Adapter, Parsed, PermanentFailure, Sent, TemporaryFailure, from_epoch,
                                   load_json, malformed, unauthorized)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import hmac_sha256_hex, same
from inquiry.ingest.inbound import Attachment, InboundMessage

DEFAULT_API = "https://business-api.tiktok.com"
TOLERANCE_SECONDS = 300
INBOUND, ECHO = "im_receive_msg", "im_send_msg"
ATTACHMENT_KINDS = {"image": "image", "video": "video", "share_post": "link", "sticker": "sticker", "audio": "audio"}
# TikTok answers HTTP 200 with a non-zero ``code`` on failure; these are worth retrying.
RETRY_CODES = {40100, 40200, 50000, 50001, 50002}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac_sha256_hex(secret, timestamp.encode() + b"." + body)


def signature_parts(header: str | None) -> dict[str, str]:
    """``t=1700000000,s=ab12…`` → {"t": …, "s": …}; anything unreadable yields an empty dict."""
    parts = {}
    for element in (header or "").split(","):
        name, sep, value = element.strip().partition("=")
        if sep:
            parts[name.strip()] = value.strip()
    return parts


@register("tiktok")
class TikTok(Adapter):
    platform = "tiktok"
    max_text = 6000  # Chatwoot's limit for TikTok business messages (UNVERIFIED)
    reply_window = dt.timedelta(hours=48)  # Chatwoot's messaging window (UNVERIFIED)
    clock = staticmethod(time.time)

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no client secret configured")
        parts = signature_parts(request.header("TikTok-Signature"))
        stamp, given = parts.get("t", ""), parts.get("s")
        if not stamp.isdigit() or not given:
            raise unauthorized("missing or unreadable TikTok-Signature")
        if abs(self.clock() - int(stamp)) > TOLERANCE_SECONDS:
            raise unauthorized("signature timestamp outside the 300 s window")
        if not same(given, sign(account.signing_secret, stamp, request.body)):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        if not isinstance(body, dict):
            return None
        content = nested_json(body.get("content"))
        message_id = optional_ident(content.get("message_id")) if isinstance(content, dict) else None
        return f"{body.get('event')}:{message_id}" if message_id else None

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("event"), str):
            raise malformed("not a TikTok webhook event (no event name)")
        parsed = Parsed()
        if body["event"] != INBOUND:
            parsed.ignored += 1  # our own echoes (im_send_msg), reads, developer events
            return parsed
        content = nested_json(body.get("content"))
        if not isinstance(content, dict):
            parsed.problems.append("im_receive_msg: content is not a JSON object string")
            return parsed
        if optional_ident(obj(content.get("to_user")).get("id")) not in (None, optional_ident(body.get("user_openid"))):
            parsed.ignored += 1  # not addressed to our business account
            return parsed
        try:
            parsed.messages.append(self._message(content))
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"im_receive_msg {content.get('message_id')!r}: unreadable ({exc!r})")
        return parsed

    def _message(self, content: dict) -> InboundMessage:
        kind = text(content.get("type")) or "text"
        attachments = []
        if kind in ATTACHMENT_KINDS:
            item = obj(content.get(kind))
            ref = item.get("media_id") or item.get("embed_url") or item.get("url")
            attachments.append(Attachment(kind=ATTACHMENT_KINDS[kind], platform_ref=ref if isinstance(ref, str) else None))
        quoted = obj(content.get("referenced_message_info")).get("referenced_message_id")
        return InboundMessage(
            account=None,
            text=text(obj(content.get("text")).get("body")),
            sender_external_id=ident(obj(content.get("from_user"))["id"]),
            sender_display_name=text(content.get("from")) or None,
            external_message_id=ident(content["message_id"]),
            conversation_key=ident(content["conversation_id"]),
            sent_at=from_epoch(content.get("timestamp"), "ms"),
            attachments=attachments,
            reply_to_external_id=optional_ident(quoted),
        )

    def send(self, account, outgoing, http) -> Sent:
        if not account.external_account_id:
            raise PermanentFailure("TikTok account has no business id (external account id)")
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        payload = {
            "business_id": account.external_account_id,
            "recipient_type": "CONVERSATION",
            "recipient": outgoing.conversation_key,
            "message_type": "TEXT",
            "text": {"body": outgoing.text},
        }
        response = call(http, "POST", f"{base}/open_api/v1.3/business/message/send/", json=payload,
                        headers={"Access-Token": account.access_token or ""})
        try:
            answer = response.json()
        except ValueError:
            raise TemporaryFailure("TikTok answered with something other than JSON") from None
        code = answer.get("code") if isinstance(answer, dict) else None
        if code != 0:
            detail = f"TikTok code {code}: {str(obj(answer).get('message'))[:300]}"
            raise TemporaryFailure(detail) if code in RETRY_CODES else PermanentFailure(detail)
        message = obj(obj(answer.get("data")).get("message"))
        return Sent(external_id=optional_ident(message.get("message_id")))

