"""GET /api/v1/search: the same search as the page, by token, within the token user's queues."""
import pytest

from inquiry.api.search import SearchResults
from inquiry.extensions import db
from inquiry.tickets import services as tickets

from tests.api.conftest import Api


@pytest.fixture
def api(client):
    return lambda token=None: Api(client, token)


def test_search_answers_documented_hits(api, make):
    ticket = make.ticket(text="Mon passeport a expiré")
    boss = make.supervisor()
    tickets.add_note(ticket, "passeport envoyé", actor=boss)
    db.session.commit()
    resp = api(make.token(boss)).get("/search?q=PASSEPORT")
    assert resp.status_code == 200, resp.json
    SearchResults.model_validate(resp.json)
    [item] = resp.json["items"]
    assert item["ticket"]["reference"] == ticket.reference and item["matched"] == "message"
    assert item["snippet"] == "passeport envoyé"
    assert [item["snippet"][h["start"]:h["end"]] for h in item["highlights"]] == ["passeport"]
    assert item["message_id"] == ticket.messages[-1].id


def test_scoped_to_the_token_users_queues(api, make):
    make.ticket("travellers", text="visa question")
    mine = make.ticket("general-public", text="visa question")
    token = make.token(make.agent("general-public"))
    assert [i["ticket"]["id"] for i in api(token).get("/search?q=visa").json["items"]] == [mine.id]


def test_needs_tickets_read(api, make):
    token = make.token(make.supervisor(), scopes=["inquiries:write"])
    assert api(token).get("/search?q=x").status_code == 403
    assert api(None).get("/search?q=x").status_code == 401


@pytest.mark.parametrize("query, field", [("", "q"), ("?q=", "q"), ("?q=%20", "q"), ("?q=" + "x" * 201, "q"),
                                          ("?q=a&limit=0", "limit"), ("?q=a&limit=51", "limit"),
                                          ("?q=a&limit=ten", "limit"), ("?q=a&sort=new", "sort"),
                                          ("?q=a&q=b", "q")])
def test_bad_queries_are_422_naming_the_field(api, make, query, field):
    resp = api(make.token(make.supervisor())).get("/search" + query)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["error"]["fields"]


def test_limit_and_hostile_text(api, make):
    for _ in range(3):
        make.ticket(text="refund request")
    token = make.token(make.supervisor())
    assert len(api(token).get("/search?q=refund&limit=2").json["items"]) == 2
    for q in ['"', "NEAR(", "a:*", "%00", "a\x00b", "\x00", "*", "'", "\\"]:
        resp = api(token).get("/search", query_string={"q": q})
        assert resp.status_code in (200, 422), q


def test_documented_in_openapi(api, make):
    doc = api(None).get("/openapi.json").json
    op = doc["paths"]["/search"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["q"]["required"] and params["q"]["schema"]["maxLength"] == 200
    assert params["limit"]["schema"]["maximum"] == 50 and not params["limit"]["required"]
    assert op["security"] == [{"bearerAuth": ["tickets:read"]}]
