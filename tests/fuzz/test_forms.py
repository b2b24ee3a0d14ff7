"""Property tests through the app: what strangers can send (the public contact, status and
follow-up forms, the log-in form, signed webhook deliveries) and what staff type into search.
Whatever arrives, the answer is the documented one (302 or 422 for the contact form, 400/401 for
log-in, 2xx or 400 for an authentic delivery), never a 500; and a delivery that was acknowledged
is processed by the worker without an error.

The database is the real one and is not emptied between examples, so rows accumulate within a
test; the assertions only look at what each example wrote. Fewer examples than the pure tests
(a fifth of INQUIRY_FUZZ_EXAMPLES, at least 10): each one is a request or two and a commit.
"""
from __future__ import annotations

import itertools
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from inquiry.channels.adapters.bridge import sign
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery, DeliveryState
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain

from tests.fuzz.test_parsers import ANY_TEXT, BRIDGE, TELEGRAM, deliveries
from tests.public.conftest import valid_form

THROUGH_THE_APP = settings(max_examples=max(10, settings().max_examples // 5), derandomize=True, database=None,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Field values as a browser or a bot may post them: anything, blank, a plausible value, a NUL.
FIELD = ANY_TEXT | st.text(min_size=190, max_size=260) | st.sampled_from(
    ["", "Amira Haddad", "amira@example.org", "+44 20 7946 0958", "ar", "zz", "INQ-7K3M-Q9PX", " \t\r\n", "a\x00b",
     "amira@example.org\x00", "inq 7k3m q9px"])


def _has_nul(*values: str) -> bool:
    return any("\x00" in value for value in values)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- the public forms ------------------------------------------------------------------------

@THROUGH_THE_APP
@given(fields=st.fixed_dictionaries({}, optional={name: FIELD for name in valid_form()}))
def test_the_contact_form_answers_anything_with_a_receipt_or_422(client, db, fields):
    before = _count(db, Ticket)
    data = {**valid_form(), **fields}
    response = client.post("/contact", data=data)
    assert response.status_code == 400 if _has_nul(*data.values()) else response.status_code in (302, 422)
    stored = _count(db, Ticket) - before
    if response.status_code in (400, 422):
        assert stored == 0
    else:  # a receipt: a ticket holds the message, or the honeypot dropped it
        assert stored == (0 if (fields.get("website") or "").strip() else 1)


@THROUGH_THE_APP
@given(reference=FIELD, token=FIELD, message=FIELD)
def test_status_and_follow_up_answer_anything_without_a_matching_pair_with_404_or_422(client, db, reference, token,
                                                                                     message):
    before = _count(db, Message)
    status = client.post("/contact/status", data={"reference": reference, "token": token})
    assert status.status_code == 400 if _has_nul(reference, token) else status.status_code in (404, 422)
    follow_up = client.post("/contact/status/reply", data={"reference": reference, "token": token, "message": message})
    assert follow_up.status_code == (400 if _has_nul(reference, token, message) else 404)
    assert _count(db, Message) == before


@settings(THROUGH_THE_APP, max_examples=10)  # every attempt checks a password hash
@given(email=FIELD, password=FIELD, known=st.booleans())
def test_the_login_form_answers_anything_with_400_or_401(client, make, email, password, known):
    if known:
        email = make.agent().email  # a real account, a wrong password
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code in (400, 401), response.status_code  # 400 too for a NUL (pages.guards)
    assert client.get("/tickets/", follow_redirects=False).status_code == 302  # still not logged in


@pytest.fixture
def agent_client(client, make):
    agent = make.agent()
    assert client.post("/login", data={"email": agent.email, "password": make.password}).status_code == 302
    make.ticket(text="Où est mon passeport ? 护照签证 NEAR the office")
    return client


@THROUGH_THE_APP
@given(q=FIELD | st.sampled_from(["NEAR(a b)", "\"", "*", "a OR b", "INQ-", "pass*", "'; --", "护照", "passe"]))
def test_search_answers_any_query_with_200_or_422(agent_client, q):
    response = agent_client.get("/search", query_string={"q": q})
    assert response.status_code in (200, 422), response.status_code


# ---- signed deliveries, through the door and the worker --------------------------------------

TELEGRAM_SECRET = "fuzz-telegram-secret"
_ids = itertools.count(1000)
BRIDGE_SECRET = "fuzz-bridge-secret"


@pytest.fixture
def accounts(db):
    telegram = create_account("telegram", "Fuzz bot", signing_secret=TELEGRAM_SECRET, access_token="1:a")
    bridge = create_account("snapchat", "Fuzz bridge", signing_secret=BRIDGE_SECRET)
    db.session.commit()
    return {"telegram": (telegram, TELEGRAM), "bridge": (bridge, BRIDGE)}


def _signed(platform: str, body: bytes) -> dict:
    if platform == "telegram":
        return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    stamp = str(int(time.time()))
    return {"Content-Type": "application/json", "X-Bridge-Timestamp": stamp,
            "X-Bridge-Signature": sign(BRIDGE_SECRET, stamp, body)}


@pytest.mark.parametrize("platform", ["telegram", "bridge"])
@THROUGH_THE_APP
@given(data=st.data())
def test_an_authentic_delivery_of_anything_is_acknowledged_or_400_and_never_breaks_the_worker(client, db, accounts,
                                                                                              platform, data):
    """An authentic sender can still send nonsense: the door answers 2xx or 400, and whatever it
    acknowledged the worker processes to the end (unreadable parts become problems, not errors)."""
    account, valid = accounts[platform]
    payload = data.draw(deliveries(valid))
    if isinstance(payload, dict):  # a new delivery each time, not a redelivery of the first
        key = "update_id" if platform == "telegram" else "external_message_id"
        if payload.get(key) == valid[key]:
            payload[key] = next(_ids) if platform == "telegram" else f"fuzz-{next(_ids)}"
    body = json.dumps(payload).encode()
    response = client.post(webhook_url(account), data=body, headers=_signed(platform, body))
    assert response.status_code in (200, 202, 400), (response.status_code, response.get_data(as_text=True))
    drain()
    db.session.expire_all()
    stuck = db.session.scalars(select(Delivery).where(Delivery.state != DeliveryState.DONE)).all()
    assert [(d.state, d.error) for d in stuck] == []
