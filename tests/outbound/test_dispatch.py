"""Replies out: the outbox, delivered to a real HTTP server on loopback playing the platform."""
import datetime as dt

import pytest
from sqlalchemy import select

from inquiry.channels.models import ChannelAccount
from inquiry.errors import Invalid
from inquiry.outbound import dispatch
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets import services
from inquiry.tickets.models import DeliveryStatus


@pytest.fixture
def telegram_ticket(db, make, platform_server):
    agent = make.agent("general-public")
    ticket = make.ticket("general-public", channel="telegram", conversation="6100")
    account = db.session.get(ChannelAccount, ticket.channel_account_id)
    account.api_base_url = platform_server.url
    account.access_token = "123:abc"
    db.session.commit()
    return agent, ticket


def reply(db, agent, ticket, text="We have passed your report to the team."):
    message = services.reply(ticket, text, actor=agent)
    db.session.commit()
    return message


def run_due(db, at=None):
    ids = dispatch.claim(10, at=at)
    for item_id in ids:
        dispatch.send_one(item_id, dispatch.new_session(), at=at)
    db.session.expire_all()
    return ids


def test_reply_and_outbox_row_are_written_together_then_delivered(db, telegram_ticket, platform_server):
    agent, ticket = telegram_ticket
    platform_server.script = [(200, {"ok": True, "result": {"message_id": 77, "chat": {"id": 6100}}})]
    message = reply(db, agent, ticket)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.message_id == message.id and item.state == OutboxState.PENDING
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == "/bot123:abc/sendMessage"
    assert call.json()["chat_id"] == "6100" and call.json()["text"] == "We have passed your report to the team."
    assert db.session.get(OutboxItem, item.id).state == OutboxState.SENT
    assert message.delivery_status == DeliveryStatus.SENT and message.external_id == "6100:77"
    assert db.session.get(ChannelAccount, ticket.channel_account_id).last_outbound_ok_at is not None


def test_server_error_is_retried_with_backoff_then_succeeds(db, telegram_ticket, platform_server):
    agent, ticket = telegram_ticket
    platform_server.script = [(502, {"ok": False}), (200, {"ok": True, "result": {"message_id": 78}})]
    message = reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.PENDING and item.attempts == 1 and "502" in item.last_error
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert run_due(db) == []  # not due yet: back-off
    later = item.next_attempt_at + dt.timedelta(seconds=1)
    run_due(db, at=later)
    assert db.session.get(OutboxItem, item.id).state == OutboxState.SENT
    assert len(platform_server.calls) == 2
    assert platform_server.calls[0].body == platform_server.calls[1].body


def test_permanent_failure_goes_to_the_dead_letter(db, telegram_ticket, platform_server):
    agent, ticket = telegram_ticket
    platform_server.script = [(400, {"ok": False, "description": "Bad Request: chat not found"})]
    message = reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.DEAD and "chat not found" in item.last_error
    assert message.delivery_status == DeliveryStatus.FAILED and "chat not found" in message.delivery_error
    assert "chat not found" in db.session.get(ChannelAccount, ticket.channel_account_id).last_outbound_error


def test_repeated_server_errors_reach_the_dead_letter_after_max_attempts(app, db, telegram_ticket, platform_server):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    agent, ticket = telegram_ticket
    platform_server.script = [(503, {"ok": False})]
    reply(db, agent, ticket)
    at = dt.datetime.now(dt.timezone.utc)
    for _ in range(3):
        run_due(db, at=at)
        at += dt.timedelta(days=1)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.DEAD and item.attempts == 3 and len(platform_server.calls) == 3


def test_unreachable_platform_is_a_temporary_failure(db, telegram_ticket):
    agent, ticket = telegram_ticket
    db.session.get(ChannelAccount, ticket.channel_account_id).api_base_url = "http://127.0.0.1:9"
    db.session.commit()
    reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert item.state == OutboxState.PENDING and "ConnectionError" in item.last_error


def test_reply_longer_than_the_platform_allows_is_refused_before_writing(db, telegram_ticket):
    agent, ticket = telegram_ticket
    with pytest.raises(Invalid):
        services.reply(ticket, "x" * 4097, actor=agent)
    db.session.rollback()
    assert db.session.scalars(select(OutboxItem)).all() == []


def test_an_unreachable_api_never_stores_the_token_from_the_url(db, telegram_ticket):
    agent, ticket = telegram_ticket
    account = db.session.get(ChannelAccount, ticket.channel_account_id)
    account.api_base_url, account.access_token = "http://127.0.0.1:9", "999:SECRET-BOT-TOKEN"
    db.session.commit()
    reply(db, agent, ticket)
    run_due(db)
    item = db.session.scalars(select(OutboxItem)).one()
    assert "ConnectionError" in item.last_error
    assert "SECRET-BOT-TOKEN" not in item.last_error
    assert "SECRET-BOT-TOKEN" not in (db.session.get(ChannelAccount, account.id).last_outbound_error or "")


def test_two_workers_claiming_at_once_never_take_the_same_reply(app, db, make):
    """PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time. Either way, disjoint."""
    import threading

    agent = make.agent("general-public")
    for n in range(12):
        services.reply(make.ticket("general-public", channel="web-form"), f"answer {n}", actor=agent)
    db.session.commit()
    barrier, claimed = threading.Barrier(2), []

    def worker():
        from inquiry.extensions import db as _db

        with app.app_context():
            barrier.wait()
            claimed.append(dispatch.claim(8))
            _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = claimed
    assert not set(first) & set(second)
    assert len(first) + len(second) == 12


def test_worker_once_drains_deliveries_and_outbox_then_exits(app, db, make):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from inquiry.cli import main

    agent = make.agent("general-public")
    services.reply(make.ticket("general-public", channel="web-form"), "Thanks, we answered on the status page.", actor=agent)
    db.session.commit()
    result = CliRunner().invoke(main, ["worker", "--once"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "outbox=1" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(OutboxItem)).one().state == OutboxState.SENT


def test_items_the_lease_no_longer_covers_are_handed_back_unsent(db, telegram_ticket, platform_server, monkeypatch):
    """A slow platform must not let the end of a batch outlive its lease: another worker would
    claim those items too and the sender could get the reply twice."""
    agent, ticket = telegram_ticket
    platform_server.script = [(200, {"ok": True, "result": {"message_id": 90 + n}}) for n in range(5)]
    messages = [reply(db, agent, ticket, f"Reply {n}") for n in range(5)]
    clock = [dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)]
    monkeypatch.setattr(dispatch, "utcnow", lambda: clock[0])
    send = dispatch.send_one

    def slow_send(item_id, http, **kw):  # every send takes 50 s of the 120 s lease
        state = send(item_id, http, **kw)
        clock[0] += dt.timedelta(seconds=50)
        return state

    monkeypatch.setattr(dispatch, "send_one", slow_send)
    for item in db.session.scalars(select(OutboxItem)):
        item.next_attempt_at = clock[0]
    db.session.commit()
    assert dispatch.dispatch_due(limit=5) == 3  # sent at 0, 50 and 100 s; the 4th would start at 150 s
    db.session.expire_all()
    items = db.session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
    assert [i.state for i in items] == [OutboxState.SENT] * 3 + [OutboxState.PENDING] * 2
    assert [i.attempts for i in items[3:]] == [0, 0] and all(i.next_attempt_at <= clock[0] for i in items[3:])
    assert len(platform_server.calls) == 3
    assert dispatch.dispatch_due(limit=5) == 2  # due at once: the next run sends them, once each
    assert [c.json()["text"] for c in platform_server.calls] == [m.body for m in messages]
