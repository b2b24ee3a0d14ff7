"""Every form of the channel pages needs the page's CSRF token; without it nothing changes."""
import re

import pytest
from sqlalchemy import select

from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account

from tests.admin.conftest import count, form
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def admin_client(client, make):
    user = make.admin()
    token = TOKEN.search(client.get("/login").text).group(1)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def test_forms_without_the_token_are_refused(admin_client, db):
    account = create_account("telegram", "Existing bot")
    db.session.commit()
    key = account.key
    assert admin_client.post("/admin/channels/new", data=form()).status_code == 400
    assert admin_client.post(f"/admin/channels/{account.id}", data={"name": "Renamed"}).status_code == 400
    assert admin_client.post(f"/admin/channels/{account.id}/disable").status_code == 400
    assert admin_client.post(f"/admin/channels/{account.id}/rotate-key", data={"confirm": "y"}).status_code == 400
    db.session.expire_all()
    stored = db.session.scalars(select(ChannelAccount)).one()
    assert (stored.name, stored.is_enabled, stored.key) == ("Existing bot", True, key)


def test_forms_with_the_token_work(admin_client, db):
    page = admin_client.get("/admin/channels/new").text
    token = TOKEN.search(page).group(1)
    assert admin_client.post("/admin/channels/new", data=form(csrf_token=token)).status_code == 303
    assert count(db, ChannelAccount) == 1
