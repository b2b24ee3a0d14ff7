"""Microsoft Teams: Bot Framework JWTs checked offline against the account's keys, replies."""
import datetime as dt
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from sqlalchemy import func, select

from inquiry.channels.adapters.teams import ISSUER, Teams, strip_mentions
from inquiry.channels.base import Rejected
from inquiry.channels.services import create_account, webhook_url
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Message, Ticket
from inquiry.worker import drain
from tests.channels.social_support import (WORLD_TEXT, account, bodies, dead_lettered, escaped, parse_is_total,
                                           reply, request, run_due, sent_after_a_server_error, ticket_on, total)

APP_ID = "11111111-2222-3333-4444-555555555555"
SERVICE = "https://smba.trafficmanager.net/emea/"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(endorsements=("msteams", "skype")):
    key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    key.update(kid="key-1", use="sig")
    if endorsements is not None:
        key["endorsements"] = list(endorsements)
    return json.dumps({"keys": [key]})


adapter = Teams()
ACCOUNT = account(platform="microsoft-teams", external_account_id=APP_ID, options={"jwks": jwks()})


def activity(text="Our ministry needs training on border-crime toolkits.", activity_id="1731401400123",
             kind="message", service=SERVICE, channel="msteams", **extra):
    return {"type": kind, "id": activity_id, "timestamp": "2024-11-12T09:10:00.123Z",
            "localTimestamp": "2024-11-12T10:10:00.123+01:00", "serviceUrl": service, "channelId": channel,
            "from": {"id": "29:1ExampleUserId", "name": "Dana Example", "aadObjectId": "00000000-1111-2222-3333-444444444444"},
            "conversation": {"conversationType": "personal", "tenantId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                             "id": "a:1ExampleConversationId"},
            "recipient": {"id": f"28:{APP_ID}", "name": "Outreach Desk"}, "textFormat": "plain", "text": text,
            "attachments": [], "entities": [{"type": "clientInfo", "locale": "en-GB"}],
            "channelData": {"tenant": {"id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}}, "locale": "en-GB", **extra}


def token(key=KEY, kid="key-1", algorithm="RS256", **overrides):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": APP_ID, "exp": now + 3600, "nbf": now - 10, "serviceurl": SERVICE}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


def bearer(value=None):
    return {"Authorization": f"Bearer {value or token()}", "Content-Type": "application/json"}


def test_valid_token_and_message():
    body = escaped(activity(text="<at>Outreach Desk</at> Our ministry needs training."))
    req = request(body, bearer())
    adapter.authenticate(ACCOUNT, req)
    (message,) = adapter.parse(ACCOUNT, req).messages
    assert message.text == "Our ministry needs training."
    assert message.conversation_key == f"a:1ExampleConversationId|{SERVICE}"
    assert message.external_message_id == "a:1ExampleConversationId:1731401400123"
    assert message.sender_external_id == "29:1ExampleUserId" and message.sender_display_name == "Dana Example"
    assert message.sent_at == dt.datetime(2024, 11, 12, 9, 10, 0, 123000, tzinfo=dt.timezone.utc)
    assert adapter.delivery_key(ACCOUNT, req) == "activity:a:1ExampleConversationId:1731401400123"


def test_mentions_are_stripped_wherever_they_are():
    assert strip_mentions('Hi <at id="0">Outreach Desk</at>, is there a   toolkit?') == "Hi , is there a toolkit?"
    assert strip_mentions("<AT>Desk</AT>\nWhen?") == "When?"


def test_non_ascii_text_is_read_from_the_raw_bytes():
    body = escaped(activity(text=WORLD_TEXT))
    assert b"\\u" in body
    req = request(body, bearer())
    adapter.authenticate(ACCOUNT, req)
    assert adapter.parse(ACCOUNT, req).messages[0].text == WORLD_TEXT


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Basic abc"},
    {"Authorization": "Bearer not-a-jwt"},
    bearer(token(key=OTHER_KEY)),  # signed by a key we were not given
    bearer(token(kid="unknown")),
    bearer(token(iss="https://evil.example")),
    bearer(token(aud="another-bot")),
    bearer(token(exp=int(time.time()) - 301)),  # expired beyond the 5 minutes of skew
    bearer(token(serviceurl="https://attacker.example/")),
    bearer(token(serviceurl=None)),
    bearer(token(exp=None)),
    bearer(token(algorithm="HS256", key="shared-secret-shared-secret-shared-secret")),
])
def test_every_failed_check_is_403(headers):
    with pytest.raises(Rejected) as exc:
        adapter.authenticate(ACCOUNT, request(escaped(activity()), headers))
    assert exc.value.status == 403


def test_expiry_within_the_skew_is_accepted():
    adapter.authenticate(ACCOUNT, request(escaped(activity()), bearer(token(exp=int(time.time()) - 120))))


def test_endorsements_must_name_the_channel_when_listed():
    body = escaped(activity(channel="webchat"))
    with pytest.raises(Rejected) as exc:
        adapter.authenticate(ACCOUNT, request(body, bearer()))
    assert exc.value.status == 403
    unendorsed = account(platform="microsoft-teams", external_account_id=APP_ID, options={"jwks": jwks(None)})
    adapter.authenticate(unendorsed, request(body, bearer()))


def test_missing_keys_or_app_id_is_403():
    for acct in (account(platform="microsoft-teams", external_account_id=APP_ID),
                 account(platform="microsoft-teams", external_account_id=APP_ID, options={"jwks": "{broken"}),
                 account(platform="microsoft-teams", options={"jwks": jwks()})):
        with pytest.raises(Rejected) as exc:
            adapter.authenticate(acct, request(escaped(activity()), bearer()))
        assert exc.value.status == 403


def test_other_activity_types_are_ignored_and_files_kept():
    parsed = adapter.parse(ACCOUNT, request(escaped(activity(kind="conversationUpdate"))))
    assert parsed.messages == [] and parsed.ignored == 1
    files = activity(text="", attachments=[
        {"contentType": "text/html", "content": "<div>copy of the text</div>"},
        {"contentType": "image/png", "contentUrl": "https://smba.example/img/1", "name": "photo.png"},
        {"contentType": "application/vnd.microsoft.teams.file.download.info", "contentUrl": "https://x/f", "name": "a.pdf"},
    ])
    (message,) = adapter.parse(ACCOUNT, request(escaped(files))).messages
    assert [(a.kind, a.platform_ref) for a in message.attachments] == [("image", "https://smba.example/img/1"),
                                                                      ("file", "https://x/f")]


def test_unreadable_message_is_a_problem_and_wrong_shape_is_400():
    broken = activity()
    del broken["from"]
    assert adapter.parse(ACCOUNT, request(escaped(broken))).problems
    for body in (b"[]", b'{"id": 1}', b"\x00"):
        with pytest.raises(Rejected) as exc:
            adapter.parse(ACCOUNT, request(body))
        assert exc.value.status == 400


VALID_TOKEN = token()


@given(bodies(activity()))
@settings(deadline=None)
def test_parse_and_authenticate_never_crash(body):
    parse_is_total(adapter, ACCOUNT, request(body, {"Authorization": "Bearer x.y.z"}))
    # A genuine token with a hostile body: the activity checks refuse it, they do not crash.
    total(adapter.authenticate, ACCOUNT, request(body, bearer(VALID_TOKEN)))


# ---- through the app -------------------------------------------------------------------------

@pytest.fixture
def teams(db):
    acct = create_account("microsoft-teams", "Desk bot", external_account_id=APP_ID)
    acct.options = {"jwks": jwks()}
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_delivery_becomes_a_ticket_and_redelivery_adds_nothing(client, db, teams):
    body = escaped(activity(text=WORLD_TEXT))
    assert client.post(webhook_url(teams), data=body, headers=bearer()).status_code in (200, 202)
    drain()
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.conversation_key.endswith("|" + SERVICE) and ticket.messages[0].body == WORLD_TEXT
    assert client.post(webhook_url(teams), data=body, headers=bearer()).status_code in (200, 202)
    drain()
    assert count(db, Delivery) == 1 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_bad_token_is_403_and_stores_nothing(client, db, teams):
    body = escaped(activity())
    assert client.post(webhook_url(teams), data=body, headers=bearer(token(key=OTHER_KEY))).status_code == 403
    assert count(db, Delivery) == 0


# ---- replies ---------------------------------------------------------------------------------

@pytest.fixture
def conversation(db, make, platform_server):
    # The reply goes to the serviceUrl kept in the conversation key: here the loopback platform.
    agent, ticket = ticket_on(db, make, platform_server, "microsoft-teams",
                              f"19:meeting_abc@thread.v2;messageid=1|{platform_server.url}/emea/",
                              access_token="bot-token")
    ticket.messages[0].external_id = "19:meeting_abc@thread.v2;messageid=1:1731401400123"
    db.session.commit()
    return agent, ticket


def test_reply_is_posted_to_the_conversation_at_its_service_url(db, conversation, platform_server):
    agent, ticket = conversation
    platform_server.script = [(201, {"id": "1731401500000"})]
    message = reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == "/emea/v3/conversations/19%3Ameeting_abc%40thread.v2%3Bmessageid%3D1/activities"
    assert call.headers["Authorization"] == "Bearer bot-token"
    assert call.json() == {"type": "message", "text": "We have passed your report to the team.", "textFormat": "plain",
                           "replyToId": "1731401400123"}
    assert message.external_id == "19:meeting_abc@thread.v2;messageid=1:1731401500000"


def test_server_error_then_success(db, conversation, platform_server):
    agent, ticket = conversation
    sent_after_a_server_error(db, agent, ticket, platform_server, {"id": "1731401500001"})


def test_forbidden_goes_to_the_dead_letter(db, conversation, platform_server):
    agent, ticket = conversation
    dead_lettered(db, agent, ticket, platform_server, 403,
                  {"error": {"code": "BotNotInConversationRoster", "message": "The bot is not part of the roster"}},
                  "BotNotInConversationRoster")
