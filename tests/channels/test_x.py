"""X Account Activity adapter: CRC, base64 signatures on raw bytes, DMs and mentions, replies."""
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from inquiry.channels.adapters.x import X, signature
from inquiry.channels.base import Rejected, WebhookRequest
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account, webhook_url
from inquiry.errors import Invalid
from inquiry.ingest.models import Delivery
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus, Message, Ticket
from inquiry.worker import drain

from tests.channels.adapter_kit import (
    SETTINGS, WORLD_TEXT, account, check_contract, count, escaped, json_values, mutate, only, reserialised, retry_later,
    run_due,
)

SECRET = "test_consumer_secret"
US = "1500000000000000001"
RIYA = "1700000000000000077"
TOMAS = "1700000000000000078"
ADAPTER = X()


def dm(event_id="1860000000000000042", text="Is the crime-assessment tool available to NGOs?", sender=RIYA, **extra):
    event = {"type": "message_create", "id": event_id, "created_timestamp": "1731400800123",
             "message_create": {"target": {"recipient_id": US if sender != US else RIYA}, "sender_id": sender,
                                "message_data": {"text": text, "entities": {"hashtags": [], "urls": []}}}}
    event.update(extra)
    return event


def tweet(tweet_id="1860000000000000099", text="@outreach_desk when is the next webinar on money mules?", author=TOMAS,
          reply_to=None):
    return {"id_str": tweet_id, "created_at": "Tue Nov 12 09:00:00 +0000 2024", "timestamp_ms": "1731402000000",
            "text": text, "in_reply_to_status_id_str": reply_to,
            "user": {"id_str": author, "name": "Tomas Example", "screen_name": "tomas_example"},
            "entities": {"user_mentions": [{"id_str": US, "screen_name": "outreach_desk"}]}}


def delivery(dms=(), tweets=(), **extra):
    body = {"for_user_id": US}
    if dms:
        body["direct_message_events"] = list(dms)
        body["users"] = {RIYA: {"id": RIYA, "name": "Riya Example", "screen_name": "riya_example"},
                         US: {"id": US, "name": "Outreach Desk", "screen_name": "outreach_desk"}}
    if tweets:
        body["tweet_create_events"] = list(tweets)
    body.update(extra)
    return escaped(body)


def hook(body: bytes, header=None, *, secret=SECRET):
    headers = {"x-twitter-webhooks-signature": header if header is not None else signature(secret, body)}
    return WebhookRequest("POST", body, headers)


def acct(**fields):
    return account("x", signing_secret=SECRET, **fields)


# --- Appendix A and the handshake -------------------------------------------------------------

def test_crc_answer_is_the_appendix_a_vector_byte_for_byte():
    reply = ADAPTER.handshake(acct(), WebhookRequest("GET", b"", {}, {"crc_token": "crc-abc-123"}))
    assert reply.status == 200 and reply.content_type == "application/json"
    assert reply.body == '{"response_token":"sha256=OGA0+c42BiBFeAGitifTiADjoVQpc2E8fzdLndQW+HE="}'


def test_crc_without_a_consumer_secret_is_refused_and_plain_get_is_not_a_handshake():
    with pytest.raises(Rejected) as refused:
        ADAPTER.handshake(account("x"), WebhookRequest("GET", b"", {}, {"crc_token": "crc-abc-123"}))
    assert refused.value.status == 401
    assert ADAPTER.handshake(acct(), WebhookRequest("GET", b"", {}, {})) is None
    assert ADAPTER.handshake(acct(), hook(delivery())) is None


def test_post_signature_is_the_appendix_a_vector():
    body = b'{"for_user_id":"100","direct_message_events":[]}'
    request = hook(body, "sha256=V0LmupeAyPkQa/whwSVC7uwxJscqkgAYmbtRip5J2Ws=")
    ADAPTER.authenticate(acct(), request)
    parsed = ADAPTER.parse(acct(), request)
    assert parsed.messages == [] and parsed.problems == []


