"""The contact form: a valid submission becomes one ticket; anything else stores nothing."""
import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.tickets.models import Direction, Ticket
from inquiry.tickets.services import hash_secret

from tests.public.conftest import NOTHING, receipt_of, stored, valid_form


def test_form_renders_with_labelled_fields_and_hidden_honeypot(client):
    page = client.get("/contact")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Contact us</h1>" in html
    for name in ("name", "email", "phone", "subject", "message", "language"):
        assert f'<label for="{name}"' in html and f'id="{name}"' in html
    assert 'class="hp" aria-hidden="true"' in html
    honeypot = html[html.index('id="website"') - 200: html.index('id="website"') + 200]
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    assert '<option selected value="">Detect automatically</option>' in html


def test_valid_submission_opens_one_ticket_in_triage_and_shows_token_once(client, db):
    response = client.post("/contact", data=valid_form(phone="+44 (0)20 7946-0000"))
    assert response.status_code == 302
    assert db.session.scalar(select(Ticket)) is not None  # committed before the redirect

    counts = stored(db)
    assert counts["tickets"] == 1 and counts["messages"] == 1 and counts["contacts"] == 1
    ticket = db.session.scalar(select(Ticket))
    assert ticket.queue.slug == "triage"  # no model loaded: a person routes it
    assert ticket.channel_account.platform == "web-form"
    assert ticket.subject == "Webinar recording"
    assert ticket.contact.email == "amira@example.org"
    assert ticket.contact.phone == "+44 (0)20 7946-0000"
    assert ticket.contact.display_name == "Amira Haddad"
    [message] = ticket.messages
    assert message.direction == Direction.INBOUND
    assert message.body == "Is the webinar on crypto scams recorded? I missed it."
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.ticket_id == ticket.id)) == "ticket.created"

    first = client.get(response.headers["Location"])
    reference, token = receipt_of(first.get_data(as_text=True))
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    assert reference == ticket.reference
    assert token and hash_secret(token) == ticket.public_token_hash

    again = client.get(response.headers["Location"])
    assert again.status_code == 302 and again.headers["Location"].startswith("/contact/status")
    assert token not in client.get(again.headers["Location"]).get_data(as_text=True)


def test_each_submission_is_a_new_ticket_even_from_the_same_sender(submit, db):
    first, _ = submit()
    second, _ = submit(message="A second, unrelated question.")
    assert first != second
    assert stored(db)["tickets"] == 2 and stored(db)["contacts"] == 1


def test_chosen_language_is_kept_as_the_senders(submit, db):
    submit(language="ar", message="متى يبدأ المؤتمر القادم؟")
    ticket = db.session.scalar(select(Ticket))
    assert ticket.language == "ar" and ticket.language_source.value == "sender"


def test_phone_alone_is_enough(submit, db):
    reference, token = submit(email="", phone="+33 1 23 45 67 89")
    assert reference and token
    assert db.session.scalar(select(Ticket)).contact.phone == "+33 1 23 45 67 89"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Please tell us your name."),
        ({"name": "   "}, "name", "Please tell us your name."),
        ({"name": "x" * 201}, "name", "At most 200 characters."),
        ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number so we can answer you."),
        ({"email": "not-an-address"}, "email", "This does not look like an e-mail address."),
        ({"phone": "call me maybe"}, "phone", "Use only digits, spaces and + ( ) - in a phone number."),
        ({"phone": "1" * 41}, "phone", "At most 40 characters."),
        ({"subject": "s" * 201}, "subject", "At most 200 characters."),
        ({"message": ""}, "message", "Please write your message."),
        ({"message": " \n\t "}, "message", "Please write your message."),
        ({"language": "xx"}, "language", "Choose a language from the list"),
    ],
)
def test_invalid_input_is_shown_next_to_its_field_and_stores_nothing(client, db, overrides, field, message):
    response = client.post("/contact", data=valid_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = html[html.index(f'id="{field}-errors"'):]
    assert message in errors[: errors.index("</ul>")]
    assert f'aria-describedby="{field}-errors"' in html
    assert 'role="alert"' in html  # the summary at the top is announced
    assert stored(db) == NOTHING


def test_message_longer_than_configured_limit_is_refused(client, db, app):
    app.config["MESSAGE_MAX_CHARS"] = 50
    response = client.post("/contact", data=valid_form(message="y" * 51))
    assert response.status_code == 422
    assert "Please keep your message to 50 characters or fewer" in response.get_data(as_text=True)
    assert stored(db) == NOTHING
    assert client.post("/contact", data=valid_form(message="  " + "y" * 50 + "  ")).status_code == 302


def test_entered_values_survive_a_failed_submission_escaped(client, db):
    response = client.post("/contact", data=valid_form(email="", name="<script>alert(1)</script>"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert stored(db) == NOTHING


def test_filled_honeypot_looks_like_success_but_stores_nothing(client, db):
    bot = client.post("/contact", data=valid_form(website="https://spam.example"))
    assert bot.status_code == 302
    page = client.get(bot.headers["Location"])
    reference, token = receipt_of(page.get_data(as_text=True))
    assert page.status_code == 200 and reference and token
    assert stored(db) == NOTHING

    human = client.post("/contact", data=valid_form())
    assert human.headers["Location"] == bot.headers["Location"]  # the same answer shape
    real = client.get(human.headers["Location"]).get_data(as_text=True)
    assert real.count('class="reference"') == page.get_data(as_text=True).count('class="reference"')
    assert stored(db)["tickets"] == 1


def test_line_breaks_count_once_as_the_browser_counts_them(client, db, app):
    app.config["MESSAGE_MAX_CHARS"] = 20
    assert client.post("/contact", data=valid_form(message="line\r\n" * 4)).status_code == 302  # 20 with LF
    assert db.session.scalar(select(Ticket)).messages[0].body == "line\nline\nline\nline"
