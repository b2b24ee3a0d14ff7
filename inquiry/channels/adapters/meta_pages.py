"""Facebook Page, Messenger and Instagram (channels.md §1.4–1.6): DMs and public comments.

DMs arrive in ``entry[].messaging[]`` (or ``standby[]`` while another app holds the thread, or
in ``changes[]`` with field "messages" from the App Dashboard's test button) and are threaded per
sender as ``<page or IG account id>:<PSID/IGSID>``; comments arrive in ``entry[].changes[]`` and
are threaded per post or media (a key without a colon). ``send`` tells the two apart by that colon.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import quote

from inquiry.channels.adapters.meta import (
    GRAPH_VERSION, MetaAdapter, Reading, answer, envelope, graph_post, ident, listing, mapping, optional_ident,
    text_of, when,
)
from inquiry.channels.base import PermanentFailure, Sent, StatusUpdate
from inquiry.channels.registry import register
from inquiry.ingest.inbound import Attachment, InboundMessage

DAY = dt.timedelta(hours=24)
ATTACHMENT_KINDS = {"image": "image", "audio": "audio", "video": "video", "file": "file", "reel": "video",
                    "ig_reel": "video", "sticker": "sticker", "location": "location", "story_mention": "story",
                    "share": "link", "fallback": "link", "template": "link"}
VISITOR_POSTS = ("status", "post", "photo", "video")


def is_direct(conversation_key: str | None) -> bool:
    """DM threads are ``account:user``; comment threads are a post or media id."""
    return ":" in (conversation_key or "")


class PageFamily(MetaAdapter):
    """Shared by the Page products and Instagram: messaging events and the send paths."""

    envelope_object = ""
    comment_max_text = 8000
    comment_edge = "comments"  # Graph edge that answers a comment: Facebook "comments", Instagram "replies"
    reply_window = DAY

    def reply_rules(self, conversation_key):
        if is_direct(conversation_key):
            return self.max_text, self.reply_window
        return self.comment_max_text, None

    def read(self, account, body) -> Reading:
        reading = Reading()
        for e, entry in enumerate(envelope(body, self.envelope_object)):
            reading.attempt(f"entry {e}", self._entry, reading, entry, e)
        return reading

    def _entry(self, reading: Reading, entry, e: int) -> None:
        entry = mapping(entry, "entry")
        for name in ("messaging", "standby"):
            for i, event in enumerate(listing(entry.get(name), name)):
                reading.attempt(f"entry {e} {name} {i}", self._messaging, reading, entry, event)
        for i, change in enumerate(listing(entry.get("changes"), "changes")):
            reading.attempt(f"entry {e} change {i}", self._change, reading, entry, change)

    def _change(self, reading: Reading, entry: dict, change) -> None:
        change = mapping(change, "change")
        if change.get("field") == "messages":  # the dashboard's test DM: a messaging event in value
            self._messaging(reading, entry, change.get("value"))
        else:
            self.comment(reading, entry, change.get("field"), mapping(change.get("value"), "value"))

    def comment(self, reading: Reading, entry: dict, field, value: dict) -> None:
        reading.ignore()

    def _messaging(self, reading: Reading, entry: dict, event) -> None:
        event = mapping(event, "messaging event")
        sender = ident(mapping(event.get("sender"), "sender")["id"])
        recipient = mapping(event.get("recipient") or {}, "recipient").get("id")
        ours = optional_ident(recipient) or ident(entry.get("id"))
        if "message" in event or "message_edit" in event:
            edit = "message" not in event
            message = mapping(event.get("message_edit" if edit else "message"), "message")
            mid = ident(message["mid"])
            if message.get("is_echo") or sender == ours or message.get("is_deleted"):
                return reading.ignore("echo:" + mid)  # our own replies, or an unsent message
            inbound = self._direct(message, sender, ours, event.get("timestamp"), edit=edit)
            if inbound is None:
                return reading.ignore("mid:" + mid)
            reading.parsed.messages.append(inbound)
            return reading.key(f"edit:{mid}:{message.get('num_edit')}" if edit else "mid:" + mid)
        if "delivery" in event:  # Messenger's delivery receipt names our mids
            delivery = mapping(event["delivery"], "delivery")
            at = when(delivery.get("watermark")) or when(event.get("timestamp"))
            mids = [ident(mid) for mid in listing(delivery.get("mids"), "mids")]
            reading.parsed.statuses.extend(StatusUpdate(mid, "delivered", at) for mid in mids)
            if not mids:
                reading.parsed.ignored += 1
            return reading.key(None if not mids else "delivered:" + ",".join(mids))
        reading.ignore()  # reads, reactions, postbacks, referrals …

    def _direct(self, message: dict, sender: str, ours: str, timestamp, *, edit: bool) -> InboundMessage | None:
        attachments = [_attachment(item) for item in listing(message.get("attachments"), "attachments")]
        reply_to = mapping(message.get("reply_to") or {}, "reply_to")
        story = reply_to.get("story")
        if isinstance(story, dict):  # an Instagram story reply: the story is what they answer
            attachments.append(Attachment(kind="story", platform_ref=optional_ident(story.get("url") or story.get("id"))))
        text = text_of(message.get("text"))
        if not text.strip() and not attachments:
            return None  # nothing to read (a "like" heart, an empty edit)
        return InboundMessage(
            account=None,
            text=text,
            sender_external_id=sender,
            sender_display_name=None,  # not in Meta's payload; resolved later through the Graph API
            external_message_id=ident(message["mid"]),
            conversation_key=f"{ours}:{sender}",
            sent_at=when(timestamp),
            attachments=attachments,
            reply_to_external_id=optional_ident(reply_to.get("mid")),
            is_edit=edit,
        )

    def send(self, account, outgoing, http) -> Sent:
        base = self.base_url(account)
        if is_direct(outgoing.conversation_key):
            recipient = outgoing.conversation_key.rsplit(":", 1)[1] or outgoing.recipient_external_id
            if not recipient:
                raise PermanentFailure("no PSID/IGSID to send to")
            response = graph_post(http, f"{base}/{GRAPH_VERSION}/me/messages", account, json={
                "recipient": {"id": recipient},
                "messaging_type": "RESPONSE",
                "message": {"text": outgoing.text},
            })
            return Sent(external_id=optional_ident(answer(response).get("message_id")))
        target = outgoing.reply_to_external_id or outgoing.conversation_key
        if not target:
            raise PermanentFailure("no comment or post to reply to")
        response = graph_post(http, f"{base}/{GRAPH_VERSION}/{quote(target, safe='')}/{self.comment_edge}", account,
                              json={"message": outgoing.text})
        return Sent(external_id=optional_ident(answer(response).get("id")))


@register("facebook")
class FacebookPage(PageFamily):
    """A Facebook Page: Messenger DMs to the Page and comments/visitor posts on its feed."""

    platform = "facebook"
    envelope_object = "page"
    max_text = 2000

    def comment(self, reading, entry, field, value):
        page = optional_ident(entry.get("id"))
        item, verb = value.get("item"), value.get("verb")
        author = mapping(value.get("from") or {}, "from")
        sender = optional_ident(author.get("id"))
        if field != "feed" or verb not in ("add", "edited"):
            return reading.ignore()  # reactions, likes, shares, removals, hides …
        if item == "comment":
            external, key = ident(value["comment_id"]), "comment"
        elif item in VISITOR_POSTS and value.get("post_id"):
            external, key = ident(value["post_id"]), "post"
        else:
            return reading.ignore()
        key = f"{key}:{external}:{verb}"
        if sender is not None and sender == page:
            return reading.ignore(key)  # the Page commenting on (or posting to) itself
        text = text_of(value.get("message"))
        if verb == "edited":  # each edit is new news; a redelivery of one edit is not
            key += ":" + hashlib.sha256(text.encode()).hexdigest()[:16]
        post = ident(value.get("post_id") or external)
        parent = optional_ident(value.get("parent_id"))
        attachments = [Attachment(kind=kind, platform_ref=value[kind])
                       for kind in ("photo", "video") if isinstance(value.get(kind), str) and value[kind]]
        if item != "comment" and isinstance(value.get("link"), str) and value["link"]:
            attachments.append(Attachment(kind="link", platform_ref=value["link"]))
        if not text.strip() and not attachments:
            return reading.ignore(key)
        reading.parsed.messages.append(InboundMessage(
            account=None,
            text=text,
            sender_external_id=sender,
            sender_display_name=text_of(author.get("name")) or None,
            external_message_id=external,
            conversation_key=post,
            sent_at=when(value.get("created_time")),
            attachments=attachments,
            reply_to_external_id=parent if parent and parent != post else None,
            is_edit=verb == "edited",
        ))
        reading.key(key)


@register("messenger")
class Messenger(FacebookPage):
    """The same Page webhooks, for an account set up as the Page's Messenger inbox."""

    platform = "messenger"


