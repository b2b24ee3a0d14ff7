"""Our accounts on each network: where deliveries come from and replies go."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class ChannelAccount(db.Model):
    __tablename__ = "channel_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Channel slug from the taxonomy (a network, or web-form / api).
    platform: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Unguessable part of the webhook URL, so the right secret is found before parsing a body.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    external_account_id: Mapped[str | None] = mapped_column(String(200))
    # Credentials come from the administrator; never logged, never shown in full.
    signing_secret: Mapped[str | None] = mapped_column(Text)
    verify_token: Mapped[str | None] = mapped_column(Text)
    access_token: Mapped[str | None] = mapped_column(Text)
    api_base_url: Mapped[str | None] = mapped_column(String(500))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # The language most senders of this account write in; the fallback for short texts.
    default_language: Mapped[str | None] = mapped_column(String(8))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Health, shown on the admin page: a silent or failing channel must be noticed.
    last_delivery_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_outbound_ok_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_outbound_error: Mapped[str | None] = mapped_column(Text)
    last_outbound_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Polling connectors: where the last poll stopped, and when it ran.
    poll_cursor: Mapped[str | None] = mapped_column(Text)
    polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("platform", "external_account_id"),)

    def __repr__(self) -> str:
        return f"<ChannelAccount {self.platform}:{self.name}>"


class ChannelRejection(db.Model):
    """Refused deliveries per account, reason and hour: enough to see an attack or a bad secret."""

    __tablename__ = "channel_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(120))
    hour: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("channel_account_id", "hour", "reason"),)
