"""WeChat Official Account adapter: SHA-1 query signature, hardened XML, safe mode, customer-service replies."""
import datetime as dt
import os
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from inquiry.channels.adapters.wechat import WeChat, encrypt, signature
from inquiry.channels.base import Rejected, WebhookRequest
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account, webhook_url
from inquiry.errors import Conflict
from inquiry.ingest.models import Delivery
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus, Message, Ticket
from inquiry.worker import drain

from tests.channels.adapter_kit import (
    SETTINGS, WORLD_TEXT, account, check_contract, count, only, reply, retry_later, run_due,
)

TOKEN = "testtoken"
OPENID = "oExAmPlEoPeNiD0000000000001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the OA admin shows it
APP_ID = "wx0123456789abcdef"
QUESTION = "请问跨国诈骗的举报渠道是什么？"
ADAPTER = WeChat()


def xml(msg_type="text", msg_id="24800000000000001", **fields) -> bytes:
    fields = {"ToUserName": "gh_0123456789ab", "FromUserName": OPENID, "CreateTime": "1731401200", "MsgType": msg_type,
              **({"Content": QUESTION} if msg_type == "text" else {}), **fields}
    if msg_id is not None:
        fields["MsgId"] = msg_id
    inner = "".join(f"<{k}>{v}</{k}>" if str(v).isdigit() else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return f"<xml>{inner}</xml>".encode("utf-8")


def signed_args(timestamp="1700000000", nonce="12345", token=TOKEN, **extra):
    return {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": OPENID,
            **extra}


def hook(body: bytes, args=None, method="POST"):
    return WebhookRequest(method, body, {}, signed_args() if args is None else args)


def acct(**fields):
    return account("wechat", signing_secret=TOKEN, **fields)


def safe_mode(body: bytes, *, app_id=APP_ID, key=AES_KEY, token=TOKEN):
    encrypted = encrypt(key, app_id, body, os.urandom(16))
    outer = f"<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    args = signed_args(encrypt_type="aes", msg_signature=signature(token, "1700000000", "12345", encrypted))
    return hook(outer.encode(), args)


def test_get_verification_with_the_appendix_a_vector_echoes_echostr():
    args = {"signature": "9fa955bf79a1e8a2a7e27398c146068de8f407c1", "timestamp": "1700000000", "nonce": "12345",
            "echostr": "7212351234562"}
    reply_ = ADAPTER.handshake(acct(), WebhookRequest("GET", b"", {}, args))
    assert (reply_.status, reply_.body, reply_.content_type) == (200, "7212351234562", "text/plain")


@pytest.mark.parametrize("change", [{"signature": "9fa955bf79a1e8a2a7e27398c146068de8f407c0"}, {"nonce": "12346"},
                                    {"signature": None}, {"timestamp": None}, {"signature": "签名"}])
def test_get_verification_with_a_wrong_signature_is_401(change):
    args = {"signature": "9fa955bf79a1e8a2a7e27398c146068de8f407c1", "timestamp": "1700000000", "nonce": "12345",
            "echostr": "e"}
    args = {k: v for k, v in {**args, **change}.items() if v is not None}
    with pytest.raises(Rejected) as refused:
        ADAPTER.handshake(acct(), WebhookRequest("GET", b"", {}, args))
    assert refused.value.status == 401
    with pytest.raises(Rejected):
        ADAPTER.handshake(account("wechat"), WebhookRequest("GET", b"", {}, signed_args(token="", echostr="e")))


def test_post_is_checked_on_the_query_signature():
    ADAPTER.authenticate(acct(), hook(xml()))
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(), hook(xml(), signed_args(token="another")))
    assert refused.value.status == 401


def test_text_message_fields_follow_the_table():
    [got] = ADAPTER.parse(acct(), hook(xml())).messages
    assert got.text == QUESTION and got.external_message_id == "24800000000000001"
    assert got.sender_external_id == got.conversation_key == OPENID
    assert got.sent_at == dt.datetime(2024, 11, 12, 8, 46, 40, tzinfo=dt.timezone.utc)


def test_non_ascii_text_is_read_from_the_raw_utf8_bytes():
    [got] = ADAPTER.parse(acct(), hook(xml(Content=WORLD_TEXT))).messages
    assert got.text == WORLD_TEXT


def test_media_location_and_link_messages():
    image = xml("image", PicUrl="http://mmbiz.qpic.cn/1.jpg", MediaId="media1")
    voice = xml("voice", MediaId="media2", Format="amr", Recognition="我要举报")
    place = xml("location", Location_X="23.134521", Location_Y="113.358803", Scale="20", Label="广州市")
    link = xml("link", Title="可疑网站", Description="请核实", Url="http://example.invalid/x")
    a, b, c, d = (ADAPTER.parse(acct(), hook(body)).messages[0] for body in (image, voice, place, link))
    assert (a.attachments[0].kind, a.attachments[0].platform_ref) == ("image", "http://mmbiz.qpic.cn/1.jpg")
    assert b.text == "我要举报" and (b.attachments[0].platform_ref, b.attachments[0].mime) == ("media2", "audio/amr")
    assert (c.attachments[0].platform_ref, c.attachments[0].caption) == ("geo:23.134521,113.358803", "广州市")
    assert d.text == "可疑网站\n请核实" and d.attachments[0].platform_ref == "http://example.invalid/x"


