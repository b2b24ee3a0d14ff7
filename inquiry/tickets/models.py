"""Queues, tickets and the messages of their conversations."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint, bindparam, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry.dbtypes import UTCDateTime, utcnow
from inquiry.extensions import db


def _enum(cls):
    """Enums stored as their string values (portable VARCHAR, readable in SQL)."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class TicketStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the sender
    ON_HOLD = "on_hold"  # waiting on someone inside the organisation
    SOLVED = "solved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD})
# The same set as SQL, for partial indexes (a query's ``status IN (...)`` must match it to use them).
OPEN_SQL = "status IN ('new', 'open', 'pending', 'on_hold')"
OPEN_URGENT_SQL = f"priority = 'urgent' AND {OPEN_SQL}"
# What the inbox counts and the dashboard's open-work figures read besides queue and assignee:
# carried in the partial index so those scans never visit the table (PostgreSQL).
OPEN_COUNTS_INCLUDE = ["escalated_at", "created_at", "due_at", "at_risk_at", "topic", "audience"]


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    NOTE = "note"


class DeliveryStatus(enum.StrEnum):
    RECEIVED = "received"  # inbound, stored
    QUEUED = "queued"  # outbound, waiting for the worker
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class LabelSource(enum.StrEnum):
    """Who set a routing label, so corrections can be told from predictions."""

    CLASSIFIER = "classifier"
    AGENT = "agent"  # a person in the workspace or over the API
    SENDER = "sender"  # the sender said so (e.g. chose a language in the form)
    SYSTEM = "system"  # a default when nothing better was known


