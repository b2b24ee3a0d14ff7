"""Cost settings, measured handle time and the daily cost ledger."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db

DEFAULT_BUDGET = 10_000_000.0
DEFAULT_FRONTLINE_SHARE = 0.70
DEFAULT_HOURLY_RATE = 37.30  # euro-area average hourly labour cost
DEFAULT_CURRENCY = "EUR"


class TicketActivity(db.Model):
    """Seconds one person actively worked one ticket on one (UTC) day, from workspace heartbeats."""

    __tablename__ = "ticket_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    composing_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # The latest heartbeat counted: the next one is credited the gap since (capped).
    last_beat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("ticket_id", "user_id", "day"),
                      Index("ix_ticket_activity_day", "day"))


class BudgetSettings(db.Model):
    """The one row of budget settings (absent until an administrator saves: defaults apply)."""

    __tablename__ = "budget_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    annual_budget: Mapped[float] = mapped_column(Float, default=DEFAULT_BUDGET)
    # The month (1–12) the fiscal year starts in.
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer, default=1)
    # The share of the budget meant for frontline agent time.
    frontline_share: Mapped[float] = mapped_column(Float, default=DEFAULT_FRONTLINE_SHARE)
    hourly_rate: Mapped[float] = mapped_column(Float, default=DEFAULT_HOURLY_RATE)
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateOverride(db.Model):
    """An hourly rate for time on tickets in one language, or in one queue (an agent group)."""

    __tablename__ = "cost_rate_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # language | queue
    key: Mapped[str] = mapped_column(String(40))  # an ISO 639-1 code or a queue slug
    hourly_rate: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("kind", "key"),)


class ChannelFee(db.Model):
    """What a platform charges per conversation (counted once per ticket, on the day it opens)."""

    __tablename__ = "cost_channel_fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), unique=True)
    fee: Mapped[float] = mapped_column(Float)


class FixedCost(db.Model):
    """A fixed monthly cost (licences, hosting); spread evenly over the days of each month."""

    __tablename__ = "cost_fixed"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    monthly_amount: Mapped[float] = mapped_column(Float)


class CostLedger(db.Model):
    """One day's cost of one slice of the work (queue × topic × channel × language × priority).

    Rebuilt whole for a day by ``ledger.build_ledger``; rates apply as they were when it was built.
    A row with no queue holds a day's fixed costs when no one worked that day.
    """

    __tablename__ = "cost_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    topic: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    priority: Mapped[str | None] = mapped_column(String(10))
    agent_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    agent_cost: Mapped[float] = mapped_column(Float, default=0.0)
    channel_fees: Mapped[float] = mapped_column(Float, default=0.0)
    fixed_share: Mapped[float] = mapped_column(Float, default=0.0)
    tickets_resolved: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_cost_ledger_day", "day"),)

    @property
    def total(self) -> float:
        return self.agent_cost + self.channel_fees + self.fixed_share
