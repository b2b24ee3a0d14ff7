"""VK Callback API (channels.md §7): a shared secret inside the JSON body, one event per request.

The secret is checked before anything else, the confirmation request included, so nobody can
learn the confirmation string or plant events without it. Community messages (``message_new``, in
the ≥ 5.103 ``{message, client_info}`` wrapper or the older flat object) and wall comments
(``wall_reply_new``) become inquiries; VK must get the body ``ok`` or it sends the event again.
"""
from __future__ import annotations

import hashlib

from inquiry.channels.base import (
    Adapter, Parsed, PermanentFailure, Rejected, Reply, Sent, TemporaryFailure, from_epoch, load_json, malformed,
)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import same
from inquiry.ingest.inbound import Attachment, InboundMessage

DEFAULT_API = "https://api.vk.com"
API_VERSION = "5.199"
CHAT_PEER_BASE = 2_000_000_000  # peer ids from here on are multi-user chats
ATTACHMENT_KINDS = {"photo": "image", "video": "video", "audio": "audio", "audio_message": "audio", "doc": "file",
                    "sticker": "sticker", "link": "link", "wall": "link", "market": "link", "poll": "file"}
# VK API errors worth a retry: unknown, too many requests per second, flood control, internal error.
RETRYABLE_ERRORS = {1, 6, 9, 10}


def bad_secret(reason: str = "bad secret") -> Rejected:
    return Rejected(403, reason)  # VK's own SDKs answer a wrong secret with 403


@register("vk")
class VK(Adapter):
    platform = "vk"
    max_text = 4096

    def handshake(self, account, request):
        """VK's "confirmation" request: answer with the string shown in the community settings."""
        if request.method != "POST":
            return None
        body = self._authentic_body(account, request)
        if body.get("type") != "confirmation":
            return None
        confirmation = (account.options or {}).get("confirmation")
        if not isinstance(confirmation, str) or not confirmation:
            raise Rejected(403, "account has no confirmation string configured")
        return Reply(200, confirmation, "text/plain")

    def authenticate(self, account, request):
        self._authentic_body(account, request)

    def _authentic_body(self, account, request) -> dict:
        if not account.signing_secret:
            raise bad_secret("account has no secret key configured")
        try:
            body = load_json(request.body)
        except Rejected:
            raise bad_secret("no secret: the body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("secret"), str):
            raise bad_secret("no secret in the body")
        if not same(body["secret"], account.signing_secret):
            raise bad_secret("bad secret")
        return body

    def delivery_key(self, account, request):
        body = load_json(request.body)
        event_id = body.get("event_id") if isinstance(body, dict) else None
        return f"event:{event_id}" if isinstance(event_id, str) and event_id else None

    def acknowledge(self, account, request, parsed):
        return Reply(200, "ok", "text/plain")

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise malformed("not a VK Callback API event (no type)")
        parsed = Parsed()
        kind = body["type"]
        if kind not in ("message_new", "message_edit", "wall_reply_new"):
            parsed.ignored += 1  # confirmation, message_reply (our own), typing, likes, joins …
            return parsed
        try:
            if "object" not in body or not isinstance(body["object"], dict):
                raise ValueError("no object")
            group = _int(body.get("group_id"))
            message = self._comment(body["object"], group) if kind == "wall_reply_new" \
                else self._message(body["object"], group, is_edit=kind == "message_edit")
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            parsed.problems.append(f"{kind} event: unreadable ({exc!r})")
            return parsed
        if message is None:
            parsed.ignored += 1
        else:
            parsed.messages.append(message)
        return parsed

    def _message(self, obj: dict, group: int | None, *, is_edit: bool) -> InboundMessage | None:
        # API ≥ 5.103: {"message": {...}, "client_info": {...}}; older versions: the message itself.
        message = obj["message"] if isinstance(obj.get("message"), dict) else obj
        sender = _int(message.get("from_id", message.get("user_id")))
        if sender is None:
            raise ValueError("no from_id")
        if message.get("out") == 1 or (group is not None and sender == -group):
            return None  # our own message
        peer = _int(message.get("peer_id")) or sender
        text = message.get("text", message.get("body"))
        reply = message.get("reply_message") if isinstance(message.get("reply_message"), dict) else None
        attachments = [_attachment(a) for a in message.get("attachments") or [] if isinstance(a, dict)]
        if isinstance(message.get("geo"), dict):
            attachments.append(_geo(message["geo"]))
        return InboundMessage(
            account=None,
            text=text if isinstance(text, str) else "",
            sender_external_id=str(sender),
            sender_display_name=None,  # not in the event; users.get has it
            external_message_id=_message_id(message, peer),
            conversation_key=str(peer),
            sent_at=from_epoch(message.get("date")),
            attachments=attachments,
            reply_to_external_id=_message_id(reply, peer) if reply else None,
            is_edit=is_edit,
        )

    def _comment(self, comment: dict, group: int | None) -> InboundMessage | None:
        sender = _int(comment["from_id"])
        if sender is None:
            raise ValueError("no from_id")
        if group is not None and sender == -group:
            return None  # the community answering on its own wall
        owner, post = _int(comment["post_owner_id"]), _int(comment["post_id"])
        comment_id = _int(comment["id"])
        if None in (owner, post, comment_id):
            raise ValueError("comment without post_owner_id, post_id or id")
        parent = _int(comment.get("reply_to_comment"))
        return InboundMessage(
            account=None,
            text=comment.get("text") if isinstance(comment.get("text"), str) else "",
            sender_external_id=str(sender),
            external_message_id=f"wall{owner}_{post}:{comment_id}",
            conversation_key=f"wall{owner}_{post}",  # the post is the thread
            sent_at=from_epoch(comment.get("date")),
            attachments=[_attachment(a) for a in comment.get("attachments") or [] if isinstance(a, dict)],
            reply_to_external_id=f"wall{owner}_{post}:{parent}" if parent else None,
        )

    def send(self, account, outgoing, http) -> Sent:
        if outgoing.conversation_key.startswith("wall"):
            raise PermanentFailure("VK wall comments are answered on VK: wall.createComment needs a user's token, "
                                   "not the community's")
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        params = {
            "peer_id": outgoing.conversation_key,
            "message": outgoing.text,
            # VK drops a second message with the same random_id to the same peer: a retry after a
            # lost answer is not sent twice.
            "random_id": random_id(outgoing.idempotency_key),
            "access_token": account.access_token or "",
            "v": API_VERSION,
        }
        quoted = (outgoing.reply_to_external_id or "")
        if quoted.isdigit():
            params["reply_to"] = quoted
        # POST form body, not the query string: the token stays out of URLs and logs.
        response = call(http, "POST", f"{base}/method/messages.send", data=params)
        try:
            answer = response.json()
        except ValueError:
            raise TemporaryFailure(f"VK answered HTTP {response.status_code} without JSON") from None
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict):
            detail = f"VK error {error.get('error_code')}: {error.get('error_msg')}"
            raise (TemporaryFailure if error.get("error_code") in RETRYABLE_ERRORS else PermanentFailure)(detail)
        result = answer.get("response") if isinstance(answer, dict) else None
        return Sent(external_id=str(result) if isinstance(result, int) and not isinstance(result, bool) else None)


