"""Putting replies in the outbox, with each platform's reply rules checked first."""
from __future__ import annotations

import datetime as dt
import secrets

from inquiry.channels.registry import adapter_for_account
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Invalid
from inquiry.extensions import db
from inquiry.outbound.models import OutboxItem


def check_reply_rules(ticket, text: str, *, at: dt.datetime | None = None) -> None:
    """Refuse, before anything is written, a reply the platform would refuse."""
    adapter = adapter_for_account(ticket.channel_account)
    if adapter is None:
        return
    max_text, reply_window = adapter.reply_rules(ticket.conversation_key)
    if max_text is not None and len(text) > max_text:
        raise Invalid(
            f"{ticket.channel_account.platform} accepts at most {max_text} characters per message",
            fields={"body": [f"at most {max_text} characters on this channel"]},
        )
    if reply_window is not None and ticket.last_inbound_at is not None:
        if (at or utcnow()) - ticket.last_inbound_at > reply_window:
            hours = int(reply_window.total_seconds() // 3600)
            raise Conflict(f"the sender last wrote more than {hours} h ago: {ticket.channel_account.platform} no longer accepts a free reply")


def enqueue(message, *, at: dt.datetime | None = None) -> OutboxItem:
    """An outbox row for ``message``, in the caller's transaction (so a reply is never stored
    without its delivery job, nor the job without the reply)."""
    item = OutboxItem(
        message=message,
        channel_account_id=message.channel_account_id,
        next_attempt_at=at or utcnow(),
        idempotency_key=secrets.token_hex(16),
        created_at=at or utcnow(),
    )
    db.session.add(item)
    return item


def reply_limits(ticket) -> tuple[int | None, dt.datetime | None]:
    """What the composer shows: the channel's longest message and when its reply window closes."""
    adapter = adapter_for_account(ticket.channel_account)
    if adapter is None:
        return None, None
    max_text, reply_window = adapter.reply_rules(ticket.conversation_key)
    ends = ticket.last_inbound_at + reply_window if reply_window is not None and ticket.last_inbound_at else None
    return max_text, ends
