"""The normalised inbound message every channel adapter, the web form and the API produce."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Attachment:
    kind: str
    platform_ref: str | None = None
    mime: str | None = None
    caption: str | None = None


@dataclass
class InboundMessage:
    account: object  # the ChannelAccount it arrived on
    text: str
    # The sender on that platform; None for an anonymous form submission (a key is derived).
    sender_external_id: str | None = None
    sender_display_name: str | None = None
    sender_email: str | None = None
    sender_phone: str | None = None
    # The platform's message id: with the account, what makes redelivery harmless.
    external_message_id: str | None = None
    # The platform's thread; None starts a conversation of its own.
    conversation_key: str | None = None
    subject: str = ""
    # A language the sender chose (the form's menu, the API's field): trusted over detection.
    language: str | None = None
    sent_at: dt.datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # The platform id of the message this one replies to or quotes.
    reply_to_external_id: str | None = None
    # An edit of a message we already have (same external id): its text replaces the old one.
    is_edit: bool = False
    # Web form and API submissions get a secret so the sender can check the status.
    wants_public_token: bool = False
