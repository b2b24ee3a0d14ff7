"""The status page: the right pair shows the conversation without notes; any wrong pair, one 404."""
import pytest
from sqlalchemy import select

from inquiry.tickets import services as tickets
from inquiry.tickets.models import Direction, Message, Ticket, TicketStatus

from tests.public.conftest import receipt_of, stored

NO_MATCH = "No inquiry matches that reference and token."


def _ticket(db, reference) -> Ticket:
    return db.session.scalar(select(Ticket).filter_by(reference=reference))


def test_lookup_form_renders(client):
    html = client.get("/contact/status").get_data(as_text=True)
    assert "<h1>Check an inquiry</h1>" in html
    assert '<label for="reference"' in html and '<label for="token"' in html


def test_right_pair_shows_status_and_replies_but_never_notes(client, db, make, submit):
    reference, token = submit(message="Where can I find the recording?")
    ticket = _ticket(db, reference)
    agent = make.agent("triage")
    tickets.reply(ticket, "The recording is on our webinar page.", actor=agent)
    tickets.add_note(ticket, "INTERNAL: sender seems legit, check CRM", actor=agent)
    db.session.commit()

    page = client.post("/contact/status", data={"reference": reference, "token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert f'<span class="reference" dir="ltr">{reference}</span>' in html
    assert "Being handled" in html  # a reply opened the ticket
    assert "Where can I find the recording?" in html
    assert "The recording is on our webinar page." in html
    assert "INTERNAL" not in html and "check CRM" not in html
    assert agent.name not in html  # staff stay anonymous to the public
    assert html.count('<div class="user-text" dir="auto">') == 2
    assert ticket.created_at.strftime("%d %b %Y") in html


def test_reference_may_be_typed_loosely(client, db, submit):
    reference, token = submit()
    loose = reference.lower().replace("-", " ").replace("inq ", "")
    response = client.post("/contact/status", data={"reference": loose, "token": f" {token} "})
    assert response.status_code == 200 and reference in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "words"),
    [("pending", "Waiting for your reply"), ("solved", "Answered"), ("closed", "Closed"), ("on_hold", "Being handled")],
)
def test_status_is_told_in_plain_words(client, db, make, submit, status, words):
    reference, token = submit()
    tickets.change_status(_ticket(db, reference), status, actor=make.supervisor())
    db.session.commit()
    html = client.post("/contact/status", data={"reference": reference, "token": token}).get_data(as_text=True)
    assert f'<strong class="public-status">{words}</strong>' in html


def test_new_ticket_reads_received(client, submit):
    reference, token = submit()
    html = client.post("/contact/status", data={"reference": reference, "token": token}).get_data(as_text=True)
    assert '<strong class="public-status">Received</strong>' in html


def test_wrong_token_and_unknown_reference_get_the_same_404(client, db, make, submit):
    reference, token = submit(message="my private question")
    other = make.ticket()  # a real ticket without a public token (came in on Telegram)
    answers = [
        client.post("/contact/status", data={"reference": reference, "token": token[:-1] + "x"}),
        client.post("/contact/status", data={"reference": "INQ-0000-0000", "token": token}),
        client.post("/contact/status", data={"reference": other.reference, "token": token}),
        client.post("/contact/status", data={"reference": other.reference, "token": ""}),
    ]
    for response in answers[:3]:
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert NO_MATCH in html and "my private question" not in html
        assert token not in html  # the form does not echo the guess back
    assert answers[3].status_code == 422  # an empty token is a form error, not a guess
    bodies = {r.get_data(as_text=True) for r in answers[:3]}
    assert len(bodies) == 1  # nothing tells an existing reference from a made-up one


def test_malformed_reference_is_a_field_error(client):
    response = client.post("/contact/status", data={"reference": "hello", "token": "abc"})
    assert response.status_code == 422
    assert "A reference looks like INQ-7K3M-Q9PX." in response.get_data(as_text=True)


def test_text_is_escaped_on_the_status_page(client, db, make, submit):
    reference, token = submit(message="<script>alert('x')</script> <b>bold</b>", subject="<img src=x onerror=alert(1)>")
    tickets.reply(_ticket(db, reference), "<script>reply()</script>", actor=make.supervisor())
    db.session.commit()
    html = client.post("/contact/status", data={"reference": reference, "token": token}).get_data(as_text=True)
    assert "<script>" not in html and "<b>bold</b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;reply()&lt;/script&gt;" in html


