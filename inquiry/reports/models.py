"""Surges the worker has flagged: kept so each is announced once and keeps one id while it lasts.

A row holds ticket ids, references and counts only, never message text: the pages read the sample
messages from the tickets, so retention and anonymisation reach them as they reach the tickets.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class Surge(db.Model):
    """A sudden rise of near-identical inquiries, as the last check of the worker saw it."""

    __tablename__ = "surges"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The ticket whose first message the cluster formed around: later checks compare with it.
    centre_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(Integer)  # similar tickets in the recent window
    # Similar tickets a window of the same hours held on the days before, on average.
    baseline: Mapped[float] = mapped_column(Float, default=0.0)
    topic: Mapped[str | None] = mapped_column(String(40))  # the commonest topic among them
    channels: Mapped[list] = mapped_column(JSON, default=list)  # [[platform, count], …], most first
    languages: Mapped[list] = mapped_column(JSON, default=list)  # [[code, count], …], most first
    tickets: Mapped[list] = mapped_column(JSON, default=list)  # [[id, reference], …], newest first
    sample_ticket_ids: Mapped[list] = mapped_column(JSON, default=list)  # 3–5 differently worded ones
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # its earliest message
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # its latest message
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # last seen by a check
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the first check that no longer saw it

    __table_args__ = (Index("ix_surges_ended", "ended_at", "id"),)

    @property
    def tag(self) -> str:
        """The tag "Tag all" puts on its tickets (and the inbox filters on)."""
        return f"surge-{self.id}"

    @property
    def ticket_ids(self) -> list[int]:
        return [pair[0] for pair in self.tickets or []]

    @property
    def references(self) -> list[str]:
        return [pair[1] for pair in self.tickets or []]
