"""Editing an account: blank secrets are kept, "remove" clears them, bad input changes nothing,
and every change is audited with credentials named but never quoted."""
import json

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import KEEP, create_account, webhook_url

from tests.admin.conftest import SECRET, count, post_update


@pytest.fixture
def account(db):
    account = create_account("telegram", "Desk bot", signing_secret=SECRET, access_token="123456:ABC-token",
                             verify_token="verify-me", external_account_id="desk_bot",
                             api_base_url="https://api.telegram.org", default_language="en")
    account.options = {"transport": "native", "api_key": "opt-secret-key"}
    db.session.commit()
    return account


def edit(**overrides):
    """The edit form as the browser sends it when nothing was touched (secrets blank)."""
    data = {"name": "Desk bot", "external_account_id": "desk_bot", "api_base_url": "https://api.telegram.org",
            "default_language": "en", "options": f"api_key={KEEP}\ntransport=native",
            "signing_secret": "", "verify_token": "", "access_token": ""}
    data.update(overrides)
    return data


def reload(db, account):
    db.session.expire_all()
    return db.session.get(ChannelAccount, account.id)


def channel_events(db, account):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.subject == f"channel:{account.id}",
                                                       AuditEvent.action == "channel.updated")).all()


def test_edit_page_shows_settings_but_no_secret(client, admin, account):
    page = client.get(f"/admin/channels/{account.id}").text
    assert 'value="desk_bot"' in page and 'value="https://api.telegram.org"' in page
    assert f"api_key={KEEP}" in page and "transport=native" in page
    for secret in (SECRET, "123456:ABC-token", "verify-me", "opt-secret-key"):
        assert secret not in page
    assert page.count("Stored. Type a new value to replace it.") == 3


def test_blank_secrets_are_kept(client, db, admin, account):
    response = client.post(f"/admin/channels/{account.id}", data=edit(name="Desk bot (EN)"))
    assert response.status_code == 303
    stored = reload(db, account)
    assert stored.name == "Desk bot (EN)"
    assert (stored.signing_secret, stored.access_token, stored.verify_token) == (SECRET, "123456:ABC-token", "verify-me")
    assert stored.options == {"transport": "native", "api_key": "opt-secret-key"}
    # The kept secret still authenticates the platform's deliveries.
    assert post_update(client, webhook_url(stored)).status_code == 200
    [event] = channel_events(db, account)
    assert event.actor_id == admin.id
    assert event.before == {"name": "Desk bot"} and event.after == {"name": "Desk bot (EN)"}


def test_remove_clears_only_the_ticked_secret(client, db, admin, account):
    response = client.post(f"/admin/channels/{account.id}", data=edit(clear_access_token="y", clear_verify_token="y"))
    assert response.status_code == 303
    stored = reload(db, account)
    assert stored.access_token is None and stored.verify_token is None and stored.signing_secret == SECRET
    [event] = channel_events(db, account)
    assert event.after == {"credentials": {"access_token": "cleared", "verify_token": "cleared"}}


def test_typed_secret_replaces_the_stored_one_and_is_audited_by_name_only(client, db, admin, account):
    response = client.post(f"/admin/channels/{account.id}", data=edit(signing_secret="brand-new-secret",
                                                                     options="api_key=new-opt-key\ntransport=native"))
    assert response.status_code == 303
    stored = reload(db, account)
    assert stored.signing_secret == "brand-new-secret" and stored.options["api_key"] == "new-opt-key"
    assert post_update(client, webhook_url(stored), secret=SECRET).status_code == 401
    assert post_update(client, webhook_url(stored), secret="brand-new-secret").status_code == 200
    [event] = channel_events(db, account)
    assert event.after == {"credentials": {"signing_secret": "replaced"}, "options_changed": ["api_key"]}
    recorded = json.dumps([event.before, event.after])
    for secret in (SECRET, "brand-new-secret", "opt-secret-key", "new-opt-key"):
        assert secret not in recorded


def test_nothing_changed_writes_no_event(client, db, admin, account):
    response = client.post(f"/admin/channels/{account.id}", data=edit())
    assert response.status_code == 303
    assert "Nothing changed." in client.get(response.headers["Location"]).text
    assert channel_events(db, account) == []


def test_typing_a_secret_and_ticking_remove_is_refused(client, db, admin, account):
    response = client.post(f"/admin/channels/{account.id}", data=edit(access_token="other", clear_access_token="y"))
    assert response.status_code == 422
    assert "not both" in response.text
    assert reload(db, account).access_token == "123456:ABC-token"


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "required"),
    ("api_base_url", "not a url", "http:// or https://"),
    ("options", "transport", "line 1 is not KEY=VALUE"),
    ("options", "secret_token=" + KEEP, "no stored value to keep"),
    ("default_language", "xx", "ISO 639-1"),
])
def test_bad_edit_is_422_and_changes_nothing(client, db, admin, account, field, value, message):
    response = client.post(f"/admin/channels/{account.id}",
                           data=edit(**{field: value}, signing_secret="typed-but-refused", clear_access_token="y"))
    assert response.status_code == 422
    assert message in response.text and "typed-but-refused" not in response.text
    stored = reload(db, account)
    assert (stored.name, stored.api_base_url, stored.default_language) == ("Desk bot", "https://api.telegram.org", "en")
    assert stored.signing_secret == SECRET and stored.access_token == "123456:ABC-token"
    assert stored.options == {"transport": "native", "api_key": "opt-secret-key"}
    assert channel_events(db, account) == []


def test_refused_edit_does_not_echo_a_typed_sensitive_option(client, db, admin, account):
    response = client.post(f"/admin/channels/{account.id}",
                           data=edit(name="", options="api_key=freshly-typed-key\ntransport=bridge"))
    assert response.status_code == 422
    assert "freshly-typed-key" not in response.text and "opt-secret-key" not in response.text
    assert "transport=bridge" in response.text


def test_external_id_of_another_account_is_409(client, db, admin, account):
    other = create_account("telegram", "Other bot", external_account_id="other_bot")
    db.session.commit()
    response = client.post(f"/admin/channels/{other.id}", data=edit(name="Other bot", external_account_id="desk_bot", options=""))
    assert response.status_code == 409
    assert reload(db, other).external_account_id == "other_bot"
    assert count(db, AuditEvent, AuditEvent.action == "channel.updated") == 0