@register("instagram")
class Instagram(PageFamily):
    """An Instagram professional account: DMs and comments (and live comments) on its media."""

    platform = "instagram"
    envelope_object = "instagram"
    max_text = 1000
    comment_max_text = 2200  # Instagram's own cap on a comment's length
    comment_edge = "replies"

    def comment(self, reading, entry, field, value):
        if field not in ("comments", "live_comments"):
            return reading.ignore()  # mentions, story insights … carry no text to answer
        external = ident(value["id"])
        author = mapping(value.get("from") or {}, "from")
        sender = optional_ident(author.get("id"))
        key = "comment:" + external
        if sender is not None and sender == optional_ident(entry.get("id")):
            return reading.ignore(key)  # our own replies come back as comments too
        text = text_of(value.get("text"))
        if not text.strip():
            return reading.ignore(key)
        media = mapping(value.get("media") or {}, "media")
        reading.parsed.messages.append(InboundMessage(
            account=None,
            text=text,
            sender_external_id=sender,
            sender_display_name=text_of(author.get("username")) or None,
            external_message_id=external,
            conversation_key=optional_ident(media.get("id")) or external,
            sent_at=when(entry.get("time")),  # the comment itself carries no time
            reply_to_external_id=optional_ident(value.get("parent_id")),
        ))
        reading.key(key)


def _attachment(item) -> Attachment:
    item = mapping(item, "attachment")
    kind = item.get("type")
    payload = mapping(item.get("payload") or {}, "payload")
    ref = payload.get("url") or payload.get("sticker_id") or payload.get("id")
    return Attachment(kind=ATTACHMENT_KINDS.get(kind, "file") if isinstance(kind, str) else "file",
                      platform_ref=optional_ident(ref) if ref is not None else None,
                      caption=text_of(payload.get("title")) or None)