@pytest.mark.parametrize("header", ["", "sha256=", "sha256=V0LmupeAyPkQa/whwSVC7uwxJscqkgAYmbtRip5J2Ws",
                                    "V0LmupeAyPkQa/whwSVC7uwxJscqkgAYmbtRip5J2Ws=", "sha256=ünïcödé"])
def test_wrong_or_missing_signature_is_401(header):
    body = b'{"for_user_id":"100","direct_message_events":[]}'
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(), hook(body, header))
    assert refused.value.status == 401
    with pytest.raises(Rejected):
        ADAPTER.authenticate(acct(), WebhookRequest("POST", body, {}))


def test_account_without_a_secret_accepts_nothing():
    body = delivery([dm()])
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(account("x"), hook(body, signature("", body)))
    assert refused.value.status == 401


# --- parsing ---------------------------------------------------------------------------------

def test_non_ascii_dm_is_verified_on_the_escaped_wire_bytes_and_read_exactly():
    body = delivery([dm(text=WORLD_TEXT)])
    assert b"\\ud83d\\udc6e" in body and WORLD_TEXT.encode() not in body  # escaped as X sends it
    ADAPTER.authenticate(acct(), hook(body))
    with pytest.raises(Rejected):  # a re-serialised body would not verify: we never do that
        ADAPTER.authenticate(acct(), hook(body, signature(SECRET, reserialised(body))))
    [message] = ADAPTER.parse(acct(), hook(body)).messages
    assert message.text == WORLD_TEXT


def test_dm_fields_follow_the_table():
    [message] = ADAPTER.parse(acct(), hook(delivery([dm()]))).messages
    assert message.external_message_id == "1860000000000000042"  # beyond 2^53, exact
    assert message.sender_external_id == RIYA and message.sender_display_name == "Riya Example"
    assert message.conversation_key == f"{US}-{RIYA}"
    assert message.sent_at == dt.datetime(2024, 11, 12, 8, 40, 0, 123000, tzinfo=dt.timezone.utc)


def test_dm_thread_key_is_the_same_whoever_writes_and_sorts_ids_numerically():
    from inquiry.channels.adapters.x import dm_thread
    assert dm_thread(RIYA, US) == dm_thread(US, RIYA) == f"{US}-{RIYA}"
    assert dm_thread("999", "1000") == "999-1000"


def test_mention_fields_and_reply_threading():
    [first, reply] = ADAPTER.parse(acct(), hook(delivery(tweets=[
        tweet(), tweet("1860000000000000100", "@outreach_desk and after?", reply_to="1860000000000000099")]))).messages
    assert first.external_message_id == first.conversation_key == "1860000000000000099"
    assert first.sender_external_id == TOMAS and first.sender_display_name == "Tomas Example"
    assert first.sent_at == dt.datetime(2024, 11, 12, 9, 0, tzinfo=dt.timezone.utc) and first.reply_to_external_id is None
    assert reply.conversation_key == reply.reply_to_external_id == "1860000000000000099"


def test_mention_time_falls_back_to_created_at_and_extended_text_wins():
    event = tweet()
    del event["timestamp_ms"]
    event["extended_tweet"] = {"full_text": "@outreach_desk " + "long question " * 30}
    [message] = ADAPTER.parse(acct(), hook(delivery(tweets=[event]))).messages
    assert message.sent_at == dt.datetime(2024, 11, 12, 9, 0, tzinfo=dt.timezone.utc)
    assert message.text.startswith("@outreach_desk long question") and len(message.text) > 280


def test_our_own_echoes_typing_reads_and_retweets_are_ignored_not_tickets():
    body = delivery([dm(sender=US), dm("1860000000000000043", type="message_create_deleted")],
                    tweets=[tweet(author=US), dict(tweet("1860000000000000101"), retweeted_status={"id_str": "1"})],
                    direct_message_indicate_typing_events=[{"sender_id": RIYA}],
                    direct_message_mark_read_events=[{"sender_id": RIYA}])
    parsed = ADAPTER.parse(acct(), hook(body))
    assert parsed.messages == [] and parsed.problems == [] and parsed.ignored == 6


