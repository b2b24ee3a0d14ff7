"""VK Callback adapter: the body secret before anything, confirmation, "ok", messages and comments."""
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from urllib.parse import parse_qs

from inquiry.channels.adapters.vk import VK, random_id
from inquiry.channels.base import Rejected, WebhookRequest
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets.models import DeliveryStatus, Message, Ticket
from inquiry.worker import drain

from tests.channels.adapter_kit import (
    SETTINGS, WORLD_TEXT, account, check_contract, count, escaped, json_values, mutate, only, reply, retry_later,
    run_due,
)

SECRET = "s3cr3t-example"
GROUP = 220000001
USER = 550000042
ADAPTER = VK()
RUSSIAN = "Добрый день! Где найти материалы о мошенничестве с криптовалютой?"


def message_new(text=RUSSIAN, event_id="3f2c0c0example00000000000000000000000001", message_id=8812, flat=False,
                **fields):
    message = {"id": message_id, "date": 1731401100, "peer_id": USER, "from_id": USER, "text": text,
               "conversation_message_id": 731, "attachments": [], "fwd_messages": [], "out": 0, "important": False,
               "is_hidden": False, **fields}
    obj = message if flat else {"message": message, "client_info": {"button_actions": ["text"], "keyboard": True}}
    return {"type": "message_new", "event_id": event_id, "v": "5.81" if flat else "5.199", "group_id": GROUP,
            "secret": SECRET, "object": obj}


def comment(comment_id=91, from_id=USER, **fields):
    return {"type": "wall_reply_new", "event_id": f"c{comment_id}", "v": "5.199", "group_id": GROUP, "secret": SECRET,
            "object": {"id": comment_id, "from_id": from_id, "date": 1731401200, "text": "Is this campaign real?",
                       "post_owner_id": -GROUP, "post_id": 17, **fields}}


def hook(body):
    return WebhookRequest("POST", body if isinstance(body, bytes) else escaped(body), {})


def acct(**fields):
    return account("vk", signing_secret=SECRET, options={"confirmation": "a1b2c3d4"}, **fields)


def test_confirmation_returns_the_configured_string_after_the_secret_check():
    reply_ = ADAPTER.handshake(acct(), hook({"type": "confirmation", "group_id": GROUP, "secret": SECRET}))
    assert (reply_.status, reply_.body, reply_.content_type) == (200, "a1b2c3d4", "text/plain")
    for body in ({"type": "confirmation", "group_id": GROUP}, {"type": "confirmation", "secret": "guess"}, b"{"):
        with pytest.raises(Rejected) as refused:
            ADAPTER.handshake(acct(), hook(body))
        assert refused.value.status == 403


def test_confirmation_without_a_configured_string_is_refused():
    with pytest.raises(Rejected):
        ADAPTER.handshake(account("vk", signing_secret=SECRET, options={}),
                          hook({"type": "confirmation", "secret": SECRET}))


@pytest.mark.parametrize("secret", [None, "", "s3cr3t-exampl", "S3CR3T-EXAMPLE", 12345, "sëcret"])
def test_wrong_or_missing_secret_is_403(secret):
    body = message_new()
    body["secret"] = secret
    if secret is None:
        del body["secret"]
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(), hook(body))
    assert refused.value.status == 403
    with pytest.raises(Rejected):
        ADAPTER.authenticate(account("vk"), hook(message_new()))


def test_ack_is_exactly_ok():
    reply_ = ADAPTER.acknowledge(acct(), hook(message_new()), None)
    assert (reply_.status, reply_.body, reply_.content_type) == (200, "ok", "text/plain")


def test_new_message_fields_in_the_current_wrapper_and_the_old_flat_object():
    for body in (message_new(), message_new(flat=True)):
        [got] = ADAPTER.parse(acct(), hook(body)).messages
        assert got.text == RUSSIAN and got.external_message_id == "8812"
        assert got.sender_external_id == got.conversation_key == str(USER)
        assert got.sent_at == dt.datetime(2024, 11, 12, 8, 45, tzinfo=dt.timezone.utc)


def test_non_ascii_body_is_read_exactly_whatever_its_encoding():
    payload = message_new(text=WORLD_TEXT)
    for body in (escaped(payload), json.dumps(payload, ensure_ascii=False).encode()):
        ADAPTER.authenticate(acct(), hook(body))
        assert ADAPTER.parse(acct(), hook(body)).messages[0].text == WORLD_TEXT