def random_id(idempotency_key: str) -> int:
    """A positive 31-bit integer fixed by the outbox key (VK's random_id is an int32)."""
    return int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:4], "big") & 0x7FFFFFFF


def _message_id(message: dict, peer: int) -> str:
    """Private dialogs: the message id; chats: peer + conversation_message_id (the id can be 0)."""
    if peer >= CHAT_PEER_BASE and _int(message.get("conversation_message_id")):
        return f"{peer}:{message['conversation_message_id']}"
    message_id = _int(message.get("id"))
    if not message_id:
        raise ValueError("message without id")
    return str(message_id)


def _attachment(item: dict) -> Attachment:
    kind = item.get("type")
    inner = item.get(kind) if isinstance(kind, str) and isinstance(item.get(kind), dict) else {}
    if kind == "link":
        ref = inner.get("url")
    elif _int(inner.get("owner_id")) is not None and _int(inner.get("id")) is not None:
        ref = f"{kind}{inner['owner_id']}_{inner['id']}"  # VK's own attachment notation
        if isinstance(inner.get("access_key"), str):
            ref += "_" + inner["access_key"]
    else:
        ref = None
    caption = inner.get("title") or inner.get("text")
    return Attachment(ATTACHMENT_KINDS.get(kind, "file"), platform_ref=ref if isinstance(ref, str) else None,
                      caption=caption if isinstance(caption, str) and caption else None)


def _geo(geo: dict) -> Attachment:
    where = geo.get("coordinates") if isinstance(geo.get("coordinates"), dict) else {}
    lat, lon = where.get("latitude"), where.get("longitude")
    ref = f"geo:{float(lat)},{float(lon)}" if lat is not None and lon is not None else None
    place = geo.get("place") if isinstance(geo.get("place"), dict) else {}
    title = place.get("title")
    return Attachment("location", platform_ref=ref, caption=title if isinstance(title, str) and title else None)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdecimal():
        return int(value)
    return None
