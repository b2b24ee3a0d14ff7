"""Webhook deliveries: store verbatim before the 2xx, then turn them into tickets.

Storing is one insert and one commit, so platforms get their acknowledgement within their
deadline whatever the load; ``process`` (in the worker, or inline when configured) does the
parsing, deduplication, threading and classification through ``ingest.services.receive``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import time

from sqlalchemy import bindparam, select, update

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
    # Without NUL: the key is a text column, and PostgreSQL refuses U+0000 (a 503 the platform would retry forever).
    key = (adapter.delivery_key(account, request) or "").replace("\x00", "")
    return key or "sha256:" + hashlib.sha256(request.body).hexdigest()


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
    """Turn one stored delivery into messages and status updates, and mark it done. One bad
    element never loses the others: each message is received in its own savepoint and problems
    are recorded."""
    at = at or utcnow()
    result = _receive_all(delivery.account, delivery.id, delivery.body, delivery.headers, delivery.args, at)
    delivery.state = DeliveryState.DONE
    delivery.processed_at = at
    delivery.attempts += 1
    delivery.result = result
    return result


def _receive_all(account, delivery_id: int, body: bytes, headers: dict | None, args: dict | None, at, *,
                 atomic: bool = False) -> dict:
    """Parse a stored delivery and pass each of its messages to ``receive``; what happened.

    ``atomic``: an unexpected error (not an InquiryError) leaves nothing of the delivery written.
    Each message has its savepoint anyway, so a delivery of one message needs no second one.
    """
    adapter = adapter_for_account(account)
    request = WebhookRequest("POST", body, _Headers(headers), args or {})
    result = {"created": 0, "appended": 0, "duplicate": 0, "statuses": 0, "ignored": 0, "problems": []}
    try:
        parsed = adapter.parse(account, request)
    except Rejected as exc:
        result["problems"].append(exc.reason)
        parsed = None
    if parsed is not None:
        result["problems"].extend(parsed.problems)
        result["ignored"] = parsed.ignored
        single = len(parsed.messages) == 1 and not parsed.statuses
        with db.session.begin_nested() if atomic and not single else contextlib.nullcontext():
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
    if result["problems"]:
        log.warning("delivery %s on %s account %s: %s", delivery_id, account.platform, account.id, "; ".join(result["problems"]))
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


# Deliveries claimed and committed together: one COMMIT (and one fsync) per batch instead of per
# delivery. SQLite has a single writer, so its batches stay short: every webhook waits for them.
BATCH_SIZE = {"sqlite": 10}
DEFAULT_BATCH_SIZE = 25


def process_pending(*, limit: int = 100) -> int:
    """Process up to ``limit`` pending deliveries, a batch per transaction. Several workers on
    PostgreSQL share the queue (each claims its batch with SKIP LOCKED); SQLite needs only one."""
    done, failed = 0, set()
    size = BATCH_SIZE.get(db.engine.dialect.name, DEFAULT_BATCH_SIZE)
    while done < limit:
        rows = _claim(min(size, limit - done), failed)
        if not rows:
            break
        try:
            failed |= _process_batch(rows)
        except Exception:  # the batch could not be committed: retry it a delivery at a time
            db.session.rollback()
            log.exception("a batch of %d deliveries failed; processing them one by one", len(rows))
            failed |= _process_one_by_one([row.id for row in rows])
        done += len(rows)
    return done


def _claim(size: int, skip: set[int]) -> list:
    """Lock the oldest pending deliveries (rows, not ORM objects: they are only read)."""
    table = Delivery.__table__
    return db.session.execute(
        select(table.c.id, table.c.channel_account_id, table.c.body, table.c.headers, table.c.args)
        .where(table.c.state == DeliveryState.PENDING, table.c.id.notin_(skip or {0}))
        .order_by(table.c.received_at, table.c.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    ).all()


def _process_batch(rows) -> set[int]:
    """Each delivery atomic (savepoints), so one that fails is rolled back alone and counted; one
    UPDATE marks the rest done and one COMMIT ends the batch. Returns the ids that failed."""
    from inquiry.channels.models import ChannelAccount

    session = db.session
    ids = {row.channel_account_id for row in rows}
    accounts = {a.id: a for a in session.scalars(select(ChannelAccount).where(ChannelAccount.id.in_(ids)))}
    finished, failed = [], set()
    for row in rows:
        at = utcnow()
        try:
            result = _receive_all(accounts[row.channel_account_id], row.id, row.body, row.headers, row.args, at,
                                  atomic=True)
        except Exception as exc:  # a bug or an outage: keep the delivery, retry later, then park it
            log.exception("processing delivery %s failed", row.id)
            failed.add(row.id)
            _count_failure(row.id, repr(exc), commit=False)
            continue
        finished.append({"done_id": row.id, "done_at": at, "done_result": result})
    if finished:
        table = Delivery.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("done_id"))
            .values(state=DeliveryState.DONE, attempts=table.c.attempts + 1,
                    processed_at=bindparam("done_at", type_=table.c.processed_at.type),
                    result=bindparam("done_result", type_=table.c.result.type)),
            finished,
        )
    session.commit()
    return failed


def _process_one_by_one(ids: list[int]) -> set[int]:
    """The fallback when a batch fails as a whole: each delivery in its own transaction."""
    failed = set()
    for delivery_id in ids:
        delivery = db.session.scalar(
            select(Delivery).where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
            .with_for_update(skip_locked=True)
        )
        if delivery is None:  # taken by another worker meanwhile
            continue
        try:
            process(delivery)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("processing delivery %s failed", delivery_id)
            failed.add(delivery_id)
            _count_failure(delivery_id, repr(exc))
    return failed


def _count_failure(delivery_id: int, error: str, *, commit: bool = True) -> None:
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(attempts=Delivery.attempts + 1, error=error[:4000])
    )
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.attempts >= MAX_ATTEMPTS).values(state=DeliveryState.FAILED)
    )
    if commit:
        db.session.commit()


class _Headers(dict):
    """Stored headers, read case-insensitively like the live request's."""

    def __init__(self, stored: dict | None):
        super().__init__({k.lower(): v for k, v in (stored or {}).items()})

    def get(self, key, default=None):
        return super().get(key.lower(), default)
