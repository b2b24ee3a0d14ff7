"""Agents' corrections, kept as labelled examples for the next model."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class TrainingExample(db.Model):
    """One ticket's first message with the labels a person settled on (the latest correction wins)."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str | None] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(10))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
