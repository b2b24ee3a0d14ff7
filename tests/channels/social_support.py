"""Helpers for the TikTok, Twitch, Discord, Teams, Douyin, YouTube and Reddit adapter tests:
fake accounts and requests for pure adapter tests, payload fuzzing for the property tests, and
the outbox round trip for send tests against ``platform_server``."""
from __future__ import annotations

import copy
import datetime as dt
import json
from types import SimpleNamespace

from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import Headers

from inquiry.channels.base import Parsed, Rejected, WebhookRequest
from inquiry.channels.models import ChannelAccount
from inquiry.outbound import dispatch
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets.models import DeliveryStatus
from inquiry.tickets import services as tickets

# One text in several scripts: accents, emoji, Arabic, Chinese.
WORLD_TEXT = "Où puis-je signaler un faux site ? 🚨 أين يمكنني الإبلاغ 请问如何举报"


def account(**fields):
    """A stand-in for ChannelAccount in pure adapter tests (adapters read attributes only)."""
    base = dict(id=1, name="test", platform="", key="k", external_account_id=None, signing_secret=None,
                verify_token=None, access_token=None, api_base_url=None, options={})
    base.update(fields)
    return SimpleNamespace(**base)


def request(body: bytes, headers: dict | None = None, method: str = "POST", args: dict | None = None) -> WebhookRequest:
    return WebhookRequest(method, body, Headers(headers or {}), args or {})


def escaped(payload) -> bytes:
    """Serialised as the platforms do: non-ASCII as \\uXXXX escapes (never re-serialised by us)."""
    return json.dumps(payload, ensure_ascii=True).encode()


# ---- property tests -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**53, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@st.composite
def mutated(draw, payload):
    """``payload`` with one node replaced by random JSON, or removed."""
    paths = [p for p in _paths(payload) if p]
    path = draw(st.sampled_from(paths))
    copy_ = copy.deepcopy(payload)
    parent = copy_
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return copy_


def bodies(valid_payload):
    """Random bytes, random JSON and mutations of a valid payload, as request bodies."""
    return st.one_of(
        st.binary(max_size=120),
        json_values.map(lambda v: json.dumps(v).encode()),
        mutated(valid_payload).map(lambda v: json.dumps(v).encode()),
    )


def total(call, *args):
    """Run an adapter method on hostile input: it may answer or refuse (Rejected), never crash."""
    try:
        result = call(*args)
    except Rejected as exc:
        assert 400 <= exc.status < 500
        return None
    return result


def parse_is_total(adapter, acct, req):
    result = total(adapter.parse, acct, req)
    assert result is None or isinstance(result, Parsed)
    total(adapter.delivery_key, acct, req)
    total(adapter.handshake, acct, req)
    if isinstance(result, Parsed):
        total(adapter.acknowledge, acct, req, result)


# ---- sending through the outbox -------------------------------------------------------------

def ticket_on(db, make, platform_server, channel, conversation, **account_fields):
    """An agent and a ticket on ``channel`` whose account talks to the loopback platform."""
    agent = make.agent("general-public")
    ticket = make.ticket("general-public", channel=channel, conversation=conversation)
    acct = db.session.get(ChannelAccount, ticket.channel_account_id)
    acct.api_base_url = platform_server.url
    for name, value in account_fields.items():
        setattr(acct, name, value)
    db.session.commit()
    return agent, ticket


def reply(db, agent, ticket, text="We have passed your report to the team."):
    message = tickets.reply(ticket, text, actor=agent)
    db.session.commit()
    return message


def run_due(db, at=None):
    ids = dispatch.claim(10, at=at)
    for item_id in ids:
        dispatch.send_one(item_id, dispatch.new_session(), at=at)
    db.session.expire_all()
    return ids


def outbox_item(db) -> OutboxItem:
    return db.session.scalars(select(OutboxItem)).one()


def sent_after_a_server_error(db, agent, ticket, platform_server, ok_body):
    """A 5xx leaves the reply queued for a later attempt, which succeeds with the same request."""
    platform_server.script = [(503, {"error": "unavailable"}), (200, ok_body)]
    message = reply(db, agent, ticket)
    run_due(db)
    item = outbox_item(db)
    assert item.state == OutboxState.PENDING and "503" in item.last_error
    run_due(db, at=item.next_attempt_at + dt.timedelta(seconds=1))
    assert outbox_item(db).state == OutboxState.SENT and message.delivery_status == DeliveryStatus.SENT
    assert len(platform_server.calls) == 2 and platform_server.calls[0].body == platform_server.calls[1].body
    return message


def dead_lettered(db, agent, ticket, platform_server, status, body, words):
    """A permanent refusal goes straight to the dead letter, with the platform's words kept."""
    platform_server.script = [(status, body)]
    message = reply(db, agent, ticket)
    run_due(db)
    item = outbox_item(db)
    assert item.state == OutboxState.DEAD and words in item.last_error
    assert message.delivery_status == DeliveryStatus.FAILED and words in message.delivery_error
    return message