def test_follow_up_joins_the_ticket_and_shows_after_redirect(client, db, make, submit):
    reference, token = submit()
    ticket = _ticket(db, reference)
    tickets.change_status(ticket, "pending", actor=make.supervisor())
    db.session.commit()

    response = client.post("/contact/status/reply", data={"reference": reference.lower(), "token": token,
                                                          "message": "Here is the detail you asked for."})
    assert response.status_code == 302 and response.headers["Location"] == "/contact/status"
    db.session.expire_all()
    assert stored(db)["tickets"] == 1
    bodies = [m.body for m in _ticket(db, reference).messages if m.direction == Direction.INBOUND]
    assert bodies[-1] == "Here is the detail you asked for." and len(bodies) == 2
    assert _ticket(db, reference).status == TicketStatus.OPEN  # the sender answered
    assert {m.contact_id for m in _ticket(db, reference).messages} == {ticket.contact_id}

    page = client.get("/contact/status").get_data(as_text=True)
    assert "Your message has been added to your inquiry." in page
    assert "Here is the detail you asked for." in page
    # The grant is spent: a reload asks for the reference and token again.
    assert "Here is the detail you asked for." not in client.get("/contact/status").get_data(as_text=True)


def test_follow_up_with_a_tampered_pair_is_refused_and_stores_nothing(client, db, submit):
    reference, token = submit()
    response = client.post("/contact/status/reply", data={"reference": reference, "token": "guess",
                                                          "message": "let me in"})
    assert response.status_code == 404 and NO_MATCH in response.get_data(as_text=True)
    assert db.session.scalar(select(Message).filter_by(body="let me in")) is None


def test_empty_follow_up_is_shown_on_the_page_and_stores_nothing(client, db, submit):
    reference, token = submit()
    response = client.post("/contact/status/reply", data={"reference": reference, "token": token, "message": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please write your message." in html and reference in html
    assert stored(db)["messages"] == 1


def test_follow_up_to_a_closed_inquiry_opens_a_new_one_with_its_own_token(client, db, make, submit):
    reference, token = submit(language="fr", message="Bonjour, une question sur le webinaire.")
    old = _ticket(db, reference)
    tickets.change_status(old, "closed", actor=make.supervisor())
    db.session.commit()
    notice = client.post("/contact/status", data={"reference": reference, "token": token}).get_data(as_text=True)
    assert "This inquiry is closed. A message sent here starts a new inquiry" in notice

    response = client.post("/contact/status/reply", data={"reference": reference, "token": token,
                                                          "message": "Une autre question."})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    new_reference, new_token = receipt_of(page)
    assert new_reference and new_reference != reference and new_token
    assert f"Your inquiry <span class=\"reference\" dir=\"ltr\">{reference}</span> was closed" in page

    db.session.expire_all()
    assert stored(db)["tickets"] == 2
    new = _ticket(db, new_reference)
    assert [m.body for m in new.messages] == ["Une autre question."]
    assert new.contact_id == old.contact_id and new.language == "fr"
    assert _ticket(db, reference).status == TicketStatus.CLOSED and len(_ticket(db, reference).messages) == 1
    # The new pair works on the status page; the old one still shows the closed inquiry.
    assert client.post("/contact/status", data={"reference": new_reference, "token": new_token}).status_code == 200
    assert client.post("/contact/status", data={"reference": reference, "token": token}).status_code == 200


def test_follow_up_on_a_closed_inquiry_joins_the_newer_one_it_led_to(client, db, make, submit):
    reference, token = submit()
    tickets.change_status(_ticket(db, reference), "closed", actor=make.supervisor())
    db.session.commit()
    first = client.post("/contact/status/reply", data={"reference": reference, "token": token, "message": "Again."})
    newer, _ = receipt_of(client.get(first.headers["Location"]).get_data(as_text=True))

    again = {"reference": reference, "token": token, "message": "And again."}
    second = client.post("/contact/status/reply", data=again)
    assert second.status_code == 302 and second.headers["Location"] == "/contact/status"
    page = client.get("/contact/status").get_data(as_text=True)
    assert f"your message was added to your newer inquiry {newer}" in page
    db.session.expire_all()
    assert stored(db)["tickets"] == 2
    assert [m.body for m in _ticket(db, newer).messages] == ["Again.", "And again."]