def test_chat_messages_are_keyed_by_peer_and_conversation_message_id():
    body = message_new(peer_id=2000000005, id=0, reply_message={"id": 0, "conversation_message_id": 700})
    [got] = ADAPTER.parse(acct(), hook(body)).messages
    assert got.conversation_key == "2000000005" and got.sender_external_id == str(USER)
    assert got.external_message_id == "2000000005:731" and got.reply_to_external_id == "2000000005:700"


def test_attachments_use_vk_notation():
    body = message_new(attachments=[{"type": "photo", "photo": {"id": 4567, "owner_id": USER, "access_key": "k"}},
                                    {"type": "link", "link": {"url": "https://example.invalid/scam", "title": "Win!"}}])
    photo, link = ADAPTER.parse(acct(), hook(body)).messages[0].attachments
    assert (photo.kind, photo.platform_ref) == ("image", f"photo{USER}_4567_k")
    assert (link.kind, link.platform_ref, link.caption) == ("link", "https://example.invalid/scam", "Win!")


def test_wall_comments_thread_by_post_and_our_own_are_skipped():
    [got] = ADAPTER.parse(acct(), hook(comment(reply_to_comment=90))).messages
    assert got.conversation_key == f"wall-{GROUP}_17" and got.external_message_id == f"wall-{GROUP}_17:91"
    assert got.reply_to_external_id == f"wall-{GROUP}_17:90" and got.text == "Is this campaign real?"
    assert ADAPTER.parse(acct(), hook(comment(from_id=-GROUP))).ignored == 1


def test_outgoing_echoes_and_other_events_are_ignored():
    assert ADAPTER.parse(acct(), hook(message_new(out=1))).ignored == 1
    for kind in ("message_reply", "message_typing_state", "group_join", "confirmation"):
        parsed = ADAPTER.parse(acct(), hook({"type": kind, "object": {}, "group_id": GROUP, "secret": SECRET}))
        assert parsed.ignored == 1 and not parsed.messages


def test_edits_replace_the_text():
    body = message_new(text="corrected")
    body["type"] = "message_edit"
    body["object"] = body["object"]["message"]  # message_edit carries the bare message
    [got] = ADAPTER.parse(acct(), hook(body)).messages
    assert got.is_edit and got.external_message_id == "8812" and got.text == "corrected"


def test_unreadable_message_is_a_problem_not_a_crash():
    body = message_new()
    del body["object"]["message"]["id"]
    parsed = ADAPTER.parse(acct(), hook(body))
    assert parsed.messages == [] and len(parsed.problems) == 1


@pytest.mark.parametrize("body", [b"", b"[1]", b'{"object": {}}', b'{"type": 3}'])
def test_not_a_vk_event_is_400(body):
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(), hook(body))
    assert refused.value.status == 400


def test_delivery_key_is_the_event_id():
    assert ADAPTER.delivery_key(acct(), hook(message_new())) == "event:3f2c0c0example00000000000000000000000001"


def test_random_id_is_a_fixed_positive_int32_per_outbox_key():
    assert random_id("abc") == random_id("abc") != random_id("abd")
    assert all(0 < random_id(str(n)) < 2**31 for n in range(100))


VALUES = json_values(["type", "event_id", "group_id", "secret", "object", "message", "id", "date", "peer_id", "from_id",
                      "user_id", "text", "body", "conversation_message_id", "attachments", "photo", "owner_id", "out",
                      "reply_message", "geo", "coordinates", "latitude", "post_owner_id", "post_id", "reply_to_comment"],
                     ["message_new", "message_edit", "wall_reply_new", "photo", "link", "doc", SECRET])


@SETTINGS
@given(body=st.binary(max_size=300))
def test_random_bytes_never_crash(body):
    check_contract(ADAPTER, acct(), hook(body))


@SETTINGS
@given(payload=VALUES, kind=st.sampled_from(["message_new", "message_edit", "wall_reply_new"]))
def test_random_json_never_crashes(payload, kind):
    check_contract(ADAPTER, acct(), hook(json.dumps(payload).encode()))
    check_contract(ADAPTER, acct(), hook({"type": kind, "group_id": GROUP, "secret": SECRET, "object": payload}))
    check_contract(ADAPTER, acct(), hook({"type": kind, "secret": SECRET, "object": {"message": payload}}))


