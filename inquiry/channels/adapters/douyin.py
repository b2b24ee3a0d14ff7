"""Douyin (抖音开放平台, channels.md §12): ``X-Douyin-Signature = sha1_hex(client secret + body)``.

``verify_webhook`` is answered with its challenge as JSON (after the signature check). Private
messages to an enterprise account arrive as ``im_receive_msg``; ``im_send_msg`` is the echo of
what the account sent and is ignored, as are other events. The ``Msg-Id`` header is the dedupe key.
The content's field names (``server_message_id``, ``conversation_short_id``, ``message_type``,
``text``, ``create_time``, ``user_infos``) follow Douyin's event pages and are UNVERIFIED against
a live delivery; ``content`` may come as an object or as a JSON string.
"""
from __future__ import annotations

import hashlib

from inquiry.channels.adapters._values import ident, nested_json, obj, optional_ident, text
from inquiry.channels.base import posted_object
from inquiry.channels.base import (Adapter, Parsed, PermanentFailure, Reply, from_epoch, load_json,
                                   malformed, unauthorized)
from inquiry.channels.registry import register
from inquiry.channels.signatures import same
from inquiry.ingest.inbound import Attachment, InboundMessage

INBOUND = "im_receive_msg"
MSG_ID = "Msg-Id"
ATTACHMENT_KINDS = {"image": "image", "video": "video", "emoji": "sticker", "voice": "audio", "audio": "audio"}


def sign(secret: str, body: bytes) -> str:
    return hashlib.sha1(secret.encode("utf-8") + body).hexdigest()


@register("douyin")
class Douyin(Adapter):
    platform = "douyin"
    deadline_seconds = 5
    kept_headers = (MSG_ID,)

    def handshake(self, account, request):
        body = posted_object(request)
        if body is None or body.get("event") != "verify_webhook":
            return None
        self.authenticate(account, request)
        return Reply.json({"challenge": obj(nested_json(body.get("content"))).get("challenge")})

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no client secret configured")
        if not same(request.header("X-Douyin-Signature"), sign(account.signing_secret, request.body)):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        message_id = request.header(MSG_ID)
        return f"msg:{message_id}" if message_id else None

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("event"), str):
            raise malformed("not a Douyin webhook event (no event name)")
        parsed = Parsed()
        if body["event"] != INBOUND:
            parsed.ignored += 1  # im_send_msg (our own echo), reads, authorisations …
            return parsed
        content = nested_json(body.get("content"))
        if not isinstance(content, dict):
            parsed.problems.append("im_receive_msg: content is not a JSON object")
            return parsed
        try:
            parsed.messages.append(self._message(body, content, request.header(MSG_ID)))
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"im_receive_msg: unreadable ({exc!r})")
        return parsed

    def _message(self, body: dict, content: dict, msg_id: str | None) -> InboundMessage:
        sender = ident(body["from_user_id"])
        kind = text(content.get("message_type")) or "text"
        message_text = content.get("text")
        if isinstance(message_text, dict):
            message_text = message_text.get("text")
        users = content.get("user_infos") if isinstance(content.get("user_infos"), list) else []
        name = next((text(u.get("nick_name")) for u in map(obj, users) if optional_ident(u.get("open_id")) == sender), "")
        external = optional_ident(content.get("server_message_id")) or optional_ident(content.get("msg_id")) or ident(msg_id)
        attachments = []
        if kind in ATTACHMENT_KINDS:
            ref = content.get("resource_url") or content.get("url") or obj(content.get(kind)).get("url")
            attachments.append(Attachment(kind=ATTACHMENT_KINDS[kind], platform_ref=ref if isinstance(ref, str) else None))
        return InboundMessage(
            account=None,
            text=text(message_text),
            sender_external_id=sender,
            sender_display_name=name or None,
            external_message_id=external,
            conversation_key=optional_ident(content.get("conversation_short_id")) or sender,
            sent_at=from_epoch(content.get("create_time"), "auto"),
            attachments=attachments,
        )

    def send(self, account, outgoing, http):
        raise PermanentFailure(
            "Douyin replies are not sent from here: its private-message send API (im.direct_message) is "
            "closed to new applications and needs per-message reply context; answer in the Douyin app"
        )

