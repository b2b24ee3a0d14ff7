"""Adding an account through the form: stored, webhook URL shown, audited without secrets;
bad input answers 422 with a message and stores nothing."""
import json
import logging

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import webhook_url

from tests.admin.conftest import SECRET, count, form, post_update


def test_added_account_is_stored_and_its_page_shows_the_webhook_url(client, db, admin):
    response = client.post("/admin/channels/new", data=form(options="transport=native\napi_key=yt-key-0001"))
    assert response.status_code == 303
    account = db.session.scalars(select(ChannelAccount)).one()
    assert response.headers["Location"].endswith(f"/admin/channels/{account.id}")
    assert (account.platform, account.name, account.external_account_id) == ("telegram", "Desk bot", "desk_bot")
    assert account.signing_secret == SECRET and account.access_token == "123456:ABC-access-token"
    assert account.verify_token is None
    assert account.api_base_url == "https://api.telegram.org" and account.default_language == "en"
    assert account.options == {"transport": "native", "api_key": "yt-key-0001"}
    assert account.is_enabled

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert webhook_url(account) in page.text and account.key in page.text
    assert "Channel account added" in page.text
    # The URL shown is the one the platform must call: a delivery to it is accepted.
    assert post_update(client, webhook_url(account)).status_code == 200


def test_creation_is_audited_without_any_secret(client, db, admin, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/admin/channels/new", data=form(verify_token="verify-me-please", options="api_key=yt-key-0001"))
    account = db.session.scalars(select(ChannelAccount)).one()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == f"channel:{account.id}")).all()
    assert [(e.action, e.actor_id) for e in events] == [("channel.created", admin.id)]
    recorded = json.dumps([e.before for e in events] + [e.after for e in events])
    assert "Desk bot" in recorded
    for secret in (SECRET, "123456:ABC-access-token", "verify-me-please", "yt-key-0001"):
        assert secret not in recorded
        assert secret not in caplog.text


def test_secrets_are_never_written_into_the_page(client, db, admin):
    client.post("/admin/channels/new", data=form(verify_token="verify-me-please", options="api_key=yt-key-0001"))
    account = db.session.scalars(select(ChannelAccount)).one()
    pages = [client.get(f"/admin/channels/{account.id}").text, client.get("/admin/channels").text]
    for secret in (SECRET, "123456:ABC-access-token", "verify-me-please", "yt-key-0001"):
        assert all(secret not in page for page in pages)
    # A refused form does not echo the secrets typed into it either.
    refused = client.post("/admin/channels/new", data=form(name="", external_account_id="other",
                                                           options="api_key=yt-key-0002"))
    assert refused.status_code == 422
    for secret in (SECRET, "123456:ABC-access-token", "yt-key-0002"):
        assert secret not in refused.text


@pytest.mark.parametrize("field,value,message", [
    ("platform", "myspace", "not a channel of the taxonomy"),
    ("platform", "", "not a channel of the taxonomy"),
    ("name", "   ", "required"),
    ("name", "x" * 121, "at most 120 characters"),
    ("api_base_url", "api.telegram.org", "http:// or https://"),
    ("api_base_url", "ftp://api.telegram.org", "http:// or https://"),
    ("api_base_url", "javascript:alert(1)", "http:// or https://"),
    ("api_base_url", "https://user:pw@api.telegram.org", "user name or password"),
    ("api_base_url", "https://api.telegram.org:99999999", "not a valid address"),
    ("options", "transport", "line 1 is not KEY=VALUE"),
    ("options", "a=1\n=2", "line 2 is not KEY=VALUE"),
    ("options", "a=1\na=2", "a is given twice"),
    ("options", "bad key=1", "a key is 1–64 letters"),
    ("options", "confirmation=", "confirmation has no value"),
    ("default_language", "xx", "not an ISO 639-1 language code"),
    ("default_language", "english", "not an ISO 639-1 language code"),
])
def test_bad_input_is_422_with_a_message_and_stores_nothing(client, db, admin, field, value, message):
    response = client.post("/admin/channels/new", data=form(**{field: value}))
    assert response.status_code == 422
    assert message in response.text
    assert 'class="error-summary"' in response.text
    assert count(db, ChannelAccount) == 0
    assert count(db, AuditEvent, AuditEvent.action.like("channel.%")) == 0


def test_every_problem_is_reported_at_once(client, db, admin):
    response = client.post("/admin/channels/new", data=form(
        platform="myspace", api_base_url="nope", default_language="xx", options="oops"))
    assert response.status_code == 422
    for message in ("not a channel of the taxonomy", "http:// or https://", "ISO 639-1", "line 1 is not KEY=VALUE"):
        assert message in response.text
    assert count(db, ChannelAccount) == 0


def test_refused_form_keeps_what_was_typed_except_secrets(client, db, admin):
    response = client.post("/admin/channels/new", data=form(name="Keep this name", default_language="zz"))
    assert response.status_code == 422
    assert 'value="Keep this name"' in response.text
    assert 'value="https://api.telegram.org"' in response.text


def test_same_external_id_twice_on_one_platform_is_409(client, db, admin):
    assert client.post("/admin/channels/new", data=form()).status_code == 303
    again = client.post("/admin/channels/new", data=form(name="Second bot"))
    assert again.status_code == 409
    assert "already used by another account" in again.text
    assert count(db, ChannelAccount) == 1
    # The same id on another platform is a different account.
    assert client.post("/admin/channels/new", data=form(platform="viber", name="Viber")).status_code == 303


def test_language_and_blank_optional_fields(client, db, admin):
    response = client.post("/admin/channels/new", data=form(
        default_language="ZH", external_account_id="", api_base_url="", access_token=""))
    assert response.status_code == 303
    account = db.session.scalars(select(ChannelAccount)).one()
    assert account.default_language == "zh"
    assert account.external_account_id is None and account.api_base_url is None and account.access_token is None

