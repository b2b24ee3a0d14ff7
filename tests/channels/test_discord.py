"""Discord interactions: Ed25519 over timestamp + body, PING, /ask as an inquiry, follow-ups."""
import datetime as dt
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from sqlalchemy import func, select

from inquiry.channels.adapters.discord import Discord, signature_ok, snowflake_time
from inquiry.channels.base import Rejected
from inquiry.channels.services import create_account, webhook_url
from inquiry.errors import Conflict
from inquiry.ingest.models import Delivery
from inquiry.tickets import services
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain
from tests.channels.social_support import (WORLD_TEXT, account, bodies, dead_lettered, escaped, parse_is_total,
                                           reply, request, run_due, sent_after_a_server_error, ticket_on)

SEED = b"\x01" * 32
PUBLIC = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
APP = "1200000000000000001"
TOKEN = "aW50ZXJhY3Rpb25fdG9rZW5fZXhhbXBsZQ"
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
adapter = Discord()
ACCOUNT = account(platform="discord", signing_secret=PUBLIC, external_account_id=APP)


def ask(text="How do I join the webinar on arms trafficking?", interaction="1300000000000000001", kind=2, guild=True):
    body = {"id": interaction, "application_id": APP, "type": kind, "token": TOKEN, "version": 1,
            "channel_id": "1100000000000000002", "locale": "en-GB",
            "data": {"id": "1250000000000000001", "name": "ask", "type": 1,
                     "options": [{"name": "text", "type": 3, "value": text}]}}
    user = {"id": "1000000000000000042", "username": "kim_example", "global_name": "Kim Example"}
    if guild:
        body.update(guild_id="1100000000000000001", member={"user": user, "roles": []})
    else:
        body["user"] = user
    return body


def signed(body: bytes, key=KEY, stamp=None):
    stamp = str(int(time.time()) if stamp is None else stamp)
    return {"X-Signature-Ed25519": key.sign(stamp.encode() + body).hex(), "X-Signature-Timestamp": stamp,
            "Content-Type": "application/json"}


def test_appendix_a_vectors(monkeypatch):
    public = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    signature = ("9ef52e0980512fc86504213828935ead2d8ad69632af84e31aae7c0a1593a04f"
                 "81779d871c1d68240dce56038c60788e51e59a6c3f14c72a4183c785b1e8b70e")
    assert public == PUBLIC
    assert KEY.sign(b'1700000000{"type":1}').hex() == signature
    assert signature_ok(PUBLIC, "1700000000", b'{"type":1}', signature)
    monkeypatch.setattr(Discord, "clock", staticmethod(lambda: 1700000030))
    pong = adapter.handshake(ACCOUNT, request(b'{"type":1}', {"X-Signature-Ed25519": signature,
                                                              "X-Signature-Timestamp": "1700000000"}))
    assert pong.status == 200 and pong.body == '{"type": 1}' and pong.content_type == "application/json"
    assert snowflake_time("1300000000000000000") == dt.datetime.fromtimestamp(1730014552.832, dt.timezone.utc)
    assert int(snowflake_time("1300000000000000000").timestamp() * 1000) == 1730014552832


def test_ping_with_a_bad_signature_is_401():
    body = b'{"type":1}'
    other = Ed25519PrivateKey.generate()
    for headers in (signed(body, key=other), {}, {"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": str(int(time.time()))}):
        with pytest.raises(Rejected) as exc:
            adapter.handshake(ACCOUNT, request(body, headers))
        assert exc.value.status == 401


def test_slash_command_is_an_inquiry_with_an_ephemeral_thank_you():
    body = escaped(ask())
    req = request(body, signed(body))
    assert adapter.handshake(ACCOUNT, req) is None
    adapter.authenticate(ACCOUNT, req)
    parsed = adapter.parse(ACCOUNT, req)
    (message,) = parsed.messages
    assert message.text == "How do I join the webinar on arms trafficking?"
    assert message.external_message_id == f"1300000000000000001:{TOKEN}"
    assert message.conversation_key == "1100000000000000001:1100000000000000002:1000000000000000042"
    assert message.sender_external_id == "1000000000000000042" and message.sender_display_name == "Kim Example"
    assert message.sent_at == snowflake_time("1300000000000000001")
    assert adapter.delivery_key(ACCOUNT, req) == "interaction:1300000000000000001"
    ack = adapter.acknowledge(ACCOUNT, req, parsed)
    answer = json.loads(ack.body)
    assert answer["type"] == 4 and answer["data"]["flags"] == 64 and "Thank you" in answer["data"]["content"]


def test_dm_command_and_modal_submit():
    (dm,) = adapter.parse(ACCOUNT, request(escaped(ask(guild=False)))).messages
    assert dm.conversation_key == "1100000000000000002" and dm.sender_display_name == "Kim Example"
    modal = ask(kind=5)
    modal["data"] = {"custom_id": "inquiry", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "question", "value": "Where is the toolkit?"}]}]}
    (message,) = adapter.parse(ACCOUNT, request(escaped(modal))).messages
    assert message.text == "Where is the toolkit?"


