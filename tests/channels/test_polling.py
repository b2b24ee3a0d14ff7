"""The worker's polling job: only enabled, native, due accounts are polled."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

from inquiry.channels.http import new_session
from inquiry.channels.polling import poll_due, polling_platforms
from inquiry.channels.services import create_account
from inquiry.dbtypes import utcnow

EMPTY = {"kind": "youtube#commentThreadListResponse", "items": []}


def test_youtube_and_reddit_are_polling_platforms(app):
    assert {"youtube", "reddit"} <= set(polling_platforms())


def test_poll_due_polls_due_accounts_only(app, db, platform_server):
    now = utcnow()
    interval = app.config["POLL_INTERVAL_SECONDS"]

    def channel(name, polled_at=None, **fields):
        return create_account("youtube", name, external_account_id=name, access_token="t",
                              api_base_url=platform_server.url, polled_at=polled_at, **fields)

    never = channel("UCnever")
    stale = channel("UCstale", polled_at=now - dt.timedelta(seconds=interval + 5))
    channel("UCfresh", polled_at=now - dt.timedelta(seconds=interval // 2))
    channel("UCdisabled", is_enabled=False)
    bridged = channel("UCbridged")
    bridged.options = {"transport": "bridge"}  # fed by the signed bridge, not polled
    db.session.commit()
    platform_server.script = [(200, EMPTY)]

    assert poll_due(at=now, http=new_session()) == 2
    polled = {parse_qs(urlsplit(call.path).query)["allThreadsRelatedToChannelId"][0] for call in platform_server.calls}
    assert polled == {"UCnever", "UCstale"}
    db.session.expire_all()
    assert never.polled_at == now and stale.polled_at == now

    # Right after, nothing is due; once the interval has passed, every enabled native account is.
    assert poll_due(at=now + dt.timedelta(seconds=1), http=new_session()) == 0
    later = now + dt.timedelta(seconds=interval + 1)
    assert poll_due(at=later, http=new_session()) == 3  # the fresh one is due by then too
