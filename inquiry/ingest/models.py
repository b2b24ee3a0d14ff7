"""Verbatim webhook deliveries: committed before the platform gets its 2xx, processed after."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # stored and acknowledged, not yet turned into tickets
    DONE = "done"
    FAILED = "failed"  # gave up after repeated errors; kept for an operator to replay


class Delivery(db.Model):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    # Same on every redelivery of one request (platform event id, or a hash of the body).
    dedupe_key: Mapped[str] = mapped_column(String(255))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # The headers and query parameters needed to re-verify and parse it later.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[DeliveryState] = mapped_column(
        Enum(DeliveryState, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=DeliveryState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What processing found: counts, and the elements it could not read.
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    account: Mapped["ChannelAccount"] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("channel_account_id", "dedupe_key"),
        Index("ix_deliveries_state_received", "state", "received_at"),
    )
