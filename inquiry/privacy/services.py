"""Privacy services: the retention sweep, and a person's data exported or erased on request.

Services flush; the caller (CLI command, worker job) commits. Every run that changes something,
and every export, leaves one audit event with counts (never the data itself).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from inquiry.audit.services import record
from inquiry.auth.models import Role, User
from inquiry.contacts.models import Contact
from inquiry.contacts.services import contact_key
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.extensions import db
from inquiry.ingest.models import Delivery, DeliveryState
from inquiry.privacy import scrub
from inquiry.privacy.deliveries import deliveries_of
from inquiry.tickets.models import OPEN_STATUSES, Message, Ticket, TicketStatus

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500


# Retention ---------------------------------------------------------------------------------------


@dataclass
class RetentionRun:
    cutoff: dt.datetime | None
    tickets: int = 0
    messages: int = 0
    contacts: int = 0
    deliveries: int = 0
    training_examples: int = 0
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {"tickets": self.tickets, "messages": self.messages, "contacts": self.contacts,
                "deliveries": self.deliveries, "training_examples": self.training_examples}

    @property
    def did_anything(self) -> bool:
        return any(self.counts.values())


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    """Tickets closed before this are anonymised; None when RETENTION_DAYS is 0 (kept forever)."""
    days = int(current_app.config.get("RETENTION_DAYS") or 0)
    if days <= 0:
        return None
    return (now or utcnow()) - dt.timedelta(days=days)


def _closing():
    return func.coalesce(Ticket.closed_at, Ticket.solved_at, Ticket.updated_at)


def anonymise_expired(now: dt.datetime | None = None, batch: int = DEFAULT_BATCH, *,
                      dry_run: bool = False) -> RetentionRun:
    """Anonymise up to ``batch`` tickets solved or closed before the retention period, the
    contacts left with nothing recent, and raw deliveries older than the period. Idempotent: what
    is done is not found again. A dry run counts what would be done and writes nothing."""
    cutoff = retention_cutoff(now)
    run = RetentionRun(cutoff, dry_run=dry_run)
    if cutoff is None:
        return run
    # created_at < cutoff is implied by the closing time, and bounds the scan to old tickets
    # (ix_tickets_status_created); the tombstoned subject tells which are done.
    ids = list(db.session.scalars(
        select(Ticket.id).where(Ticket.status.in_([TicketStatus.SOLVED, TicketStatus.CLOSED]),
                                Ticket.created_at < cutoff, _closing() < cutoff, scrub.not_anonymised())
        .order_by(Ticket.id).limit(batch)))
    delivery_ids = list(db.session.scalars(
        select(Delivery.id).where(Delivery.state.in_([DeliveryState.DONE, DeliveryState.FAILED]),
                                  Delivery.received_at < cutoff, func.length(Delivery.body) > 0)
        .order_by(Delivery.id).limit(batch)))
    if dry_run:
        run.tickets, run.deliveries = len(ids), len(delivery_ids)
        run.messages = db.session.scalar(select(func.count()).where(Message.ticket_id.in_(ids))) if ids else 0
        return run
    found = scrub.tickets_with_messages(ids)
    counts = scrub.scrub_tickets(found, scrub.RETENTION_TOMBSTONE)
    run.tickets, run.messages = counts["tickets"], counts["messages"]
    run.training_examples = scrub.redact_training_examples(ids) if ids else 0
    db.session.flush()
    for contact_id in sorted({t.contact_id for t in found}):
        if scrub.contact_is_done(contact_id):
            run.contacts += scrub.pseudonymise_contact(db.session.get(Contact, contact_id))
    run.deliveries = scrub.clear_deliveries(delivery_ids)
    db.session.flush()
    if run.did_anything:
        record("privacy.retention", actor_kind="system", subject="retention",
               after={**run.counts, "cutoff": cutoff.isoformat(timespec="seconds")}, at=now)
    return run


_last_run: dict[str, dt.datetime] = {}


def run_job(now: dt.datetime | None = None) -> int:
    """The worker's job: one batch, at most every RETENTION_SWEEP_MINUTES unless the last batch
    was full (then the backlog is worked off pass after pass)."""
    now = now or utcnow()
    if retention_cutoff(now) is None:
        return 0
    where = current_app.config["SQLALCHEMY_DATABASE_URI"]
    every = dt.timedelta(minutes=float(current_app.config.get("RETENTION_SWEEP_MINUTES", 60)))
    last = _last_run.get(where)
    if last is not None and now - last < every:
        return 0
    run = anonymise_expired(now, DEFAULT_BATCH)
    db.session.commit()
    full = max(run.tickets, run.deliveries) >= DEFAULT_BATCH
    if full:
        _last_run.pop(where, None)
    else:
        _last_run[where] = now
    return run.tickets + run.deliveries


# Data-subject requests ---------------------------------------------------------------------------


def require_admin(actor: User | None) -> User:
    if actor is None or not actor.is_enabled or actor.role != Role.ADMIN:
        raise Forbidden("only an administrator handles data-subject requests")
    return actor


def find_contacts(*, contact_id: int | None = None, platform: str | None = None, platform_id: str | None = None,
                  email: str | None = None) -> list[Contact]:
    """The contacts of one person: the one named (by id, platform id or e-mail), and every
    contact linked to it as the same person (``contacts.Person``)."""
    if contact_id is not None:
        start = [c for c in [db.session.get(Contact, contact_id)] if c is not None]
    elif platform and platform_id:
        raw = platform_id.strip()
        keys = {contact_key(platform, external_id=raw, email=None, phone=None),
                contact_key(platform, external_id=None, email=raw, phone=None),
                contact_key(platform, external_id=None, email=None, phone=raw)}
        start = list(db.session.scalars(select(Contact).where(Contact.platform == platform,
                                                              Contact.external_id.in_(keys - {None}))))
    elif email and email.strip():
        start = list(db.session.scalars(select(Contact).where(func.lower(Contact.email) == email.strip().lower())))
    else:
        raise Invalid("say whose data: a contact id, a platform and platform id, or an e-mail address")
    if not start:
        raise NotFound("no such contact")
    found = {c.id: c for c in start}
    for contact in start:
        for linked in (contact.person.contacts if contact.person else []):
            found.setdefault(linked.id, linked)
    return [found[i] for i in sorted(found)]


def _holdings(contacts: list[Contact]) -> tuple[list[Ticket], list[Message]]:
    """Their tickets (all messages), and their own messages on other people's tickets (a merge)."""
    ids = [c.id for c in contacts]
    own_ids = list(db.session.scalars(select(Ticket.id).where(Ticket.contact_id.in_(ids))))
    own = scrub.tickets_with_messages(own_ids)
    elsewhere = list(db.session.scalars(select(Message).where(Message.contact_id.in_(ids),
                                                              Message.ticket_id.notin_(own_ids or [0]))
                                        .order_by(Message.id)))
    return own, elsewhere


