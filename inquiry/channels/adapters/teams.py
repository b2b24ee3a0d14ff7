"""Microsoft Teams through the Bot Framework (channels.md §11): an RS256 JWT, no body HMAC.

The token is checked offline against the signing keys configured on the account
(``options["jwks"]``, the JWKS document of login.botframework.com, refreshed by an operator when
keys rotate): issuer, audience (our Microsoft App ID, the account's ``external_account_id``),
expiry with 5 minutes of skew, the ``serviceurl`` claim against the activity's ``serviceUrl``,
and the key's endorsements against the activity's ``channelId``. Any failure is 403.

Replies go to the activity's ``serviceUrl``, so the conversation key carries it:
``<conversation id>|<serviceUrl>``.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import jwt

from inquiry.channels.adapters._values import fit, ident, obj, optional_ident, text
from inquiry.channels.base import (Adapter, Parsed, PermanentFailure, Rejected, Sent, from_iso, load_json,
                                   malformed)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.ingest.inbound import Attachment, InboundMessage

ISSUER = "https://api.botframework.com"
LEEWAY_SECONDS = 300
SEPARATOR = "|"
MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
# Teams repeats the message as an HTML attachment and sends cards; neither is a file the sender attached.
NOT_FILES = ("text/html", "application/vnd.microsoft.card.")


def forbidden(reason: str) -> Rejected:
    return Rejected(403, reason)


def strip_mentions(value: str) -> str:
    """``<at>Outreach Desk</at> when is the webinar?`` → ``when is the webinar?``"""
    return re.sub(r"[ \t]{2,}", " ", MENTION.sub("", value)).strip()


@register("microsoft-teams")
class Teams(Adapter):
    platform = "microsoft-teams"
    max_text = 25000  # Teams refuses messages over about 28 KB
    deadline_seconds = 15

    def authenticate(self, account, request):
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise forbidden("no bearer token")
        if not account.external_account_id:
            raise forbidden("account has no Microsoft App ID configured")
        key = _signing_key(account, token.strip())
        try:
            claims = jwt.decode(
                token.strip(), key=jwt.PyJWK(key).key, algorithms=["RS256"], audience=account.external_account_id,
                issuer=ISSUER, leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise forbidden(f"invalid token: {type(exc).__name__}") from None
        activity = load_json(request.body)
        if not isinstance(activity, dict):
            raise malformed("not a Bot Framework activity")
        if (claims.get("serviceurl") or claims.get("serviceUrl")) != activity.get("serviceUrl"):
            raise forbidden("serviceUrl claim does not match the activity")
        endorsements = key.get("endorsements")
        if isinstance(endorsements, list) and activity.get("channelId") not in endorsements:
            raise forbidden("signing key is not endorsed for this channel")

    def delivery_key(self, account, request):
        activity = load_json(request.body)
        if not isinstance(activity, dict):
            return None
        activity_id = optional_ident(activity.get("id"))
        conversation = optional_ident(obj(activity.get("conversation")).get("id"))
        return fit(f"activity:{conversation}:{activity_id}") if activity_id else None

    def parse(self, account, request) -> Parsed:
        activity = load_json(request.body)
        if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
            raise malformed("not a Bot Framework activity (no type)")
        parsed = Parsed()
        if activity["type"] != "message":
            parsed.ignored += 1  # conversationUpdate, messageReaction, invoke, typing …
            return parsed
        try:
            parsed.messages.append(self._message(activity))
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"activity {activity.get('id')!r}: unreadable ({exc!r})")
        return parsed

    def _message(self, activity: dict) -> InboundMessage:
        conversation = ident(obj(activity.get("conversation"))["id"])
        service_url = text(activity.get("serviceUrl"))
        if not service_url or SEPARATOR in service_url or SEPARATOR in conversation:
            raise ValueError("missing or unusable serviceUrl / conversation id")
        key = f"{conversation}{SEPARATOR}{service_url}"
        if len(key) > 255:
            raise ValueError("conversation id and serviceUrl too long to keep")
        sender = obj(activity.get("from"))
        attachments = [
            Attachment(kind="image" if text(a.get("contentType")).startswith("image/") else "file",
                       platform_ref=text(a.get("contentUrl")) or None, mime=text(a.get("contentType")) or None,
                       caption=text(a.get("name")) or None)
            for a in map(obj, activity.get("attachments") if isinstance(activity.get("attachments"), list) else [])
            if a and not text(a.get("contentType")).startswith(NOT_FILES)
        ]
        reply_to = optional_ident(activity.get("replyToId"))
        return InboundMessage(
            account=None,
            text=strip_mentions(text(activity.get("text"))),
            sender_external_id=ident(sender["id"]),
            sender_display_name=text(sender.get("name")) or None,
            external_message_id=fit(f"{conversation}:{ident(activity['id'])}"),
            conversation_key=key,
            sent_at=from_iso(activity.get("timestamp")),
            attachments=attachments,
            reply_to_external_id=fit(f"{conversation}:{reply_to}") if reply_to else None,
        )

    def send(self, account, outgoing, http) -> Sent:
        conversation, sep, service_url = outgoing.conversation_key.rpartition(SEPARATOR)
        if not sep or not service_url:
            raise PermanentFailure("conversation key has no Bot Framework serviceUrl")
        activity = {"type": "message", "text": outgoing.text, "textFormat": "plain"}
        prefix = conversation + ":"
        if outgoing.reply_to_external_id and outgoing.reply_to_external_id.startswith(prefix):
            activity["replyToId"] = outgoing.reply_to_external_id[len(prefix):]
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation, safe='')}/activities"
        response = call(http, "POST", url, json=activity, headers={"Authorization": f"Bearer {account.access_token or ''}"})
        try:
            sent_id = optional_ident(obj(response.json()).get("id"))
        except ValueError:
            sent_id = None
        return Sent(external_id=fit(f"{conversation}:{sent_id}") if sent_id else None)


def _signing_key(account, token: str) -> dict:
    """The configured JWK named by the token's ``kid`` (no network: keys live on the account)."""
    configured = (account.options or {}).get("jwks")
    try:
        keys = json.loads(configured) if isinstance(configured, str) else configured
        header = jwt.get_unverified_header(token)
    except (ValueError, jwt.PyJWTError):
        raise forbidden("signing keys or token header unreadable") from None
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise forbidden("account has no signing keys (options.jwks) configured")
    if header.get("alg") != "RS256":
        raise forbidden("token is not RS256")
    for key in keys["keys"]:
        if isinstance(key, dict) and key.get("kid") == header.get("kid") and key.get("kty") == "RSA":
            return key
    raise forbidden("token signed with an unknown key")
