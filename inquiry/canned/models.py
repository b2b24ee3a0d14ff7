"""A canned reply and its per-language variants."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class CannedReply(db.Model):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    # What agents type to find it quickly, e.g. "lost-passport".
    shortcut: Mapped[str] = mapped_column(String(40), unique=True)
    # Offered in this queue only; NULL means every queue.
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    # The topic it answers, to offer it first on tickets of that topic.
    topic: Mapped[str | None] = mapped_column(String(40))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    variants: Mapped[list["CannedReplyVariant"]] = relationship(
        back_populates="canned_reply", cascade="all, delete-orphan", order_by="CannedReplyVariant.language"
    )
    queue: Mapped["Queue | None"] = relationship()  # noqa: F821


class CannedReplyVariant(db.Model):
    """The body of a canned reply in one language; placeholders like {contact_name}, {reference}."""

    __tablename__ = "canned_reply_variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    canned_reply_id: Mapped[int] = mapped_column(ForeignKey("canned_replies.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)

    canned_reply: Mapped[CannedReply] = relationship(back_populates="variants")

    __table_args__ = (UniqueConstraint("canned_reply_id", "language"),)
