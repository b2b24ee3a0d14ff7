"""Reddit inbox (channels.md §12): Reddit has no webhooks, so a poller on ``/message/inbox``.

Private messages (``t4``) and replies to our comments or posts (``t1``) become inquiries. The
cursor is the fullname of the newest item taken; the next poll asks for what came ``before`` it
(Reddit lists newest first). A first poll pages back with ``after`` up to a bound. A private
message thread is a conversation (``first_message_name``); comment replies are one conversation
per post and author. Replies go to ``/api/comment`` on the sender's last item. The account's
``external_account_id`` is our username (our own items are skipped); Reddit wants a descriptive
User-Agent (``options["user_agent"]`` or one naming that username).
"""
from __future__ import annotations

import logging

from inquiry.channels.adapters._values import ident, obj, optional_ident, text
from inquiry.channels.base import (Adapter, PermanentFailure, Rejected, Sent, TemporaryFailure, from_epoch,
                                   malformed)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.ingest.inbound import InboundMessage

log = logging.getLogger(__name__)

DEFAULT_API = "https://oauth.reddit.com"
PAGE = 100
MAX_PAGES = 5
REPLYABLE = ("t1_", "t4_")


@register("reddit")
class Reddit(Adapter):
    platform = "reddit"
    max_text = 10000

    def authenticate(self, account, request):
        raise Rejected(404, "Reddit has no webhooks; the inbox is polled")

    def parse(self, account, request):
        raise malformed("the Reddit inbox is polled, not delivered")

    def poll(self, account, http, cursor: str | None):
        """Inbox items newer than ``cursor`` (a fullname); returns (messages, new cursor)."""
        if not account.access_token:
            raise PermanentFailure("Reddit account has no OAuth access token")  # unconfigured: no call
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        headers = _headers(account)
        messages, newest = [], cursor
        anchor = {"before": cursor} if cursor else {}
        for _ in range(MAX_PAGES):
            listing = _listing(call(http, "GET", f"{base}/message/inbox", headers=headers,
                                    params={"limit": PAGE, "raw_json": 1, **anchor}))
            children = [obj(child) for child in listing.get("children") or [] if isinstance(child, dict)]
            names = [optional_ident(obj(child.get("data")).get("name")) for child in children]
            if names and names[0] and (cursor is not None or newest is None):
                newest = names[0]  # the newest item: first of each newer page, or of the first page
            messages.extend(m for m in (self._item(account, child) for child in children) if m is not None)
            if cursor:  # going newer: continue only after a full page
                if len(children) < PAGE or not names or not names[0]:
                    break
                anchor = {"before": names[0]}
            else:  # first poll: going older
                after = optional_ident(listing.get("after"))
                if not after:
                    break
                anchor = {"after": after}
        return messages, newest

    def _item(self, account, child: dict) -> InboundMessage | None:
        kind, data = child.get("kind"), obj(child.get("data"))
        if kind not in ("t1", "t4"):
            return None
        author = text(data.get("author"))
        if author and account.external_account_id and author.lower() == account.external_account_id.lower():
            return None  # our own message
        try:
            name = ident(data["name"])
            if kind == "t4":
                conversation = optional_ident(data.get("first_message_name")) or name
            else:
                conversation = f"{ident(data['link_id'])}:{author or '[deleted]'}"
            return InboundMessage(
                account=None,
                text=text(data.get("body")),
                subject=text(data.get("subject")) if kind == "t4" else "",
                sender_external_id=author or None,
                sender_display_name=author or None,
                external_message_id=name,
                conversation_key=conversation,
                sent_at=from_epoch(data.get("created_utc")),
                reply_to_external_id=optional_ident(data.get("parent_id")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("Reddit account %s: unreadable inbox item (%r)", account.id, exc)
            return None

    def send(self, account, outgoing, http) -> Sent:
        thing = next((t for t in (outgoing.reply_to_external_id, outgoing.conversation_key)
                      if t and t.startswith(REPLYABLE)), None)
        if thing is None:
            raise PermanentFailure("nothing on Reddit to reply to (no t1_/t4_ fullname)")
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        response = call(http, "POST", f"{base}/api/comment", headers=_headers(account),
                        data={"thing_id": thing, "text": outgoing.text, "api_type": "json"})
        try:
            answer = obj(obj(response.json()).get("json"))
        except ValueError:
            answer = {}
        errors = answer.get("errors") if isinstance(answer.get("errors"), list) else []
        if errors:
            detail = "Reddit refused the reply: " + "; ".join(" ".join(map(str, e)) if isinstance(e, list) else str(e) for e in errors)
            retry = any(isinstance(e, list) and e and e[0] == "RATELIMIT" for e in errors)
            raise TemporaryFailure(detail) if retry else PermanentFailure(detail)
        things = obj(answer.get("data")).get("things")
        first = obj(things[0]) if isinstance(things, list) and things else {}
        return Sent(external_id=optional_ident(obj(first.get("data")).get("name")))


def _headers(account) -> dict:
    agent = (account.options or {}).get("user_agent") or f"python:inquiry-helpdesk:0.1 (by /u/{account.external_account_id or 'unknown'})"
    return {"Authorization": f"Bearer {account.access_token or ''}", "User-Agent": agent}


def _listing(response) -> dict:
    """The ``data`` of a Listing; anything else is an outage to retry, not an empty inbox."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("kind") != "Listing" or not isinstance(body.get("data"), dict):
        raise TemporaryFailure(f"Reddit answered {response.status_code} without a Listing")
    return body["data"]
