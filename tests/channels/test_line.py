"""LINE adapter: base64 signature on raw bytes, the empty "Verify" post, batched events, push replies."""
import datetime as dt
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry.channels.adapters.line import Line, retry_key, signature
from inquiry.channels.base import Rejected, WebhookRequest
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets.models import DeliveryStatus, Message, Ticket
from inquiry.worker import drain

from tests.channels.adapter_kit import (
    SETTINGS, WORLD_TEXT, account, check_contract, count, escaped, json_values, mutate, only, reply, reserialised,
    retry_later, run_due,
)

SECRET = "test_channel_secret"
BOT = "U0123456789abcdef0123456789abcdef"
USER = "Ufedcba9876543210fedcba9876543210"
ADAPTER = Line()


def event(event_id="01JCEXAMPLE0000000000000001", message_id="530000000000000001", text="Can a school in Osaka get "
          "the cybercrime explainer in Japanese?", source=None, **extra):
    body = {"type": "message", "mode": "active", "timestamp": 1731400900123,
            "source": source or {"type": "user", "userId": USER}, "webhookEventId": event_id,
            "deliveryContext": {"isRedelivery": False}, "replyToken": "b6a0e2example0000000000000000001",
            "message": {"id": message_id, "type": "text", "quoteToken": "q3Example-QuoteToken", "text": text}}
    body.update(extra)
    return body


def delivery(*events, destination=BOT):
    return escaped({"destination": destination, "events": list(events)})


def hook(body: bytes, header=None):
    return WebhookRequest("POST", body, {"x-line-signature": header if header is not None else signature(SECRET, body)})


def acct(**fields):
    return account("line", signing_secret=SECRET, **fields)


def test_appendix_a_vector_is_the_verify_post_and_is_answered_200():
    body = b'{"destination":"U00000000000000000000000000000000","events":[]}'
    request = hook(body, "8BnrnB9ZR2DkR6H65eHG/THnnFpB2PpL7rOGjiuchNA=")
    reply = ADAPTER.handshake(acct(), request)
    assert reply is not None and reply.status == 200
    assert ADAPTER.handshake(acct(), hook(delivery(event()))) is None  # real events are not a handshake


def test_the_verify_post_is_authenticated_too():
    body = b'{"destination":"U00000000000000000000000000000000","events":[]}'
    with pytest.raises(Rejected) as refused:
        ADAPTER.handshake(acct(), hook(body, "8BnrnB9ZR2DkR6H65eHG/THnnFpB2PpL7rOGjiuchNA"))
    assert refused.value.status == 401


@pytest.mark.parametrize("header", [None, "", "bad", "sha256=8BnrnB9ZR2DkR6H65eHG/THnnFpB2PpL7rOGjiuchNA=", "ÿ"])
def test_wrong_or_missing_signature_is_401(header):
    body = delivery(event())
    request = WebhookRequest("POST", body, {} if header is None else {"x-line-signature": header})
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(), request)
    assert refused.value.status == 401
    with pytest.raises(Rejected):
        ADAPTER.authenticate(account("line"), hook(body, signature("", body)))


def test_delivery_for_another_bot_is_refused_when_we_know_our_bot_id():
    body = delivery(event(), destination="U99999999999999999999999999999999")
    ADAPTER.authenticate(acct(), hook(body))
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(external_account_id=BOT), hook(body))
    assert refused.value.status == 403


def test_non_ascii_text_verifies_on_escaped_bytes_only():
    body = delivery(event(text=WORLD_TEXT))
    assert b"\\ud83d\\udc6e" in body
    ADAPTER.authenticate(acct(), hook(body))
    with pytest.raises(Rejected):
        ADAPTER.authenticate(acct(), hook(body, signature(SECRET, reserialised(body))))
    assert ADAPTER.parse(acct(), hook(body)).messages[0].text == WORLD_TEXT


def test_message_fields_follow_the_table():
    quoted = event()
    quoted["message"]["quotedMessageId"] = "529999999999999999"
    [message] = ADAPTER.parse(acct(), hook(delivery(quoted))).messages
    assert message.external_message_id == "530000000000000001"
    assert message.sender_external_id == message.conversation_key == USER
    assert message.sent_at == dt.datetime(2024, 11, 12, 8, 41, 40, 123000, tzinfo=dt.timezone.utc)
    assert message.reply_to_external_id == "529999999999999999" and message.sender_display_name is None