def test_non_ascii_text_is_verified_on_the_raw_escaped_bytes():
    body = escaped(ask(text=WORLD_TEXT))
    assert b"\\u" in body
    req = request(body, signed(body))
    adapter.authenticate(ACCOUNT, req)
    assert adapter.parse(ACCOUNT, req).messages[0].text == WORLD_TEXT


def test_bad_stale_or_unconfigured_signature_is_401():
    body = escaped(ask())
    for acct, headers in [(ACCOUNT, signed(body, key=Ed25519PrivateKey.generate())),
                          (ACCOUNT, signed(body, stamp=int(time.time()) - 301)),
                          (account(platform="discord"), signed(body)),
                          (account(platform="discord", signing_secret="not-hex"), signed(body))]:
        with pytest.raises(Rejected) as exc:
            adapter.authenticate(acct, request(body, headers))
        assert exc.value.status == 401


def test_components_autocomplete_and_empty_commands_are_ignored_with_a_valid_answer():
    for kind, answer_type in ((3, 6), (4, 8)):
        body = escaped(ask(kind=kind))
        parsed = adapter.parse(ACCOUNT, request(body))
        assert parsed.messages == [] and parsed.ignored == 1
        assert json.loads(adapter.acknowledge(ACCOUNT, request(body), parsed).body)["type"] == answer_type
    empty = ask()
    empty["data"]["options"] = []
    parsed = adapter.parse(ACCOUNT, request(escaped(empty)))
    assert parsed.messages == [] and parsed.ignored == 1


def test_unreadable_interaction_is_a_problem_and_wrong_shape_is_400():
    broken = ask()
    del broken["member"]
    assert adapter.parse(ACCOUNT, request(escaped(broken))).problems
    for body in (b'"x"', b'{"type": "2"}', b"{"):
        with pytest.raises(Rejected) as exc:
            adapter.parse(ACCOUNT, request(body))
        assert exc.value.status == 400


@given(bodies(ask()))
@settings(deadline=None)
def test_parse_never_crashes(body):
    parse_is_total(adapter, ACCOUNT, request(body, {"X-Signature-Timestamp": "1", "X-Signature-Ed25519": "00"}))


# ---- through the app -------------------------------------------------------------------------

@pytest.fixture
def discord(db):
    acct = create_account("discord", "Desk app", signing_secret=PUBLIC, external_account_id=APP)
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_ping_command_and_redelivery(client, db, discord):
    ping = b'{"type":1}'
    answer = client.post(webhook_url(discord), data=ping, headers=signed(ping))
    assert answer.status_code == 200 and answer.json == {"type": 1}
    body = escaped(ask(text=WORLD_TEXT))
    answer = client.post(webhook_url(discord), data=body, headers=signed(body))
    assert answer.status_code == 200 and answer.json["type"] == 4 and answer.json["data"]["flags"] == 64
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.messages[0].body == WORLD_TEXT and ticket.contact.display_name == "Kim Example"
    assert client.post(webhook_url(discord), data=body, headers=signed(body)).status_code == 200
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_bad_signature_is_401_and_stores_nothing(client, db, discord):
    body = escaped(ask())
    assert client.post(webhook_url(discord), data=body, headers=signed(body, key=Ed25519PrivateKey.generate())).status_code == 401
    assert count(db, Delivery) == 0


# ---- follow-ups ------------------------------------------------------------------------------

@pytest.fixture
def conversation(db, make, platform_server):
    agent, ticket = ticket_on(db, make, platform_server, "discord", "1:2:3", external_account_id=APP)
    ticket.messages[0].external_id = f"1300000000000000001:{TOKEN}"  # as parse keeps it
    db.session.commit()
    return agent, ticket


def test_follow_up_goes_to_the_interaction_webhook_ephemerally(db, conversation, platform_server):
    agent, ticket = conversation
    platform_server.script = [(200, {"id": "1300000000000000777", "content": "…"})]
    message = reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == f"/api/v10/webhooks/{APP}/{TOKEN}"
    assert call.json()["content"] == "We have passed your report to the team." and call.json()["flags"] == 64
    assert message.external_id == "1300000000000000777"


def test_server_error_then_success(db, conversation, platform_server):
    agent, ticket = conversation
    sent_after_a_server_error(db, agent, ticket, platform_server, {"id": "1300000000000000778"})


def test_expired_token_goes_to_the_dead_letter(db, conversation, platform_server):
    agent, ticket = conversation
    dead_lettered(db, agent, ticket, platform_server, 404, {"message": "Unknown Webhook", "code": 10015}, "Unknown Webhook")


def test_reply_after_fifteen_minutes_is_refused_before_writing(db, conversation):
    agent, ticket = conversation
    with pytest.raises(Conflict):
        services.reply(ticket, "Too late", actor=agent, at=ticket.last_inbound_at + dt.timedelta(minutes=16))
