"""Twitch EventSub: HMAC over id + timestamp + body, the challenge, chat and whispers, replies."""
import datetime as dt
import json

import pytest
from hypothesis import given, settings
from sqlalchemy import func, select

from inquiry.channels.adapters.twitch import Twitch, sign
from inquiry.channels.base import Rejected
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain
from tests.channels.social_support import (WORLD_TEXT, account, bodies, dead_lettered, escaped, parse_is_total,
                                           reply, request, run_due, sent_after_a_server_error, ticket_on)

SECRET = "test_secret_1234"
BOT = "40000001"
adapter = Twitch()
ACCOUNT = account(platform="twitch", signing_secret=SECRET, external_account_id=BOT)


def chat(text="Is there a replay of today's webinar?", message_id="f0e1d2c3-0000-4000-8000-000000000099",
         chatter="40000777", reply_to=None):
    return {
        "subscription": {"id": "a1b2c3d4-0000-4000-8000-000000000001", "status": "enabled",
                         "type": "channel.chat.message", "version": "1",
                         "condition": {"broadcaster_user_id": BOT, "user_id": BOT},
                         "transport": {"method": "webhook", "callback": "https://example.invalid/hooks/twitch/main"},
                         "created_at": "2024-11-12T08:00:00.000000000Z", "cost": 0},
        "event": {"broadcaster_user_id": BOT, "broadcaster_user_login": "outreach_live",
                  "broadcaster_user_name": "Outreach_Live", "chatter_user_id": chatter,
                  "chatter_user_login": "viewer_example", "chatter_user_name": "Viewer_Example",
                  "message_id": message_id, "message": {"text": text, "fragments": [{"type": "text", "text": text}]},
                  "message_type": "text", "color": "#1E90FF", "badges": [], "cheer": None,
                  "reply": {"parent_message_id": reply_to, "thread_message_id": reply_to} if reply_to else None,
                  "channel_points_custom_reward_id": None},
    }


def whisper(text="Can I report privately?"):
    return {"subscription": {"id": "s-2", "type": "user.whisper.message", "version": "1", "status": "enabled"},
            "event": {"from_user_id": "40000888", "from_user_login": "quiet_one", "from_user_name": "Quiet_One",
                      "to_user_id": BOT, "to_user_login": "outreach_live", "to_user_name": "Outreach_Live",
                      "whisper_id": "w-0001", "whisper": {"text": text}}}


def now_stamp(offset_seconds=0):
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # nanoseconds, as Twitch sends them


def headers(body: bytes, message_id="msg-0001", kind="notification", secret=SECRET, stamp=None,
            subscription="channel.chat.message"):
    stamp = stamp or now_stamp()
    return {"Twitch-Eventsub-Message-Id": message_id, "Twitch-Eventsub-Message-Timestamp": stamp,
            "Twitch-Eventsub-Message-Signature": sign(secret, message_id, stamp, body),
            "Twitch-Eventsub-Message-Type": kind, "Twitch-Eventsub-Message-Retry": "0",
            "Twitch-Eventsub-Subscription-Type": subscription, "Twitch-Eventsub-Subscription-Version": "1",
            "Content-Type": "application/json"}


def test_appendix_a_vector_and_challenge_echo(monkeypatch):
    stamp, body = "2024-01-01T00:00:00.123456789Z", b'{"challenge":"abc"}'
    expected = "sha256=082dcb0b645ee196085810cbe72363c9c5af2d3cd71cd6c42537ee60d9737282"
    assert sign(SECRET, "msg-0001", stamp, body) == expected
    monkeypatch.setattr(Twitch, "clock", staticmethod(lambda: dt.datetime(2024, 1, 1, 0, 5, tzinfo=dt.timezone.utc).timestamp()))
    reply_ = adapter.handshake(ACCOUNT, request(body, {
        "Twitch-Eventsub-Message-Id": "msg-0001", "Twitch-Eventsub-Message-Timestamp": stamp,
        "Twitch-Eventsub-Message-Signature": expected, "Twitch-Eventsub-Message-Type": "webhook_callback_verification"}))
    assert reply_.status == 200 and reply_.body == "abc" and reply_.content_type == "text/plain"


def test_challenge_with_a_bad_signature_is_refused():
    body = b'{"challenge":"abc"}'
    bad = headers(body, kind="webhook_callback_verification", secret="wrong-secret-123")
    with pytest.raises(Rejected) as exc:
        adapter.handshake(ACCOUNT, request(body, bad))
    assert exc.value.status == 401


def test_revocation_is_acknowledged_and_logged(caplog):
    body = escaped({"subscription": {"id": "s-1", "type": "channel.chat.message", "status": "authorization_revoked"}})
    reply_ = adapter.handshake(ACCOUNT, request(body, headers(body, kind="revocation")))
    assert reply_.status == 204 and "authorization_revoked" in caplog.text