def test_events_are_ignored_and_keyed_by_sender_and_time():
    body = xml("event", msg_id=None, Event="subscribe")
    parsed = ADAPTER.parse(acct(), hook(body))
    assert parsed.ignored == 1 and not parsed.messages
    assert ADAPTER.delivery_key(acct(), hook(body)) == f"event:{OPENID}:1731401200"
    assert ADAPTER.delivery_key(acct(), hook(xml())) == "msg:24800000000000001"


def test_ack_is_success():
    reply_ = ADAPTER.acknowledge(acct(), hook(xml()), None)
    assert (reply_.status, reply_.body) == (200, "success")


def test_message_without_msgid_is_a_problem():
    parsed = ADAPTER.parse(acct(), hook(xml(msg_id=None)))
    assert parsed.messages == [] and len(parsed.problems) == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><FromUserName>x</FromUserName><MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>x</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, b"", b"<xml>", b"not xml",
                                  b"<other><MsgType>text</MsgType></other>",
                                  b"<xml><Content>no type</Content></xml>"])
def test_unsafe_or_unreadable_xml_is_400(body):
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(), hook(body))
    assert refused.value.status == 400


def test_safe_mode_is_decrypted_after_both_signatures():
    options = {"encoding_aes_key": AES_KEY, "app_id": APP_ID}
    request = safe_mode(xml(Content=WORLD_TEXT))
    ADAPTER.authenticate(acct(options=options), request)
    [got] = ADAPTER.parse(acct(options=options), request).messages
    assert got.text == WORLD_TEXT and got.external_message_id == "24800000000000001"
    assert ADAPTER.delivery_key(acct(options=options), request) == "msg:24800000000000001"


def test_safe_mode_refusals():
    options = {"encoding_aes_key": AES_KEY, "app_id": APP_ID}
    tampered = safe_mode(xml())
    tampered.args["msg_signature"] = signature(TOKEN, "1700000000", "12345", "something else")
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(options=options), tampered)
    assert refused.value.status == 401
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(options=options), safe_mode(xml(), app_id="wxsomeoneelse"))
    assert refused.value.status == 403
    with pytest.raises(Rejected) as refused:
        ADAPTER.authenticate(acct(), safe_mode(xml()))
    assert (refused.value.status, refused.value.reason.startswith("encrypted mode not supported")) == (400, True)
    with pytest.raises(Rejected) as refused:
        ADAPTER.parse(acct(options={"encoding_aes_key": "B" * 43, "app_id": APP_ID}), safe_mode(xml()))
    assert refused.value.status in (400, 403)


VOCABULARY = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "PicUrl", "MediaId", "Format",
              "Location_X", "Location_Y", "Label", "Title", "Url", "Event", "Encrypt"]
fields = st.dictionaries(st.sampled_from(VOCABULARY), st.text(max_size=15) | st.sampled_from(
    ["text", "image", "location", "link", "event", "1731401200", "1e999", "nan", "24800000000000001"]), max_size=8)


def render(values: dict) -> bytes:
    from xml.sax.saxutils import escape
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items())
    return f"<xml>{inner}</xml>".encode("utf-8", "surrogatepass")


@SETTINGS
@given(body=st.binary(max_size=300))
def test_random_bytes_never_crash(body):
    check_contract(ADAPTER, acct(), hook(body))
    check_contract(ADAPTER, acct(options={"encoding_aes_key": AES_KEY}), hook(body, signed_args(encrypt_type="aes")))


@SETTINGS
@given(values=fields)
def test_random_messages_never_crash(values):
    check_contract(ADAPTER, acct(), hook(render(values)))
    encrypted = {"Encrypt": values.get("Content", "")}
    check_contract(ADAPTER, acct(options={"encoding_aes_key": AES_KEY}),
                   hook(render(encrypted), signed_args(encrypt_type="aes")))


@SETTINGS
@given(values=fields, plaintext=st.binary(max_size=64))
def test_random_encrypted_payloads_never_crash(values, plaintext):
    options = {"encoding_aes_key": AES_KEY, "app_id": APP_ID}
    check_contract(ADAPTER, acct(options=options), safe_mode(render(values)))
    check_contract(ADAPTER, acct(options=options), safe_mode(plaintext))


# --- through the app -------------------------------------------------------------------------

