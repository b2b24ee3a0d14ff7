"""Meta's verify-token handshake and X-Hub-Signature-256, shared by all five Meta adapters."""
import json

import pytest

from inquiry.channels.base import Parsed, Rejected, Reply, WebhookRequest

from tests.channels.meta_samples import PLATFORMS, SAMPLES, VERIFY_TOKEN, account, adapter, hook, sign, wire

APPENDIX_A_BODY = b'{"object":"page","entry":[]}'
APPENDIX_A_SIGNATURE = "sha256=5da47c9c7409e70d7a1851f0cfd9bc27786bd99587a9bf1dd5b51e23a2de03cf"


def get(**args):
    return WebhookRequest("GET", b"", {}, args)


def test_appendix_a_vector():
    assert sign(APPENDIX_A_BODY, "test_app_secret") == APPENDIX_A_SIGNATURE
    request = hook(APPENDIX_A_BODY, header=APPENDIX_A_SIGNATURE)
    facebook = adapter("facebook")
    facebook.authenticate(account("facebook", signing_secret="test_app_secret"), request)
    parsed = facebook.parse(account("facebook"), request)
    assert parsed == Parsed()
    assert facebook.delivery_key(account("facebook"), request) is None  # no event ids: the core hashes the body


def test_appendix_a_vector_fails_with_another_secret_or_one_byte_changed():
    facebook = adapter("facebook")
    with pytest.raises(Rejected) as refused:
        facebook.authenticate(account("facebook", signing_secret="other_secret"), hook(APPENDIX_A_BODY, header=APPENDIX_A_SIGNATURE))
    assert refused.value.status == 401
    with pytest.raises(Rejected):
        facebook.authenticate(account("facebook", signing_secret="test_app_secret"),
                              hook(APPENDIX_A_BODY + b" ", header=APPENDIX_A_SIGNATURE))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_handshake_echoes_the_challenge_for_the_right_token(platform):
    reply = adapter(platform).handshake(account(platform), get(**{
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}))
    assert reply == Reply(200, "1158201444", "text/plain")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("args", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.verify_token": "véřïfy-✓", "hub.challenge": "1"},
])
def test_handshake_with_a_wrong_token_or_mode_is_403(platform, args):
    with pytest.raises(Rejected) as refused:
        adapter(platform).handshake(account(platform), get(**args))
    assert refused.value.status == 403


@pytest.mark.parametrize("platform", PLATFORMS)
def test_handshake_is_refused_when_no_verify_token_is_configured(platform):
    with pytest.raises(Rejected) as refused:
        adapter(platform).handshake(account(platform, verify_token=None), get(**{
            "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}))
    assert refused.value.status == 403


@pytest.mark.parametrize("platform", PLATFORMS)
def test_deliveries_are_not_handshakes(platform):
    assert adapter(platform).handshake(account(platform), hook(SAMPLES[platform]())) is None
    assert adapter(platform).handshake(account(platform), get()) is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_valid_signature_passes(platform):
    adapter(platform).authenticate(account(platform), hook(SAMPLES[platform]()))


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("header", [
    None,
    "",
    "sha256=",
    "sha1=0123456789abcdef0123456789abcdef01234567",
    "sha256=" + "0" * 64,
    "sha256=ünïcödé-is-not-hex",
    "5da47c9c7409e70d7a1851f0cfd9bc27786bd99587a9bf1dd5b51e23a2de03cf",
])
def test_missing_or_wrong_signature_is_401(platform, header):
    request = hook(SAMPLES[platform](), secret=None, header=header)
    with pytest.raises(Rejected) as refused:
        adapter(platform).authenticate(account(platform), request)
    assert refused.value.status == 401


@pytest.mark.parametrize("platform", PLATFORMS)
def test_signature_with_another_secret_or_no_secret_configured_is_401(platform):
    with pytest.raises(Rejected):
        adapter(platform).authenticate(account(platform), hook(SAMPLES[platform](), secret="someone-else"))
    with pytest.raises(Rejected) as refused:
        adapter(platform).authenticate(account(platform, signing_secret=None), hook(SAMPLES[platform]()))
    assert refused.value.status == 401


def test_uppercase_hex_is_the_same_signature():
    body = wire(SAMPLES["messenger"]())
    adapter("messenger").authenticate(account("messenger"), hook(body, header=sign(body).upper().replace("SHA256=", "sha256=")))


NON_ASCII = [
    "Où signaler une arnaque à la charité ? Merci d'avance — Zoë",
    "Need help 🆘🙏 my account was hacked 👮‍♀️",
    "أين يمكنني الإبلاغ عن الاحتيال؟",
    "我在哪里可以举报网络诈骗？",
    "See https://example.invalid/a/b?c=d and C:\\path\\to",
]


@pytest.mark.parametrize("text", NON_ASCII)
def test_non_ascii_escaped_as_meta_does_is_verified_on_the_raw_bytes(text):
    from tests.channels.meta_samples import dm, entry, page_delivery

    body = wire(page_delivery(entry(dm(text=text))))
    assert body.isascii() and (b"\\u" in body or b"\\/" in body)  # Meta's escaped wire form
    request = hook(body)
    messenger = adapter("messenger")
    messenger.authenticate(account("messenger"), request)
    assert messenger.parse(account("messenger"), request).messages[0].text == text
    # The same JSON re-serialised (as a careless receiver would) has other bytes and another signature.
    reserialised = json.dumps(json.loads(body), ensure_ascii=False).encode()
    assert reserialised != body
    with pytest.raises(Rejected):
        messenger.authenticate(account("messenger"), hook(body, header=sign(reserialised)))
