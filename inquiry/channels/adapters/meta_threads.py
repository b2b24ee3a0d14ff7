"""Threads (channels.md §1.7): replies to and mentions of our profile, in Threads' own envelope.

Signed like the other Meta products (the X-Hub-Signature-256 scheme is assumed for Threads,
UNVERIFIED in channels.md). Senders are known by username only; conversations are the root post.
A reply is a text container published through the Threads API (two calls).
"""
from __future__ import annotations

from inquiry.channels.adapters.meta import MetaAdapter, Reading, answer, graph_post, ident, mapping, optional_ident, text_of
from inquiry.channels.base import PermanentFailure, Sent, from_iso, malformed
from inquiry.channels.registry import register
from inquiry.ingest.inbound import InboundMessage

THREADS_BASE = "https://graph.threads.net"
THREADS_VERSION = "v1.0"
INQUIRY_FIELDS = ("replies", "mentions")


@register("threads")
class Threads(MetaAdapter):
    platform = "threads"
    max_text = 500
    api_base = THREADS_BASE

    def read(self, account, body) -> Reading:
        if not isinstance(body, dict) or "values" not in body:
            raise malformed("not a Threads webhook (no values)")
        values = body["values"]
        values = values if isinstance(values, list) else [values]
        reading = Reading()
        for i, item in enumerate(values):
            reading.attempt(f"value {i}", self._value, reading, body, item)
        return reading

    def _value(self, reading: Reading, body: dict, item) -> None:
        item = mapping(item, "values")
        field, value = item.get("field"), mapping(item.get("value"), "value")
        external = ident(value["id"])
        key = f"threads:{str(field)[:20]}:{external}"
        if field not in INQUIRY_FIELDS:
            return reading.ignore(key)  # our own publishes, deletions …
        root = mapping(value.get("root_post") or {}, "root_post")
        author = text_of(value.get("username")) or None
        ours = optional_ident(body.get("target_id"))
        if author and ours and optional_ident(root.get("owner_id")) == ours and author == root.get("username"):
            return reading.ignore(key)  # our own reply under our own post
        text = text_of(value.get("text"))
        if not text.strip():
            return reading.ignore(key)
        parent = optional_ident(mapping(value.get("replied_to") or {}, "replied_to").get("id"))
        reading.parsed.messages.append(InboundMessage(
            account=None,
            text=text,
            sender_external_id=author,
            sender_display_name=author,
            external_message_id=external,
            conversation_key=optional_ident(root.get("id")) or parent or external,
            sent_at=from_iso(value.get("timestamp")),
            reply_to_external_id=parent,
        ))
        reading.key(key)

    def send(self, account, outgoing, http) -> Sent:
        target = outgoing.reply_to_external_id or outgoing.conversation_key
        if not target:
            raise PermanentFailure("no Threads post to reply to")
        base = f"{self.base_url(account)}/{THREADS_VERSION}/me"
        token = {"access_token": account.access_token}
        created = graph_post(http, f"{base}/threads", account, bearer=False, data={
            "media_type": "TEXT", "text": outgoing.text, "reply_to_id": target, **token})
        container = optional_ident(answer(created).get("id"))
        if container is None:
            raise PermanentFailure("Threads created no reply container")
        published = graph_post(http, f"{base}/threads_publish", account, bearer=False,
                               data={"creation_id": container, **token})
        return Sent(external_id=optional_ident(answer(published).get("id")))
