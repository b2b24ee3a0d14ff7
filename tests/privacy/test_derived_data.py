"""Data that leaves the desk or is derived from tickets carries no personal data: report CSVs
and the training examples kept from agents' corrections."""
import pytest
from sqlalchemy import select

from inquiry.classifier.models import TrainingExample
from inquiry.tickets import services as tickets

from tests.factories import PASSWORD

PII_TEXT = ("Hi, I'm Jane. Mail jane.doe@example.org or call +44 20 7946 0958; "
            "card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, passport 123456789.")
LEAKS = ("jane.doe@example.org", "7946 0958", "4111 1111", "GB82", "123456789")


def test_a_correction_stored_for_training_is_redacted(db, make):
    agent = make.agent("general-public", "education")
    ticket = make.ticket("general-public", text=PII_TEXT)
    tickets.update_labels(ticket, actor=agent, audience="education", topic="webinars")
    db.session.commit()
    text = db.session.scalars(select(TrainingExample.text)).one()
    assert text == ("Hi, I'm Jane. Mail [email] or call [phone]; card [card], IBAN [iban], passport [document].")


@pytest.mark.parametrize("url", [
    "/reports/router?format=csv&table=overrides",
    "/reports/dashboard?format=csv&table=queues",
    "/reports/dashboard?format=csv&table=matrix",
    "/reports/dashboard?format=csv&table=outlook",
])
def test_report_csv_exports_hold_no_email_or_phone_from_messages(client, db, make, url):
    boss = make.supervisor()
    agent = make.agent("general-public", "education")
    ticket = make.ticket("general-public", text=PII_TEXT)
    tickets.update_labels(ticket, actor=agent, audience="education", topic="webinars")
    db.session.commit()
    assert client.post("/login", data={"email": boss.email, "password": PASSWORD}).status_code == 302

    response = client.get(url)

    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data.decode()
    assert len(body.splitlines()) > 1  # a real table, not just its header
    assert not any(leak in body for leak in LEAKS)


def test_csv_cells_are_redacted_on_the_way_out(app):
    from inquiry.reports.views import _csv_response

    with app.test_request_context():
        response = _csv_response(["queue", "note", "n"], [["general-public", "ask jane@example.org", 3],
                                                          ["2024-05-01T10:00:00+00:00", "INQ-7K3M-Q9PX", 0.25]], "x.csv")
    assert response.data.decode().splitlines() == [
        "queue,note,n", "general-public,ask [email],3", "2024-05-01T10:00:00+00:00,INQ-7K3M-Q9PX,0.25"]
