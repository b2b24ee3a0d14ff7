"""Helpers for the channel account pages: log in through the form, post a Telegram update."""
import json

import pytest
from sqlalchemy import func, select


SECRET = "tg-secret_value_123"


@pytest.fixture
def admin(make, login):
    """A logged-in administrator."""
    return login(make.admin())


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def telegram_update(update_id=1, text="Where do I register for the Vienna event?"):
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1731400700, "text": text,
        "from": {"id": 6100, "first_name": "Lena"}, "chat": {"id": 6100, "type": "private"}}}).encode()


def post_update(client, url, *, secret=SECRET, update_id=1):
    """POST a Telegram update to a webhook URL, as Telegram would."""
    return client.post(url, data=telegram_update(update_id), headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})


def form(**overrides):
    """A complete, valid "add account" submission."""
    data = {
        "platform": "telegram",
        "name": "Desk bot",
        "signing_secret": SECRET,
        "verify_token": "",
        "access_token": "123456:ABC-access-token",
        "external_account_id": "desk_bot",
        "api_base_url": "https://api.telegram.org",
        "default_language": "en",
        "options": "",
    }
    data.update(overrides)
    return data