class Queue(db.Model):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Hand new tickets round-robin to online agents who speak the language and have room.
    auto_assign: Mapped[bool] = mapped_column(default=False)
    # Only the queue's named members see its tickets, supervisors and admins included
    # (whistleblowing); the rule is ``auth.access``.
    is_restricted: Mapped[bool] = mapped_column(default=False)
    # Working hours its business-hours SLA targets are counted in (NULL: the first calendar).
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id", ondelete="SET NULL"))

    members: Mapped[list["User"]] = relationship(  # noqa: F821
        secondary="queue_members", back_populates="queues", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Queue {self.slug}>"


class Ticket(db.Model):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What people quote: "INQ-" and eight unambiguous characters.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), default=TicketStatus.NEW)

    # Routing labels, each with the classifier's confidence and who set it.
    topic: Mapped[str | None] = mapped_column(String(40))
    topic_confidence: Mapped[float | None] = mapped_column(Float)
    topic_source: Mapped[LabelSource | None] = mapped_column(_enum(LabelSource))
    topic_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    audience: Mapped[str | None] = mapped_column(String(40))
    audience_confidence: Mapped[float | None] = mapped_column(Float)
    audience_source: Mapped[LabelSource | None] = mapped_column(_enum(LabelSource))
    audience_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    priority_confidence: Mapped[float | None] = mapped_column(Float)
    priority_source: Mapped[LabelSource | None] = mapped_column(_enum(LabelSource))
    priority_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(8))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    language_source: Mapped[LabelSource | None] = mapped_column(_enum(LabelSource))
    language_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The router's "why" per label it set: {"topic": ["webinar", "recording"], …}.
    label_why: Mapped[dict | None] = mapped_column(JSON)

    # Where the ticket sits: its audience's queue, or triage.
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    # The platform's conversation (chat id, thread, comment tree) this ticket answers.
    conversation_key: Mapped[str] = mapped_column(String(255))
    # Equals conversation_key while the ticket is open, NULL after: a unique index on it makes
    # "one open ticket per conversation" a database guarantee even under concurrent deliveries.
    open_conversation_key: Mapped[str | None] = mapped_column(String(255))
    # SHA-256 of the secret the sender uses to check the status without an account.
    public_token_hash: Mapped[str | None] = mapped_column(String(64))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    solved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # SLA deadlines, recomputed by inquiry.sla on every change that affects them. ``due_at`` is
    # the earliest deadline still running (NULL once nothing is owed), what the inbox sorts on.
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When less than the policy's share of the running target is left.
    at_risk_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What the SLA sweep last reported for the running deadline: ok | at_risk | breached.
    sla_state: Mapped[str] = mapped_column(String(10), default="ok")
    # The resolution clock: started at creation (or reopening); time waiting on the sender is
    # added back (measured in the policy's calendar).
    sla_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sla_paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sla_paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # Whether each target was met, decided when it was (for attainment reports).
    first_response_met: Mapped[bool | None] = mapped_column()
    resolution_met: Mapped[bool | None] = mapped_column()

    # Escalated to the queue's supervisors: who asked, when, why.
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    # Set on a ticket merged into another: its messages moved there and it was closed.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))

    queue: Mapped[Queue] = relationship()
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])  # noqa: F821
    tag_rows: Mapped[list["TicketTag"]] = relationship(cascade="all, delete-orphan", order_by="TicketTag.tag")
    channel_account: Mapped["ChannelAccount"] = relationship()  # noqa: F821
    contact: Mapped["Contact"] = relationship()  # noqa: F821
    messages: Mapped[list["Message"]] = relationship(
        back_populates="ticket", order_by=lambda: thread_order(), cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("channel_account_id", "open_conversation_key"),
        Index("ix_tickets_queue_status_created", "queue_id", "status", "created_at", "id"),
        Index("ix_tickets_assignee_status_created", "assignee_id", "status", "created_at", "id"),
        Index("ix_tickets_status_created", "status", "created_at", "id"),
        Index("ix_tickets_created", "created_at", "id"),
        Index("ix_tickets_contact_created", "contact_id", "created_at"),
        Index("ix_tickets_account_conversation", "channel_account_id", "conversation_key"),
        Index("ix_tickets_queue_due", "queue_id", "due_at", "id"),
        Index("ix_tickets_assignee_due", "assignee_id", "due_at", "id"),
        Index("ix_tickets_due", "due_at", "id"),
        Index("ix_tickets_at_risk", "at_risk_at"),
        # The inbox's pinned urgent tickets and its per-view counts read only open tickets (~3% of
        # a desk's history): partial indexes keep both small and index-only at millions of rows.
        Index("ix_tickets_open_urgent", "due_at", "id", postgresql_where=text(OPEN_URGENT_SQL),
              sqlite_where=text(OPEN_URGENT_SQL)),
        Index("ix_tickets_open_counts", "queue_id", "assignee_id", postgresql_include=OPEN_COUNTS_INCLUDE,
              postgresql_where=text(OPEN_SQL), sqlite_where=text(OPEN_SQL)),
        # The dashboard's windows (solved / first answered in the last day or week, per queue).
        Index("ix_tickets_solved", "solved_at", "queue_id"),
        Index("ix_tickets_first_response", "first_response_at", "queue_id"),
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Ticket {self.reference} {self.status}>"


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    body: Mapped[str] = mapped_column(Text)
    # An agent for outbound replies and notes; the contact for inbound messages.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    channel_account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id"))
    # The platform's id for the message: with the account, the key that makes intake idempotent.
    external_id: Mapped[str | None] = mapped_column(String(255))
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(_enum(DeliveryStatus))
    # Attachments as metadata only: [{kind, platform_ref, mime, caption}].
    attachments: Mapped[list | None] = mapped_column(JSON)
    # The platform id of the message this one answers or quotes.
    reply_to_external_id: Mapped[str | None] = mapped_column(String(255))
    # Why a delivery failed, as the platform said it.
    delivery_error: Mapped[str | None] = mapped_column(Text)
    # When the platform says it was sent (inbound) — may differ from when we stored it.
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped["User | None"] = relationship()  # noqa: F821
    channel_account: Mapped["ChannelAccount | None"] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("channel_account_id", "external_id"),
        Index("ix_messages_ticket_created", "ticket_id", "created_at", "id"),
    )


class TicketTag(db.Model):
    """A free-form label agents put on tickets ("scam-wave-nov", "press")."""

    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (Index("ix_ticket_tags_tag", "tag", "ticket_id"),)


class TicketPresence(db.Model):
    """Who has a ticket open right now, and whether they are typing: refreshed by a heartbeat."""

    __tablename__ = "ticket_presence"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    typing: Mapped[bool] = mapped_column(default=False)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def is_open():
    """``status IN (open statuses)`` with the values written into the SQL, not bound: a prepared
    statement's generic plan could not prove the partial indexes' predicate from parameters."""
    return Ticket.status.in_(bindparam("open_statuses", sorted(s.value for s in OPEN_STATUSES), expanding=True,
                                       literal_execute=True))


def is_urgent():
    """``priority = 'urgent'`` as a literal, for the same reason as :func:`is_open`."""
    return Ticket.priority == bindparam("urgent", "urgent", literal_execute=True)


def thread_order():
    """A conversation in the order its messages were written: the platform's time for what a
    sender wrote (deliveries can arrive out of order: channels.md §0 rule 5), ours for replies
    and notes, which have no platform time."""
    return (func.coalesce(Message.sent_at, Message.created_at), Message.id)
