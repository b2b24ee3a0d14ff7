"""Replies out through the Graph and Threads APIs, against a loopback server playing Meta."""
import datetime as dt
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from inquiry.channels.models import ChannelAccount
from inquiry.errors import Conflict, Invalid
from inquiry.outbound import dispatch
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus, Direction

from tests.channels.meta_samples import IG, PAGE, PHONE_ID

TEXT = "Thank you — we have passed your report to the team. شكراً 🙏"
GRAPH_ERROR = {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100, "fbtrace_id": "AbC"}}


@pytest.fixture
def meta_ticket(db, make, platform_server):
    def build(platform, conversation, token="page-token"):
        agent = make.agent("general-public")
        ticket = make.ticket("general-public", channel=platform, conversation=conversation)
        account = db.session.get(ChannelAccount, ticket.channel_account_id)
        account.api_base_url = platform_server.url
        account.access_token = token
        db.session.commit()
        return agent, ticket
    return build


def reply(db, agent, ticket, text=TEXT, at=None):
    message = services.reply(ticket, text, actor=agent, at=at)
    db.session.commit()
    return message


def run_due(db, at=None):
    ids = dispatch.claim(10, at=at)
    for item_id in ids:
        dispatch.send_one(item_id, dispatch.new_session(), at=at)
    db.session.expire_all()
    return ids


def commented(ticket):
    """The platform id of the last inbound message: the comment a public reply answers."""
    return [m for m in ticket.messages if m.direction == Direction.INBOUND][-1].external_id


# (platform, conversation key, path the reply must go to, expected JSON, platform answer, id we keep)
ONE_CALL = {
    "messenger DM": ("messenger", f"{PAGE}:7100000000000042", lambda t: "/v21.0/me/messages",
                     lambda t: {"recipient": {"id": "7100000000000042"}, "messaging_type": "RESPONSE", "message": {"text": TEXT}},
                     {"recipient_id": "7100000000000042", "message_id": "m_sent_1"}, "m_sent_1"),
    "facebook DM": ("facebook", f"{PAGE}:7100000000000042", lambda t: "/v21.0/me/messages",
                    lambda t: {"recipient": {"id": "7100000000000042"}, "messaging_type": "RESPONSE", "message": {"text": TEXT}},
                    {"recipient_id": "7100000000000042", "message_id": "m_sent_2"}, "m_sent_2"),
    "facebook comment": ("facebook", "902000000000001_5550000000000001", lambda t: f"/v21.0/{commented(t)}/comments",
                         lambda t: {"message": TEXT}, {"id": "5550000000000001_9990000000000001"}, "5550000000000001_9990000000000001"),
    "instagram DM": ("instagram", f"{IG}:6420000000000013", lambda t: "/v21.0/me/messages",
                     lambda t: {"recipient": {"id": "6420000000000013"}, "messaging_type": "RESPONSE", "message": {"text": TEXT}},
                     {"recipient_id": "6420000000000013", "message_id": "aWdf_sent"}, "aWdf_sent"),
    "instagram comment": ("instagram", "18000000000000456", lambda t: f"/v21.0/{commented(t)}/replies",
                          lambda t: {"message": TEXT}, {"id": "17873440459141021"}, "17873440459141021"),
    "whatsapp": ("whatsapp", f"{PHONE_ID}:447700900123", lambda t: f"/v21.0/{PHONE_ID}/messages",
                 lambda t: {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "447700900123",
                            "type": "text", "text": {"body": TEXT, "preview_url": False}},
                 {"messaging_product": "whatsapp", "contacts": [{"input": "447700900123", "wa_id": "447700900123"}],
                  "messages": [{"id": "wamid.SENT"}]}, "wamid.SENT"),
}


@pytest.mark.parametrize("case", ONE_CALL)
def test_reply_is_delivered_to_the_right_endpoint(db, meta_ticket, platform_server, case):
    platform, conversation, path, payload, answer, kept = ONE_CALL[case]
    agent, ticket = meta_ticket(platform, conversation)
    platform_server.script = [(200, answer)]
    message = reply(db, agent, ticket)
    run_due(db)
    [call] = platform_server.calls
    assert call.method == "POST" and call.path == path(ticket)
    assert call.json() == payload(ticket)
    assert call.headers["Authorization"] == "Bearer page-token"
    assert message.delivery_status == DeliveryStatus.SENT and message.external_id == kept


@pytest.mark.parametrize("case", ONE_CALL)
def test_server_error_is_retried_then_succeeds(db, meta_ticket, platform_server, case):
    platform, conversation, path, payload, answer, kept = ONE_CALL[case]
    agent, ticket = meta_ticket(platform, conversation)
    platform_server.script = [(503, {"error": {"message": "Service temporarily unavailable", "code": 2}}), (200, answer)]
    message = reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.PENDING and "503" in item.last_error
    run_due(db, at=item.next_attempt_at + dt.timedelta(seconds=1))
    assert db.session.get(OutboxItem, item.id).state == OutboxState.SENT and message.external_id == kept
    assert len(platform_server.calls) == 2 and platform_server.calls[0].body == platform_server.calls[1].body