@dataclass
class Erasure:
    """What a data-subject request touched, for its audit event."""

    contacts: list[int]
    counts: dict[str, int] = field(default_factory=dict)


def _audit(action: str, actor: User, contacts: list[Contact], counts: dict[str, int], at=None) -> None:
    record(action, actor=actor, subject=f"contact:{contacts[0].id}",
           after={"contact_ids": [c.id for c in contacts], **counts}, at=at)


def export_person(contacts: list[Contact], *, actor: User, now: dt.datetime | None = None) -> dict:
    """Everything held about the person behind ``contacts``, as one JSON-ready document."""
    from inquiry.privacy.export import document

    require_admin(actor)
    own, elsewhere = _holdings(contacts)
    messages = [m for t in own for m in t.messages] + elsewhere
    found = deliveries_of(contacts, messages)
    now = now or utcnow()
    doc = document(contacts, own, elsewhere, found, now)
    _audit("privacy.exported", actor, contacts, {"tickets": len(own), "messages": len(messages),
                                                 "deliveries": len(found)}, at=now)
    return doc


def erase_person(contacts: list[Contact], *, actor: User, now: dt.datetime | None = None) -> Erasure:
    """Erase the person behind ``contacts`` everywhere: message words, contact details, raw
    deliveries, training examples and search rows go; their tickets stay as anonymous statistics.
    Refused (409) while one of their tickets is still open: answer and close it first, since an
    open ticket with its words gone could not be worked."""
    require_admin(actor)
    own, elsewhere = _holdings(contacts)
    still_open = [t.reference for t in own if t.status in OPEN_STATUSES]
    if still_open:
        raise Conflict(f"close their open tickets first: {', '.join(still_open)}")
    found = deliveries_of(contacts, [m for t in own for m in t.messages] + elsewhere)
    counts = scrub.scrub_tickets([t for t in own if not scrub.is_anonymised(t)], scrub.ERASURE_TOMBSTONE)
    counts["tickets"] = len(own)
    counts["messages"] += sum(scrub.scrub_message(m, scrub.ERASURE_TOMBSTONE) for m in elsewhere)
    scrub.scrub_message_edits([m.id for m in elsewhere], scrub.ERASURE_TOMBSTONE)
    scrub.drop_search_rows([m.id for m in elsewhere])
    counts["training_examples"] = scrub.delete_training_examples([t.id for t in own])
    counts["deliveries"] = scrub.clear_deliveries([f.delivery.id for f in found])
    db.session.flush()
    counts["contacts"] = sum(scrub.pseudonymise_contact(c) for c in contacts)
    db.session.flush()
    _audit("privacy.erased", actor, contacts, counts, at=now)
    return Erasure([c.id for c in contacts], counts)
