"""The outbox: one row per reply to deliver, written in the same transaction as the message."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up: the dead letter, for an operator to see and retry


class OutboxItem(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    state: Mapped[OutboxState] = mapped_column(
        Enum(OutboxState, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=OutboxState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sent with every attempt where the platform supports it, so a retry is not a second message.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    message: Mapped["Message"] = relationship()  # noqa: F821

    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)
