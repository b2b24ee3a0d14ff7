"""TikTok business messages: signature over ``t.body``, the double-encoded content, replies."""
import datetime as dt
import json
import time

import pytest
from hypothesis import given, settings
from sqlalchemy import func, select

from inquiry.channels.adapters.tiktok import TikTok, sign
from inquiry.channels.base import Rejected
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain
from tests.channels.social_support import (WORLD_TEXT, account, bodies, dead_lettered, escaped, parse_is_total,
                                           reply, request, run_due, sent_after_a_server_error, ticket_on)

SECRET = "test_client_secret"
BUSINESS = "biz-0000-example"
adapter = TikTok()


def event(text="Do you accept tips about fake document sellers?", message_id="msg-0000-example", kind="im_receive_msg",
          to=BUSINESS, **content_extra):
    content = {"conversation_id": "conv-0000-example", "message_id": message_id, "timestamp": 1731401299876,
               "type": "text", "text": {"body": text}, "from": "example_user", "from_user": {"id": "usr-0000-example"},
               "to": "our_business", "to_user": {"id": to}, **content_extra}
    return {"client_key": "awexample000001", "event": kind, "create_time": 1731401300, "user_openid": BUSINESS,
            "content": json.dumps(content)}


def signed(body: bytes, secret=SECRET, stamp=None):
    stamp = str(int(time.time()) if stamp is None else stamp)
    return {"TikTok-Signature": f"t={stamp},s={sign(secret, stamp, body)}", "Content-Type": "application/json"}


ACCOUNT = account(platform="tiktok", signing_secret=SECRET, external_account_id=BUSINESS)


def test_appendix_a_vector(monkeypatch):
    body = b'{"event":"im_receive_msg"}'
    assert sign(SECRET, "1700000000", body) == "12d322f41047f6ff3b53f9469024245573d4b75c2138082c67b679bc3b389386"
    monkeypatch.setattr(TikTok, "clock", staticmethod(lambda: 1700000100))
    adapter.authenticate(ACCOUNT, request(body, {
        "Tiktok-Signature": "t=1700000000,s=12d322f41047f6ff3b53f9469024245573d4b75c2138082c67b679bc3b389386"}))
    # Authentic but without content: counted as a problem, not a crash.
    assert adapter.parse(ACCOUNT, request(body)).problems


def test_valid_message_is_read_from_the_double_encoded_content():
    body = escaped(event())
    req = request(body, signed(body))
    adapter.authenticate(ACCOUNT, req)
    parsed = adapter.parse(ACCOUNT, req)
    (message,) = parsed.messages
    assert message.text == "Do you accept tips about fake document sellers?"
    assert message.external_message_id == "msg-0000-example" and message.conversation_key == "conv-0000-example"
    assert message.sender_external_id == "usr-0000-example" and message.sender_display_name == "example_user"
    assert message.sent_at == dt.datetime(2024, 11, 12, 8, 48, 19, 876000, tzinfo=dt.timezone.utc)
    assert adapter.delivery_key(ACCOUNT, req) == "im_receive_msg:msg-0000-example"


def test_non_ascii_text_is_verified_on_the_raw_escaped_bytes():
    body = escaped(event(text=WORLD_TEXT))
    assert b"\\u" in body
    req = request(body, signed(body))
    adapter.authenticate(ACCOUNT, req)
    assert adapter.parse(ACCOUNT, req).messages[0].text == WORLD_TEXT


@pytest.mark.parametrize("headers", [
    {},
    {"TikTok-Signature": "garbage"},
    {"TikTok-Signature": "t=abc,s=00"},
])
def test_missing_or_unreadable_signature_is_401(headers):
    with pytest.raises(Rejected) as exc:
        adapter.authenticate(ACCOUNT, request(escaped(event()), headers))
    assert exc.value.status == 401


def test_wrong_secret_stale_timestamp_or_no_secret_is_401():
    body = escaped(event())
    for acct, headers in [
        (ACCOUNT, signed(body, secret="other")),
        (ACCOUNT, signed(body, stamp=int(time.time()) - 301)),
        (account(platform="tiktok"), signed(body)),
    ]:
        with pytest.raises(Rejected) as exc:
            adapter.authenticate(acct, request(body, headers))
        assert exc.value.status == 401


