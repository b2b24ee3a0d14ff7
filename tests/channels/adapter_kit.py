"""Shared by the X, LINE, Viber, VK and WeChat adapter tests: stand-in accounts, wire encoding,
hypothesis strategies for random and mutated payloads, the parse contract, and outbox helpers."""
from __future__ import annotations

import datetime as dt
import json
import os
from types import SimpleNamespace

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from inquiry.channels.base import Parsed, Rejected
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.outbound import dispatch

# INQUIRY_FUZZ_EXAMPLES=5000 for a long local run.
SETTINGS = settings(max_examples=int(os.environ.get("INQUIRY_FUZZ_EXAMPLES", "100")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# One sentence per script the desk sees: accents, emoji (outside the BMP), Arabic, Chinese.
WORLD_TEXT = "Señora Müller 👮‍♀️🚨 — هل يمكنني الإبلاغ؟ 请问如何举报诈骗？"


def account(platform: str, **fields):
    """A stand-in for ChannelAccount: adapters only read these attributes."""
    values = dict(platform=platform, name="Outreach Desk", signing_secret=None, verify_token=None, access_token="token-1",
                  api_base_url=None, external_account_id=None, options={})
    values.update(fields)
    return SimpleNamespace(**values)


def escaped(payload) -> bytes:
    """Compact JSON with every non-ASCII character as \\uXXXX (emoji as surrogate pairs), the way
    these platforms put it on the wire."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def reserialised(body: bytes) -> bytes:
    """What a careless receiver would hash: the parsed body dumped again."""
    return json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")


def json_values(vocabulary: list[str], literals: list[str]):
    """Random JSON whose keys and strings are often the ones the parser looks for."""
    leaves = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats()
              | st.text(max_size=12) | st.sampled_from(literals))
    keys = st.sampled_from(vocabulary) | st.text(max_size=6)
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
                        max_leaves=40)


def mutate(data, value, values, depth: int = 0):
    """``value`` with random parts replaced by random JSON, dropped, or (for lists) duplicated."""
    roll = data.draw(st.integers(0, 9))
    if roll == 0 and depth:
        return data.draw(values)
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if data.draw(st.integers(0, 6))}
        return {k: mutate(data, v, values, depth + 1) for k, v in kept.items()}
    if isinstance(value, list):
        items = [mutate(data, v, values, depth + 1) for v in value]
        return items + items[:1] if roll == 1 else items
    return value


def check_contract(adapter, acct, request) -> Parsed | None:
    """parse() returns a well-typed Parsed or raises Rejected; delivery_key() likewise."""
    try:
        parsed = adapter.parse(acct, request)
    except Rejected as refused:
        assert refused.status in (400, 401, 403)
        return None
    assert isinstance(parsed, Parsed)
    for message in parsed.messages:
        assert isinstance(message, InboundMessage)
        assert isinstance(message.external_message_id, str) and message.external_message_id
        assert isinstance(message.conversation_key, str) and message.conversation_key
        assert isinstance(message.sender_external_id, str) and message.sender_external_id
        assert isinstance(message.text, str)
        assert message.sent_at is None or message.sent_at.tzinfo is not None
    for status in parsed.statuses:
        assert status.status in ("sent", "delivered", "read", "failed") and isinstance(status.external_id, str)
    assert all(isinstance(p, str) for p in parsed.problems) and parsed.ignored >= 0
    try:
        key = adapter.delivery_key(acct, request)
    except Rejected:
        return parsed
    assert key is None or (isinstance(key, str) and key)
    return parsed


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def only(model):
    """The single row of ``model`` (fails if there are none or several)."""
    return db.session.scalars(select(model)).one()


def reply(ticket, text: str, actor):
    """An agent's reply, committed with its outbox row."""
    from inquiry.tickets import services

    message = services.reply(ticket, text, actor=actor)
    db.session.commit()
    return message


def run_due(at: dt.datetime | None = None) -> list[int]:
    """One pass of the outbox, as the worker does it."""
    ids = dispatch.claim(10, at=at)
    for item_id in ids:
        dispatch.send_one(item_id, dispatch.new_session(), at=at)
    db.session.expire_all()
    return ids


def retry_later(item) -> list[int]:
    """Run the outbox again once the item's back-off has passed."""
    return run_due(at=item.next_attempt_at + dt.timedelta(seconds=1))
