"""Viber adapter: hex signature on raw bytes, the "webhook" set-up event, messages and receipts."""
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry.channels.adapters.viber import Viber, signature
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

SECRET = "test-auth-token"
OLEK = "aBcD3fGhIjKlMnOp1234=="
ADAPTER = Viber()


def message(token=5710000000000000123, text="Who handles reports about fake vehicle rental companies?", **inner):
    body = {"event": "message", "timestamp": 1731401000123, "chat_hostname": "SN-CHAT-01_", "message_token": token,
            "sender": {"id": OLEK, "name": "Olek Example", "avatar": "https://example.invalid/a.jpg", "language": "uk",
                       "country": "UA", "api_version": 10},
            "message": {"type": "text", "text": text, **inner}, "silent": False}
    return body


def hook(body, header=None):
    body = body if isinstance(body, bytes) else escaped(body)
    given = header if header is not None else signature(SECRET, body)
    return WebhookRequest("POST", body, {"X-Viber-Content-Signature": given})


def acct(**fields):
    return account("viber", signing_secret=SECRET, **fields)


def test_appendix_a_vector_is_the_webhook_event_and_is_answered_200():
    body = b'{"event":"webhook","timestamp":1700000000000,"message_token":1}'
    reply_ = ADAPTER.handshake(acct(), hook(body, "46adbe8b25e7e0a75566b7de7f0b30c545001ce4fd70783cfd0ae4c2768c2f89"))
    assert reply_ is not None and reply_.status == 200
    # Viber's hex may come in upper case
    ADAPTER.authenticate(acct(), hook(body, "46ADBE8B25E7E0A75566B7DE7F0B30C545001CE4FD70783CFD0AE4C2768C2F89"))
    assert ADAPTER.handshake(acct(), hook(message())) is None


@pytest.mark.parametrize("header", [None, "", "46adbe8b25e7e0a75566b7de7f0b30c545001ce4fd70783cfd0ae4c2768c2f8",
                                    "sha256=46adbe8b25e7e0a75566b7de7f0b30c545001ce4fd70783cfd0ae4c2768c2f89", "é"])
def test_wrong_or_missing_signature_is_401_on_the_handshake_too(header):
    body = b'{"event":"webhook","timestamp":1700000000000,"message_token":1}'
    request = WebhookRequest("POST", body, {} if header is None else {"X-Viber-Content-Signature": header})
    for step in (ADAPTER.handshake, ADAPTER.authenticate):
        with pytest.raises(Rejected) as refused:
            step(acct(), request)
        assert refused.value.status == 401
    with pytest.raises(Rejected):
        ADAPTER.authenticate(account("viber"), hook(body, signature("", body)))


def test_non_ascii_text_verifies_on_escaped_bytes_only():
    body = escaped(message(text=WORLD_TEXT))
    ADAPTER.authenticate(acct(), hook(body))
    with pytest.raises(Rejected):
        ADAPTER.authenticate(acct(), hook(body, signature(SECRET, reserialised(body))))
    assert ADAPTER.parse(acct(), hook(body)).messages[0].text == WORLD_TEXT


def test_message_fields_follow_the_table():
    [got] = ADAPTER.parse(acct(), hook(message())).messages
    assert got.external_message_id == "5710000000000000123"  # 64-bit token, exact, as a string
    assert got.sender_external_id == got.conversation_key == OLEK and got.sender_display_name == "Olek Example"
    assert got.sent_at == dt.datetime(2024, 11, 12, 8, 43, 20, 123000, tzinfo=dt.timezone.utc)


def test_media_messages_keep_their_caption_and_reference():
    picture = message(type="picture", text="the fake ad", media="https://dl-media.viber.com/1.jpg")
    file_ = message(6, text=None, type="file", media="https://dl-media.viber.com/2.pdf", file_name="contract.pdf")
    place = message(7, text=None, type="location", location={"lat": 50.45, "lon": 30.52})
    a, b, c = (ADAPTER.parse(acct(), hook(body)).messages[0] for body in (picture, file_, place))
    assert a.text == "the fake ad"
    assert (a.attachments[0].kind, a.attachments[0].platform_ref) == ("image", "https://dl-media.viber.com/1.jpg")
    assert b.text == "" and (b.attachments[0].kind, b.attachments[0].caption) == ("file", "contract.pdf")
    assert c.attachments[0].platform_ref == "geo:50.45,30.52"


@pytest.mark.parametrize("event, status, error", [("delivered", "delivered", None), ("seen", "read", None),
                                                  ("failed", "failed", "receiver is offline")])
def test_receipts_become_status_updates(event, status, error):
    body = {"event": event, "timestamp": 1731401000999, "message_token": 4912661846655238145, "user_id": OLEK}
    if event == "failed":
        body["desc"] = "receiver is offline"
    parsed = ADAPTER.parse(acct(), hook(body))
    [update] = parsed.statuses
    assert (update.external_id, update.status, update.error) == ("4912661846655238145", status, error)
    assert update.at == dt.datetime(2024, 11, 12, 8, 43, 20, 999000, tzinfo=dt.timezone.utc) and parsed.messages == []


@pytest.mark.parametrize("event", ["subscribed", "unsubscribed", "conversation_started", "webhook", "client_status"])
def test_other_events_are_acknowledged_and_ignored(event):
    parsed = ADAPTER.parse(acct(), hook({"event": event, "timestamp": 1, "user": {"id": OLEK}}))
    assert parsed.ignored == 1 and not parsed.messages and not parsed.problems


def test_unreadable_message_is_a_problem_not_a_crash():
    body = message()
    del body["sender"]
    parsed = ADAPTER.parse(acct(), hook(body))
    assert parsed.messages == [] and len(parsed.problems) == 1