def test_groups_and_rooms_are_their_own_threads():
    parsed = ADAPTER.parse(acct(), hook(delivery(
        event("e1", "1", source={"type": "group", "groupId": "Cgroup", "userId": USER}),
        event("e2", "2", source={"type": "room", "roomId": "Rroom"}),  # no userId: desktop user in a room
    )))
    group, room = parsed.messages
    assert (group.conversation_key, group.sender_external_id) == ("Cgroup", USER)
    assert (room.conversation_key, room.sender_external_id) == ("Rroom", "Rroom")


def test_media_location_and_sticker_become_attachments():
    image = event("e1", "11")
    image["message"] = {"id": "11", "type": "image", "contentProvider": {"type": "line"}}
    place = event("e2", "12")
    place["message"] = {"id": "12", "type": "location", "title": "Interpol", "address": "Lyon", "latitude": 45.78,
                        "longitude": 4.85}
    sticker = event("e3", "13")
    sticker["message"] = {"id": "13", "type": "sticker", "packageId": "446", "stickerId": "1988"}
    a, b, c = ADAPTER.parse(acct(), hook(delivery(image, place, sticker))).messages
    assert (a.attachments[0].kind, a.attachments[0].platform_ref) == ("image", "11")
    assert (b.attachments[0].platform_ref, b.attachments[0].caption) == ("geo:45.78,4.85", "Interpol, Lyon")
    assert (c.attachments[0].kind, c.attachments[0].platform_ref) == ("sticker", "446/1988")


def test_standby_mode_and_other_events_are_ignored():
    parsed = ADAPTER.parse(acct(), hook(delivery(
        event("e1", "1", mode="standby"),
        {"type": "follow", "timestamp": 1, "source": {"type": "user", "userId": USER}, "webhookEventId": "e2"},
        {"type": "unsend", "timestamp": 1, "source": {"type": "user", "userId": USER}, "webhookEventId": "e3"},
    )))
    assert parsed.messages == [] and parsed.problems == [] and parsed.ignored == 3


def test_one_broken_event_in_a_batch_does_not_drop_the_others():
    broken = event("e2", "2")
    del broken["source"]
    parsed = ADAPTER.parse(acct(), hook(delivery(event("e1", "1"), broken, 7, event("e3", "3"))))
    assert [m.external_message_id for m in parsed.messages] == ["1", "3"] and len(parsed.problems) == 2


@pytest.mark.parametrize("body", [b"", b"{", b'{"destination": "U1"}', b'{"events": {}}', b"[]"])
def test_not_a_line_delivery_is_400(body):
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(), hook(body))
    assert refused.value.status == 400


def test_delivery_key_is_the_webhook_event_ids():
    assert ADAPTER.delivery_key(acct(), hook(delivery(event("e2", "2"), event("e1", "1")))) == "events:e1,e2"
    no_id = event()
    del no_id["webhookEventId"]
    assert ADAPTER.delivery_key(acct(), hook(delivery(event("e1", "1"), no_id))) is None


def test_retry_key_is_a_uuid_fixed_by_the_outbox_key():
    assert retry_key("0123456789abcdef0123456789abcdef") == "01234567-89ab-cdef-0123-456789abcdef"
    assert retry_key("not-hex") == retry_key("not-hex") and uuid.UUID(retry_key("not-hex"))


VALUES = json_values(["destination", "events", "type", "mode", "timestamp", "source", "userId", "groupId", "roomId",
                      "webhookEventId", "message", "id", "text", "quotedMessageId", "contentProvider",
                      "originalContentUrl", "latitude", "longitude", "packageId", "stickerId", "fileName"],
                     ["message", "text", "image", "file", "location", "sticker", "user", "group", "room", "standby"])


@SETTINGS
@given(body=st.binary(max_size=300))
def test_random_bytes_never_crash(body):
    check_contract(ADAPTER, acct(), hook(body))