@pytest.fixture
def wechat_account(db):
    account_ = create_account("wechat", "Official account", signing_secret=TOKEN, access_token="ACCESS_TOKEN_123")
    db.session.commit()
    return account_


def post(client, account_, body, args=None):
    return client.post(webhook_url(account_) + "?" + urlencode(args or signed_args()), data=body,
                       content_type="text/xml")


def test_get_verification_through_the_webhook_url(client, wechat_account):
    response = client.get(webhook_url(wechat_account) + "?" + urlencode(signed_args(echostr="echo-42")))
    assert response.status_code == 200 and response.get_data(as_text=True) == "echo-42"
    forged = urlencode(signed_args(token="x", echostr="e"))
    assert client.get(webhook_url(wechat_account) + "?" + forged).status_code == 401


def test_message_becomes_a_ticket_answered_success_and_redelivery_adds_nothing(client, wechat_account):
    for _ in range(3):  # WeChat tries three times
        response = post(client, wechat_account, xml())
        assert response.status_code == 200 and response.get_data(as_text=True) == "success"
    drain()
    assert count(Delivery) == 1 and count(Ticket) == 1 and only(Message).body == QUESTION


def test_safe_mode_delivery_is_decrypted_again_by_the_worker(client, db, wechat_account):
    wechat_account.options = {"encoding_aes_key": AES_KEY, "app_id": APP_ID}
    db.session.commit()
    request = safe_mode(xml(Content=WORLD_TEXT))
    for _ in range(2):
        assert post(client, wechat_account, request.body, request.args).get_data(as_text=True) == "success"
    drain()
    assert count(Delivery) == 1 and only(Message).body == WORLD_TEXT
    assert only(Delivery).dedupe_key == "msg:24800000000000001"


def test_bad_signature_or_entity_bomb_stores_nothing(client, wechat_account):
    assert post(client, wechat_account, xml(), signed_args(token="guess")).status_code == 401
    assert post(client, wechat_account, BILLION_LAUGHS).status_code == 400
    assert count(Delivery) == 0


@pytest.fixture
def wechat_ticket(client, db, wechat_account, platform_server):
    post(client, wechat_account, xml())
    drain()
    wechat_account.api_base_url = platform_server.url
    db.session.commit()
    return only(Ticket)


def test_reply_goes_through_the_customer_service_api_in_utf8(make, wechat_ticket, platform_server):
    platform_server.script = [(200, {"errcode": -1, "errmsg": "system error"}), (200, {"errcode": 0, "errmsg": "ok"})]
    sent = reply(wechat_ticket, "已收到，我们会尽快回复。", make.supervisor())
    run_due()
    item = only(OutboxItem)
    assert item.state == OutboxState.PENDING and "system error" in item.last_error
    retry_later(item)
    call = platform_server.calls[1]
    url = urlsplit(call.path)
    assert url.path == "/cgi-bin/message/custom/send" and parse_qs(url.query) == {"access_token": ["ACCESS_TOKEN_123"]}
    assert "已收到".encode() in call.body  # UTF-8, not \\u escapes
    assert call.json() == {"touser": OPENID, "msgtype": "text", "text": {"content": "已收到，我们会尽快回复。"}}
    assert only(OutboxItem).state == OutboxState.SENT and sent.delivery_status == DeliveryStatus.SENT


def test_http_5xx_then_success(make, wechat_ticket, platform_server):
    platform_server.script = [(502, {}), (200, {"errcode": 0, "errmsg": "ok"})]
    reply(wechat_ticket, "Answer", make.supervisor())
    run_due()
    retry_later(only(OutboxItem))
    assert only(OutboxItem).state == OutboxState.SENT


def test_refusal_goes_to_the_dead_letter(make, wechat_ticket, platform_server):
    platform_server.script = [(200, {"errcode": 45015,
                                     "errmsg": "response out of time limit or subscription is canceled"})]
    sent = reply(wechat_ticket, "Answer", make.supervisor())
    run_due()
    assert only(OutboxItem).state == OutboxState.DEAD and "45015" in sent.delivery_error


def test_access_token_never_reaches_the_stored_error(db, make, wechat_ticket):
    db.session.get(ChannelAccount, wechat_ticket.channel_account_id).api_base_url = "http://127.0.0.1:9"
    db.session.commit()
    reply(wechat_ticket, "Answer", make.supervisor())
    run_due()
    item = only(OutboxItem)
    assert "ConnectionError" in item.last_error and "ACCESS_TOKEN_123" not in item.last_error


def test_replies_after_48_hours_are_refused_before_writing(db, make, wechat_ticket):
    later = wechat_ticket.last_inbound_at + dt.timedelta(hours=49)
    with pytest.raises(Conflict):
        services.reply(wechat_ticket, "Too late?", actor=make.supervisor(), at=later)
    db.session.rollback()
    assert db.session.scalars(select(OutboxItem)).all() == []
