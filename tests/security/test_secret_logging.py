"""Secrets stay out of the logs, even at DEBUG: passwords, API tokens, channel credentials.

Logs travel further than the database (aggregators, support tickets, screenshots), so every
logger, the libraries' included, is captured at DEBUG while the desk does the things that
handle a secret: a log-in, a token-authenticated API call, signed webhook deliveries (right and
wrong) and a reply sent through a platform API whose URL carries the bot token.
"""
from __future__ import annotations

import json
import logging

import pytest

from inquiry.channels.services import create_account, webhook_url

from tests.factories import PASSWORD
from tests.security.conftest import CHANNEL_SECRET, Client

ACCESS_TOKEN = "7012345678:AAH-bot-access-token-for-tests"
WRONG_SECRET = "tg-almost-the-secret-4d1b9f"


@pytest.fixture
def app_config(app_config):
    """Threading and classification inline, so the webhook's whole path runs (and logs) here."""
    return {**app_config, "INGEST_INLINE": True}


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    yield caplog


def everything_logged(caplog) -> str:
    """Each record as it would be written, with its raw arguments and traceback too."""
    parts = []
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


def _telegram_update(update_id: int) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1731400700, "text": "Where do I register for the Vienna event?",
        "from": {"id": 6100, "first_name": "Lena"}, "chat": {"id": 6100, "type": "private"}}}).encode()


def test_login_api_and_webhooks_log_no_secret(app, db, make, debug_logs):
    agent = make.agent()
    token = make.token(agent)
    account = create_account("telegram", "Desk bot", signing_secret=CHANNEL_SECRET, access_token=ACCESS_TOKEN,
                             external_account_id="desk_bot")
    db.session.commit()
    url = webhook_url(account)
    debug_logs.clear()

    browser = Client(app)
    assert browser.post("/login", data={"email": agent.email, "password": "wrong " + PASSWORD}).status_code == 401
    assert browser.post("/login", data={"email": agent.email, "password": PASSWORD}).status_code == 302
    api = Client(app)
    assert api.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    platform = Client(app)
    signed = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": CHANNEL_SECRET}
    assert platform.post(url, data=_telegram_update(1), headers=signed).status_code == 200
    wrong = {**signed, "X-Telegram-Bot-Api-Secret-Token": WRONG_SECRET}
    assert platform.post(url, data=_telegram_update(2), headers=wrong).status_code == 401

    logged = everything_logged(debug_logs)
    assert "rejected telegram delivery" in logged  # the capture works: the refusal was logged
    for secret in (PASSWORD, token, token[12:], CHANNEL_SECRET, WRONG_SECRET, ACCESS_TOKEN):
        assert secret not in logged, f"{secret[:6]}… was logged"


def test_sending_a_reply_logs_no_bot_token(app, db, make, platform_server, debug_logs):
    """Telegram puts the bot token in the URL path; HTTP libraries log request lines at DEBUG."""
    from inquiry.outbound import dispatch
    from inquiry.tickets import services

    agent = make.agent()
    ticket = make.ticket(channel="telegram", conversation="6100")
    ticket.channel_account.api_base_url = platform_server.url
    ticket.channel_account.access_token = ACCESS_TOKEN
    services.reply(ticket, "We have passed your report on.", actor=agent)
    db.session.commit()
    platform_server.script = [(200, {"ok": True, "result": {"message_id": 77, "chat": {"id": 6100}}}),
                              (400, {"ok": False, "description": "Bad Request: chat not found"})]
    debug_logs.clear()
    for item_id in dispatch.claim(10):
        dispatch.send_one(item_id, dispatch.new_session())
    assert platform_server.calls[0].path == f"/bot{ACCESS_TOKEN}/sendMessage"  # it went through that URL
    logged = everything_logged(debug_logs)
    assert ACCESS_TOKEN not in logged and ACCESS_TOKEN.split(":")[1] not in logged


def test_the_access_log_leaves_query_strings_out():
    """Meta's subscription handshake puts the verify token in the query string of a GET."""
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from inquiry.serve import ACCESS_LOG_FORMAT

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/hooks/facebook/k3y?hub.mode=subscribe&hub.verify_token=vt-s3cret",
               "PATH_INFO": "/hooks/facebook/k3y", "QUERY_STRING": "hub.mode=subscribe&hub.verify_token=vt-s3cret",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = Logger(Config()).atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=3))
    line = ACCESS_LOG_FORMAT % atoms
    assert '"GET /hooks/facebook/k3y HTTP/1.1" 200' in line and "vt-s3cret" not in line


def test_url_credentials_are_masked_in_http_library_records():
    """The filter on its own: a WeChat-style query token and a Telegram-style path token."""
    from inquiry.security.logs import RedactUrls

    record = logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1, '%s://%s:%s "%s %s %s" %s %s',
                               ("https", "api.weixin.qq.com", 443, "POST",
                                "/cgi-bin/message/custom/send?access_token=wx-T0KEN", "HTTP/1.1", 200, 17), None)
    assert RedactUrls().filter(record) is True
    assert "wx-T0KEN" not in record.getMessage() and "/cgi-bin/message/custom/send?…" in record.getMessage()
    record = logging.LogRecord("urllib3.util.retry", logging.DEBUG, __file__, 1, "Incremented Retry for (url='%s'): %r",
                               (f"/bot{ACCESS_TOKEN}/sendMessage", None), None)
    RedactUrls().filter(record)
    assert ACCESS_TOKEN not in record.getMessage() and "/bot…/sendMessage" in record.getMessage()