@SETTINGS
@given(payload=VALUES)
def test_random_json_never_crashes(payload):
    check_contract(ADAPTER, acct(), hook(json.dumps(payload).encode()))
    check_contract(ADAPTER, acct(), hook(escaped({"destination": BOT, "events": [payload, {"message": payload}]})))


@SETTINGS
@given(data=st.data())
def test_mutated_deliveries_never_crash(data):
    place = event("e2", "2")
    place["message"] = {"id": "2", "type": "location", "latitude": 1.5, "longitude": 2.5}
    template = json.loads(delivery(event(), place, event("e3", "3", source={"type": "group", "groupId": "C1"})))
    check_contract(ADAPTER, acct(), hook(escaped(mutate(data, template, VALUES))))


# --- through the app -------------------------------------------------------------------------

@pytest.fixture
def line_account(db):
    account_ = create_account("line", "Desk bot", signing_secret=SECRET, access_token="line-token",
                              external_account_id=BOT)
    db.session.commit()
    return account_


def post(client, account_, body, header=None):
    return client.post(webhook_url(account_), data=body, content_type="application/json",
                       headers={"x-line-signature": header or signature(SECRET, body)})


def test_verify_post_is_answered_and_not_stored(client, line_account):
    assert post(client, line_account, delivery()).status_code == 200
    assert count(Delivery) == 0


def test_delivery_becomes_a_ticket_and_redelivery_adds_nothing(client, db, line_account):
    body = delivery(event(text=WORLD_TEXT), event("e2", "530000000000000002", text="Also: is it free?"))
    assert post(client, line_account, body).status_code == 200
    drain()
    ticket = only(Ticket)
    assert ticket.conversation_key == USER and [m.body for m in ticket.messages] == [WORLD_TEXT, "Also: is it free?"]
    redelivered = json.loads(body)
    for item in redelivered["events"]:
        item["deliveryContext"]["isRedelivery"] = True  # same webhookEventIds, different bytes
    assert post(client, line_account, escaped(redelivered)).status_code == 200
    drain()
    assert count(Delivery) == 1 and count(Ticket) == 1 and count(Message) == 2


def test_bad_signature_is_401_and_nothing_is_stored(client, line_account):
    body = delivery(event())
    assert post(client, line_account, body, header=signature("nope", body)).status_code == 401
    assert count(Delivery) == 0


@pytest.fixture
def line_ticket(client, db, line_account, platform_server):
    post(client, line_account, delivery(event()))
    drain()
    line_account.api_base_url = platform_server.url
    db.session.commit()
    return only(Ticket)


ANSWER = "はい、日本語版があります。"


def test_reply_is_pushed_with_a_retry_key_that_survives_a_5xx(make, line_ticket, platform_server):
    platform_server.script = [(500, {"message": "Internal error"}),
                              (200, {"sentMessages": [{"id": "540000000000000001", "quoteToken": "q"}]})]
    message = reply(line_ticket, ANSWER, make.supervisor())
    run_due()
    item = only(OutboxItem)
    assert item.state == OutboxState.PENDING and "500" in item.last_error
    retry_later(item)
    first, second = platform_server.calls
    assert first.path == "/v2/bot/message/push" and first.headers["Authorization"] == "Bearer line-token"
    assert first.json() == {"to": USER, "messages": [{"type": "text", "text": ANSWER}]}
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"] == str(uuid.UUID(item.idempotency_key))
    assert only(OutboxItem).state == OutboxState.SENT and message.external_id == "540000000000000001"


def test_409_means_the_retry_key_was_already_accepted(make, line_ticket, platform_server):
    platform_server.script = [(409, {"message": "The retry key is already accepted",
                                     "sentMessages": [{"id": "540000000000000002"}]})]
    message = reply(line_ticket, ANSWER, make.supervisor())
    run_due()
    assert only(OutboxItem).state == OutboxState.SENT and message.external_id == "540000000000000002"


def test_permanent_failure_goes_to_the_dead_letter(make, line_ticket, platform_server):
    platform_server.script = [(400, {"message": "The property, 'to', in the request body is invalid"})]
    message = reply(line_ticket, ANSWER, make.supervisor())
    run_due()
    assert only(OutboxItem).state == OutboxState.DEAD
    assert message.delivery_status == DeliveryStatus.FAILED and "'to'" in message.delivery_error
