"""The webhook door under attack and disorder, on the signed bridge (channels.md §12.1:
HMAC-SHA256 over ``timestamp.body``, 300 s window) and Telegram (secret-token header, no timestamp).

Already covered elsewhere, so not repeated here: Telegram's wrong or missing secret (401, stored
nothing, counted), sequential redelivery, malformed bodies and a 413 under a lowered limit
(tests/ingest/test_webhooks.py); intake's own race of eight identical messages
(tests/ingest/test_concurrency.py); each native adapter's bad signature at the door and the
stale-timestamp checks of TikTok, Twitch and Discord (tests/channels). The slow-client test runs
gunicorn as ``inquiry serve`` configures it: tests/ingest/test_slow_clients.py.
"""
from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from inquiry.channels.adapters.bridge import TOLERANCE_SECONDS, sign
from inquiry.channels.health import recent_rejections
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Direction, Message, Ticket
from inquiry.worker import drain

BRIDGE_SECRET = "bridge-hardening-secret"
TELEGRAM_SECRET = "telegram-hardening-secret"
STALE = "timestamp missing or outside the 300 s window"


def count(db, model) -> int:
    db.session.commit()  # see what other connections committed
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def bridge(db):
    account = create_account("snapchat", "Snapchat via bridge", signing_secret=BRIDGE_SECRET)
    db.session.commit()
    return account


@pytest.fixture
def telegram(db):
    account = create_account("telegram", "Desk bot", signing_secret=TELEGRAM_SECRET, access_token="1:a")
    db.session.commit()
    return account


def bridge_body(message_id="snap-1", *, text="Where can I read your policy brief?", sent_at="2024-11-12T09:20:00Z",
                conversation="u/lena") -> bytes:
    return json.dumps({"platform": "snapchat", "external_message_id": message_id, "conversation_key": conversation,
                       "sender_external_id": "lena", "sender_display_name": "Lena", "sent_at": sent_at,
                       "text": text}).encode()


def bridge_headers(body: bytes, *, secret=BRIDGE_SECRET, age: float = 0, signed_body: bytes | None = None) -> dict:
    """Signed headers as the bridge tool sends them, ``age`` seconds ago (negative: in the future)."""
    stamp = str(int(time.time() - age))
    return {"Content-Type": "application/json", "X-Bridge-Timestamp": stamp,
            "X-Bridge-Signature": sign(secret, stamp, body if signed_body is None else signed_body)}


def telegram_body(update_id=1) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1731400700, "text": "Hallo, where do I register?",
        "from": {"id": 6100, "first_name": "Lena"}, "chat": {"id": 6100, "type": "private"}}}).encode()


def telegram_headers(body: bytes) -> dict:
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


SIGNED = {"bridge": (bridge_body, bridge_headers), "telegram": (telegram_body, telegram_headers)}


# ---- (1) replays ------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["bridge", "telegram"])
def test_a_replayed_delivery_is_acknowledged_every_time_and_stored_once(client, db, request, platform):
    account = request.getfixturevalue(platform)
    make_body, make_headers = SIGNED[platform]
    body = make_body()
    headers = make_headers(body)  # the very same bytes and signature each time
    answers = [client.post(webhook_url(account), data=body, headers=headers).status_code for _ in range(2)]
    assert all(200 <= status < 300 for status in answers), answers
    drain()
    assert (count(db, Delivery), count(db, Ticket), count(db, Message)) == (1, 1, 1)