def test_dm_attachment_is_kept_as_metadata():
    event = dm(text="photo of the letter https://t.co/x")
    event["message_create"]["message_data"]["attachment"] = {
        "type": "media", "media": {"id_str": "1", "type": "photo", "media_url_https": "https://ton.twitter.com/i/1.jpg"}}
    [message] = ADAPTER.parse(acct(), hook(delivery([event]))).messages
    assert message.attachments[0].kind == "image"
    assert message.attachments[0].platform_ref == "https://ton.twitter.com/i/1.jpg"


def test_one_broken_event_in_a_batch_does_not_drop_the_others():
    broken = {"type": "message_create", "id": "1860000000000000050"}  # no message_create body
    body = delivery([dm("1860000000000000044"), broken, "not an event", dm("1860000000000000045")],
                    tweets=[{"id_str": "1"}, tweet()])
    parsed = ADAPTER.parse(acct(), hook(body))
    assert [m.external_message_id for m in parsed.messages] == ["1860000000000000044", "1860000000000000045",
                                                                 "1860000000000000099"]
    assert len(parsed.problems) == 3


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"direct_message_events": []}', b'{"for_user_id": true}',
                                  b"[" * 50_000])
def test_a_body_that_is_not_an_x_delivery_is_400(body):
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(), hook(body))
    assert refused.value.status == 400


def test_delivery_key_names_the_events_and_is_stable():
    body = delivery([dm()], tweets=[tweet()])
    assert ADAPTER.delivery_key(acct(), hook(body)) == "dm:1860000000000000042,tweet:1860000000000000099"
    assert ADAPTER.delivery_key(acct(), hook(delivery(favorite_events=[{}]))) is None


def test_reply_length_depends_on_the_thread():
    assert ADAPTER.reply_rules(f"{US}-{RIYA}") == (10_000, None)
    assert ADAPTER.reply_rules("1860000000000000099") == (280, None)


# --- property tests --------------------------------------------------------------------------

VALUES = json_values(
    ["for_user_id", "direct_message_events", "tweet_create_events", "users", "type", "id", "id_str", "created_timestamp",
     "message_create", "target", "recipient_id", "sender_id", "message_data", "text", "attachment", "media", "user",
     "timestamp_ms", "created_at", "in_reply_to_status_id_str", "extended_tweet", "full_text", "entities", "name"],
    ["message_create", US, RIYA, "photo", "1731400800123", "Tue Nov 12 09:00:00 +0000 2024"])


@SETTINGS
@given(body=st.binary(max_size=300))
def test_random_bytes_never_crash(body):
    check_contract(ADAPTER, acct(), hook(body))


@SETTINGS
@given(payload=VALUES)
def test_random_json_never_crashes(payload):
    check_contract(ADAPTER, acct(), hook(json.dumps(payload).encode()))
    check_contract(ADAPTER, acct(), hook(escaped({"for_user_id": US, "direct_message_events": [payload],
                                                  "tweet_create_events": [payload], "users": payload})))


@SETTINGS
@given(data=st.data())
def test_mutated_deliveries_never_crash(data):
    template = json.loads(delivery([dm(), dm(sender=US)], tweets=[tweet(), tweet(reply_to="1")]))
    check_contract(ADAPTER, acct(), hook(escaped(mutate(data, template, VALUES))))


# --- through the app -------------------------------------------------------------------------

@pytest.fixture
def x_account(db):
    account_ = create_account("x", "Outreach Desk", signing_secret=SECRET, access_token="bearer-xyz",
                              external_account_id=US)
    db.session.commit()
    return account_


def post(client, account_, body, header=None):
    return client.post(webhook_url(account_), data=body, content_type="application/json",
                       headers={"x-twitter-webhooks-signature": header or signature(SECRET, body)})


def test_crc_through_the_webhook_url(client, x_account):
    response = client.get(webhook_url(x_account) + "?crc_token=crc-abc-123")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {"response_token": "sha256=OGA0+c42BiBFeAGitifTiADjoVQpc2E8fzdLndQW+HE="}


