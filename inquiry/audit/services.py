"""Writing audit events; every service that changes state calls ``record``."""
from __future__ import annotations

from typing import Any

from inquiry.audit.models import AuditEvent
from inquiry.dbtypes import utcnow
from inquiry.extensions import db


def record(
    action: str,
    *,
    actor=None,
    actor_kind: str | None = None,
    ticket=None,
    subject: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at=None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's commit makes it durable with the change)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_kind=actor_kind or ("user" if actor is not None else "system"),
        action=action,
        ticket_id=getattr(ticket, "id", None),
        subject=subject,
        before=before,
        after=after,
        created_at=at or utcnow(),
    )
    db.session.add(event)
    return event
