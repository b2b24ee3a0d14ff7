"""WhatsApp Cloud API (channels.md §1.8): messages and delivery statuses of our business numbers.

Senders are keyed on the business-scoped user id (BSUID, ``contacts[].user_id``) when Meta sends
one and on the phone number otherwise; conversations are ``<phone_number_id>:<sender>`` so a
reply leaves from the number that received the message.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from inquiry.channels.adapters.meta import (
    GRAPH_VERSION, MetaAdapter, Reading, answer, envelope, graph_post, ident, listing, mapping, optional_ident,
    text_of, when,
)
from inquiry.channels.base import PermanentFailure, Sent, StatusUpdate
from inquiry.channels.registry import register
from inquiry.ingest.inbound import Attachment, InboundMessage

MEDIA_KINDS = {"image": "image", "video": "video", "audio": "audio", "voice": "audio", "document": "file",
               "sticker": "sticker"}
STATUSES = ("sent", "delivered", "read", "failed")


@register("whatsapp")
class WhatsApp(MetaAdapter):
    platform = "whatsapp"
    max_text = 4096
    reply_window = dt.timedelta(hours=24)

    def read(self, account, body) -> Reading:
        reading = Reading()
        for e, entry in enumerate(envelope(body, "whatsapp_business_account")):
            reading.attempt(f"entry {e}", self._entry, reading, entry, e)
        return reading

    def _entry(self, reading: Reading, entry, e: int) -> None:
        for c, change in enumerate(listing(mapping(entry, "entry").get("changes"), "changes")):
            reading.attempt(f"entry {e} change {c}", self._change, reading, change, f"entry {e} change {c}")

    def _change(self, reading: Reading, change, where: str) -> None:
        change = mapping(change, "change")
        if change.get("field") != "messages":
            return reading.ignore()  # template, quality and account updates; SMB echoes
        value = mapping(change.get("value"), "value")
        contacts = [item for item in listing(value.get("contacts"), "contacts") if isinstance(item, dict)]
        for i, message in enumerate(listing(value.get("messages"), "messages")):
            reading.attempt(f"{where} message {i}", self._message, reading, value, contacts, message)
        for i, status in enumerate(listing(value.get("statuses"), "statuses")):
            reading.attempt(f"{where} status {i}", self._status, reading, status)
        for error in listing(value.get("errors"), "errors"):  # a failure with no message to hang it on
            reading.parsed.problems.append("WhatsApp reported " + _error(error))
            reading.key(None)

    def _message(self, reading: Reading, value: dict, contacts: list, message) -> None:
        message = mapping(message, "message")
        external = ident(message["id"])
        content = _content(message)
        if content is None or not (content[0].strip() or content[1]):
            return reading.ignore("wamid:" + external)  # reactions, system notices, unsupported types
        text, attachments = content
        number = ident(mapping(value.get("metadata"), "metadata")["phone_number_id"])
        sender, phone, name = _sender(message, contacts)
        reading.parsed.messages.append(InboundMessage(
            account=None,
            text=text,
            sender_external_id=sender,
            sender_display_name=name,
            sender_phone="+" + phone if phone and phone.isdigit() else None,
            external_message_id=external,
            conversation_key=f"{number}:{sender}",
            sent_at=when(message.get("timestamp"), "s"),
            attachments=attachments,
            reply_to_external_id=optional_ident(mapping(message.get("context") or {}, "context").get("id")),
        ))
        reading.key("wamid:" + external)

    def _status(self, reading: Reading, status) -> None:
        status = mapping(status, "status")
        external, state = ident(status["id"]), status.get("status")
        if state not in STATUSES:
            return reading.ignore(f"status:{external}:{str(state)[:20]}")
        errors = listing(status.get("errors"), "errors")
        reading.parsed.statuses.append(StatusUpdate(
            external_id=external,
            status=state,
            at=when(status.get("timestamp"), "s"),
            error="; ".join(_error(error) for error in errors) or None,
        ))
        reading.key(f"status:{external}:{state}")

    def send(self, account, outgoing, http) -> Sent:
        number, _, recipient = outgoing.conversation_key.rpartition(":")
        number = number or account.external_account_id
        recipient = recipient or outgoing.recipient_external_id
        if not number or not recipient:
            raise PermanentFailure("the conversation names no business phone number id or recipient")
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "type": "text",
                   "text": {"body": outgoing.text, "preview_url": False}}
        # Phone numbers go in "to"; a business-scoped user id (CC.xxxx) in "recipient".
        payload["to" if recipient.lstrip("+").isdigit() else "recipient"] = recipient
        response = graph_post(http, f"{self.base_url(account)}/{GRAPH_VERSION}/{quote(number, safe='')}/messages",
                              account, json=payload)
        sent = [item for item in answer(response).get("messages") or [] if isinstance(item, dict)]
        return Sent(external_id=optional_ident(sent[0].get("id")) if sent else None)


def _sender(message: dict, contacts: list) -> tuple[str, str | None, str | None]:
    """(sender key, phone digits, display name): the BSUID when known, else the phone number."""
    phone = optional_ident(message.get("from"))
    bsuid = optional_ident(message.get("from_user_id"))
    matches = [c for c in contacts if (phone and c.get("wa_id") == phone) or (bsuid and c.get("user_id") == bsuid)]
    contact = matches[0] if matches else contacts[0] if len(contacts) == 1 else {}
    bsuid = optional_ident(contact.get("user_id")) or bsuid
    sender = bsuid or phone
    if sender is None:
        raise ValueError("message names no sender")
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    name = profile.get("name") or profile.get("username")
    return sender, phone or optional_ident(contact.get("wa_id")), name if isinstance(name, str) and name else None


def _content(message: dict) -> tuple[str, list[Attachment]] | None:
    """Text and attachments by message type; None for types that are not inquiries."""
    kind = message.get("type")
    if kind == "text":
        return text_of(mapping(message.get("text"), "text").get("body")), []
    if isinstance(kind, str) and kind in MEDIA_KINDS:
        media = mapping(message.get(kind), kind)
        caption = text_of(media.get("caption")) or None
        mime = media.get("mime_type") if isinstance(media.get("mime_type"), str) else None
        return caption or "", [Attachment(MEDIA_KINDS[kind], optional_ident(media.get("id")), mime, caption)]
    if kind == "button":  # a tap on a template's quick-reply button
        button = mapping(message.get("button"), "button")
        return text_of(button.get("text")) or text_of(button.get("payload")), []
    if kind == "interactive":  # a reply button or list row we offered
        interactive = mapping(message.get("interactive"), "interactive")
        chosen = mapping(interactive.get(interactive.get("type")) or {}, "interactive reply") \
            if isinstance(interactive.get("type"), str) else {}
        parts = [text_of(chosen.get(field)) for field in ("title", "description", "body")]
        return "\n".join(part for part in parts if part), []
    if kind == "location":
        place = mapping(message.get("location"), "location")
        where = f"{place.get('latitude')},{place.get('longitude')}"
        text = "\n".join(part for part in (text_of(place.get("name")), text_of(place.get("address"))) if part)
        return text, [Attachment("location", where)]
    if kind == "contacts":
        cards = listing(message.get("contacts"), "contacts")
        names = [text_of(mapping(mapping(card, "contact").get("name") or {}, "name").get("formatted_name")) for card in cards]
        return "", [Attachment("contact", None, None, name or None) for name in names]
    return None


def _error(error) -> str:
    if not isinstance(error, dict):
        return "an error"
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    words = [str(error.get("code") or "?"), str(error.get("title") or error.get("message") or "")]
    if isinstance(details, str) and details:
        words.append(details)
    return " ".join(w for w in words if w)[:300]