def test_chat_message_is_one_chatter_in_one_channel():
    body = escaped(chat())
    req = request(body, headers(body))
    adapter.authenticate(ACCOUNT, req)
    (message,) = adapter.parse(ACCOUNT, req).messages
    assert message.text == "Is there a replay of today's webinar?"
    assert message.external_message_id == "f0e1d2c3-0000-4000-8000-000000000099"
    assert message.sender_external_id == "40000777" and message.sender_display_name == "Viewer_Example"
    assert message.conversation_key == f"{BOT}:40000777"
    assert abs((message.sent_at - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 60
    assert adapter.delivery_key(ACCOUNT, req) == "msg:msg-0001"


def test_whisper_and_reply_thread():
    body = escaped(whisper())
    (message,) = adapter.parse(ACCOUNT, request(body, headers(body, subscription="user.whisper.message"))).messages
    assert message.conversation_key == "whisper:40000888" and message.external_message_id == "w-0001"
    body = escaped(chat(reply_to="parent-1"))
    assert adapter.parse(ACCOUNT, request(body, headers(body))).messages[0].reply_to_external_id == "parent-1"


def test_non_ascii_text_is_verified_on_the_raw_escaped_bytes():
    body = escaped(chat(text=WORLD_TEXT))
    assert b"\\u" in body
    req = request(body, headers(body))
    adapter.authenticate(ACCOUNT, req)
    assert adapter.parse(ACCOUNT, req).messages[0].text == WORLD_TEXT


def test_bad_missing_stale_or_unconfigured_signature_is_401():
    body = escaped(chat())
    cases = [
        (ACCOUNT, headers(body, secret="another-secret-1")),
        (ACCOUNT, {k: v for k, v in headers(body).items() if k != "Twitch-Eventsub-Message-Signature"}),
        (ACCOUNT, headers(body, stamp=now_stamp(-601))),
        (account(platform="twitch"), headers(body)),
    ]
    for acct, hdrs in cases:
        with pytest.raises(Rejected) as exc:
            adapter.authenticate(acct, request(body, hdrs))
        assert exc.value.status == 401


def test_our_own_chat_message_and_other_subscriptions_are_ignored():
    own = escaped(chat(chatter=BOT))
    follow = escaped({"subscription": {"type": "channel.follow"}, "event": {"user_id": "1"}})
    for body in (own, follow):
        parsed = adapter.parse(ACCOUNT, request(body, headers(body)))
        assert parsed.messages == [] and parsed.ignored == 1


def test_broken_event_is_a_problem_and_wrong_shape_is_400():
    broken = chat()
    del broken["event"]["chatter_user_id"]
    body = escaped(broken)
    assert adapter.parse(ACCOUNT, request(body, headers(body))).problems
    for body in (b"[]", b'{"event": {}}', b"\xff"):
        with pytest.raises(Rejected) as exc:
            adapter.parse(ACCOUNT, request(body, headers(body)))
        assert exc.value.status == 400


@given(bodies(chat()))
@settings(deadline=None)
def test_parse_never_crashes(body):
    parse_is_total(adapter, ACCOUNT, request(body, {"Twitch-Eventsub-Message-Type": "notification",
                                                    "Twitch-Eventsub-Message-Timestamp": "2024-01-01T00:00:00Z"}))


# ---- through the app -------------------------------------------------------------------------

@pytest.fixture
def twitch(db):
    acct = create_account("twitch", "Stream", signing_secret=SECRET, external_account_id=BOT)
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_challenge_then_delivery_then_redelivery(client, db, twitch):
    challenge = escaped({"challenge": "pogchamp-kappa", "subscription": {"type": "channel.chat.message"}})
    answer = client.post(webhook_url(twitch), data=challenge,
                         headers=headers(challenge, message_id="v-1", kind="webhook_callback_verification"))
    assert answer.status_code == 200 and answer.data == b"pogchamp-kappa" and answer.mimetype == "text/plain"
    body = escaped(chat(text=WORLD_TEXT))
    hdrs = headers(body, message_id="n-1")
    assert client.post(webhook_url(twitch), data=body, headers=hdrs).status_code in (200, 202, 204)
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.messages[0].body == WORLD_TEXT and ticket.messages[0].sent_at is not None
    assert client.post(webhook_url(twitch), data=body, headers=headers(body, message_id="n-1")).status_code < 300
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_bad_signature_is_401_and_stores_nothing(client, db, twitch):
    body = escaped(chat())
    assert client.post(webhook_url(twitch), data=body, headers=headers(body, secret="wrong-secret-12")).status_code == 401
    assert count(db, Delivery) == 0


# ---- replies ---------------------------------------------------------------------------------

@pytest.fixture
def conversation(db, make, platform_server):
    return ticket_on(db, make, platform_server, "twitch", f"{BOT}:40000777", external_account_id=BOT,
                     access_token="app-token", options={"client_id": "client-abc"})


OK = {"data": [{"message_id": "sent-1", "is_sent": True, "drop_reason": None}]}


def test_chat_reply_is_sent_as_a_reply_to_the_chatter(db, conversation, platform_server):
    agent, ticket = conversation
    platform_server.script = [(200, OK)]
    message = reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == "/helix/chat/messages"
    assert call.headers["Client-Id"] == "client-abc" and call.headers["Authorization"] == "Bearer app-token"
    assert call.json()["broadcaster_id"] == BOT and call.json()["sender_id"] == BOT
    assert call.json()["message"] == "We have passed your report to the team."
    assert call.json()["reply_parent_message_id"] == ticket.messages[0].external_id
    assert message.external_id == "sent-1"


def test_server_error_then_success(db, conversation, platform_server):
    agent, ticket = conversation
    sent_after_a_server_error(db, agent, ticket, platform_server, OK)


def test_dropped_message_goes_to_the_dead_letter(db, conversation, platform_server):
    agent, ticket = conversation
    dropped = {"data": [{"message_id": "", "is_sent": False,
                         "drop_reason": {"code": "msg_duplicate", "message": "The message is a duplicate"}}]}
    dead_lettered(db, agent, ticket, platform_server, 200, dropped, "msg_duplicate")


def test_whisper_reply_goes_to_the_whispers_endpoint(db, make, platform_server):
    agent, ticket = ticket_on(db, make, platform_server, "twitch", "whisper:40000888", external_account_id=BOT,
                              access_token="app-token", options={"client_id": "client-abc"})
    platform_server.script = [(204, {})]
    reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == f"/helix/whispers?from_user_id={BOT}&to_user_id=40000888"
    assert json.loads(call.body) == {"message": "We have passed your report to the team."}
