"""Right-to-left pages: ?lang or the sender's language sets the direction; secrets stay LTR."""
from sqlalchemy import select

from inquiry.tickets.models import Ticket

from tests.public.conftest import receipt_of, valid_form


def test_contact_form_in_arabic_is_rtl_and_complete(client):
    html = client.get("/contact?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    for name in ("name", "email", "phone", "subject", "message", "language"):
        assert f'<label for="{name}"' in html
    assert 'dir="auto"' in html  # what people type takes its own direction


def test_unknown_lang_falls_back_to_english_ltr(client):
    html = client.get("/contact?lang=%22%3E%3Cscript%3E").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "<script>" not in html


def test_errors_keep_the_page_rtl(client):
    response = client.post("/contact?lang=he", data=valid_form(name=""))
    assert response.status_code == 422
    assert '<html lang="he" dir="rtl">' in response.get_data(as_text=True)


def test_receipt_and_status_follow_the_chosen_language_with_ltr_secrets(client, db):
    response = client.post("/contact", data=valid_form(language="ar", message="هل تم تسجيل الندوة؟"))
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in receipt
    assert 'class="reference" id="receipt-reference" dir="ltr"' in receipt
    assert 'class="secret" id="receipt-token" dir="ltr"' in receipt

    ticket = db.session.scalar(select(Ticket))
    token = receipt.split('id="receipt-token" dir="ltr">')[1].split("<")[0]
    status = client.post("/contact/status", data={"reference": ticket.reference, "token": token})
    html = status.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "هل تم تسجيل الندوة؟" in html
    assert '<textarea dir="auto" id="message"' in html  # the follow-up form renders too


def test_lang_parameter_overrides_the_tickets_language(client, db):
    response = client.post("/contact", data=valid_form(language="ar"))
    _, token = receipt_of(client.get(response.headers["Location"]).get_data(as_text=True))
    ticket = db.session.scalar(select(Ticket))
    page = client.post("/contact/status?lang=en", data={"reference": ticket.reference, "token": token})
    html = page.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
