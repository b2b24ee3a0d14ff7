"""The Meta adapters behind the real webhook door: handshake, store, worker, dedupe, rejection."""
import pytest
from sqlalchemy import func, select

from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import DeliveryStatus, Direction, Message, Ticket
from inquiry.worker import drain

from tests.channels.meta_samples import (
    PAGE, PHONE_ID, PLATFORMS, SAMPLES, SECRET, VERIFY_TOKEN, dm, entry, feed_comment, page_delivery, sign, wa_delivery,
    wa_message, wa_status, wire,
)

# Inquiries in each platform's sample delivery (the WhatsApp sample's status names no message of ours).
TICKETS = {"facebook": 2, "messenger": 1, "instagram": 2, "whatsapp": 1, "threads": 1}


@pytest.fixture
def meta_account(db):
    def make(platform):
        account = create_account(platform, f"{platform} desk", signing_secret=SECRET, verify_token=VERIFY_TOKEN,
                                 access_token="page-token")
        db.session.commit()
        return account
    return make


def post(client, account, payload, *, secret=SECRET):
    body = payload if isinstance(payload, bytes) else wire(payload)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return client.post(webhook_url(account), data=body, headers=headers)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_verification_handshake(client, db, meta_account, platform):
    account = meta_account(platform)
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = client.get(webhook_url(account), query_string=query)
    assert answer.status_code == 200 and answer.data == b"1158201444" and answer.mimetype == "text/plain"
    refused = client.get(webhook_url(account), query_string={**query, "hub.verify_token": "guess"})
    assert refused.status_code == 403 and count(db, Delivery) == 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_valid_delivery_is_acknowledged_then_becomes_tickets(client, db, meta_account, platform):
    account = meta_account(platform)
    assert post(client, account, SAMPLES[platform]()).status_code == 200
    assert count(db, Delivery) == 1 and count(db, Ticket) == 0
    drain()
    tickets = db.session.scalars(select(Ticket)).all()
    assert len(tickets) == TICKETS[platform]
    assert all(t.channel_account_id == account.id and t.messages[0].direction == Direction.INBOUND for t in tickets)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_redelivery_is_acknowledged_and_creates_nothing(client, db, meta_account, platform):
    account = meta_account(platform)
    for _ in range(3):
        assert post(client, account, SAMPLES[platform]()).status_code == 200
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == TICKETS[platform] and count(db, Message) == TICKETS[platform]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_or_missing_signature_is_401_and_nothing_is_stored(client, db, meta_account, platform):
    account = meta_account(platform)
    assert post(client, account, SAMPLES[platform](), secret="not-the-app-secret").status_code == 401
    assert post(client, account, SAMPLES[platform](), secret=None).status_code == 401
    assert count(db, Delivery) == 0


def test_redelivery_rebatched_by_meta_still_creates_nothing_new(client, db, meta_account):
    account = meta_account("messenger")
    post(client, account, page_delivery(entry(dm(mid="m_1", sender="71"), dm(mid="m_2", sender="72"))))
    post(client, account, page_delivery(entry(dm(mid="m_2", sender="72")), entry(dm(mid="m_1", sender="71"), time=99)))
    post(client, account, page_delivery(entry(dm(mid="m_2", sender="72"))))
    drain()
    assert count(db, Ticket) == 2 and count(db, Message) == 2


def test_batch_with_a_broken_event_keeps_the_rest(client, db, meta_account):
    account = meta_account("facebook")
    broken = {"sender": {"id": "75"}, "recipient": {"id": PAGE}, "timestamp": 1, "message": {"text": "no mid"}}
    payload = page_delivery(entry(dm(mid="m_1", sender="71"), dm(mid="m_2", sender="72")),
                            entry(broken, dm(mid="m_3", sender="73")),
                            entry(feed_comment(), key="changes"))
    assert post(client, account, payload).status_code == 200
    drain()
    assert count(db, Ticket) == 4
    delivery = db.session.scalars(select(Delivery)).one()
    assert len(delivery.result["problems"]) == 1 and delivery.result["created"] == 4


def test_non_ascii_messages_are_stored_exactly(client, db, meta_account):
    account = meta_account("messenger")
    texts = ["أين أبلغ عن الاحتيال؟", "在哪里举报诈骗？", "Où est le formulaire ? 🙏 https://example.invalid/a/b"]
    payload = page_delivery(entry(*[dm(mid=f"m_{i}", sender=f"7{i}", text=text) for i, text in enumerate(texts)]))
    assert post(client, account, payload).status_code == 200
    drain()
    assert sorted(m.body for m in db.session.scalars(select(Message))) == sorted(texts)


def test_messages_from_one_sender_join_one_ticket(client, db, meta_account):
    account = meta_account("messenger")
    post(client, account, page_delivery(entry(dm(mid="m_1", text="First question"))))
    post(client, account, page_delivery(entry(dm(mid="m_2", text="And a second one", timestamp=1731400009000))))
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.conversation_key == f"{PAGE}:7100000000000042" and len(ticket.messages) == 2


def test_edited_comment_replaces_the_text(client, db, meta_account):
    account = meta_account("facebook")
    post(client, account, page_delivery(entry(feed_comment(text="Wich ministry?"), key="changes")))
    post(client, account, page_delivery(entry(feed_comment(verb="edited", text="Which ministry?"), key="changes")))
    drain()
    assert [m.body for m in db.session.scalars(select(Message))] == ["Which ministry?"]


def test_whatsapp_status_updates_our_reply(client, db, meta_account, make, platform_server):
    account = meta_account("whatsapp")
    account.api_base_url = platform_server.url
    db.session.commit()
    post(client, account, wa_delivery([wa_message()]))
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    platform_server.script = [(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.OURS"}]})]
    from inquiry.tickets import services

    services.reply(ticket, "Please call the national hotline.", actor=make.supervisor())
    db.session.commit()
    drain()
    assert platform_server.calls[0].path == f"/v21.0/{PHONE_ID}/messages"
    post(client, account, wa_delivery(statuses=[wa_status(wamid="wamid.OURS", status="read")]))
    drain()
    reply = db.session.scalars(select(Message).filter_by(direction=Direction.OUTBOUND)).one()
    assert reply.external_id == "wamid.OURS" and reply.delivery_status == DeliveryStatus.READ
