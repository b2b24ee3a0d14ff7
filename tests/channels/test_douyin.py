"""Douyin: sha1(client secret + body), the verify_webhook challenge, private messages."""
import datetime as dt
import json

import pytest
from hypothesis import given, settings
from sqlalchemy import func, select

from inquiry.channels.adapters.douyin import Douyin, sign
from inquiry.channels.base import PermanentFailure, Rejected
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.outbound.models import OutboxState
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain
from tests.channels.social_support import (WORLD_TEXT, account, bodies, escaped, outbox_item, parse_is_total, reply,
                                           request, run_due, ticket_on)

SECRET = "test_client_secret"
adapter = Douyin()
ACCOUNT = account(platform="douyin", signing_secret=SECRET)


def received(text="你好，请问如何举报诈骗网站？", kind="im_receive_msg", content_as_string=False, **extra):
    content = {"conversation_short_id": "@4F8A0vXKXctkaiPzY485F6f81WSGOvmF", "server_message_id": "7300000000000000001",
               "conversation_type": 1, "create_time": 1731401300123, "message_type": "text", "text": text,
               "user_infos": [{"open_id": "_000user", "nick_name": "小王", "avatar": "https://example.invalid/a.png"}],
               **extra}
    return {"event": kind, "from_user_id": "_000user", "to_user_id": "_000biz", "client_key": "ck",
            "log_id": "2024111209000001", "content": json.dumps(content) if content_as_string else content}


def signed(body: bytes, secret=SECRET, msg_id="msg-0001"):
    return {"X-Douyin-Signature": sign(secret, body), "Msg-Id": msg_id, "Content-Type": "application/json"}


def test_appendix_a_vector_and_challenge():
    body = b'{"event":"verify_webhook","client_key":"ck","content":{"challenge":1}}'
    assert sign(SECRET, body) == "3c14186d9822cb86febb72d3327192f9dca48f95"
    answer = adapter.handshake(ACCOUNT, request(body, {"X-Douyin-Signature": "3c14186d9822cb86febb72d3327192f9dca48f95"}))
    assert answer.status == 200 and json.loads(answer.body) == {"challenge": 1}
    assert answer.content_type == "application/json"


def test_challenge_with_a_bad_signature_is_401():
    body = b'{"event":"verify_webhook","client_key":"ck","content":{"challenge":1}}'
    with pytest.raises(Rejected) as exc:
        adapter.handshake(ACCOUNT, request(body, {"X-Douyin-Signature": "0" * 40}))
    assert exc.value.status == 401


@pytest.mark.parametrize("as_string", [False, True])
def test_private_message_is_an_inquiry(as_string):
    body = escaped(received(content_as_string=as_string))
    req = request(body, signed(body))
    adapter.authenticate(ACCOUNT, req)
    (message,) = adapter.parse(ACCOUNT, req).messages
    assert message.text == "你好，请问如何举报诈骗网站？"
    assert message.external_message_id == "7300000000000000001"
    assert message.conversation_key == "@4F8A0vXKXctkaiPzY485F6f81WSGOvmF"
    assert message.sender_external_id == "_000user" and message.sender_display_name == "小王"
    assert message.sent_at == dt.datetime(2024, 11, 12, 8, 48, 20, 123000, tzinfo=dt.timezone.utc)
    assert adapter.delivery_key(ACCOUNT, req) == "msg:msg-0001"


def test_non_ascii_text_is_verified_on_the_raw_escaped_bytes():
    body = escaped(received(text=WORLD_TEXT))
    assert b"\\u" in body
    req = request(body, signed(body))
    adapter.authenticate(ACCOUNT, req)
    assert adapter.parse(ACCOUNT, req).messages[0].text == WORLD_TEXT


def test_bad_missing_or_unconfigured_signature_is_401():
    body = escaped(received())
    for acct, headers in [(ACCOUNT, signed(body, secret="other")), (ACCOUNT, {}),
                          (account(platform="douyin"), signed(body))]:
        with pytest.raises(Rejected) as exc:
            adapter.authenticate(acct, request(body, headers))
        assert exc.value.status == 401


def test_echo_and_other_events_are_ignored():
    for payload in (received(kind="im_send_msg"), {"event": "im_message_read", "content": {"index": "1"}}):
        parsed = adapter.parse(ACCOUNT, request(escaped(payload)))
        assert parsed.messages == [] and parsed.ignored == 1


def test_unreadable_message_is_a_problem_and_wrong_shape_is_400():
    broken = received()
    del broken["from_user_id"]
    assert adapter.parse(ACCOUNT, request(escaped(broken))).problems
    assert adapter.parse(ACCOUNT, request(escaped({**received(), "content": "{oops"}))).problems
    for body in (b"1", b"{", b'{"content": {}}'):
        with pytest.raises(Rejected) as exc:
            adapter.parse(ACCOUNT, request(body))
        assert exc.value.status == 400


@given(bodies(received()))
@settings(deadline=None)
def test_parse_never_crashes(body):
    parse_is_total(adapter, ACCOUNT, request(body, {"X-Douyin-Signature": "00", "Msg-Id": "m"}))


# ---- through the app -------------------------------------------------------------------------

@pytest.fixture
def douyin(db):
    acct = create_account("douyin", "Enterprise account", signing_secret=SECRET)
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_challenge_delivery_and_redelivery(client, db, douyin):
    challenge = b'{"event":"verify_webhook","client_key":"ck","content":{"challenge":42}}'
    answer = client.post(webhook_url(douyin), data=challenge, headers=signed(challenge))
    assert answer.status_code == 200 and answer.json == {"challenge": 42}
    body = escaped(received(text=WORLD_TEXT))
    assert client.post(webhook_url(douyin), data=body, headers=signed(body)).status_code == 200
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.messages[0].body == WORLD_TEXT and ticket.contact.display_name == "小王"
    assert client.post(webhook_url(douyin), data=body, headers=signed(body)).status_code == 200
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_bad_signature_is_401_and_stores_nothing(client, db, douyin):
    body = escaped(received())
    assert client.post(webhook_url(douyin), data=body, headers=signed(body, secret="nope")).status_code == 401
    assert count(db, Delivery) == 0


# ---- replies ---------------------------------------------------------------------------------

def test_send_is_a_permanent_failure_with_its_reason():
    with pytest.raises(PermanentFailure, match="Douyin app"):
        adapter.send(ACCOUNT, None, None)


def test_reply_goes_to_the_dead_letter_without_calling_anything(db, make, platform_server):
    agent, ticket = ticket_on(db, make, platform_server, "douyin", "@conv")
    message = reply(db, agent, ticket)
    run_due(db)
    assert outbox_item(db).state == OutboxState.DEAD and "Douyin app" in message.delivery_error
    assert platform_server.calls == []
