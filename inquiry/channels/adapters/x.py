"""X (Twitter) Account Activity API (channels.md §3): CRC handshake, base64 HMAC, DMs and mentions.

One webhook delivery may carry several direct-message events and several tweets. DM threads are
keyed by both participants' ids (sorted, joined with "-", like X's one-to-one dm_conversation_id);
mention threads by the tweet they answer, or the tweet itself. Replies go back the same way: a DM
into a DM thread, a reply tweet into a mention thread.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from inquiry.channels.adapters._values import ident, optional_ident
from inquiry.channels.adapters._values import text as as_text
from inquiry.channels.base import (
    Adapter, Parsed, PermanentFailure, Reply, Sent, from_epoch, load_json, malformed, unauthorized,
)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.channels.signatures import hmac_sha256_b64, same
from inquiry.ingest.inbound import Attachment, InboundMessage

DEFAULT_API = "https://api.x.com"
DM_MAX_TEXT = 10_000
TWEET_MAX_TEXT = 280
MEDIA_KINDS = {"photo": "image", "video": "video", "animated_gif": "video"}
EVENT_ARRAYS = ("direct_message_events", "tweet_create_events")


def signature(secret: str, message: bytes) -> str:
    return "sha256=" + hmac_sha256_b64(secret, message)


@register("x")
class X(Adapter):
    platform = "x"
    max_text = DM_MAX_TEXT  # the larger of the two; reply_rules narrows it for mention threads
    deadline_seconds = 3

    def reply_rules(self, conversation_key):
        return (DM_MAX_TEXT if is_dm_thread(conversation_key) else TWEET_MAX_TEXT), None

    def handshake(self, account, request):
        """CRC: X proves we hold the consumer secret by asking us to sign its token."""
        if request.method != "GET" or "crc_token" not in request.args:
            return None
        if not account.signing_secret:
            raise unauthorized("account has no consumer secret configured")
        token = request.args["crc_token"].encode("utf-8")
        body = json.dumps({"response_token": signature(account.signing_secret, token)}, separators=(",", ":"))
        return Reply(200, body, "application/json")

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no consumer secret configured")
        if not same(request.header("x-twitter-webhooks-signature"), signature(account.signing_secret, request.body)):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        if not isinstance(body, dict):
            return None
        ids = []
        for array, prefix, field in (("direct_message_events", "dm", "id"), ("tweet_create_events", "tweet", "id_str")):
            events = body.get(array)
            for event in events if isinstance(events, list) else []:
                if isinstance(event, dict) and optional_ident(event.get(field)):
                    ids.append(f"{prefix}:{optional_ident(event[field])}")
        if not ids:
            return None
        joined = ",".join(sorted(ids))
        return joined if len(joined) <= 200 else "events:" + hashlib.sha256(joined.encode()).hexdigest()

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or not optional_ident(body.get("for_user_id")):
            raise malformed("not an X activity delivery (no for_user_id)")
        ours = optional_ident(body["for_user_id"])
        parsed = Parsed()
        users = body.get("users") if isinstance(body.get("users"), dict) else {}
        for array in EVENT_ARRAYS:
            events = body.get(array, [])
            if not isinstance(events, list):
                parsed.problems.append(f"{array} is not a list")
                continue
            for index, event in enumerate(events):
                try:
                    if array == "direct_message_events":
                        message = self._dm(event, ours, users)
                    else:
                        message = self._tweet(event, ours, blocked=body.get("user_has_blocked") is True)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    parsed.problems.append(f"{array}[{index}]: unreadable ({exc!r})")
                    continue
                if message is None:
                    parsed.ignored += 1
                else:
                    parsed.messages.append(message)
        # Favourites, follows, typing, reads, revocations … are authentic but not inquiries.
        parsed.ignored += sum(len(v) if isinstance(v, list) else 1 for k, v in body.items()
                              if k.endswith("_events") and k not in EVENT_ARRAYS)
        return parsed

    def _dm(self, event: dict, ours: str, users: dict) -> InboundMessage | None:
        if event.get("type") != "message_create":
            return None
        create = event["message_create"]
        sender = ident(create["sender_id"])
        if sender == ours:
            return None  # our own reply, echoed back
        recipient = optional_ident((create.get("target") or {}).get("recipient_id")) or ours
        data = create.get("message_data") or {}
        profile = users.get(sender) if isinstance(users.get(sender), dict) else {}
        attachment = data.get("attachment")
        media = attachment.get("media") if isinstance(attachment, dict) else None
        return InboundMessage(
            account=None,
            text=as_text(data.get("text")),
            sender_external_id=sender,
            sender_display_name=_name(profile),
            external_message_id=ident(event["id"]),
            conversation_key=dm_thread(sender, recipient),
            sent_at=from_epoch(event.get("created_timestamp"), "ms"),
            attachments=[_media(media)] if isinstance(media, dict) else [],
        )

    def _tweet(self, tweet: dict, ours: str, *, blocked: bool) -> InboundMessage | None:
        user = tweet["user"]
        author = ident(user.get("id_str") or user.get("id"))
        if author == ours or blocked or "retweeted_status" in tweet:
            return None  # our own tweet, a blocked author, or a plain retweet
        tweet_id = ident(tweet.get("id_str") or tweet.get("id"))
        parent = optional_ident(tweet.get("in_reply_to_status_id_str"))
        extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
        entities = extended.get("extended_entities") or tweet.get("extended_entities") or tweet.get("entities") or {}
        media = entities.get("media") if isinstance(entities, dict) else None
        return InboundMessage(
            account=None,
            text=as_text(extended.get("full_text") or tweet.get("full_text") or tweet.get("text")),
            sender_external_id=author,
            sender_display_name=_name(user),
            external_message_id=tweet_id,
            conversation_key=parent or tweet_id,
            sent_at=_tweet_time(tweet),
            attachments=[_media(m) for m in media if isinstance(m, dict)] if isinstance(media, list) else [],
            reply_to_external_id=parent,
        )

    def send(self, account, outgoing, http) -> Sent:
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        headers = {"Authorization": f"Bearer {account.access_token or ''}"}
        key = outgoing.conversation_key
        if is_dm_thread(key):
            participant = _participant(key, outgoing.recipient_external_id, account.external_account_id)
            response = call(http, "POST", f"{base}/2/dm_conversations/with/{participant}/messages",
                            json={"text": outgoing.text}, headers=headers)
            return Sent(external_id=_data(response).get("dm_event_id"))
        if len(outgoing.text) > TWEET_MAX_TEXT:
            raise PermanentFailure(f"a reply tweet takes at most {TWEET_MAX_TEXT} characters")
        in_reply_to = outgoing.reply_to_external_id or key
        response = call(http, "POST", f"{base}/2/tweets",
                        json={"text": outgoing.text, "reply": {"in_reply_to_tweet_id": in_reply_to}}, headers=headers)
        return Sent(external_id=_data(response).get("id"))


def is_dm_thread(conversation_key: str | None) -> bool:
    return "-" in (conversation_key or "")


def dm_thread(a: str, b: str) -> str:
    """Both participants, smaller id first (numeric order, as X writes dm_conversation_id)."""
    return "-".join(sorted((a, b), key=lambda s: (len(s), s) if s.isdigit() else (0, s)))


def _participant(key: str, recipient: str | None, ours: str | None) -> str:
    parts = key.split("-")
    if recipient and recipient in parts:
        return recipient
    others = [p for p in parts if p != ours]
    if ours and ours in parts and len(others) == 1:
        return others[0]
    raise PermanentFailure(f"cannot tell the other participant of DM thread {key!r}")





def _name(profile) -> str | None:
    if not isinstance(profile, dict):
        return None
    for key in ("name", "screen_name"):
        if isinstance(profile.get(key), str) and profile[key].strip():
            return profile[key]
    return None


def _media(media: dict) -> Attachment:
    url = media.get("media_url_https") or media.get("media_url") or optional_ident(media.get("id_str") or media.get("id"))
    return Attachment(kind=MEDIA_KINDS.get(media.get("type"), "file"), platform_ref=url if isinstance(url, str) else None)


def _tweet_time(tweet: dict) -> dt.datetime | None:
    when = from_epoch(tweet.get("timestamp_ms"), "ms")
    if when is None and isinstance(tweet.get("created_at"), str):
        try:
            when = dt.datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(dt.timezone.utc)
        except ValueError:
            when = None
    return when


def _data(response) -> dict:
    try:
        data = response.json().get("data")
    except (ValueError, AttributeError):
        return {}
    return data if isinstance(data, dict) else {}
