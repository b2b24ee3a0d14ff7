"""Disabling an account closes its webhook URL; a new key retires the old URL at once."""
import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account, webhook_url

from tests.admin.conftest import SECRET, post_update


@pytest.fixture
def account(db):
    account = create_account("telegram", "Desk bot", signing_secret=SECRET)
    db.session.commit()
    return account


def actions(db, account):
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject == f"channel:{account.id}")
                              .order_by(AuditEvent.id)).all()


def test_disabled_account_answers_404_until_enabled_again(client, db, admin, account):
    url = webhook_url(account)
    assert post_update(client, url, update_id=1).status_code == 200

    response = client.post(f"/admin/channels/{account.id}/disable")
    assert response.status_code == 303
    assert "answers 404" in client.get(response.headers["Location"]).text
    assert post_update(client, url, update_id=2).status_code == 404

    assert client.post(f"/admin/channels/{account.id}/enable").status_code == 303
    assert post_update(client, url, update_id=3).status_code == 200
    assert actions(db, account) == ["channel.created", "channel.disabled", "channel.enabled"]


def test_disabling_twice_writes_one_event(client, db, admin, account):
    client.post(f"/admin/channels/{account.id}/disable")
    client.post(f"/admin/channels/{account.id}/disable")
    assert actions(db, account) == ["channel.created", "channel.disabled"]


def test_new_key_retires_the_old_url(client, db, admin, account):
    old_url, old_key = webhook_url(account), account.key
    response = client.post(f"/admin/channels/{account.id}/rotate-key", data={"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(ChannelAccount, account.id)
    new_url = webhook_url(stored)
    assert new_url != old_url
    assert post_update(client, old_url, update_id=1).status_code == 404
    assert post_update(client, new_url, update_id=2).status_code == 200
    assert new_url in client.get(response.headers["Location"]).text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "channel.key_rotated")).one()
    assert event.actor_id == admin.id and old_key not in str(event.after) and stored.key not in str(event.after)


def test_new_key_needs_the_confirmation(client, db, admin, account):
    old_url = webhook_url(account)
    response = client.post(f"/admin/channels/{account.id}/rotate-key", data={})
    assert response.status_code == 422
    assert "Tick the box to confirm" in response.text
    assert post_update(client, old_url).status_code == 200
    assert actions(db, account) == ["channel.created"]