@pytest.mark.parametrize("body", [b"", b"nope", b"[]", b'{"message_token": 1}', b'{"event": 5}'])
def test_not_a_viber_callback_is_400(body):
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(), hook(body))
    assert refused.value.status == 400


def test_delivery_key_is_event_and_token():
    assert ADAPTER.delivery_key(acct(), hook(message())) == "message:5710000000000000123"
    assert ADAPTER.delivery_key(acct(), hook({"event": "seen", "message_token": 42})) == "seen:42"
    assert ADAPTER.delivery_key(acct(), hook({"event": "subscribed", "user": {}})) is None


VALUES = json_values(["event", "timestamp", "message_token", "sender", "id", "name", "message", "type", "text", "media",
                      "file_name", "location", "lat", "lon", "contact", "phone_number", "sticker_id", "desc", "user_id"],
                     ["message", "delivered", "seen", "failed", "text", "picture", "location", "contact", "url"])


@SETTINGS
@given(body=st.binary(max_size=300))
def test_random_bytes_never_crash(body):
    check_contract(ADAPTER, acct(), hook(body))


@SETTINGS
@given(payload=VALUES)
def test_random_json_never_crashes(payload):
    check_contract(ADAPTER, acct(), hook(json.dumps(payload).encode()))
    for event in ("message", "delivered", "failed"):
        check_contract(ADAPTER, acct(), hook({"event": event, "message_token": 1, "sender": payload, "message": payload}))


@SETTINGS
@given(data=st.data(), kind=st.sampled_from(["text", "location", "contact", "failed"]))
def test_mutated_callbacks_never_crash(data, kind):
    template = {"text": message(), "location": message(type="location", location={"lat": 1, "lon": 2}),
                "contact": message(type="contact", contact={"name": "A", "phone_number": "+380"}),
                "failed": {"event": "failed", "timestamp": 1, "message_token": 2, "desc": "x"}}[kind]
    check_contract(ADAPTER, acct(), hook(mutate(data, template, VALUES)))


# --- through the app -------------------------------------------------------------------------

@pytest.fixture
def viber_account(db):
    account_ = create_account("viber", "Desk", signing_secret=SECRET)
    account_.options = {"sender_name": "Outreach Desk"}
    db.session.commit()
    return account_


def post(client, account_, body, header=None):
    body = body if isinstance(body, bytes) else escaped(body)
    return client.post(webhook_url(account_), data=body, content_type="application/json",
                       headers={"X-Viber-Content-Signature": header or signature(SECRET, body)})


def test_webhook_event_is_answered_and_not_stored(client, viber_account):
    body = b'{"event":"webhook","timestamp":1700000000000,"message_token":1}'
    assert post(client, viber_account, body).status_code == 200
    assert count(Delivery) == 0


def test_message_becomes_a_ticket_and_redelivery_adds_nothing(client, viber_account):
    for _ in range(2):
        assert post(client, viber_account, message(text=WORLD_TEXT)).status_code == 200
    drain()
    assert count(Delivery) == 1 and count(Ticket) == 1 and count(Message) == 1
    assert only(Ticket).contact.display_name == "Olek Example" and only(Message).body == WORLD_TEXT


def test_bad_signature_is_401_and_nothing_is_stored(client, viber_account):
    assert post(client, viber_account, message(), header="00" * 32).status_code == 401
    assert count(Delivery) == 0


@pytest.fixture
def viber_ticket(client, db, viber_account, platform_server):
    post(client, viber_account, message())
    drain()
    viber_account.api_base_url = platform_server.url
    db.session.commit()
    return only(Ticket)


def test_reply_is_sent_then_receipts_update_it(client, db, make, viber_ticket, viber_account, platform_server):
    platform_server.script = [(200, {"status": 0, "status_message": "ok", "message_token": 5741311803571721087})]
    sent = reply(viber_ticket, "The fraud unit handles these; here is the form.", make.supervisor())
    run_due()
    call = platform_server.calls[0]
    assert call.path == "/pa/send_message" and call.headers["X-Viber-Auth-Token"] == SECRET
    assert call.json() == {"receiver": OLEK, "type": "text", "text": "The fraud unit handles these; here is the form.",
                           "sender": {"name": "Outreach Desk"}, "min_api_version": 1}
    assert sent.delivery_status == DeliveryStatus.SENT and sent.external_id == "5741311803571721087"
    post(client, viber_account, {"event": "seen", "timestamp": 1731401009000, "message_token": 5741311803571721087,
                                 "user_id": OLEK})
    drain()
    db.session.expire_all()
    assert db.session.get(Message, sent.id).delivery_status == DeliveryStatus.READ


def test_server_error_then_success(make, viber_ticket, platform_server):
    platform_server.script = [(502, {}), (200, {"status": 0, "message_token": 1})]
    reply(viber_ticket, "Answer", make.supervisor())
    run_due()
    retry_later(only(OutboxItem))
    assert only(OutboxItem).state == OutboxState.SENT and len(platform_server.calls) == 2


def test_a_refusal_inside_http_200_goes_to_the_dead_letter(make, viber_ticket, platform_server):
    platform_server.script = [(200, {"status": 6, "status_message": "notSubscribed"})]
    sent = reply(viber_ticket, "Answer", make.supervisor())
    run_due()
    assert only(OutboxItem).state == OutboxState.DEAD
    assert sent.delivery_status == DeliveryStatus.FAILED and "notSubscribed" in sent.delivery_error


def test_viber_rate_limit_inside_http_200_is_retried(make, viber_ticket, platform_server):
    platform_server.script = [(200, {"status": 12, "status_message": "tooManyRequests"})]
    reply(viber_ticket, "Answer", make.supervisor())
    run_due()
    item = only(OutboxItem)
    assert item.state == OutboxState.PENDING and "tooManyRequests" in item.last_error