def test_delivery_becomes_tickets_and_redelivery_adds_nothing(client, db, x_account):
    body = delivery([dm(text=WORLD_TEXT)], tweets=[tweet()])
    assert post(client, x_account, body).status_code == 200
    assert drain()["deliveries"] == 1
    tickets = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert sorted(t.conversation_key for t in tickets) == [f"{US}-{RIYA}", "1860000000000000099"]
    assert {t.contact.display_name for t in tickets} == {"Riya Example", "Tomas Example"}
    assert WORLD_TEXT in [m.body for m in db.session.scalars(select(Message))]
    assert post(client, x_account, body).status_code == 200
    drain()
    assert count(Delivery) == 1 and count(Ticket) == 2 and count(Message) == 2


def test_bad_signature_is_401_and_nothing_is_stored(client, x_account):
    body = delivery([dm()])
    assert post(client, x_account, body, header=signature("another secret", body)).status_code == 401
    assert client.post(webhook_url(x_account), data=body).status_code == 401
    assert count(Delivery) == 0


def received_ticket(client, x_account, body) -> Ticket:
    post(client, x_account, body)
    drain()
    return only(Ticket)


def test_dm_reply_goes_to_the_other_participant(client, db, make, x_account, platform_server):
    ticket = received_ticket(client, x_account, delivery([dm()]))
    x_account.api_base_url = platform_server.url
    db.session.commit()
    platform_server.script = [(201, {"data": {"dm_conversation_id": f"{US}-{RIYA}",
                                              "dm_event_id": "1870000000000000001"}})]
    message = services.reply(ticket, "Yes — NGOs can request access here.", actor=make.supervisor())
    db.session.commit()
    run_due()
    call = platform_server.calls[0]
    assert call.path == f"/2/dm_conversations/with/{RIYA}/messages"
    assert call.headers["Authorization"] == "Bearer bearer-xyz"
    assert call.json() == {"text": "Yes — NGOs can request access here."}
    assert message.delivery_status == DeliveryStatus.SENT and message.external_id == "1870000000000000001"


def test_mention_reply_is_a_reply_tweet_retried_after_a_5xx(client, db, make, x_account, platform_server):
    ticket = received_ticket(client, x_account, delivery(tweets=[tweet()]))
    x_account.api_base_url = platform_server.url
    db.session.commit()
    platform_server.script = [(503, {"title": "Service Unavailable"}), (201, {"data": {"id": "1870000000000000002"}})]
    message = services.reply(ticket, "The next webinar is on 3 December.", actor=make.supervisor())
    db.session.commit()
    run_due()
    item = only(OutboxItem)
    assert item.state == OutboxState.PENDING and "503" in item.last_error
    retry_later(item)
    assert only(OutboxItem).state == OutboxState.SENT and message.external_id == "1870000000000000002"
    first, second = platform_server.calls
    assert first.path == second.path == "/2/tweets" and first.body == second.body
    assert first.json() == {"text": "The next webinar is on 3 December.",
                            "reply": {"in_reply_to_tweet_id": "1860000000000000099"}}


def test_refused_tweet_goes_to_the_dead_letter(db, make, platform_server):
    ticket = make.ticket("general-public", channel="x", conversation="1860000000000000099")
    db.session.get(ChannelAccount, ticket.channel_account_id).api_base_url = platform_server.url
    db.session.commit()
    platform_server.script = [(403, {"detail": "You are not allowed to create a Tweet with duplicate content."})]
    message = services.reply(ticket, "Thanks, noted.", actor=make.supervisor())
    db.session.commit()
    run_due()
    assert only(OutboxItem).state == OutboxState.DEAD
    assert message.delivery_status == DeliveryStatus.FAILED and "duplicate content" in message.delivery_error


def test_tweet_replies_over_280_characters_are_refused_before_writing_but_dms_are_not(db, make):
    agent = make.supervisor()
    mention = make.ticket("general-public", channel="x", conversation="1860000000000000099")
    with pytest.raises(Invalid):
        services.reply(mention, "x" * 281, actor=agent)
    db.session.rollback()
    direct = make.ticket("general-public", channel="x", conversation=f"{US}-{RIYA}")
    services.reply(direct, "x" * 281, actor=agent)
    db.session.commit()
    assert count(OutboxItem) == 1
