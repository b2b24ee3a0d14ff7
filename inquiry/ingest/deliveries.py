"""Webhook deliveries: store verbatim before the 2xx, then turn them into tickets.

Storing is one insert and one commit, so platforms get their acknowledgement within their
deadline whatever the load; ``process`` (in the worker, or inline when configured) does the
parsing, deduplication, threading and classification through ``ingest.services.receive``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from inquiry.channels.base import Rejected, WebhookRequest
from inquiry.channels.registry import adapter_for_account
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError
from inquiry.extensions import db
from inquiry.ingest.models import Delivery, DeliveryState
from inquiry.ingest.services import receive
from inquiry.tickets.models import DeliveryStatus, Direction, Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Order of outbound states: a late "delivered" must not overwrite "read".
_RANK = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.DELIVERED: 2, DeliveryStatus.READ: 3}


def dedupe_key(adapter, account, request: WebhookRequest) -> str:
    return adapter.delivery_key(account, request) or "sha256:" + hashlib.sha256(request.body).hexdigest()


# How often (seconds) a process records an account's last delivery: once a minute is enough for
# the health page, and not writing one row per delivery keeps concurrent webhooks from queueing.
LAST_SEEN_EVERY = 60.0
_last_seen: dict[int, float] = {}


def _insert_statement(dialect: str):
    table = Delivery.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return None
    return insert(table).on_conflict_do_nothing(index_elements=["channel_account_id", "dedupe_key"]).returning(table.c.id)


def store_fast(account_id: int, request: WebhookRequest, key: str, headers: dict) -> int | None:
    """The webhook's hot path: one Core INSERT … ON CONFLICT DO NOTHING and one COMMIT, no ORM
    objects. Returns the new delivery's id, or None when it was a redelivery."""
    session = db.session
    connection = session.connection()  # Core on the session's connection: no ORM machinery per request
    statement = _insert_statement(connection.dialect.name)
    now = utcnow()
    values = {"channel_account_id": account_id, "dedupe_key": key[:255], "body": request.body, "headers": headers,
              "args": dict(request.args), "state": DeliveryState.PENDING.value, "attempts": 0, "received_at": now}
    try:
        if statement is None:  # another database: the portable path
            existing = connection.execute(select(Delivery.id).where(Delivery.channel_account_id == account_id,
                                                                    Delivery.dedupe_key == key[:255])).scalar()
            new_id = None if existing else connection.execute(Delivery.__table__.insert().returning(Delivery.id), values).scalar()
        else:
            new_id = connection.execute(statement, values).scalar()
        if time.monotonic() - _last_seen.get(account_id, 0.0) > LAST_SEEN_EVERY:
            from inquiry.channels.models import ChannelAccount

            connection.execute(update(ChannelAccount).where(ChannelAccount.id == account_id).values(last_delivery_at=now))
            _last_seen[account_id] = time.monotonic()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return new_id


def process(delivery: Delivery, *, at: dt.datetime | None = None) -> dict:
    """Turn one stored delivery into messages and status updates. One bad element never loses the
    others: each message is received in its own savepoint and problems are recorded."""
    at = at or utcnow()
    account = delivery.account
    adapter = adapter_for_account(account)
    request = WebhookRequest("POST", delivery.body, _Headers(delivery.headers), delivery.args or {})
    result = {"created": 0, "appended": 0, "duplicate": 0, "statuses": 0, "ignored": 0, "problems": []}
    try:
        parsed = adapter.parse(account, request)
    except Rejected as exc:
        result["problems"].append(exc.reason)
        parsed = None
    if parsed is not None:
        result["problems"].extend(parsed.problems)
        result["ignored"] = parsed.ignored
        for inbound in sorted(parsed.messages, key=lambda m: m.sent_at or at):
            inbound.account = account
            try:
                with db.session.begin_nested():
                    got = receive(inbound, at=at)
                result[got.outcome.value] += 1
            except InquiryError as exc:
                result["problems"].append(f"message {inbound.external_message_id}: {exc.message}")
        for update_ in parsed.statuses:
            result["statuses"] += apply_status(account.id, update_)
    delivery.state = DeliveryState.DONE
    delivery.processed_at = at
    delivery.attempts += 1
    delivery.result = result
    if result["problems"]:
        log.warning("delivery %s on %s account %s: %s", delivery.id, account.platform, account.id, "; ".join(result["problems"]))
    return result


def apply_status(account_id: int, update_) -> int:
    """Record a platform's delivery report on our outbound message (never moving backwards)."""
    message = db.session.scalar(
        select(Message).filter_by(channel_account_id=account_id, external_id=update_.external_id, direction=Direction.OUTBOUND)
    )
    if message is None:
        return 0
    try:
        new = DeliveryStatus(update_.status)
    except ValueError:
        return 0
    if new == DeliveryStatus.FAILED:
        message.delivery_status, message.delivery_error = new, update_.error or "failed on the platform"
    elif _RANK.get(new, 0) > _RANK.get(message.delivery_status, -1):
        message.delivery_status = new
    return 1


def process_pending(*, limit: int = 100) -> int:
    """Process up to ``limit`` pending deliveries, each in its own transaction. Several workers on
    PostgreSQL share the queue (SKIP LOCKED); SQLite needs only one."""
    done, failed = 0, set()
    while done < limit:
        delivery = db.session.scalar(
            select(Delivery)
            .where(Delivery.state == DeliveryState.PENDING, Delivery.id.notin_(failed or {0}))
            .order_by(Delivery.received_at, Delivery.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if delivery is None:
            break
        try:
            process(delivery)
            db.session.commit()
        except Exception as exc:  # a bug or an outage: keep the delivery, retry later, then park it
            db.session.rollback()
            log.exception("processing delivery %s failed", delivery.id)
            failed.add(delivery.id)
            _count_failure(delivery.id, repr(exc))
        done += 1
    return done


def _count_failure(delivery_id: int, error: str) -> None:
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(attempts=Delivery.attempts + 1, error=error[:4000])
    )
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.attempts >= MAX_ATTEMPTS).values(state=DeliveryState.FAILED)
    )
    db.session.commit()


class _Headers(dict):
    """Stored headers, read case-insensitively like the live request's."""

    def __init__(self, stored: dict | None):
        super().__init__({k.lower(): v for k, v in (stored or {}).items()})

    def get(self, key, default=None):
        return super().get(key.lower(), default)
