"""Helpers for the search tests: log in through the form; read result references off a page."""
import re

import pytest

from tests.factories import PASSWORD

RESULT = re.compile(r'class="message search-hit" data-reference="(INQ-[0-9A-Z-]+)"')


def result_references(page) -> list[str]:
    return RESULT.findall(page.data.decode())


@pytest.fixture
def login(client):
    def _login(user):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return _login
