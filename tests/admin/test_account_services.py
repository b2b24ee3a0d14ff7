"""The channel account rules in ``channels.services`` that the admin pages (and the CLI or API)
rely on, tested without the pages."""
import pytest

from inquiry.channels import services
from inquiry.channels.services import KEEP, options_text, parse_options
from inquiry.errors import Conflict, Invalid


def test_options_lines_become_a_dict():
    assert parse_options("a=1\n\n  b = two words \r\nurl=https://x.example/?q=1") == {
        "a": "1", "b": "two words", "url": "https://x.example/?q=1"}
    assert parse_options("") == {} and parse_options(None) == {}


def test_bad_option_lines_are_named_without_their_values():
    with pytest.raises(Invalid) as caught:
        parse_options("ok=1\napi_key hunter2\nok=2\n=x\nbad key=1\nempty=")
    problems = caught.value.fields["options"]
    assert problems == ["line 2 is not KEY=VALUE", "line 3: ok is given twice", "line 4 is not KEY=VALUE",
                        "line 5: a key is 1–64 letters, digits, '_', '-' or '.'", "line 6: empty has no value"]
    assert "hunter2" not in str(problems)


def test_masked_sensitive_option_keeps_the_stored_value_and_others_are_shown():
    current = {"api_key": "stored-key", "jwks": {"keys": []}, "transport": "bridge"}
    text = options_text(current)
    assert text == f'api_key={KEEP}\njwks={{"keys": []}}\ntransport=bridge'
    # Submitted unchanged, every value comes back as stored (the JSON document stays a document).
    assert parse_options(text, current=current) == current
    with pytest.raises(Invalid, match="options"):
        parse_options(f"api_key={KEEP}", current={})


def test_sensitive_option_names():
    assert all(map(services.is_sensitive_option, ["api_key", "encoding_aes_key", "client_secret", "Bot_Token"]))
    assert not any(map(services.is_sensitive_option, ["transport", "app_id", "sender_name", "jwks"]))


def test_add_account_takes_options_as_a_mapping_with_the_same_checks(db):
    account = services.add_account("youtube", "Channel", actor=None, options={"api_key": "k-123", "transport": "bridge"})
    assert account.options == {"api_key": "k-123", "transport": "bridge"}
    with pytest.raises(Invalid) as caught:
        services.add_account("youtube", "Channel 2", actor=None, options={"bad key": "x", "ok": ""})
    assert caught.value.fields["options"] == ["bad key: a key is 1–64 letters, digits, '_', '-' or '.'", "ok: ok has no value"]


def test_update_rejects_fields_that_are_not_account_settings(db):
    account = services.add_account("telegram", "Bot", actor=None)
    with pytest.raises(TypeError):
        services.update_account(account, actor=None, key="chosen-key")
    with pytest.raises(TypeError):
        services.update_account(account, actor=None, is_enabled=False)


def test_external_id_conflict_is_checked_on_update(db):
    services.add_account("telegram", "Bot A", actor=None, external_account_id="a")
    b = services.add_account("telegram", "Bot B", actor=None, external_account_id="b")
    with pytest.raises(Conflict):
        services.update_account(b, actor=None, external_account_id="a")
    assert services.update_account(b, actor=None, external_account_id="b") == []


def test_rotate_key_changes_the_url_and_redact_hides_credentials(db, app):
    account = services.add_account("telegram", "Bot", actor=None, access_token="123:TOKEN", options="api_key=opt-KEY-9")
    old = services.webhook_url(account)
    assert services.rotate_key(account, actor=None) == services.webhook_url(account) != old
    text = "GET https://api.telegram.org/bot123:TOKEN/x?key=opt-KEY-9 failed"
    assert services.redact(account, text) == "GET https://api.telegram.org/bot[redacted]/x?key=[redacted] failed"
    assert services.redact(account, None) is None