@SETTINGS
@given(data=st.data(), template=st.sampled_from([
    message_new(attachments=[{"type": "photo", "photo": {"id": 1, "owner_id": 2}}],
                geo={"coordinates": {"latitude": 1, "longitude": 2}}),
    message_new(flat=True, peer_id=2000000001), comment(reply_to_comment=3)]))
def test_mutated_events_never_crash(data, template):
    check_contract(ADAPTER, acct(), hook(mutate(data, template, VALUES)))


# --- through the app -------------------------------------------------------------------------

@pytest.fixture
def vk_account(db):
    account_ = create_account("vk", "Community", signing_secret=SECRET, access_token="vk1.a.community-token")
    account_.options = {"confirmation": "a1b2c3d4"}
    db.session.commit()
    return account_


def post(client, account_, body):
    return client.post(webhook_url(account_), data=escaped(body), content_type="application/json")


def test_confirmation_through_the_webhook_url(client, vk_account):
    response = post(client, vk_account, {"type": "confirmation", "group_id": GROUP, "secret": SECRET})
    assert response.status_code == 200 and response.get_data(as_text=True) == "a1b2c3d4"
    assert post(client, vk_account, {"type": "confirmation", "group_id": GROUP}).status_code == 403
    assert count(Delivery) == 0


def test_message_becomes_a_ticket_answered_ok_and_redelivery_adds_nothing(client, vk_account):
    for _ in range(2):
        response = post(client, vk_account, message_new())
        assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    drain()
    assert count(Delivery) == 1 and count(Ticket) == 1 and only(Message).body == RUSSIAN


def test_bad_secret_is_403_and_nothing_is_stored(client, vk_account):
    body = message_new()
    body["secret"] = "guess"
    assert post(client, vk_account, body).status_code == 403
    assert count(Delivery) == 0


@pytest.fixture
def vk_ticket(client, db, vk_account, platform_server):
    post(client, vk_account, message_new())
    drain()
    vk_account.api_base_url = platform_server.url
    db.session.commit()
    return only(Ticket)


def test_reply_uses_messages_send_with_a_stable_random_id(make, vk_ticket, platform_server):
    platform_server.script = [(200, {"error": {"error_code": 10, "error_msg": "Internal server error"}}),
                              (200, {"response": 8813})]
    sent = reply(vk_ticket, "Материалы здесь: …", make.supervisor())
    run_due()
    item = only(OutboxItem)
    assert item.state == OutboxState.PENDING and "Internal server error" in item.last_error
    retry_later(item)
    first, second = platform_server.calls
    assert first.path == second.path == "/method/messages.send" and "access_token" not in first.path
    form = parse_qs(first.body.decode())
    assert form["peer_id"] == [str(USER)] and form["message"] == ["Материалы здесь: …"] and form["v"] == ["5.199"]
    assert form["access_token"] == ["vk1.a.community-token"] and form["reply_to"] == ["8812"]
    assert form["random_id"] == parse_qs(second.body.decode())["random_id"] == [str(random_id(item.idempotency_key))]
    assert only(OutboxItem).state == OutboxState.SENT and sent.external_id == "8813"


def test_http_5xx_is_retried(make, vk_ticket, platform_server):
    platform_server.script = [(503, {}), (200, {"response": 9000})]
    reply(vk_ticket, "Answer", make.supervisor())
    run_due()
    retry_later(only(OutboxItem))
    assert only(OutboxItem).state == OutboxState.SENT


def test_vk_refusal_goes_to_the_dead_letter(make, vk_ticket, platform_server):
    platform_server.script = [(200, {"error": {"error_code": 901,
                                               "error_msg": "Can't send messages for users without permission"}})]
    sent = reply(vk_ticket, "Answer", make.supervisor())
    run_due()
    assert only(OutboxItem).state == OutboxState.DEAD
    assert sent.delivery_status == DeliveryStatus.FAILED and "without permission" in sent.delivery_error


def test_wall_comment_replies_are_dead_lettered_with_a_reason(client, make, vk_account, platform_server):
    post(client, vk_account, comment())
    drain()
    sent = reply(only(Ticket), "It is real.", make.supervisor())
    run_due()
    assert only(OutboxItem).state == OutboxState.DEAD and "wall.createComment" in sent.delivery_error
    assert platform_server.calls == []
