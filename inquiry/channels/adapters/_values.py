"""Reading platform fields defensively: ids must be strings or integers, never whatever a mutated
payload put there (a dict's repr is not an id). Shared by the platform adapters; registers nothing.
"""
from __future__ import annotations

import hashlib
import json

ID_LIMIT = 255  # the width of Message.external_id and Ticket.conversation_key


def ident(value) -> str:
    """A platform id as an exact string (integers beyond 2^53 stay exact); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"not an id: {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise ValueError("empty id")
    return text


def optional_ident(value) -> str | None:
    try:
        return ident(value)
    except ValueError:
        return None


def text(value) -> str:
    return value if isinstance(value, str) else ""


def obj(value) -> dict:
    """A JSON object, or an empty one when the field is absent or of another type."""
    return value if isinstance(value, dict) else {}


def fit(value: str, limit: int = ID_LIMIT) -> str:
    """Keep an id within the column; a longer one is replaced by a stable digest of itself."""
    if len(value) <= limit:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def nested_json(value):
    """A field that carries JSON inside a string (TikTok's and Douyin's ``content``): parsed again;
    an object already parsed is taken as is; unreadable text gives None."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
