"""The worker's half of the outbox: claim due items, send them, retry with back-off, dead-letter.

Items are claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so workers never take the
same item), committed, then sent outside any transaction. A worker killed mid-send leaves the
lease to expire; the retry carries the same idempotency key.
"""
from __future__ import annotations

import datetime as dt
import logging
import random

from flask import current_app
from sqlalchemy import select

from inquiry.channels import health
from inquiry.channels.base import Outgoing, PermanentFailure, TemporaryFailure
from inquiry.channels.http import new_session
from inquiry.channels.registry import adapter_for_account
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets.models import DeliveryStatus, Direction, Message

log = logging.getLogger(__name__)


def claim(limit: int, *, at: dt.datetime | None = None) -> list[int]:
    at = at or utcnow()
    lease = dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    items = db.session.scalars(
        select(OutboxItem)
        .where(OutboxItem.state == OutboxState.PENDING, OutboxItem.next_attempt_at <= at)
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for item in items:
        item.attempts += 1
        item.next_attempt_at = at + lease
    ids = [item.id for item in items]
    db.session.commit()
    return ids


def outgoing_for(item: OutboxItem) -> Outgoing:
    message = item.message
    ticket = message.ticket
    last_inbound = db.session.scalar(
        select(Message.external_id)
        .where(Message.ticket_id == ticket.id, Message.direction == Direction.INBOUND, Message.external_id.is_not(None))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    return Outgoing(
        message_id=message.id,
        text=message.body,
        conversation_key=ticket.conversation_key,
        recipient_external_id=ticket.contact.external_id,
        reply_to_external_id=last_inbound,
        idempotency_key=item.idempotency_key,
        ticket_reference=ticket.reference,
    )


def send_one(item_id: int, http, *, at: dt.datetime | None = None) -> OutboxState:
    """Try to deliver one claimed item and record the outcome on the item, message and channel."""
    item = db.session.get(OutboxItem, item_id)
    account = item.message.channel_account
    adapter = adapter_for_account(account)
    outgoing = outgoing_for(item)
    db.session.commit()  # no transaction stays open while we wait on a platform
    error, permanent, sent = None, False, None
    try:
        if adapter is None:
            raise PermanentFailure(f"no adapter for {account.platform}")
        sent = adapter.send(account, outgoing, http)
    except TemporaryFailure as exc:
        error = str(exc)
    except PermanentFailure as exc:
        error, permanent = str(exc), True
    except Exception as exc:  # a bug in an adapter must not kill the worker
        log.exception("adapter %s crashed sending message %s", account.platform, outgoing.message_id)
        error = f"{type(exc).__name__}: {exc}"
    return _record(item_id, sent, error, permanent, at or utcnow())


def _record(item_id: int, sent, error: str | None, permanent: bool, at: dt.datetime) -> OutboxState:
    item = db.session.get(OutboxItem, item_id)
    message = item.message
    if sent is not None:
        item.state, item.sent_at, item.last_error = OutboxState.SENT, at, None
        message.external_id = sent.external_id or message.external_id
        if message.delivery_status in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED, None):
            message.delivery_status = DeliveryStatus(sent.status)
        message.delivery_error = None
        health.record_outbound(item.channel_account_id, error=None, at=at)
    else:
        item.last_error = error
        max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
        if permanent or item.attempts >= max_attempts:
            item.state = OutboxState.DEAD
            message.delivery_status = DeliveryStatus.FAILED
            message.delivery_error = error
        else:
            item.next_attempt_at = at + backoff(item.attempts)
        health.record_outbound(item.channel_account_id, error=error, at=at)
        log.warning("reply %s on account %s: %s (attempt %s)", message.id, item.channel_account_id, error, item.attempts)
    db.session.commit()
    return item.state


def backoff(attempts: int) -> dt.timedelta:
    """Exponential with jitter: base × 2^(n-1), capped, ±20 %."""
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    cap = current_app.config["OUTBOX_BACKOFF_MAX_SECONDS"]
    seconds = min(base * 2 ** max(attempts - 1, 0), cap)
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


# A send can take this long (the HTTP timeout plus margin): an item is sent only while at least
# this much of its lease is left, so no other worker can claim it again while we send it.
SEND_MARGIN = dt.timedelta(seconds=15)


def dispatch_due(*, limit: int = 50, http=None) -> int:
    """Send what is due now; returns how many were tried.

    A batch is claimed under one lease. Slow platforms could make the last items outlive it and
    be claimed by another worker too, so items the lease no longer covers are handed back unsent.
    """
    http = http or new_session()
    claimed_at = utcnow()
    lease = dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    margin = min(SEND_MARGIN, lease / 2)  # a short lease (tests, a fast platform) still sends
    ids = claim(limit, at=claimed_at)
    for n, item_id in enumerate(ids):
        if utcnow() + margin >= claimed_at + lease:
            release(ids[n:])
            return n
        send_one(item_id, http)
    return len(ids)


def release(ids: list[int]) -> None:
    """Hand claimed, unsent items back: due at once, the attempt not counted."""
    now = utcnow()
    for item in db.session.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids),
                                                            OutboxItem.state == OutboxState.PENDING)):
        item.attempts = max(item.attempts - 1, 0)
        item.next_attempt_at = now
    db.session.commit()


def retry_dead(item_id: int) -> OutboxItem:
    """An operator's second chance for a dead letter."""
    item = db.session.get(OutboxItem, item_id)
    item.state, item.next_attempt_at, item.attempts = OutboxState.PENDING, utcnow(), 0
    item.message.delivery_status = DeliveryStatus.QUEUED
    return item
