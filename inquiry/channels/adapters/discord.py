"""Discord interactions (channels.md §6): Ed25519 over timestamp + body with the app's public key.

Ordinary Discord chat is Gateway-only, so inquiries come in as slash commands (``/ask text:…``)
and modal submissions. PING is answered ``{"type":1}`` after the signature check (Discord sends
deliberately bad signatures to test us). The HTTP answer to a command is an ephemeral thank-you
(type 4, flags 64); replies are follow-ups on the interaction's webhook, valid for 15 minutes.

What send needs travels with the message: the external id is ``<interaction id>:<token>``, and
the outbox hands the last inbound message's id to ``send``. The application id is the account's
``external_account_id``; ``signing_secret`` holds the public key (hex).

Guild channels are shared by everyone in them, so a conversation is one user in one channel
(``<guild>:<channel>:<user>``); a DM is its channel id.
"""
from __future__ import annotations

import datetime as dt
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from inquiry.channels.adapters._values import ID_LIMIT, ident, obj, optional_ident, text
from inquiry.channels.base import posted_object
from inquiry.channels.base import (Adapter, Parsed, PermanentFailure, Rejected, Reply, Sent, from_epoch, load_json,
                                   malformed, unauthorized)
from inquiry.channels.http import call
from inquiry.channels.registry import register
from inquiry.ingest.inbound import InboundMessage

DEFAULT_API = "https://discord.com"
TOLERANCE_SECONDS = 300
DISCORD_EPOCH_MS = 1420070400000
PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL = 1, 2, 3, 4, 5
EPHEMERAL = 64
STRING_OPTION, TEXT_INPUT = 3, 4
THANKS = "Thank you — your question has reached our desk. We will answer here within 15 minutes if we can."
NO_TEXT = "Please write your question in the command's text field."


def snowflake_time(snowflake) -> dt.datetime | None:
    """When a snowflake id was made: ``(id >> 22) + 1420070400000`` ms since the Unix epoch."""
    try:
        return from_epoch((int(ident(snowflake)) >> 22) + DISCORD_EPOCH_MS, "ms")
    except ValueError:
        return None


def signature_ok(public_key_hex: str, timestamp: str, body: bytes, signature_hex: str | None) -> bool:
    if not signature_hex or not timestamp:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
            bytes.fromhex(signature_hex), timestamp.encode("utf-8") + body)
        return True
    except (InvalidSignature, ValueError):
        return False


@register("discord")
class Discord(Adapter):
    platform = "discord"
    max_text = 2000
    reply_window = dt.timedelta(minutes=15)  # interaction tokens expire after 15 minutes
    clock = staticmethod(time.time)

    def handshake(self, account, request):
        body = posted_object(request)
        if body is not None and body.get("type") == PING:
            self.authenticate(account, request)
            return Reply.json({"type": PING})
        return None

    def authenticate(self, account, request):
        if not account.signing_secret:
            raise unauthorized("account has no application public key configured")
        stamp = request.header("X-Signature-Timestamp") or ""
        if not stamp.isdigit() or abs(self.clock() - int(stamp)) > TOLERANCE_SECONDS:
            raise unauthorized("signature timestamp missing or outside the 300 s window")
        if not signature_ok(account.signing_secret, stamp, request.body, request.header("X-Signature-Ed25519")):
            raise unauthorized("bad signature")

    def delivery_key(self, account, request):
        body = load_json(request.body)
        interaction = optional_ident(body.get("id")) if isinstance(body, dict) else None
        return f"interaction:{interaction}" if interaction else None

    def parse(self, account, request) -> Parsed:
        body = load_json(request.body)
        if not isinstance(body, dict) or isinstance(body.get("type"), bool) or not isinstance(body.get("type"), int):
            raise malformed("not a Discord interaction (no integer type)")
        parsed = Parsed()
        if body["type"] not in (COMMAND, MODAL):
            parsed.ignored += 1  # components, autocomplete: not inquiries
            return parsed
        try:
            message = self._message(body)
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"interaction {body.get('id')!r}: unreadable ({exc!r})")
            return parsed
        if message.text.strip():
            parsed.messages.append(message)
        else:
            parsed.ignored += 1  # a command without a text option carries no question
        return parsed

    def _message(self, body: dict) -> InboundMessage:
        interaction = ident(body["id"])
        user = obj(obj(body.get("member")).get("user")) or obj(body.get("user"))
        user_id = ident(user["id"])
        guild, channel = optional_ident(body.get("guild_id")), optional_ident(body.get("channel_id"))
        if guild and channel:
            conversation = f"{guild}:{channel}:{user_id}"
        else:
            conversation = channel or f"user:{user_id}"
        data = obj(body.get("data"))
        values = _option_values(data.get("options")) if body["type"] == COMMAND else _input_values(data.get("components"))
        token = text(body.get("token"))
        external = f"{interaction}:{token}" if token and len(interaction) + 1 + len(token) <= ID_LIMIT else interaction
        return InboundMessage(
            account=None,
            text="\n".join(values),
            sender_external_id=user_id,
            sender_display_name=text(user.get("global_name")) or text(user.get("username")) or None,
            external_message_id=external,
            conversation_key=conversation,
            sent_at=snowflake_time(interaction),  # (``locale`` is the client's UI language, not the text's)
        )

    def acknowledge(self, account, request, parsed):
        try:
            kind = obj(load_json(request.body)).get("type")
        except Rejected:
            kind = None
        if kind == COMPONENT:
            return Reply.json({"type": 6})  # deferred update: leave the message as it is
        if kind == AUTOCOMPLETE:
            return Reply.json({"type": 8, "data": {"choices": []}})
        words = (account.options or {}).get("acknowledgement") or THANKS
        return Reply.json({"type": 4, "data": {"content": words if parsed.messages else NO_TEXT, "flags": EPHEMERAL,
                                                "allowed_mentions": {"parse": []}}})

    def send(self, account, outgoing, http) -> Sent:
        interaction, _, token = (outgoing.reply_to_external_id or "").partition(":")
        if not token:
            raise PermanentFailure("no Discord interaction token kept for this conversation; the user must ask again")
        application = account.external_account_id or (account.options or {}).get("application_id")
        if not application:
            raise PermanentFailure("Discord account has no application id (external account id)")
        base = (account.api_base_url or DEFAULT_API).rstrip("/")
        response = call(http, "POST", f"{base}/api/v10/webhooks/{application}/{token}", json={
            "content": outgoing.text, "flags": EPHEMERAL, "allowed_mentions": {"parse": []},
        })
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return Sent(external_id=optional_ident(obj(answer).get("id")))


def _option_values(options, depth: int = 0) -> list[str]:
    """String option values of a command, subcommands included."""
    values = []
    for option in options if isinstance(options, list) and depth < 4 else []:
        option = obj(option)
        if option.get("type") == STRING_OPTION and isinstance(option.get("value"), str):
            values.append(option["value"])
        values.extend(_option_values(option.get("options"), depth + 1))
    return values


def _input_values(components, depth: int = 0) -> list[str]:
    """Text-input values of a modal, whatever rows or labels wrap them (nesting UNVERIFIED)."""
    values = []
    for component in components if isinstance(components, list) and depth < 4 else []:
        component = obj(component)
        if component.get("type") == TEXT_INPUT and isinstance(component.get("value"), str):
            values.append(component["value"])
        values.extend(_input_values(component.get("components"), depth + 1))
        if isinstance(component.get("component"), dict):
            values.extend(_input_values([component["component"]], depth + 1))
    return values
