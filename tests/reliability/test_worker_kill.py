"""`inquiry worker` killed with SIGKILL while it sends replies: after a restart every reply reaches
the platform, none is posted twice (the bridge carries an Idempotency-Key, and the retry of the
reply in flight carries the same one), and the outbox says what the platform really got."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inquiry.channels.services import create_account
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus, Message
from tests.reliability.support import SECRET, BridgeTool, inquiry_argv, wait_until

REPLIES = 24
KILL_AT = 8  # the worker dies while the platform is answering this call
LEASE = 2  # seconds before a claimed reply may be tried again (production: 120)


@pytest.fixture
def tool():
    server = BridgeTool(delay=0.1, hold_at=KILL_AT).start()
    yield server
    server.stop()


def outbox(db) -> list[tuple]:
    rows = db.session.execute(select(OutboxItem.idempotency_key, OutboxItem.state, OutboxItem.message_id)).all()
    db.session.commit()  # SQLite: hold no lock while the worker writes
    return rows


def test_worker_killed_mid_send_delivers_every_reply_once_after_restart(db, make, tool, spawn):
    create_account("snapchat", "Snapchat via bridge", signing_secret=SECRET, api_base_url=tool.url)
    agent = make.agent("general-public")
    for n in range(REPLIES):
        ticket = make.ticket("general-public", channel="snapchat")
        services.reply(ticket, f"Reply {n}: thank you, we have passed this on.", actor=agent)
        db.session.commit()
    keys = {key for key, _state, _id in outbox(db)}
    assert len(keys) == REPLIES

    settings = {"INQUIRY_OUTBOX_LEASE_SECONDS": str(LEASE)}
    first = spawn(inquiry_argv("worker", "--interval", "0.2"), "worker-1", **settings)
    # The restart, loaded meanwhile: a supervisor restarts it at once, not after seconds of imports.
    second = spawn(inquiry_argv("worker", "--interval", "0.2", held=True), "worker-2", **settings)
    wait_until(tool.reached.is_set, timeout=120, what=f"the worker's call {KILL_AT}", child=first)
    in_flight = tool.calls[KILL_AT - 1][0]
    first.kill()
    tool.release.set()
    sent_before = {key for key, state, _id in outbox(db) if state == OutboxState.SENT}
    assert KILL_AT - 1 <= len(sent_before) < REPLIES and in_flight not in sent_before

    second.go()
    wait_until(lambda: all(state == OutboxState.SENT for _key, state, _id in outbox(db)), timeout=180,
               what="every reply sent after the restart", child=second, every=0.3)
    second.stop()

    calls_per_key: dict[str, int] = {}
    for key, _payload in tool.calls:
        calls_per_key[key] = calls_per_key.get(key, 0) + 1
    assert set(tool.posted) == keys, "a reply never reached the platform, or an unknown one did"
    # Only the reply whose answer the dead worker never read was sent again, with the same key.
    assert {key for key, count in calls_per_key.items() if count > 1} == {in_flight}
    assert calls_per_key[in_flight] == 2
    # The outbox and the messages agree with the platform: its message id for each key.
    for key, state, message_id in outbox(db):
        message = db.session.get(Message, message_id)
        assert (state, message.delivery_status, message.external_id) == \
            (OutboxState.SENT, DeliveryStatus.SENT, tool.posted[key])
    db.session.commit()
