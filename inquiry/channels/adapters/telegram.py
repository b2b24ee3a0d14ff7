"""Telegram Bot API (channels.md §2): secret-token header, one update per delivery."""
from __future__ import annotations

import datetime as dt

from inquiry.channels.base import Adapter, Parsed, Sent, from_epoch, load_json, malformed, unauthorized
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import same
from inquiry.ingest.inbound import Attachment, InboundMessage

MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message")
ATTACHMENT_KINDS = {"photo": "image", "document": "file", "video": "video", "voice": "audio", "audio": "audio",
                    "sticker": "sticker", "location": "location", "contact": "contact", "video_note": "video"}


@register("telegram")
class Telegram(Adapter):
    platform = "telegram"
    max_text = 4096
    deadline_seconds = 5

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no secret token configured")
        if not same(request.header("X-Telegram-Bot-Api-Secret-Token"), account.signing_secret):
            raise unauthorized("bad secret token")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        if isinstance(body, dict) and isinstance(body.get("update_id"), int):
            return f"update:{body['update_id']}"
        return None

    def parse(self, account, request) -> Parsed:
        update = load_json(request.body)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise malformed("not a Telegram update (no integer update_id)")
        parsed = Parsed()
        kind = next((k for k in MESSAGE_KINDS if k in update), None)
        if kind is None:
            parsed.ignored += 1  # callback queries, member updates, reactions …
            return parsed
        try:
            parsed.messages.append(self._message(update[kind], is_edit=kind.startswith("edited")))
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"update {update['update_id']}: unreadable {kind} ({exc!r})")
        return parsed

    def _message(self, message: dict, *, is_edit: bool) -> InboundMessage:
        chat = message["chat"]
        sender = message.get("from") or message.get("sender_chat") or chat
        name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")])) or sender.get("title") or sender.get("username")
        conversation = str(chat["id"])
        if message.get("message_thread_id"):
            conversation += f":{message['message_thread_id']}"
        attachments = [
            Attachment(kind=ATTACHMENT_KINDS[key], platform_ref=_file_id(message[key]), mime=_mime(message[key]),
                       caption=message.get("caption"))
            for key in ATTACHMENT_KINDS if key in message
        ]
        reply_to = message.get("reply_to_message") or {}
        when = message.get("edit_date") if is_edit else message.get("date")
        return InboundMessage(
            account=None,
            text=message.get("text") or message.get("caption") or "",
            sender_external_id=str(sender["id"]),
            sender_display_name=name,
            external_message_id=f"{chat['id']}:{message['message_id']}",
            conversation_key=conversation,
            language=None,
            sent_at=from_epoch(when) or dt.datetime.now(dt.timezone.utc),
            attachments=attachments,
            reply_to_external_id=f"{chat['id']}:{reply_to['message_id']}" if "message_id" in reply_to else None,
            is_edit=is_edit,
        )

    def send(self, account, outgoing, http) -> Sent:
        base = (account.api_base_url or "https://api.telegram.org").rstrip("/")
        chat_id, _, thread = outgoing.conversation_key.partition(":")
        payload = {"chat_id": chat_id, "text": outgoing.text}
        if thread:
            payload["message_thread_id"] = int(thread)
        quoted = (outgoing.reply_to_external_id or "").rsplit(":", 1)[-1]
        if quoted.isdigit():
            payload["reply_parameters"] = {"message_id": int(quoted), "allow_sending_without_reply": True}
        response = call(http, "POST", f"{base}/bot{account.access_token}/sendMessage", json=payload)
        result = response.json().get("result") or {}
        return Sent(external_id=f"{chat_id}:{result['message_id']}" if "message_id" in result else None)


def _file_id(item):
    if isinstance(item, list):  # photo: sizes, largest last
        item = item[-1] if item else {}
    return item.get("file_id") if isinstance(item, dict) else None


def _mime(item):
    return item.get("mime_type") if isinstance(item, dict) else None
