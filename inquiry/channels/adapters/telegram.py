"""Telegram Bot API (channels.md §2): secret-token header, one update per delivery."""
from __future__ import annotations

import datetime as dt

from inquiry.channels.adapters._values import fit, ident, obj, optional_ident, text
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
        """One message; ValueError (a problem, not a crash) when its chat, sender or ids are not
        of the types the Bot API documents."""
        message = obj(message)
        chat = obj(message.get("chat"))
        sender = next((s for s in (message.get("from"), message.get("sender_chat")) if isinstance(s, dict) and s), chat)
        name = (" ".join(filter(None, [text(sender.get("first_name")), text(sender.get("last_name"))]))
                or text(sender.get("title")) or text(sender.get("username")) or None)
        chat_id = ident(chat.get("id"))
        conversation = chat_id
        thread = optional_ident(message.get("message_thread_id")) if message.get("message_thread_id") else None
        if thread:
            conversation += f":{thread}"
        caption = text(message.get("caption")) or None
        attachments = [
            Attachment(kind=ATTACHMENT_KINDS[key], platform_ref=_file_id(message[key]), mime=_mime(message[key]),
                       caption=caption)
            for key in ATTACHMENT_KINDS if key in message
        ]
        reply_to = optional_ident(obj(message.get("reply_to_message")).get("message_id"))
        when = message.get("edit_date") if is_edit else message.get("date")
        return InboundMessage(
            account=None,
            text=text(message.get("text")) or caption or "",
            sender_external_id=fit(ident(sender.get("id"))),
            sender_display_name=name[:200] if name else None,
            external_message_id=fit(f"{chat_id}:{ident(message.get('message_id'))}"),
            conversation_key=fit(conversation),
            language=None,
            sent_at=from_epoch(when) or dt.datetime.now(dt.timezone.utc),
            attachments=attachments,
            reply_to_external_id=fit(f"{chat_id}:{reply_to}") if reply_to else None,
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
    return text(obj(item).get("file_id")) or None


def _mime(item):
    return text(obj(item).get("mime_type")) or None