def test_echoes_and_developer_events_are_ignored():
    for payload in (event(kind="im_send_msg"), event(to="someone-else"),
                    {"event": "authorization.removed", "client_key": "ck", "create_time": 1, "user_openid": "u",
                     "content": "{\"reason\": 1}"}):
        parsed = adapter.parse(ACCOUNT, request(escaped(payload)))
        assert parsed.messages == [] and parsed.ignored == 1


def test_image_and_quoted_message():
    body = escaped(event(text="", type="image", image={"media_id": "media-1"},
                         referenced_message_info={"referenced_message_id": "msg-prev"}))
    (message,) = adapter.parse(ACCOUNT, request(body)).messages
    assert message.attachments[0].kind == "image" and message.attachments[0].platform_ref == "media-1"
    assert message.reply_to_external_id == "msg-prev"


def test_broken_content_is_a_problem_and_wrong_shape_is_400():
    broken = event()
    broken["content"] = "{not json"
    assert adapter.parse(ACCOUNT, request(escaped(broken))).problems
    no_sender = event()
    content = json.loads(no_sender["content"])
    del content["from_user"]
    no_sender["content"] = json.dumps(content)
    assert adapter.parse(ACCOUNT, request(escaped(no_sender))).problems
    for body in (b"[1]", b"{not json", b'{"hello": 1}'):
        with pytest.raises(Rejected) as exc:
            adapter.parse(ACCOUNT, request(body))
        assert exc.value.status == 400


@given(bodies(event()))
@settings(deadline=None)
def test_parse_never_crashes(body):
    parse_is_total(adapter, ACCOUNT, request(body, {"TikTok-Signature": "t=1,s=2"}))


# ---- through the app -------------------------------------------------------------------------

@pytest.fixture
def tiktok(db):
    acct = create_account("tiktok", "Desk", signing_secret=SECRET, external_account_id=BUSINESS)
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_delivery_becomes_a_ticket_and_redelivery_adds_nothing(client, db, tiktok):
    body = escaped(event(text=WORLD_TEXT))
    assert client.post(webhook_url(tiktok), data=body, headers=signed(body)).status_code == 200
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.conversation_key == "conv-0000-example" and ticket.messages[0].body == WORLD_TEXT
    assert client.post(webhook_url(tiktok), data=body, headers=signed(body)).status_code == 200
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_bad_signature_is_401_and_stores_nothing(client, db, tiktok):
    body = escaped(event())
    assert client.post(webhook_url(tiktok), data=body, headers=signed(body, secret="wrong")).status_code == 401
    assert count(db, Delivery) == 0


# ---- replies ---------------------------------------------------------------------------------

@pytest.fixture
def conversation(db, make, platform_server):
    return ticket_on(db, make, platform_server, "tiktok", "conv-0000-example",
                     external_account_id=BUSINESS, access_token="tt-token")


OK = {"code": 0, "message": "OK", "data": {"message": {"message_id": "msg-out-1"}}}


def test_reply_is_sent_to_the_conversation(db, conversation, platform_server):
    agent, ticket = conversation
    platform_server.script = [(200, OK)]
    message = reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == "/open_api/v1.3/business/message/send/" and call.headers["Access-Token"] == "tt-token"
    assert call.json() == {"business_id": BUSINESS, "recipient_type": "CONVERSATION", "recipient": "conv-0000-example",
                           "message_type": "TEXT", "text": {"body": "We have passed your report to the team."}}
    assert message.external_id == "msg-out-1"


def test_server_error_then_success(db, conversation, platform_server):
    agent, ticket = conversation
    sent_after_a_server_error(db, agent, ticket, platform_server, OK)


def test_refusal_in_a_200_answer_goes_to_the_dead_letter(db, conversation, platform_server):
    agent, ticket = conversation
    dead_lettered(db, agent, ticket, platform_server, 200, {"code": 40002, "message": "conversation closed"},
                  "conversation closed")
