"""Helpers for the canned reply tests: log in through the form, make a reply through the service."""
import pytest

from inquiry.canned import services
from inquiry.extensions import db

from tests.factories import PASSWORD


@pytest.fixture
def login(client):
    """Log ``user`` in through the form; the test client keeps the session cookie."""

    def _login(user):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return _login


@pytest.fixture
def reply(app):
    """make a committed canned reply: reply("shortcut", en="…", fr="…", queue=None, topic=None)."""

    def _reply(shortcut, *, title=None, queue=None, topic=None, **variants):
        made = services.create_reply(title=title or shortcut.replace("-", " ").capitalize(), shortcut=shortcut,
                                     variants=variants or {"en": f"Body of {shortcut}"}, queue=queue, topic=topic)
        db.session.commit()
        return made

    return _reply
