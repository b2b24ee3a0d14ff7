"""YouTube comments (channels.md §12): no comment webhooks, so a poller on ``commentThreads.list``.

Each poll asks for the channel's newest comment threads (``allThreadsRelatedToChannelId`` = the
account's ``external_account_id``, newest first) and takes top-level comments published at or
after the cursor — the newest ``publishedAt`` seen so far. The comment at the cursor itself comes
back once more and is dropped by the message dedupe (the comment id), which is what keeps a second
comment published in that same second from being lost. A thread is a conversation; replies are
posted into it with ``comments.insert``. Reads use the OAuth token when there is one, else the
API key in ``options["api_key"]``; replies need the token.
"""
from __future__ import annotations

import logging

from inquiry.channels.adapters._values import ident, obj, optional_ident, text
from inquiry.channels.base import Adapter, PermanentFailure, Rejected, Sent, TemporaryFailure, from_iso, malformed
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.ingest.inbound import InboundMessage

log = logging.getLogger(__name__)

DEFAULT_API = "https://www.googleapis.com"
MAX_PAGES = 5  # per poll; a first poll of a busy channel takes the newest 500 threads


@register("youtube")
class YouTube(Adapter):
    platform = "youtube"
    max_text = 10000

    def authenticate(self, account, request):
        raise Rejected(404, "YouTube sends no comment webhooks; comments are polled")

    def parse(self, account, request):
        raise malformed("YouTube comments are polled, not delivered")

    def poll(self, account, http, cursor: str | None):
        """New top-level comments since ``cursor``; returns (messages, new cursor)."""
        if not account.external_account_id:
            raise PermanentFailure("YouTube account has no channel id (external account id)")
        since = from_iso(cursor)
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        params = {"allThreadsRelatedToChannelId": account.external_account_id or "", "part": "snippet",
                  "order": "time", "maxResults": 100, "textFormat": "plainText"}
        headers = {}
        if account.access_token:
            headers["Authorization"] = f"Bearer {account.access_token}"
        elif (account.options or {}).get("api_key"):
            params["key"] = account.options["api_key"]
        else:
            raise PermanentFailure("YouTube account has neither an access token nor an API key")
        messages, newest = [], since
        for _ in range(MAX_PAGES):
            page = _page(call(http, "GET", f"{base}/youtube/v3/commentThreads", params=params, headers=headers))
            reached_cursor = False
            for thread in page.get("items") if isinstance(page.get("items"), list) else []:
                try:
                    message = self._message(obj(thread))
                except (KeyError, TypeError, ValueError) as exc:
                    log.warning("YouTube account %s: unreadable comment thread (%r)", account.id, exc)
                    continue
                if since is not None and message.sent_at < since:
                    reached_cursor = True  # newest first: everything after this was taken before
                    break
                newest = max(newest, message.sent_at) if newest else message.sent_at
                if message.sender_external_id != account.external_account_id:  # not our own comment
                    messages.append(message)
            token = page.get("nextPageToken")
            if reached_cursor or not isinstance(token, str) or not token:
                break
            params["pageToken"] = token
        return messages, newest.isoformat() if newest else cursor

    def _message(self, thread: dict) -> InboundMessage:
        comment = obj(obj(thread.get("snippet")).get("topLevelComment"))
        snippet = obj(comment.get("snippet"))
        published = from_iso(snippet.get("publishedAt"))
        if published is None:
            raise ValueError("comment without a readable publishedAt")
        author = optional_ident(obj(snippet.get("authorChannelId")).get("value"))
        name = text(snippet.get("authorDisplayName")) or None
        return InboundMessage(
            account=None,
            text=text(snippet.get("textOriginal")) or text(snippet.get("textDisplay")),
            sender_external_id=author or (f"name:{name}" if name else None),
            sender_display_name=name,
            external_message_id=ident(comment["id"]),
            conversation_key=ident(thread["id"]),
            sent_at=published,
        )

    def send(self, account, outgoing, http) -> Sent:
        if not account.access_token:
            raise PermanentFailure("replying on YouTube needs an OAuth access token on the account")
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        response = call(http, "POST", f"{base}/youtube/v3/comments", params={"part": "snippet"},
                        headers={"Authorization": f"Bearer {account.access_token}"},
                        json={"snippet": {"parentId": outgoing.conversation_key, "textOriginal": outgoing.text}})
        return Sent(external_id=optional_ident(_json(response).get("id")))


def _json(response) -> dict:
    try:
        return obj(response.json())
    except ValueError:
        return {}


def _page(response) -> dict:
    """A page of the listing; anything but a JSON object is an outage to retry, not an empty page."""
    page = _json(response)
    if not page:
        raise TemporaryFailure(f"YouTube answered {response.status_code} without a JSON listing")
    return page
