"""SLA policies, business calendars and the SLA events of tickets."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


class BusinessCalendar(db.Model):
    """Working hours of a queue: timezone, hours per weekday, holidays."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"mon": [["09:00", "17:00"]], …}; a weekday left out is closed.
    hours: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"date": "2026-12-25", "name": "Christmas Day"}, …] in the calendar's own dates.
    holidays: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaPolicy(db.Model):
    """Targets for one priority; a queue or channel may have its own (the most specific wins)."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(10))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(32))  # a platform slug
    first_response_minutes: Mapped[int]
    next_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    # Count only the queue's working hours (else round the clock).
    business_hours: Mapped[bool] = mapped_column(default=False)
    # "At risk" once less than this share of a target is left.
    at_risk_share: Mapped[float] = mapped_column(Float, default=0.25)
    # What a breach sets off: notify the queue's supervisors, raise the priority one step, move
    # the ticket to another queue.
    notify_supervisors: Mapped[bool] = mapped_column(default=True)
    raise_priority: Mapped[bool] = mapped_column(default=False)
    escalation_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_sla_policies_scope", "priority", "queue_id", "channel", unique=True),)


class SlaEvent(db.Model):
    """A deadline that came at risk or was breached (the audit log has the same, for people)."""

    __tablename__ = "sla_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    kind: Mapped[str] = mapped_column(String(10))  # at_risk | breached
    target: Mapped[str] = mapped_column(String(20))  # first_response | next_response | resolution
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_sla_events_queue_created", "queue_id", "created_at"),
                      Index("ix_sla_events_ticket", "ticket_id", "created_at"))
