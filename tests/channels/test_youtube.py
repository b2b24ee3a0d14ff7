"""YouTube comments: polled from commentThreads.list with a publishedAt cursor; replies inserted."""
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

CHANNEL = "UCexampleChannel000001"


def thread(n, published, text=None, author=None):
    text = text or f"Question {n}: where is the cybercrime toolkit?"
    comment = {"kind": "youtube#comment", "id": f"Ugcomment{n}", "snippet": {
        "channelId": CHANNEL, "videoId": "vid-1", "textDisplay": text, "textOriginal": text,
        "authorDisplayName": f"@viewer{n}", "authorChannelId": {"value": author or f"UCviewer{n}"},
        "canRate": True, "likeCount": 0, "publishedAt": published, "updatedAt": published}}
    return {"kind": "youtube#commentThread", "id": f"Ugthread{n}", "snippet": {
        "channelId": CHANNEL, "videoId": "vid-1", "topLevelComment": comment, "canReply": True,
        "totalReplyCount": 0, "isPublic": True}}


def page(*threads, next_token=None):
    body = {"kind": "youtube#commentThreadListResponse", "pageInfo": {"totalResults": len(threads), "resultsPerPage": 100},
            "items": list(threads)}
    if next_token:
        body["nextPageToken"] = next_token
    return body


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.path).query).items()}


@pytest.fixture
def youtube(db, platform_server):
    acct = create_account("youtube", "Channel", external_account_id=CHANNEL, access_token="ya29.token",
                          api_base_url=platform_server.url)
    db.session.commit()
    return acct


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_poll_takes_all_then_only_newer_comments(db, youtube, platform_server):
    platform_server.script = [(200, page(thread(2, "2024-11-12T09:20:00Z", WORLD_TEXT), thread(1, "2024-11-12T09:00:00Z")))]
    poll_account(youtube, new_session())
    call = platform_server.calls[0]
    assert urlsplit(call.path).path == "/youtube/v3/commentThreads"
    assert query(call) == {"allThreadsRelatedToChannelId": CHANNEL, "part": "snippet", "order": "time",
                           "maxResults": "100", "textFormat": "plainText"}
    assert call.headers["Authorization"] == "Bearer ya29.token"
    assert count(db, Ticket) == 2 and youtube.poll_cursor.startswith("2024-11-12T09:20:00")
    ticket = db.session.scalars(select(Ticket).filter_by(conversation_key="Ugthread2")).one()
    assert ticket.messages[0].body == WORLD_TEXT and ticket.messages[0].external_id == "Ugcomment2"
    assert ticket.contact.display_name == "@viewer2"

    # Second poll: one new comment, the two already taken, and one older never-seen comment.
    platform_server.script = [(200, page(thread(3, "2024-11-12T10:00:00Z"), thread(2, "2024-11-12T09:20:00Z", WORLD_TEXT),
                                         thread(1, "2024-11-12T09:00:00Z"), thread(0, "2024-11-11T00:00:00Z")))]
    poll_account(youtube, new_session())
    assert count(db, Ticket) == 3 and count(db, Message) == 3
    assert db.session.scalars(select(Ticket).filter_by(conversation_key="Ugthread0")).first() is None
    assert youtube.poll_cursor.startswith("2024-11-12T10:00:00")


def test_a_repeated_comment_creates_nothing(db, youtube, platform_server):
    platform_server.script = [(200, page(thread(1, "2024-11-12T09:00:00Z")))]
    poll_account(youtube, new_session())
    poll_account(youtube, new_session())
    assert len(platform_server.calls) == 2 and count(db, Ticket) == 1 and count(db, Message) == 1


def test_a_server_error_leaves_the_cursor_unchanged(db, youtube, platform_server):
    platform_server.script = [(200, page(thread(1, "2024-11-12T09:00:00Z")))]
    poll_account(youtube, new_session())
    cursor = youtube.poll_cursor
    platform_server.script = [(503, {"error": {"code": 503, "message": "backendError"}})]
    assert poll_account(youtube, new_session()) == 0
    db.session.expire_all()
    assert youtube.poll_cursor == cursor and youtube.polled_at is not None
    assert any(reason.startswith("poll failed") for reason in recent_rejections(youtube))


def test_pages_until_the_cursor_and_skips_our_own_comments(db, youtube, platform_server):
    platform_server.script = [
        (200, page(thread(3, "2024-11-12T10:00:00Z", author=CHANNEL), next_token="page-2")),
        (200, page(thread(2, "2024-11-12T09:00:00Z"))),
    ]
    poll_account(youtube, new_session())
    assert query(platform_server.calls[1])["pageToken"] == "page-2"
    assert [t.conversation_key for t in db.session.scalars(select(Ticket))] == ["Ugthread2"]
    assert youtube.poll_cursor.startswith("2024-11-12T10:00:00")


def test_api_key_is_used_without_an_oauth_token(db, youtube, platform_server):
    youtube.access_token = None
    youtube.options = {"api_key": "AIza-key"}
    db.session.commit()
    platform_server.script = [(200, page())]
    poll_account(youtube, new_session())
    assert query(platform_server.calls[0])["key"] == "AIza-key" and "Authorization" not in platform_server.calls[0].headers


def test_webhooks_are_refused_with_404(client, db, youtube):
    assert client.post(webhook_url(youtube), data=b"{}").status_code == 404


# ---- replies ---------------------------------------------------------------------------------

@pytest.fixture
def conversation(db, make, platform_server):
    return ticket_on(db, make, platform_server, "youtube", "Ugthread2", access_token="ya29.token",
                     external_account_id=CHANNEL)


def test_reply_is_inserted_into_the_thread(db, conversation, platform_server):
    agent, ticket = conversation
    platform_server.script = [(200, {"kind": "youtube#comment", "id": "Ugreply1"})]
    message = reply(db, agent, ticket)
    run_due(db)
    call = platform_server.calls[0]
    assert call.path == "/youtube/v3/comments?part=snippet" and call.headers["Authorization"] == "Bearer ya29.token"
    assert call.json() == {"snippet": {"parentId": "Ugthread2", "textOriginal": "We have passed your report to the team."}}
    assert message.external_id == "Ugreply1"


def test_server_error_then_success(db, conversation, platform_server):
    agent, ticket = conversation
    sent_after_a_server_error(db, agent, ticket, platform_server, {"id": "Ugreply2"})


def test_forbidden_goes_to_the_dead_letter(db, conversation, platform_server):
    agent, ticket = conversation
    dead_lettered(db, agent, ticket, platform_server, 403,
                  {"error": {"code": 403, "message": "commentsDisabled"}}, "commentsDisabled")
