"""Helpers for the staff ticket pages: log in through the form, read references off a page."""
import html
import re

import pytest

from tests.factories import PASSWORD

REFERENCE_ROW = re.compile(r'data-reference="(INQ-[0-9A-Z-]+)"')
OLDER_LINK = re.compile(r'<a href="([^"]+)" rel="next">Next page</a>')


def references(page) -> list[str]:
    """The ticket references of a list page, in the order shown."""
    return REFERENCE_ROW.findall(page.data.decode())


def older_link(page) -> str | None:
    match = OLDER_LINK.search(page.data.decode())
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def login(client):
    """Log ``user`` in through the form; the test client keeps the session cookie."""

    def _login(user):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return _login
