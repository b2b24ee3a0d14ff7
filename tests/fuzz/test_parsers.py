"""Property tests of the pure parsers that read outside input: every channel adapter's webhook
parsing (through the registry, so a new adapter is covered the day it registers), API JSON and
query-string parsing, search queries and snippets, ticket references, list cursors and canned
placeholders. Each must answer with its documented refusal (Rejected 4xx, BadJson 400, Invalid
422, BadCursor 400, None) and never another exception.

Per-adapter fuzzing of the platforms with their own test modules (Meta, X, LINE, Viber, VK,
WeChat, TikTok, Twitch, Discord, Teams, Douyin) lives in tests/channels; here are the adapters
those do not cover (the bridge, Telegram, the pollers, the own channels) and the registry-wide
contract. INQUIRY_FUZZ_EXAMPLES sets the examples per test (default 100, see tests/conftest.py).
"""
from __future__ import annotations

import copy
import json
import re
import string
from types import SimpleNamespace

import pytest
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from pydantic import BaseModel
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

from inquiry.api.parsing import BadJson, json_body, query_args
from inquiry.api.schemas import InquiryIn, TicketListQuery, TicketUpdate
from inquiry.api.search import SearchQuery
from inquiry.canned.services import PLACEHOLDERS, render, unknown_placeholders
from inquiry.channels import registry
from inquiry.channels.base import Parsed, Rejected, WebhookRequest
from inquiry.errors import Invalid
from inquiry.search.services import MAX_QUERY_CHARS, check_query
from inquiry.search.snippets import make_snippet
from inquiry.search.text import index_tokens, is_prefix_term, query_terms
from inquiry.tickets import inbox, queries
from inquiry.tickets.references import ALPHABET, PATTERN, normalise_reference

from tests.channels.adapter_kit import check_contract
from tests.channels.social_support import _paths, mutated

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
# Derandomized: CI runs the same examples every time; INQUIRY_FUZZ_EXAMPLES=5000 explores further.
QUICK = settings(derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
# The registry-wide test runs once per platform; the deep per-platform fuzzing is in tests/channels.
PER_PLATFORM = settings(QUICK, max_examples=max(10, settings().max_examples // 4))

# Text as it arrives: every plane, control characters, NUL, lone surrogates excluded (JSON cannot carry them).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
WORDS = ["text", "message", "chat", "id", "from", "update_id", "message_id", "date", "caption", "photo", "sender",
         "external_message_id", "sender_external_id", "sender_display_name", "conversation_key", "sent_at",
         "attachments", "kind", "url", "language", "platform", "edited_message", "edit_date", "reply_to_message",
         "message_thread_id", "first_name", "last_name", "title", "username", "sender_chat", "document", "file_id"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**53, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT | st.sampled_from(WORDS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(WORDS) | ANY_TEXT, inner, max_size=6),
    max_leaves=30,
)
# Values that broke intake before: NUL and over-long text (PostgreSQL refuses both), numbers,
# objects and lists where text or ids go, times out of range. A third each, and any JSON.
HOSTILE = (st.sampled_from(["a\x00b", "\x00", "x" * 300, "名" * 300, " ", ""])
           | st.sampled_from([None, True, 0, -1, 2**70, 1.5, {}, {"id": 1}, [], ["x"]])
           | st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", -(10**12), 10**18])
           | JSON)


@st.composite
def hostile(draw, valid):
    """``valid`` with one or two of its fields (at any depth) replaced by a hostile value."""
    value = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 2))):
        paths = [p for p in _paths(value) if p]
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        parent = value
        for step in parents:
            parent = parent[step]
        parent[last] = draw(HOSTILE)
    return value


def deliveries(valid):
    """Mostly ``valid`` with hostile fields, else one node mutated or removed, else any JSON."""
    return st.integers(0, 9).flatmap(lambda n: hostile(valid) if n < 6 else mutated(valid) if n < 8 else JSON)


# ---- channel adapters ------------------------------------------------------------------------

def _account(platform: str):
    """A stand-in ChannelAccount with every credential set, so parsing is reached."""
    return SimpleNamespace(id=1, key="k", name="Desk", platform=platform, signing_secret="secret", verify_token="token",
                           access_token="token", api_base_url=None, external_account_id="1",
                           options={"app_id": "1", "bot_id": "1", "api_key": "k"}, is_enabled=True)


def _hook(body: bytes, method: str = "POST") -> WebhookRequest:
    return WebhookRequest(method, body, Headers({"Content-Type": "application/json"}), {})


def _refused_or(call, *args):
    """``call(*args)``'s result, or None when it refused with Rejected 4xx: never another exception."""
    try:
        return call(*args)
    except Rejected as exc:
        assert 400 <= exc.status < 500, exc.status
        return None


