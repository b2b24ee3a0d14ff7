"""Reddit inbox: polled with a fullname cursor; private messages and comment replies; replies."""
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from inquiry.channels.health import recent_rejections
from inquiry.channels.http import new_session
from inquiry.channels.polling import poll_account
from inquiry.channels.services import create_account, webhook_url
from inquiry.tickets.models import Message, Ticket
from tests.channels.social_support import (WORLD_TEXT, dead_lettered, reply, run_due, sent_after_a_server_error,
                                           ticket_on)

US = "InquiryDesk"


def pm(n, body=None, author=None, first=None, created=1731400000):
    return {"kind": "t4", "data": {
        "id": f"pm{n}", "name": f"t4_pm{n}", "author": author or f"user{n}", "author_fullname": f"t2_u{n}",
        "dest": US, "subject": f"Question {n}", "body": body or f"Where can I read your policy brief? ({n})",
        "created_utc": float(created + n), "first_message_name": first, "parent_id": first, "was_comment": False,
        "new": True, "context": ""}}


def comment_reply(n, author="commenter", created=1731400500):
    return {"kind": "t1", "data": {
        "id": f"c{n}", "name": f"t1_c{n}", "author": author, "body": f"Thanks — and the webinar link? ({n})",
        "created_utc": float(created + n), "link_id": "t3_post1", "parent_id": "t1_ourcomment",
        "subreddit": "example", "subject": "comment reply", "was_comment": True, "new": True,
        "context": f"/r/example/comments/post1/title/c{n}/?context=3", "link_title": "Our AMA"}}


def listing(*children, after=None):
    return {"kind": "Listing", "data": {"after": after, "before": None, "dist": len(children), "children": list(children)}}


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.path).query).items()}


@pytest.fixture
def reddit(db, platform_server):
    acct = create_account("reddit", "u/InquiryDesk", external_account_id=US, access_token="reddit-token",
                          api_base_url=platform_server.url)
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_poll_takes_all_then_only_new_ones(db, reddit, platform_server):
    platform_server.script = [(200, listing(comment_reply(1), pm(2, body=WORLD_TEXT), pm(1)))]
    poll_account(reddit, new_session())
    call = platform_server.calls[0]
    assert urlsplit(call.path).path == "/message/inbox" and query(call) == {"limit": "100", "raw_json": "1"}
    assert call.headers["Authorization"] == "Bearer reddit-token" and US in call.headers["User-Agent"]
    assert count(db, Ticket) == 3 and reddit.poll_cursor == "t1_c1"
    pm_ticket = db.session.scalars(select(Ticket).filter_by(conversation_key="t4_pm2")).one()
    assert pm_ticket.messages[0].body == WORLD_TEXT and pm_ticket.contact.display_name == "user2"
    assert db.session.scalars(select(Ticket).filter_by(conversation_key="t3_post1:commenter")).one()

    # The reply in the first thread and a new comment reply; asked for with before=<cursor>.
    platform_server.script = [(200, listing(comment_reply(2), pm(3, author="user1", first="t4_pm1")))]
    poll_account(reddit, new_session())
    assert query(platform_server.calls[1])["before"] == "t1_c1"
    assert count(db, Message) == 5 and count(db, Ticket) == 3  # both joined their conversations
    assert reddit.poll_cursor == "t1_c2"


def test_a_repeated_item_creates_nothing(db, reddit, platform_server):
    platform_server.script = [(200, listing(pm(1)))]
    poll_account(reddit, new_session())
    poll_account(reddit, new_session())
    assert count(db, Ticket) == 1 and count(db, Message) == 1


def test_an_empty_inbox_keeps_the_cursor(db, reddit, platform_server):
    platform_server.script = [(200, listing(pm(1)))]
    poll_account(reddit, new_session())
    platform_server.script = [(200, listing())]
    poll_account(reddit, new_session())
    assert reddit.poll_cursor == "t4_pm1"


def test_a_server_error_leaves_the_cursor_unchanged(db, reddit, platform_server):
    platform_server.script = [(200, listing(pm(1)))]
    poll_account(reddit, new_session())
    platform_server.script = [(502, {"message": "Bad Gateway"})]
    assert poll_account(reddit, new_session()) == 0
    db.session.expire_all()
    assert reddit.poll_cursor == "t4_pm1" and count(db, Message) == 1
    assert any(reason.startswith("poll failed") for reason in recent_rejections(reddit))


def test_first_poll_pages_back_and_skips_our_own_messages(db, reddit, platform_server):
    platform_server.script = [(200, listing(pm(3), pm(2, author=US), after="t4_pm2")), (200, listing(pm(1)))]
    poll_account(reddit, new_session())
    assert query(platform_server.calls[1])["after"] == "t4_pm2"
    assert sorted(t.conversation_key for t in db.session.scalars(select(Ticket))) == ["t4_pm1", "t4_pm3"]
    assert reddit.poll_cursor == "t4_pm3"


def test_webhooks_are_refused_with_404(client, db, reddit):
    assert client.post(webhook_url(reddit), data=b"{}").status_code == 404


# ---- replies ---------------------------------------------------------------------------------

@pytest.fixture
def conversation(db, make, platform_server):
    agent, ticket = ticket_on(db, make, platform_server, "reddit", "t3_post1:commenter", access_token="reddit-token",
                              external_account_id=US)
    ticket.messages[0].external_id = "t1_c7"  # the commenter's reply we answer
    db.session.commit()
    return agent, ticket


OK = {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": {"id": "r1", "name": "t1_r1"}}]}}}


def test_reply_is_a_comment_on_the_senders_last_item(db, conversation, platform_server):
    agent, ticket = conversation
    platform_server.script = [(200, OK)]
    message = reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == "/api/comment" and call.headers["Authorization"] == "Bearer reddit-token"
    assert parse_qs(call.body.decode()) == {"thing_id": ["t1_c7"], "text": ["We have passed your report to the team."],
                                            "api_type": ["json"]}
    assert message.external_id == "t1_r1"


def test_server_error_then_success(db, conversation, platform_server):
    agent, ticket = conversation
    sent_after_a_server_error(db, agent, ticket, platform_server, OK)


def test_refusal_in_a_200_answer_goes_to_the_dead_letter(db, conversation, platform_server):
    agent, ticket = conversation
    refused = {"json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}}
    dead_lettered(db, agent, ticket, platform_server, 200, refused, "DELETED_COMMENT")


def test_an_unconfigured_account_is_not_polled_over_the_network(db, reddit, platform_server):
    reddit.access_token = None
    db.session.commit()
    assert poll_account(reddit, new_session()) == 0
    assert platform_server.calls == [] and reddit.poll_cursor is None
    assert "poll failed: Reddit account has no OAuth access token" in recent_rejections(reddit)
