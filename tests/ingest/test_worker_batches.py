"""The worker claims deliveries in batches: one bad delivery never costs the others, and two
workers never process the same delivery."""
import json
import threading

import pytest
from sqlalchemy import func, select

from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest import deliveries
from inquiry.ingest.models import Delivery, DeliveryState
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain

SECRET = "tg-secret_123"


@pytest.fixture
def telegram(db):
    account = create_account("telegram", "Desk bot", signing_secret=SECRET, access_token="123:abc")
    db.session.commit()
    return account


def post_updates(client, account, count, *, first=1):
    """``count`` deliveries, each a first message from a sender of its own (chat = update id)."""
    for n in range(first, first + count):
        body = {"update_id": n, "message": {"message_id": n, "date": 1731400700, "text": f"Question number {n}",
                "from": {"id": 7000 + n, "first_name": "Sender"}, "chat": {"id": 7000 + n, "type": "private"}}}
        answer = client.post(webhook_url(account), data=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert answer.status_code == 200


def states(db):
    db.session.expire_all()
    return {d.dedupe_key: d for d in db.session.scalars(select(Delivery))}


def poison(monkeypatch, text):
    """Make receiving ``text`` fail like a bug would, after it has written its ticket and message."""
    real = deliveries.receive

    def failing(inbound, **kw):
        got = real(inbound, **kw)
        if inbound.text == text:
            raise RuntimeError("bug while processing")
        return got

    monkeypatch.setattr(deliveries, "receive", failing)


def test_a_poisoned_delivery_does_not_stop_the_rest_of_its_batch(client, db, telegram, monkeypatch):
    post_updates(client, telegram, 6)
    poison(monkeypatch, "Question number 3")

    assert deliveries.process_pending() == 6

    found = states(db)
    bad = [d for d in found.values() if d.state != DeliveryState.DONE]
    assert len(bad) == 1 and bad[0].state == DeliveryState.PENDING
    assert bad[0].attempts == 1 and "bug while processing" in bad[0].error
    # The other five are tickets; what the poisoned one wrote before failing was rolled back.
    texts = set(db.session.scalars(select(Message.body)))
    assert texts == {f"Question number {n}" for n in (1, 2, 4, 5, 6)}
    assert db.session.scalar(select(func.count(Ticket.id))) == 5
    assert all(d.attempts == 1 and d.result["created"] == 1 for d in found.values() if d is not bad[0])


def test_a_delivery_that_keeps_failing_is_parked_after_max_attempts(client, db, telegram, monkeypatch):
    post_updates(client, telegram, 3)
    poison(monkeypatch, "Question number 2")

    drain()

    found = states(db)
    parked = [d for d in found.values() if d.state == DeliveryState.FAILED]
    assert len(parked) == 1 and parked[0].attempts == deliveries.MAX_ATTEMPTS
    assert sum(d.state == DeliveryState.DONE for d in found.values()) == 2
    # Once parked it is left alone: nothing more is pending.
    assert deliveries.process_pending() == 0


def test_a_batch_that_cannot_be_committed_is_retried_one_delivery_at_a_time(client, db, telegram, monkeypatch):
    post_updates(client, telegram, 4)

    def broken_batch(rows):
        raise RuntimeError("lost the connection at COMMIT")

    monkeypatch.setattr(deliveries, "_process_batch", broken_batch)
    assert deliveries.process_pending() == 4
    found = states(db)
    assert all(d.state == DeliveryState.DONE and d.attempts == 1 for d in found.values())
    assert db.session.scalar(select(func.count(Ticket.id))) == 4


def test_two_workers_at_once_process_every_delivery_exactly_once(app, client, db, telegram):
    post_updates(client, telegram, 40)
    db.session.commit()
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        from inquiry.extensions import db as _db

        with app.app_context():
            try:
                barrier.wait()
                while deliveries.process_pending(limit=7):
                    _db.session.remove()
            except Exception as exc:  # reported below: the test must see it
                errors.append(repr(exc))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    found = states(db)
    assert len(found) == 40
    assert all(d.state == DeliveryState.DONE and d.attempts == 1 and d.result["created"] == 1 for d in found.values())
    assert db.session.scalar(select(func.count(Message.id))) == 40


def test_on_postgresql_two_workers_claim_disjoint_batches(app, client, db, telegram):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED: on SQLite the single writer lock makes the second worker wait instead")
    post_updates(client, telegram, 6)
    db.session.commit()
    claimed, holding, release = [], threading.Event(), threading.Event()

    def first_worker():
        from inquiry.extensions import db as _db

        with app.app_context():
            try:
                claimed.append({row.id for row in deliveries._claim(4, set())})
                holding.set()
                release.wait(10)
            finally:
                _db.session.rollback()
                _db.session.remove()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert holding.wait(10)
        second = {row.id for row in deliveries._claim(4, set())}
        db.session.rollback()
    finally:
        release.set()
        thread.join()
    assert len(claimed[0]) == 4 and len(second) == 2
    assert not claimed[0] & second


def test_a_delivery_of_several_messages_is_kept_whole_when_a_later_one_fails(client, db, monkeypatch):
    from inquiry.channels.adapters.line import signature
    from tests.channels.test_line import BOT, SECRET as LINE_SECRET, delivery, event

    account = create_account("line", "Desk bot", signing_secret=LINE_SECRET, external_account_id=BOT)
    db.session.commit()
    body = delivery(event("e1", "1", text="First part of my report"), event("e2", "2", text="Second part"))
    answer = client.post(webhook_url(account), data=body, content_type="application/json",
                         headers={"x-line-signature": signature(LINE_SECRET, body)})
    assert answer.status_code == 200
    poison(monkeypatch, "Second part")

    assert deliveries.process_pending() == 1

    # The first message was received before the second failed: it is rolled back with it, so the
    # retry stores both rather than half the delivery now and the rest later.
    assert db.session.scalar(select(func.count(Message.id))) == 0
    assert db.session.scalar(select(func.count(Ticket.id))) == 0
    monkeypatch.undo()
    assert deliveries.process_pending() == 1
    assert sorted(db.session.scalars(select(Message.body))) == ["First part of my report", "Second part"]
    (done,) = states(db).values()
    assert done.state == DeliveryState.DONE and done.attempts == 2 and done.result["created"] == 1
