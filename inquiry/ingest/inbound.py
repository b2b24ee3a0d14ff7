"""The normalised inbound message every channel adapter, the web form and the API produce.

Adapters fill it with exactly what the payload said; ``receive`` then calls ``storable`` first,
the last guard before the database, so an authentic delivery with odd values (NUL, over-long ids,
a number where a name goes) becomes a ticket or a recorded problem, never a worker error.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

ID_LIMIT = 255  # Message.external_id, Ticket.conversation_key
# Columns the optional details end up in, and their widths.
_CUT = {"sender_display_name": 200, "sender_email": 254, "sender_phone": 40, "language": 8}
_IDS = ("sender_external_id", "external_message_id", "conversation_key", "reply_to_external_id")


def clean_text(value) -> str | None:
    """A string without NUL (PostgreSQL text cannot hold U+0000); None for anything else."""
    return value.replace("\x00", "") if isinstance(value, str) else None


def fit_id(value) -> str | None:
    """A platform id as a string of at most ID_LIMIT characters (a longer one becomes a stable
    digest of itself); integers are ids too, anything else is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    value = clean_text(value)
    if not value:
        return None
    return value if len(value) <= ID_LIMIT else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


@dataclass
class Attachment:
    kind: str
    platform_ref: str | None = None
    mime: str | None = None
    caption: str | None = None

    def storable(self) -> None:
        self.kind = (clean_text(self.kind) or "file")[:40]
        if isinstance(self.platform_ref, int) and not isinstance(self.platform_ref, bool):
            self.platform_ref = str(self.platform_ref)
        self.platform_ref, self.mime, self.caption = (clean_text(v) for v in (self.platform_ref, self.mime, self.caption))


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

    def storable(self) -> None:
        """Keep only what can be stored: text without NUL, ids that fit their columns, details cut
        to their columns, an aware UTC time; a value of the wrong type is dropped, not stored.
        Valid input (what the API and the forms already checked) passes unchanged."""
        self.text = clean_text(self.text) or ""
        self.subject = (clean_text(self.subject) or "")[:200]
        for name in _IDS:
            setattr(self, name, fit_id(getattr(self, name)))
        for name, width in _CUT.items():
            value = clean_text(getattr(self, name))
            setattr(self, name, value[:width] if value else None)
        self.sent_at = _utc(self.sent_at)
        self.attachments = [a for a in self.attachments or [] if isinstance(a, Attachment)]
        for attachment in self.attachments:
            attachment.storable()


def _utc(moment) -> dt.datetime | None:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        return None
    try:
        return moment.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):  # year 1 at +14:00 is before year 1 in UTC
        return None