@pytest.mark.parametrize("platform", registry.platforms())
@PER_PLATFORM
@given(body=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_every_adapter_answers_any_body_with_parsed_or_a_4xx(platform, body):
    adapter, account = registry.adapter_for(platform), _account(platform)
    for method in ("POST", "GET"):
        _refused_or(adapter.handshake, account, _hook(body, method))
    _refused_or(adapter.authenticate, account, _hook(body))
    _refused_or(adapter.delivery_key, account, _hook(body))
    parsed = _refused_or(adapter.parse, account, _hook(body))
    assert parsed is None or isinstance(parsed, Parsed)
    if parsed is not None:
        _refused_or(adapter.acknowledge, account, _hook(body), parsed)


BRIDGE = {"platform": "snapchat", "external_message_id": "snap-1", "conversation_key": "u/lena",
          "sender_external_id": "lena", "sender_display_name": "Lena Example", "sent_at": "2024-11-12T09:20:00Z",
          "text": "Where can I read your policy brief?", "language": "en",
          "attachments": [{"kind": "link", "url": "https://example.invalid/thread/1"}]}
TELEGRAM = {"update_id": 7, "message": {
    "message_id": 10, "date": 1731400700, "text": "Hallo", "message_thread_id": 3, "caption": "c",
    "from": {"id": 6100, "first_name": "Lena", "last_name": "Example"}, "chat": {"id": 6100, "type": "private"},
    "reply_to_message": {"message_id": 9}, "photo": [{"file_id": "small"}, {"file_id": "large"}]}}


@pytest.mark.parametrize("platform,valid", [("bridge", BRIDGE), ("telegram", TELEGRAM)])
@QUICK
@given(data=st.data())
def test_mutated_deliveries_keep_the_parse_contract(platform, valid, data):
    """Typed messages (string ids, aware times) or Rejected 4xx: the contract of tests/channels."""
    body = json.dumps(data.draw(deliveries(valid))).encode()
    account = _account("snapchat" if platform == "bridge" else platform)
    check_contract(registry.adapter_for(platform), account, _hook(body))


# ---- API input -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bare_app():
    """Only what the parsers read: the limits and the secret key (no database)."""
    app = Flask(__name__)
    app.config.update(API_MAX_BODY_BYTES=2048, SECRET_KEY="fuzz", MESSAGE_MAX_CHARS=5000, PUBLIC_BASE_URL="")
    return app


def _json_outcome(app, model: type[BaseModel], body: bytes, content_type: str):
    with app.test_request_context("/api/v1/x", method="POST", data=body, content_type=content_type):
        try:
            return json_body(model)
        except (BadJson, Invalid) as exc:
            return exc.status
        except HTTPException as exc:
            return exc.code


@QUICK
@given(body=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()),
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]),
       model=st.sampled_from([InquiryIn, TicketUpdate]))
def test_any_request_body_is_a_model_or_400_413_415_422(bare_app, body, content_type, model):
    outcome = _json_outcome(bare_app, model, body, content_type)
    if not content_type.startswith("application/json"):
        assert outcome == 415
    elif len(body) > bare_app.config["API_MAX_BODY_BYTES"]:
        assert outcome == 413
    else:
        assert isinstance(outcome, model) or outcome in (400, 422), outcome


@QUICK
@given(text=ANY_TEXT)
def test_a_nul_character_anywhere_in_a_body_is_422_not_a_database_error(bare_app, text):
    body = json.dumps({"text": text + "\x00", "contact": {"name": "x"}}).encode()
    assert _json_outcome(bare_app, InquiryIn, body, "application/json") == 422


@QUICK
@given(pairs=st.lists(st.tuples(st.sampled_from(list(TicketListQuery.model_fields) + ["q", "x"]) | ANY_TEXT, ANY_TEXT),
                      max_size=5),
       model=st.sampled_from([TicketListQuery, SearchQuery, None]))
def test_any_query_string_is_a_model_or_422(bare_app, pairs, model):
    with bare_app.test_request_context("/api/v1/x", query_string=pairs):
        try:
            parsed = query_args(model)
        except Invalid as exc:
            assert exc.status == 422 and exc.fields
            return
    assert parsed is None if model is None else isinstance(parsed, model)


# ---- search ----------------------------------------------------------------------------------

@QUICK
@given(q=st.none() | ANY_TEXT | st.text(min_size=190, max_size=260))
def test_a_search_query_is_cleaned_or_refused_with_422(q):
    try:
        cleaned = check_query(q)
    except Invalid as exc:
        assert exc.status == 422 and list(exc.fields) == ["q"]
        return
    assert cleaned and cleaned == cleaned.strip() and len(cleaned) <= MAX_QUERY_CHARS
    assert "\x00" not in cleaned


def _contains_run(tokens: list[str], run: tuple[str, ...]) -> bool:
    return any(tuple(tokens[i:i + len(run)]) == run for i in range(len(tokens) - len(run) + 1))


@QUICK
@given(text=ANY_TEXT | st.text(alphabet="abc éÉ Øß 护照签证 東京 서울 ไทย قطر\u0301-*\"':", max_size=40))
def test_a_query_finds_the_text_it_was_typed_from(text):
    """Queries and messages fold alike: every term of a query made of a message's own words is in
    that message's index tokens (as consecutive bigrams for unspaced scripts)."""
    terms = query_terms(text)
    tokens = index_tokens(text)
    for term in terms:
        assert term.tokens and all(token and not any(ch.isspace() for ch in token) for token in term.tokens)
        assert _contains_run(tokens, term.tokens), (term, tokens)
    assert is_prefix_term(terms) in (True, False)


