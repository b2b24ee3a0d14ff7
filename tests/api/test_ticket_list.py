"""GET /tickets: scoped to the caller's queues, filtered, and walked by keyset cursor."""
import base64
import datetime as dt
import json

import pytest

from inquiry.tickets import services
from inquiry.tickets.models import Ticket


def _ids(resp):
    assert resp.status_code == 200, resp.json
    return [item["id"] for item in resp.json["items"]]


def _walk(api_client, query="limit=3"):
    """Every page of a list: (ids in order, number of pages)."""
    ids, pages, cursor = [], 0, None
    while True:
        resp = api_client.get(f"/tickets?{query}" + (f"&cursor={cursor}" if cursor else ""))
        ids += _ids(resp)
        pages += 1
        cursor = resp.json["next"]
        if cursor is None:
            return ids, pages


@pytest.fixture
def many(make, db):
    """Seven tickets in general-public; three of them share one creation time (ties need the id)."""
    tickets = [make.ticket("general-public") for _ in range(7)]
    same = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.timezone.utc)
    for ticket in tickets[2:5]:
        ticket.created_at = same
    db.session.commit()
    return tickets


def test_pagination_walks_every_ticket_exactly_once_newest_first(api, make, many, db):
    token = make.token(make.agent("general-public"))
    ids, pages = _walk(api(token))
    assert pages == 3
    assert sorted(ids) == sorted(t.id for t in many) and len(ids) == len(set(ids))
    db.session.expire_all()
    rows = [db.session.get(Ticket, i) for i in ids]
    keys = [(t.created_at, t.id) for t in rows]
    assert keys == sorted(keys, reverse=True)


def test_default_page_size_and_limit_bounds(api, make, many, app):
    token = make.token(make.supervisor())
    resp = api(token).get("/tickets")
    assert len(resp.json["items"]) == 7 and resp.json["next"] is None
    assert len(api(token).get("/tickets?limit=1").json["items"]) == 1
    for bad in ("0", "-1", str(app.config["PAGE_SIZE_MAX"] + 1), "ten", "2.5"):
        resp = api(token).get(f"/tickets?limit={bad}")
        assert resp.status_code == 422, bad
        assert "limit" in resp.json["error"]["fields"]


def test_new_tickets_arriving_during_a_walk_do_not_shift_pages(api, make, many):
    token = make.token(make.supervisor())
    first = api(token).get("/tickets?limit=3")
    make.ticket("general-public")  # newer than everything: belongs before page one
    ids = _ids(first)
    cursor = first.json["next"]
    while cursor:
        resp = api(token).get(f"/tickets?limit=3&cursor={cursor}")
        ids += _ids(resp)
        cursor = resp.json["next"]
    assert sorted(ids) == sorted(t.id for t in many)


@pytest.mark.parametrize("cursor", [
    "garbage",
    base64.urlsafe_b64encode(json.dumps(["2026-01-01T00:00:00+00:00", 5]).encode()).decode(),
    "",
])
def test_bad_cursor_is_400(api, make, many, cursor):
    token = make.token(make.supervisor())
    resp = api(token).get(f"/tickets?cursor={cursor}")
    if cursor == "":
        assert resp.status_code == 200  # an empty cursor is the first page
        return
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "bad_cursor"


def test_tampered_cursor_is_400(api, make, many):
    token = make.token(make.supervisor())
    cursor = api(token).get("/tickets?limit=2").json["next"]
    flipped = ("X" if cursor[5] != "X" else "Y").join((cursor[:5], cursor[6:]))  # one character of the payload
    payload, _, signature = cursor.partition(".")
    forged = base64.urlsafe_b64encode(json.dumps(["2030-01-01T00:00:00+00:00", 10**6]).encode()).decode().rstrip("=")
    for bad in (flipped, f"{forged}.{signature}", payload):
        resp = api(token).get(f"/tickets?cursor={bad}")
        assert resp.status_code == 400, bad
        assert resp.json["error"]["fields"] == {"cursor": ["not a cursor this list handed out"]}


def test_agent_lists_only_their_queues_supervisor_all(api, make):
    gov_agent = make.agent("government")
    gov = make.ticket("government")
    edu = make.ticket("education")
    triage = make.ticket("triage")
    assert _ids(api(make.token(gov_agent)).get("/tickets")) == [gov.id]
    assert set(_ids(api(make.token(make.supervisor())).get("/tickets"))) == {gov.id, edu.id, triage.id}


def test_filtering_by_a_queue_the_agent_does_not_work_is_an_empty_list(api, make):
    gov_agent = make.agent("government")
    make.ticket("education")
    resp = api(make.token(gov_agent)).get("/tickets?queue=education")
    assert resp.status_code == 200
    assert resp.json == {"items": [], "next": None}


def test_filters(api, make, db):
    supervisor = make.supervisor()
    agent = make.agent("education")
    a = make.ticket("education", topic="webinars", priority="urgent", language="fr")
    b = make.ticket("government", topic="disarmament", priority="low", language="en", channel="vk")
    c = make.ticket("education", topic="webinars", priority="normal", language="en")
    services.claim(c, actor=agent)
    services.change_status(b, "pending", actor=supervisor)
    db.session.commit()
    client = api(make.token(supervisor))
    assert _ids(client.get("/tickets?queue=education")) == [c.id, a.id]
    assert _ids(client.get("/tickets?topic=webinars&priority=urgent")) == [a.id]
    assert _ids(client.get("/tickets?language=en")) == [c.id, b.id]
    assert _ids(client.get("/tickets?channel=vk")) == [b.id]
    assert _ids(client.get("/tickets?status=pending")) == [b.id]
    assert _ids(client.get(f"/tickets?assignee={agent.id}")) == [c.id]
    assert _ids(client.get("/tickets?assignee=none")) == [b.id, a.id]
    assert _ids(api(make.token(agent)).get("/tickets?assignee=me")) == [c.id]
    item = client.get("/tickets?channel=vk").json["items"][0]
    assert "messages" not in item and item["channel"] == "vk" and item["status"] == "pending"


@pytest.mark.parametrize("query, field", [
    ("queue=nowhere", "queue"), ("status=archived", "status"), ("topic=gossip", "topic"),
    ("priority=asap", "priority"), ("language=xx", "language"), ("channel=myspace", "channel"),
    ("assignee=bob", "assignee"), ("assignee=-1", "assignee"),
])
def test_bad_filter_values_are_422(api, make, query, field):
    resp = api(make.token(make.supervisor())).get(f"/tickets?{query}")
    assert resp.status_code == 422
    assert field in resp.json["error"]["fields"]


def test_workspace_call_style_works_too(app, make):
    """tickets.views calls list_tickets with keyword filters and a text limit, and unpacks it."""
    from inquiry.tickets import queries

    agent = make.agent("education")
    ticket = make.ticket("education", topic="webinars")
    items, next_cursor = queries.list_tickets(agent, topic="webinars", limit="10", cursor=None)
    assert [t.id for t in items] == [ticket.id] and next_cursor is None
