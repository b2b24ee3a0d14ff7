"""A gunicorn worker killed with SIGKILL in the middle of a burst of webhooks: every delivery that
got a 2xx is stored exactly once, and the platform's redelivery of the rest loses nothing and
duplicates nothing."""
from __future__ import annotations

import os
import signal
import threading

from sqlalchemy import func, select

from inquiry.ingest.deliveries import process_pending
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Direction, Message
from tests.reliability.support import bridge_body, children_of, post_delivery

BURST = 150
SENDERS = 8  # two workers × four threads: the victim has requests in flight
KILL_AFTER = 40  # answers received before one worker is killed


def send_all(port: int, path: str, ids: list[str], *, on_answer=None) -> dict[str, int | None]:
    """Send ``ids`` from SENDERS threads; the status each got (None: the connection broke)."""
    statuses: dict[str, int | None] = {}
    lock = threading.Lock()

    def sender(chunk):
        for message_id in chunk:
            answer = post_delivery(port, path, bridge_body(message_id))
            with lock:
                statuses[message_id] = answer.status
            if on_answer:
                on_answer(len(statuses))

    threads = [threading.Thread(target=sender, args=(ids[i::SENDERS],)) for i in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert len(statuses) == len(ids), "a sender thread hung"
    return statuses


def stored(db, account_id: int) -> dict[str, int]:
    """Delivery rows per message id."""
    rows = db.session.execute(select(Delivery.dedupe_key, func.count()).where(Delivery.channel_account_id == account_id)
                              .group_by(Delivery.dedupe_key)).all()
    db.session.commit()
    return {key.removeprefix("msg:"): count for key, count in rows}


def inbound_messages(db, account_id: int) -> dict[str, list[int]]:
    """Ticket ids of the inbound messages, per platform message id (one each when all is well)."""
    found: dict[str, list[int]] = {}
    for external_id, ticket_id in db.session.execute(
            select(Message.external_id, Message.ticket_id)
            .where(Message.channel_account_id == account_id, Message.direction == Direction.INBOUND)):
        found.setdefault(external_id, []).append(ticket_id)
    db.session.commit()
    return found


def process_everything(db) -> None:
    """What `inquiry worker` does with stored deliveries, until none is left."""
    while process_pending(limit=500):
        pass
    db.session.commit()


def test_killing_a_gunicorn_worker_mid_burst_loses_and_duplicates_nothing(db, bridge, gunicorn):
    account_id, path = bridge
    server, port = gunicorn(workers=2)
    victim = children_of(server.pid)[0]
    killed = threading.Event()

    def kill_mid_burst(answered: int):
        if answered >= KILL_AFTER and not killed.is_set():
            killed.set()
            os.kill(victim, signal.SIGKILL)

    ids = [f"kill-{n}" for n in range(BURST)]
    first = send_all(port, path, ids, on_answer=kill_mid_burst)
    assert killed.is_set()
    acknowledged = {i for i, status in first.items() if status is not None and 200 <= status < 300}
    # 503 (could not store, try again) is allowed; a 500 or any other answer is not.
    assert set(first.values()) <= {202, 503, None}, f"unexpected answers: {set(first.values())}"
    assert len(acknowledged) >= KILL_AFTER // 2  # the burst did run (most of it, usually)

    rows = stored(db, account_id)
    assert all(rows.get(i) == 1 for i in acknowledged), "a 2xx'd delivery is missing or stored twice"
    process_everything(db)
    messages = inbound_messages(db, account_id)
    assert all(len(messages.get(i, [])) == 1 for i in rows), "a stored delivery did not make exactly one message"
    tickets_before = {i: messages[i][0] for i in rows}

    # The platform redelivers everything it is unsure of; here, all of it, to the surviving worker
    # (and the one the master starts in place of the killed one).
    second = send_all(port, path, ids)
    assert set(second.values()) == {202}, f"redeliveries refused: {sorted(set(map(str, second.values())))}"
    rows = stored(db, account_id)
    assert rows == {i: 1 for i in ids}
    process_everything(db)
    messages = inbound_messages(db, account_id)
    assert {i: len(t) for i, t in messages.items()} == {i: 1 for i in ids}
    assert all(messages[i][0] == ticket for i, ticket in tickets_before.items()), "a redelivery opened a new ticket"
    assert len({t[0] for t in messages.values()}) == BURST  # one ticket per sender, none twice