@QUICK
@given(text=ANY_TEXT | st.text(min_size=150, max_size=400), query=ANY_TEXT, prefix=st.booleans())
def test_snippets_mark_only_places_inside_the_shown_text(text, query, prefix):
    snippet = make_snippet(text, query_terms(query), prefix=prefix)
    assert len(snippet.text) <= 202  # WIDTH and the two ellipses
    last = 0
    for start, end in snippet.highlights:
        assert last <= start < end <= len(snippet.text)
        last = end
    snippet.html()  # escapes whatever the text holds


# ---- references ------------------------------------------------------------------------------

@QUICK
@given(text=st.none() | ANY_TEXT | st.text(alphabet="INQinq-0123456789ABCDEFGHJKMNPQRSTVWXYZOIL ol", max_size=20))
def test_normalising_gives_a_well_formed_reference_or_none_and_is_idempotent(text):
    found = normalise_reference(text)
    assert found is None or (PATTERN.match(found) and normalise_reference(found) == found)


@QUICK
@given(data=st.data(), chars=st.text(alphabet=ALPHABET, min_size=8, max_size=8))
def test_a_reference_typed_sloppily_is_found_again(data, chars):
    reference = f"INQ-{chars[:4]}-{chars[4:]}"
    typed = "".join(data.draw(st.sampled_from([c, c.lower()] + (["O", "o"] if c == "0" else []) +
                                              (["I", "l", "L"] if c == "1" else []))) +
                    data.draw(st.sampled_from(["", "", " ", "-"])) for c in chars)
    prefix = data.draw(st.sampled_from(["", "INQ", "inq-", "Inq "]))
    assert normalise_reference(f" {prefix}{typed}\t") == reference


# ---- list cursors ----------------------------------------------------------------------------

CURSORS = [(inbox._decode, inbox._SALT), (queries.decode_cursor, queries._CURSOR_SALT)]


@pytest.mark.parametrize("decode,salt", CURSORS, ids=["inbox", "api-list"])
@QUICK
@given(cursor=ANY_TEXT | st.text(alphabet=string.ascii_letters + string.digits + "-_.", max_size=80))
def test_a_cursor_not_handed_out_is_a_400(bare_app, decode, salt, cursor):
    with bare_app.app_context():
        with pytest.raises(queries.BadCursor) as refused:
            decode(cursor)
    assert refused.value.status == 400 and refused.value.fields == {"cursor": ["not a cursor this list handed out"]}


@pytest.mark.parametrize("decode,salt", CURSORS, ids=["inbox", "api-list"])
@QUICK
@given(value=JSON | st.tuples(st.sampled_from(["d", "p", "x"]), ANY_TEXT | st.datetimes().map(str), JSON),
       cut=st.integers(min_value=1, max_value=40))
def test_an_edited_or_truncated_cursor_is_a_400(bare_app, decode, salt, value, cut):
    """Signed with another key, or cut short: refused before its content is looked at."""
    with bare_app.app_context():
        other = URLSafeSerializer("another-key", salt=salt).dumps(value)
        genuine = URLSafeSerializer(bare_app.secret_key, salt=salt).dumps(value)
        for cursor in (other, genuine[:-cut]):
            with pytest.raises(queries.BadCursor):
                decode(cursor)


# ---- canned replies --------------------------------------------------------------------------

VALUES = {name: f"<{n}>" for n, name in enumerate(PLACEHOLDERS)}
BRACED = st.text(alphabet="{} ab\n" + "".join(PLACEHOLDERS), max_size=80)


@QUICK
@given(body=ANY_TEXT | BRACED)
def test_rendering_any_body_never_raises_and_fills_every_known_placeholder(body):
    rendered = render(body, None, None, values=VALUES)
    if "{" not in body:
        assert rendered == body
    if not unknown_placeholders(body):
        # Whatever a saved body holds in braces is a placeholder, and none survives rendering.
        assert not any(re.fullmatch(r"\s*(" + "|".join(PLACEHOLDERS) + r")\s*", m.group(1))
                       for m in re.finditer(r"\{([^{}\n]{0,60})\}", rendered))


@QUICK
@given(before=BRACED, name=st.text(st.characters(exclude_characters="{}\n"), max_size=60), after=BRACED)
def test_saving_refuses_exactly_the_names_rendering_would_leave_alone(before, name, after):
    """A name in braces that is not a placeholder is refused when saving, and left as typed when
    an old row holding one is rendered."""
    assume(name.strip() not in PLACEHOLDERS)
    body = before + "{" + name + "}" + after
    if name in [m.group(1) for m in re.finditer(r"\{([^{}\n]{0,60})\}", body)]:  # not swallowed by its neighbours
        assert name in unknown_placeholders(body)
    for unknown in unknown_placeholders(body):
        assert "{" + unknown + "}" in render(body, None, None, values=VALUES)
