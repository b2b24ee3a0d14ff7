"""GET /search: staff only, results with marked snippets, a form message (422) for a bad query."""
import pytest

from inquiry.extensions import db
from inquiry.tickets import services as tickets

from tests.search.conftest import result_references


def test_anonymous_is_sent_to_log_in(client):
    resp = client.get("/search?q=passport")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_empty_page_without_a_query(client, login, make):
    login(make.agent())
    resp = client.get("/search")
    page = resp.data.decode()
    assert resp.status_code == 200
    assert '<label for="q">' in page and 'name="q"' in page
    assert "found" not in page and "Nothing found" not in page


def test_results_are_the_visible_tickets_with_marked_snippets(client, login, make):
    mine = make.ticket("general-public", text="Where do I renew my <b>passport</b>?")
    theirs = make.ticket("travellers", text="passport renewal abroad")
    agent = login(make.agent("general-public"))
    tickets.add_note(mine, "Sent the passport form", actor=agent)
    db.session.commit()
    resp = client.get("/search?q=Passport")
    page = resp.data.decode()
    assert resp.status_code == 200
    assert result_references(resp) == [mine.reference]
    assert theirs.reference not in page
    assert "Sent the <mark>passport</mark> form" in page and "Matched: internal note" in page
    assert f'href="/tickets/{mine.reference}"' in page


def test_reference_and_language_queries(client, login, make):
    ticket = make.ticket(text="我的护照丢了")
    login(make.supervisor())
    assert result_references(client.get("/search", query_string={"q": "护照"})) == [ticket.reference]
    resp = client.get("/search", query_string={"q": ticket.reference.lower()})
    assert result_references(resp) == [ticket.reference] and "Matched: reference" in resp.data.decode()


def test_message_text_is_escaped_around_the_marks(client, login, make):
    make.ticket(text="<b>passport</b> <script>x()</script>")
    login(make.supervisor())
    page = client.get("/search?q=passport").data.decode()
    assert "&lt;b&gt;<mark>passport</mark>&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;" in page


@pytest.mark.parametrize("q, message", [("", "must not be empty"), ("   ", "must not be empty"),
                                        ("x" * 201, "at most 200 characters")])
def test_bad_query_is_a_form_error(client, login, make, q, message):
    login(make.agent())
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 422
    assert message in resp.data.decode()


def test_hostile_queries_render(client, login, make):
    make.ticket(text="ordinary")
    login(make.supervisor())
    for q in ['"', "NEAR(", "a:*", "*", "-", "<script>alert(1)</script>", "%00", "\x00", "'; --", "护" * 200]:
        resp = client.get("/search", query_string={"q": q})
        assert resp.status_code in (200, 422), q
        assert "<script>alert" not in resp.data.decode()


def test_search_box_in_the_top_bar_for_staff_only(client, login, make):
    assert 'id="global-search"' not in client.get("/login").data.decode()
    login(make.agent())
    page = client.get("/tickets/").data.decode()
    assert '<form role="search"' in page and 'action="/search"' in page
    assert '<label for="global-search">' in page and 'id="global-search" name="q"' in page