@pytest.mark.parametrize("case", ONE_CALL)
def test_permanent_failure_goes_to_the_dead_letter(db, meta_ticket, platform_server, case):
    platform, conversation, *_ = ONE_CALL[case]
    agent, ticket = meta_ticket(platform, conversation)
    platform_server.script = [(400, GRAPH_ERROR)]
    message = reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.DEAD and "Invalid parameter" in item.last_error
    assert message.delivery_status == DeliveryStatus.FAILED and len(platform_server.calls) == 1


@pytest.mark.parametrize("code", [4, 613, 131056])
def test_throttling_reported_as_400_is_retried(db, meta_ticket, platform_server, code):
    agent, ticket = meta_ticket("whatsapp", f"{PHONE_ID}:447700900123")
    platform_server.script = [(400, {"error": {"message": "Rate limit hit", "code": code}})]
    reply(db, agent, ticket)
    run_due(db)
    assert db.session.scalars(select(OutboxItem)).one().state == OutboxState.PENDING


def test_whatsapp_reply_to_a_business_scoped_user_id_uses_recipient(db, meta_ticket, platform_server):
    agent, ticket = meta_ticket("whatsapp", f"{PHONE_ID}:US.13491208655302741918")
    platform_server.script = [(200, {"messages": [{"id": "wamid.B"}]})]
    reply(db, agent, ticket)
    run_due(db)
    sent = platform_server.calls[0].json()
    assert sent["recipient"] == "US.13491208655302741918" and "to" not in sent


def test_threads_reply_creates_then_publishes_a_container(db, meta_ticket, platform_server):
    agent, ticket = meta_ticket("threads", "18100000000000001")
    platform_server.script = [(200, {"id": "container-1"}), (200, {"id": "18100000000000077"})]
    message = reply(db, agent, ticket)
    run_due(db)
    create, publish = platform_server.calls
    assert create.path == "/v1.0/me/threads" and publish.path == "/v1.0/me/threads_publish"
    assert parse_qs(create.body.decode()) == {"media_type": ["TEXT"], "text": [TEXT], "reply_to_id": [commented(ticket)],
                                              "access_token": ["page-token"]}
    assert parse_qs(publish.body.decode()) == {"creation_id": ["container-1"], "access_token": ["page-token"]}
    assert message.delivery_status == DeliveryStatus.SENT and message.external_id == "18100000000000077"


def test_threads_server_error_is_retried_then_succeeds(db, meta_ticket, platform_server):
    agent, ticket = meta_ticket("threads", "18100000000000001")
    platform_server.script = [(500, {"error": {"message": "oops", "code": 1}}), (200, {"id": "c"}), (200, {"id": "p"})]
    message = reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.PENDING
    run_due(db, at=item.next_attempt_at + dt.timedelta(seconds=1))
    assert message.external_id == "p" and len(platform_server.calls) == 3


def test_threads_permanent_failure_goes_to_the_dead_letter(db, meta_ticket, platform_server):
    agent, ticket = meta_ticket("threads", "18100000000000001")
    platform_server.script = [(400, GRAPH_ERROR)]
    reply(db, agent, ticket)
    run_due(db)
    assert db.session.scalars(select(OutboxItem)).one().state == OutboxState.DEAD


def test_without_an_access_token_nothing_is_sent_and_the_reply_is_dead(db, meta_ticket, platform_server):
    agent, ticket = meta_ticket("messenger", f"{PAGE}:7100000000000042", token=None)
    message = reply(db, agent, ticket)
    run_due(db)
    assert platform_server.calls == [] and message.delivery_status == DeliveryStatus.FAILED
    assert "no access token" in message.delivery_error


def test_dm_replies_close_after_24_hours_but_comment_replies_do_not(db, meta_ticket):
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=25)
    agent, dm_ticket = meta_ticket("facebook", f"{PAGE}:7100000000000042")
    with pytest.raises(Conflict):
        services.reply(dm_ticket, TEXT, actor=agent, at=later)
    db.session.rollback()
    _, comment_ticket = meta_ticket("facebook", "902000000000001_5550000000000001")
    reply(db, agent, comment_ticket, at=later)
    assert db.session.scalars(select(OutboxItem)).one().message.ticket_id == comment_ticket.id


@pytest.mark.parametrize("platform, conversation, limit", [
    ("messenger", f"{PAGE}:71", 2000), ("instagram", f"{IG}:64", 1000), ("instagram", "18000000000000456", 2200),
    ("facebook", "902_555", 8000), ("whatsapp", f"{PHONE_ID}:4477", 4096), ("threads", "181", 500),
])
def test_text_longer_than_the_thread_allows_is_refused_before_writing(db, meta_ticket, platform, conversation, limit):
    agent, ticket = meta_ticket(platform, conversation)
    reply(db, agent, ticket, text="x" * limit)
    with pytest.raises(Invalid):
        services.reply(ticket, "x" * (limit + 1), actor=agent)
    db.session.rollback()
    assert len(db.session.scalars(select(OutboxItem)).all()) == 1
