"""With CSRF on (as in production), workspace actions without the page's token change nothing."""
import re

import pytest

from inquiry.tickets.models import TicketStatus
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_actions_need_the_token(client, make, db):
    agent = make.agent()
    ticket = make.ticket()
    token = TOKEN.search(client.get("/login").text).group(1)
    client.post("/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token})
    for path, data in ((f"/tickets/{ticket.reference}/escalate", {"reason": "x"}),
                       (f"/tickets/{ticket.reference}/tags", {"add": "x"}),
                       (f"/tickets/{ticket.reference}/presence", {"typing": "1"}),
                       ("/tickets/bulk", {"bulk-ids": [ticket.id], "bulk-action": "solve"})):
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert ticket.escalated_at is None and ticket.tags == [] and ticket.status == TicketStatus.NEW
    page = client.get(f"/tickets/{ticket.reference}").text
    header = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    ok = client.post(f"/tickets/{ticket.reference}/presence", data={"typing": "1"}, headers={"X-CSRFToken": header})
    assert ok.status_code == 200