@pytest.mark.parametrize("platform", ["bridge", "telegram"])
def test_five_copies_at_once_are_all_acknowledged_and_make_one_message(app, db, request, platform):
    account = request.getfixturevalue(platform)
    make_body, make_headers = SIGNED[platform]
    body, url = make_body(), webhook_url(account)
    headers = make_headers(body)
    db.session.commit()  # hold no transaction (on SQLite: no lock) while the copies arrive
    barrier, answers = threading.Barrier(5), []

    def deliver():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(url, data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 5 and all(200 <= status < 300 for status in answers), answers
    drain()
    assert (count(db, Delivery), count(db, Ticket), count(db, Message)) == (1, 1, 1)


def test_a_captured_delivery_replayed_after_the_window_is_refused_and_counted(client, db, bridge):
    body = bridge_body("snap-late")
    assert client.post(webhook_url(bridge), data=body, headers=bridge_headers(body)).status_code == 202
    late = client.post(webhook_url(bridge), data=body, headers=bridge_headers(body, age=TOLERANCE_SECONDS + 60))
    assert late.status_code == 401 and late.json["error"]["message"] == STALE
    assert count(db, Delivery) == 1 and recent_rejections(bridge) == {STALE: 1}


@pytest.mark.parametrize("age,accepted", [(TOLERANCE_SECONDS - 10, True), (-(TOLERANCE_SECONDS - 10), True),
                                          (TOLERANCE_SECONDS + 10, False), (-(TOLERANCE_SECONDS + 10), False)],
                         ids=["old-inside", "ahead-inside", "old-outside", "ahead-outside"])
def test_the_bridge_allows_300_seconds_of_clock_skew_either_way(client, db, bridge, age, accepted):
    body = bridge_body(f"snap-skew-{age}")
    response = client.post(webhook_url(bridge), data=body, headers=bridge_headers(body, age=age))
    assert response.status_code == (202 if accepted else 401)
    assert count(db, Delivery) == (1 if accepted else 0)
    assert recent_rejections(bridge) == ({} if accepted else {STALE: 1})


# ---- (2) deliveries out of order ---------------------------------------------------------------

def test_messages_delivered_out_of_order_join_one_ticket_keeping_their_platform_times(client, db, make, bridge):
    """The second message of a conversation arrives first. Both join one ticket, keep the time
    the platform says they were sent, and are shown in that order (channels.md §0 rule 5: do not
    trust the order of deliveries), not in the order they arrived."""
    second = bridge_body("snap-2", text="And the second part: my order number is 4471.", sent_at="2024-11-12T09:21:00Z")
    first = bridge_body("snap-1", text="First part: my parcel never arrived.", sent_at="2024-11-12T09:20:00Z")
    for body in (second, first):
        assert client.post(webhook_url(bridge), data=body, headers=bridge_headers(body)).status_code == 202
    drain()
    [ticket] = db.session.scalars(select(Ticket)).all()
    messages = [m for m in ticket.messages if m.direction == Direction.INBOUND]
    assert [m.external_id for m in messages] == ["snap-1", "snap-2"]  # the platform's order
    assert [m.sent_at.isoformat() for m in messages] == ["2024-11-12T09:20:00+00:00", "2024-11-12T09:21:00+00:00"]
    assert messages[0].created_at > messages[1].created_at  # though the first arrived second

    supervisor = make.supervisor()
    assert client.post("/login", data={"email": supervisor.email, "password": make.password}).status_code == 302
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    thread = page[page.index('id="messages"'):]  # the conversation, below the subject line
    assert thread.index("my parcel never arrived") < thread.index("my order number is 4471")


# ---- (3) oversized bodies ----------------------------------------------------------------------

def test_a_body_over_max_content_length_is_413_json_and_nothing_is_stored(client, db, app, bridge):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = bridge_body("snap-big", text="x" * (limit + 1))
    response = client.post(webhook_url(bridge), data=body, headers=bridge_headers(body))
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert count(db, Delivery) == 0 and count(db, Message) == 0


# ---- (4) forged signatures ---------------------------------------------------------------------

def _forged(kind: str, body: bytes) -> dict:
    if kind == "unsigned":
        return {"Content-Type": "application/json"}
    if kind == "garbage":
        return {**bridge_headers(body), "X-Bridge-Signature": "sha256=" + "0" * 64}
    if kind == "another-body":
        return bridge_headers(body, signed_body=bridge_body("snap-other"))
    if kind == "wrong-secret":
        return bridge_headers(body, secret="not-the-secret")
    if kind == "no-timestamp":
        headers = bridge_headers(body)
        del headers["X-Bridge-Timestamp"]
        return headers
    raise AssertionError(kind)


@pytest.mark.parametrize("kind,reason", [("unsigned", STALE), ("garbage", "bad signature"),
                                         ("another-body", "bad signature"), ("wrong-secret", "bad signature"),
                                         ("no-timestamp", STALE)])
def test_a_forged_delivery_is_401_stores_nothing_and_is_counted(client, db, bridge, kind, reason):
    body = bridge_body("snap-forged")
    for _ in range(2):
        response = client.post(webhook_url(bridge), data=body, headers=_forged(kind, body))
        assert response.status_code == 401 and response.json["error"]["message"] == reason
    assert count(db, Delivery) == 0 and count(db, Message) == 0
    assert recent_rejections(bridge) == {reason: 2}


def test_an_account_without_a_key_refuses_everything(client, db, bridge):
    bridge.signing_secret = None
    db.session.commit()
    body = bridge_body()
    assert client.post(webhook_url(bridge), data=body, headers=bridge_headers(body)).status_code == 401
    assert count(db, Delivery) == 0
