"""The audit trail: who changed what, when, with the values before and after."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.dbtypes import JSONDocument, UTCDateTime, utcnow
from inquiry.extensions import db


RELABELLED_SQL = "action = 'ticket.relabelled'"

class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null actor_id with actor_kind "system", "public", "platform" or "classifier".
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_kind: Mapped[str] = mapped_column(String(20), default="user")
    action: Mapped[str] = mapped_column(String(60))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    # What else the event is about, e.g. "user:12" or "token:3".
    subject: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[dict | None] = mapped_column(JSONDocument)
    after: Mapped[dict | None] = mapped_column(JSONDocument)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_audit_events_ticket_created", "ticket_id", "created_at"),
        Index("ix_audit_events_created", "created_at"),
        # The router-quality figures read what was opened in a window and the (rare) relabels of
        # those tickets: an index by action, and a small partial one over relabels alone.
        Index("ix_audit_events_action_created", "action", "created_at"),
        Index("ix_audit_events_relabels", "ticket_id", "created_at", postgresql_where=text(RELABELLED_SQL),
              sqlite_where=text(RELABELLED_SQL)),
    )
