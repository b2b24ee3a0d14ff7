"""Helpers for the canned reply tests: log in through the form, make a reply through the service."""
import pytest

from inquiry.canned import services
from inquiry.extensions import db



@pytest.fixture
def reply(app):
    """make a committed canned reply: reply("shortcut", en="…", fr="…", queue=None, topic=None)."""

    def _reply(shortcut, *, title=None, queue=None, topic=None, **variants):
        made = services.create_reply(title=title or shortcut.replace("-", " ").capitalize(), shortcut=shortcut,
                                     variants=variants or {"en": f"Body of {shortcut}"}, queue=queue, topic=topic)
        db.session.commit()
        return made

    return _reply
