"""The webhook door, end to end: authenticate, store before the 2xx, process in the worker."""
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from inquiry.channels.health import recent_rejections
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest import deliveries
from inquiry.ingest.models import Delivery, DeliveryState
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain

SECRET = "tg-secret_123"


@pytest.fixture
def telegram(db):
    account = create_account("telegram", "Desk bot", signing_secret=SECRET, access_token="123:abc")
    db.session.commit()
    return account


def update(update_id=1, text="Hallo, where do I register for the Vienna event? 🇦🇹", chat=6100, message_id=10, **extra):
    body = {"update_id": update_id, "message": {"message_id": message_id, "date": 1731400700, "text": text,
            "from": {"id": chat, "first_name": "Lena", "last_name": "Example"}, "chat": {"id": chat, "type": "private"}}}
    body.update(extra)
    return json.dumps(body, ensure_ascii=False).encode()


def post(client, account, body, secret=SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client.post(webhook_url(account), data=body, headers=headers)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_delivery_is_stored_before_ack_and_becomes_a_ticket_in_the_worker(client, db, telegram):
    response = post(client, telegram, update())
    assert response.status_code == 200
    stored = db.session.scalars(select(Delivery)).one()
    assert stored.state == DeliveryState.PENDING and stored.body == update()
    assert count(db, Ticket) == 0
    assert drain()["deliveries"] == 1
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.messages[0].body.startswith("Hallo") and ticket.contact.display_name == "Lena Example"
    db.session.expire_all()
    assert db.session.get(Delivery, stored.id).state == DeliveryState.DONE


def test_bad_or_missing_secret_is_401_stores_nothing_and_is_counted(client, db, telegram):
    assert post(client, telegram, update(), secret="wrong").status_code == 401
    assert post(client, telegram, update(), secret=None).status_code == 401
    assert count(db, Delivery) == 0
    assert recent_rejections(telegram) == {"bad secret token": 2}


def test_redelivery_answers_2xx_and_creates_nothing(client, db, telegram):
    for _ in range(3):
        assert post(client, telegram, update()).status_code == 200
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_malformed_or_wrong_shape_is_400(client, db, telegram):
    assert post(client, telegram, b"{not json").status_code == 400
    assert post(client, telegram, b'{"hello": "world"}').status_code == 400
    assert count(db, Delivery) == 0


def test_unknown_or_disabled_account_is_404(client, db, telegram):
    assert client.post("/hooks/telegram/not-a-key", data=update()).status_code == 404
    telegram.is_enabled = False
    db.session.commit()
    assert post(client, telegram, update()).status_code == 404


def test_oversized_body_is_413(client, app, telegram):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = post(client, telegram, update(text="x" * 2000))
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


def test_a_delivery_that_cannot_be_stored_gets_503_so_the_platform_retries(client, db, telegram, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(deliveries, "store_fast", broken)
    assert post(client, telegram, update()).status_code == 503


def test_inline_mode_threads_before_answering(client, app, db, telegram):
    app.config["INGEST_INLINE"] = True
    post(client, telegram, update(update_id=1, message_id=1))
    post(client, telegram, update(update_id=2, message_id=2, text="And is there parking?"))
    tickets = db.session.scalars(select(Ticket)).all()
    assert len(tickets) == 1 and len(tickets[0].messages) == 2


def test_edited_message_replaces_the_text(client, db, telegram):
    post(client, telegram, update(update_id=1, text="typo in my qestion"))
    edited = json.loads(update(update_id=2, text="typo in my question"))
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = 1731400800
    post(client, telegram, json.dumps(edited).encode())
    drain()
    assert [m.body for m in db.session.scalars(select(Message))] == ["typo in my question"]


def test_photo_without_caption_is_kept_with_attachment_metadata(client, db, telegram):
    body = json.loads(update())
    del body["message"]["text"]
    body["message"]["photo"] = [{"file_id": "small"}, {"file_id": "large", "width": 1280}]
    post(client, telegram, json.dumps(body).encode())
    drain()
    message = db.session.scalars(select(Message)).one()
    assert message.body == "[image]" and message.attachments[0]["platform_ref"] == "large"
