"""Property tests: whatever bytes arrive, the Meta adapters answer with Parsed or Rejected, never a crash."""
import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry.channels.base import Parsed, Rejected
from inquiry.ingest.inbound import InboundMessage

from tests.channels.meta_samples import PLATFORMS, SAMPLES, account, adapter, dm, entry, hook, page_delivery, sign, wire

# Keys the parsers look for, so random objects reach deep into the code, plus arbitrary ones.
VOCABULARY = ["object", "entry", "id", "time", "messaging", "standby", "changes", "field", "value", "sender", "recipient",
              "timestamp", "message", "mid", "text", "is_echo", "attachments", "type", "payload", "url", "reply_to",
              "delivery", "mids", "watermark", "message_edit", "item", "verb", "post_id", "comment_id", "parent_id",
              "from", "name", "created_time", "media", "username", "metadata", "phone_number_id", "contacts", "wa_id",
              "user_id", "messages", "statuses", "status", "errors", "code", "title", "body", "interactive", "button",
              "image", "caption", "context", "values", "root_post", "replied_to", "owner_id", "target_id"]
LITERALS = st.sampled_from(["page", "instagram", "whatsapp_business_account", "feed", "comments", "messages", "comment",
                            "add", "edited", "text", "image", "interactive", "button_reply", "failed", "read", "replies"])
leaves = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats()
          | st.text(max_size=12) | LITERALS)
keys = st.sampled_from(VOCABULARY) | st.text(max_size=6)
json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
                           max_leaves=40)
platforms = st.sampled_from(PLATFORMS)
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(platform: str, body: bytes) -> None:
    """The contract: Parsed (with well-typed messages) or Rejected; delivery_key never raises."""
    meta, acct = adapter(platform), account(platform)
    request = hook(body)
    try:
        parsed = meta.parse(acct, request)
    except Rejected as refused:
        assert refused.status in (400, 401, 403)
        return
    assert isinstance(parsed, Parsed)
    for message in parsed.messages:
        assert isinstance(message, InboundMessage)
        assert isinstance(message.external_message_id, str) and message.external_message_id
        assert isinstance(message.conversation_key, str) and message.conversation_key
        assert isinstance(message.text, str)
        assert message.sent_at is None or message.sent_at.tzinfo is not None
    for status in parsed.statuses:
        assert status.status in ("sent", "delivered", "read", "failed") and isinstance(status.external_id, str)
    key = meta.delivery_key(acct, request)
    assert key is None or isinstance(key, str)


@SETTINGS
@given(platform=platforms, body=st.binary(max_size=300))
def test_random_bytes(platform, body):
    check(platform, body)


@SETTINGS
@given(platform=platforms, payload=json_values)
def test_random_json(platform, payload):
    check(platform, json.dumps(payload).encode())


@SETTINGS
@given(platform=platforms, payload=json_values, obj=st.sampled_from(["page", "instagram", "whatsapp_business_account"]))
def test_random_entries_in_a_right_envelope(platform, payload, obj):
    check(platform, json.dumps({"object": obj, "entry": [payload, {"id": "1", "messaging": [payload], "changes": [payload]}],
                                "values": payload}).encode())


def mutated(data, value, depth=0):
    """The value with random parts replaced, dropped or retyped."""
    roll = data.draw(st.integers(0, 9))
    if roll == 0:
        return data.draw(json_values)
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if data.draw(st.integers(0, 7)) or depth == 0}
        return {k: mutated(data, v, depth + 1) for k, v in kept.items()}
    if isinstance(value, list):
        return [mutated(data, v, depth + 1) for v in value]
    return value


@SETTINGS
@given(platform=platforms, data=st.data())
def test_mutated_valid_deliveries(platform, data):
    check(platform, wire(mutated(data, SAMPLES[platform]())))


@SETTINGS
@given(text=st.text(min_size=1).filter(lambda t: t.strip()))
def test_any_text_signed_on_the_escaped_wire_bytes_is_authentic_and_read_back_exactly(text):
    body = wire(page_delivery(entry(dm(text=text))))
    request = hook(body, header=sign(body))
    messenger = adapter("messenger")
    messenger.authenticate(account("messenger"), request)
    [message] = messenger.parse(account("messenger"), request).messages
    assert message.text == text


@SETTINGS
@given(stamp=st.integers(min_value=0, max_value=4_102_444_800))
def test_seconds_and_milliseconds_give_the_same_moment(stamp):
    in_seconds = adapter("instagram").parse(account("instagram"), hook(page_delivery(entry(dm(timestamp=stamp)), obj="instagram")))
    in_millis = adapter("instagram").parse(account("instagram"), hook(page_delivery(entry(dm(timestamp=stamp * 1000)), obj="instagram")))
    if stamp > 10**9:  # both unambiguous by magnitude
        assert in_seconds.messages[0].sent_at == in_millis.messages[0].sent_at == dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
