"""Meta deliveries for the tests: payloads shaped like channels.md §1, serialised and signed as
Meta does (non-ASCII as lowercase \\uXXXX, "/" as "\\/"), so signatures are over the wire bytes."""
from __future__ import annotations

import hashlib
import hmac
import json
from types import SimpleNamespace

from inquiry.channels.base import WebhookRequest
from inquiry.channels.registry import adapter_for

SECRET = "test_app_secret"
VERIFY_TOKEN = "verify-me-42"
PAGE = "902000000000001"
IG = "17840000000000077"
PHONE_ID = "120000000000002"


def wire(payload) -> bytes:
    """Meta's serialisation: compact, ASCII-only with \\uXXXX escapes, slashes escaped."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hook(body, *, secret: str | None = SECRET, header: str | None = None) -> WebhookRequest:
    body = body if isinstance(body, bytes) else wire(body)
    headers = {}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    elif secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return WebhookRequest("POST", body, headers)


def account(platform: str = "facebook", **fields):
    """A stand-in for ChannelAccount: adapters only read these attributes."""
    values = {"platform": platform, "name": f"{platform} desk", "signing_secret": SECRET, "verify_token": VERIFY_TOKEN,
              "access_token": "page-token", "api_base_url": None, "external_account_id": None, "options": {}}
    values.update(fields)
    return SimpleNamespace(**values)


def adapter(platform: str):
    return adapter_for(platform)


def parse(platform: str, payload, **fields):
    return adapter(platform).parse(account(platform, **fields), hook(payload))


def dm(mid="m_ExAmPlEmId0001", text="How do I report a fake charity collecting after the floods?",
       sender="7100000000000042", page=PAGE, timestamp=1731400000123, **message):
    return {"sender": {"id": sender}, "recipient": {"id": page}, "timestamp": timestamp,
            "message": {"mid": mid, "text": text, **message}}


def page_delivery(*entries, obj="page"):
    return {"object": obj, "entry": list(entries)}


def entry(*events, page=PAGE, time=1731400000456, key="messaging"):
    return {"id": page, "time": time, key: list(events)}


def feed_comment(comment_id="5550000000000001_8880000000000007", text="Which ministry runs the disarmament campaign mentioned here?",
                 verb="add", sender="3300000000000009", name="Ana Example", post="902000000000001_5550000000000001",
                 parent=None, **extra):
    value = {"item": "comment", "verb": verb, "post_id": post, "comment_id": comment_id, "parent_id": parent or post,
             "from": {"id": sender, "name": name}, "message": text, "created_time": 1731400199, **extra}
    return {"field": "feed", "value": value}


def ig_comment(comment_id="17990000000000123", text="Where can journalists request the crime index dataset?",
               sender="6420000000000013", media="18000000000000456", **extra):
    return {"field": "comments", "value": {"id": comment_id, "text": text, "from": {"id": sender, "username": "example.reporter"},
                                            "media": {"id": media, "media_product_type": "FEED"}, **extra}}


def wa_message(wamid="wamid.EXAMPLE0000000000000000000001", text="I was offered a job abroad that looks like trafficking. Who do I tell?",
               sender="447700900123", timestamp="1731400500", **fields):
    message = {"from": sender, "id": wamid, "timestamp": timestamp, "type": "text", "text": {"body": text}}
    message.update(fields)
    return message


def wa_status(wamid="wamid.EXAMPLE0000000000000000000002", status="delivered", timestamp="1731400600", **fields):
    return {"id": wamid, "status": status, "timestamp": timestamp, "recipient_id": "447700900123", **fields}


def wa_delivery(messages=(), statuses=(), contacts=None, phone_id=PHONE_ID, **value):
    body = {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_id}}
    if messages:
        body["messages"] = list(messages)
        body["contacts"] = contacts if contacts is not None else [{"profile": {"name": "Sam Example"}, "wa_id": "447700900123"}]
    if statuses:
        body["statuses"] = list(statuses)
    body.update(value)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "110000000000001", "changes": [{"field": "messages", "value": body}]}]}


def threads_delivery(reply_id="18100000000000009", text="Are travellers covered by the new advisory?",
                     username="example_threads_user", field="replies", root=None):
    root = root or {"id": "18100000000000001", "owner_id": "250000000000002", "username": "our_account"}
    return {"app_id": "410000000000001", "topic": "moderate", "target_id": "250000000000002", "time": 1731400400,
            "subscription_id": "770000000000003", "has_uid_field": False,
            "values": {"field": field, "value": {
                "id": reply_id, "username": username, "text": text, "media_type": "TEXT_POST",
                "permalink": "https://www.threads.net/@example_threads_user/post/AbCdE",
                "replied_to": {"id": "18100000000000001"}, "root_post": root, "shortcode": "AbCdE",
                "timestamp": "2024-11-12T08:33:20+0000"}}}


# One typical inquiry-bearing delivery per platform (used by the hooks and property tests).
SAMPLES = {
    "facebook": lambda: page_delivery(entry(dm()), entry(feed_comment(), key="changes", time=1731400200)),
    "messenger": lambda: page_delivery(entry(dm())),
    "instagram": lambda: page_delivery(entry(dm(mid="aWdfZAExAmPlE", text="Is the road-safety webinar recorded?",
                                                 sender="6420000000000013", page=IG), page=IG),
                                       entry(ig_comment(), key="changes", page=IG), obj="instagram"),
    "whatsapp": lambda: wa_delivery([wa_message()], [wa_status()]),
    "threads": lambda: threads_delivery(),
}
PLATFORMS = tuple(SAMPLES)
