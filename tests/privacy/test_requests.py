"""Data-subject requests: one person's data exported across their linked channels, or erased
everywhere (database rows, raw deliveries, search), each audited without the data itself."""
import json

import pytest
from sqlalchemy import func, or_, select

from inquiry.audit.models import AuditEvent
from inquiry.classifier.models import TrainingExample
from inquiry.contacts.models import Contact, Person
from inquiry.contacts.services import link_contacts
from inquiry.errors import Conflict, Forbidden, NotFound
from inquiry.ingest.models import Delivery
from inquiry.privacy import services
from inquiry.privacy.cli import privacy_cli
from inquiry.privacy.scrub import ERASURE_TOMBSTONE
from inquiry.search.models import SearchDocument
from inquiry.search.services import search_tickets
from inquiry.tickets import services as tickets
from inquiry.tickets.models import Message, Ticket, TicketStatus

LENA_TG = "Hallo, ich bin Lena Vogel. Wann ist das Webinar? Meine Nummer: +49 171 2345678"
LENA_FORM = "Bitte schicken Sie die Unterlagen an lena.vogel@example.de"
OMAR_TG = "Salam, Omar Haddad here, is the Rabat workshop still on?"


@pytest.fixture
def people(db, make, tg_send, form_send):
    """Lena on Telegram and the web form (linked as one person), Omar on Telegram."""
    tg_send(6100, LENA_TG, "Lena Vogel")
    tg_send(7200, OMAR_TG, "Omar Haddad")
    form_ticket = form_send("lena.vogel@example.de", LENA_FORM, "Lena Vogel")
    lena_tg = db.session.scalar(select(Contact).where(Contact.platform == "telegram", Contact.external_id == "6100"))
    omar = db.session.scalar(select(Contact).where(Contact.external_id == "7200"))
    link_contacts(lena_tg, form_ticket.contact)
    db.session.commit()
    return {"lena": [lena_tg, form_ticket.contact], "omar": omar, "admin": make.admin(email="dpo@inquiry.example.org")}


def close_all(db, make, contacts):
    boss = make.admin()
    for ticket in db.session.scalars(select(Ticket).where(Ticket.contact_id.in_([c.id for c in contacts]))):
        tickets.change_status(ticket, TicketStatus.CLOSED, actor=boss)
    db.session.commit()


def test_export_has_the_persons_messages_across_channels_and_nothing_of_another(db, people):
    lena_tg, _lena_form = people["lena"]
    found = services.find_contacts(platform="telegram", platform_id="6100")
    assert [c.id for c in found] == sorted(c.id for c in people["lena"])  # the linked web-form contact comes along

    doc = services.export_person(found, actor=people["admin"])
    db.session.commit()

    text = json.dumps(doc, ensure_ascii=False)
    assert {c["channel"] for c in doc["contacts"]} == {"telegram", "web-form"}
    assert sorted(m["text"] for t in doc["tickets"] for m in t["messages"]) == sorted([LENA_TG, LENA_FORM])
    assert "lena.vogel@example.de" in text and doc["person"]["name"] == "Lena Vogel"
    assert "Omar" not in text and "7200" not in text
    # The raw Telegram delivery that carried her message, and only hers.
    assert len(doc["deliveries"]) == 1 and not doc["deliveries"][0]["shared_with_others"]
    assert "Lena" in doc["deliveries"][0]["body"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.exported")).one()
    assert event.actor_id == people["admin"].id and event.subject == f"contact:{lena_tg.id}"
    assert event.after["tickets"] == 2 and "Lena" not in json.dumps(event.after)


def test_erase_removes_the_text_and_contact_data_everywhere(db, make, people):
    lena = people["lena"]
    boss = make.supervisor()
    lena_ticket = db.session.scalar(select(Ticket).where(Ticket.contact_id == lena[0].id))
    tickets.update_labels(lena_ticket, actor=boss, topic="webinars", audience="general-public", priority="normal")
    tickets.add_note(lena_ticket, "Frau Vogel called again from 0171 2345678", actor=boss)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TrainingExample)) == 1
    close_all(db, make, lena)
    assert search_tickets(boss, "Vogel")

    done = services.erase_person(services.find_contacts(contact_id=lena[0].id), actor=people["admin"])
    db.session.commit()

    assert done.counts["tickets"] == 2 and done.counts["contacts"] == 2 and done.counts["deliveries"] == 1
    db.session.expire_all()
    # No trace of her words or details in the tables...
    for model, column in ((Message, Message.body), (Ticket, Ticket.subject), (Contact, Contact.display_name),
                          (Contact, Contact.email), (SearchDocument, SearchDocument.text), (Person, Person.name)):
        hits = db.session.scalar(select(func.count()).select_from(model).where(
            or_(column.ilike("%vogel%"), column.ilike("%2345678%"), column.ilike("%webinar%"))))
        assert hits == 0, model
    assert all(b"Lena" not in d.body for d in db.session.scalars(select(Delivery)))
    assert db.session.scalar(select(func.count()).select_from(TrainingExample)) == 0
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    for contact in lena:
        contact = db.session.get(Contact, contact.id)
        assert (contact.display_name, contact.email, contact.phone) == (None, None, None)
        assert contact.external_id.startswith("anonymised:")
    # ... nor in search (words, name, platform id) ...
    for query in ("Vogel", "Webinar", "Unterlagen", "6100", "lena.vogel@example.de"):
        assert search_tickets(boss, query) == [], query
    # ... nor in the audit trail's copies; the tickets stay as statistics.
    kept = db.session.get(Ticket, lena_ticket.id)
    assert kept.topic == "webinars" and kept.status == TicketStatus.CLOSED and kept.subject == ERASURE_TOMBSTONE
    assert "Vogel" not in json.dumps([e.after for e in db.session.scalars(select(AuditEvent))], ensure_ascii=False)
    # Omar is untouched.
    omar_ticket = db.session.scalar(select(Ticket).where(Ticket.contact_id == people["omar"].id))
    assert [m.body for m in omar_ticket.messages] == [OMAR_TG]
    assert any(b"Omar" in body for body in db.session.scalars(select(Delivery.body)))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).one()
    assert event.actor_id == people["admin"].id and event.after["contact_ids"] == sorted(c.id for c in lena)


def test_erase_waits_for_open_tickets(db, people):
    with pytest.raises(Conflict, match="close their open tickets first"):
        services.erase_person(people["lena"], actor=people["admin"])


def test_only_an_administrator_handles_requests(db, make, people):
    for actor in (make.supervisor(), None):
        with pytest.raises(Forbidden):
            services.export_person(people["lena"], actor=actor)
        with pytest.raises(Forbidden):
            services.erase_person(people["lena"], actor=actor)


def test_unknown_person_is_not_found(db, people):
    with pytest.raises(NotFound):
        services.find_contacts(platform="telegram", platform_id="999")
    assert [c.id for c in services.find_contacts(email="LENA.VOGEL@example.de")] == sorted(c.id for c in people["lena"])
    assert [c.id for c in services.find_contacts(platform="web-form", platform_id="lena.vogel@example.de")] == \
        sorted(c.id for c in people["lena"])


def test_cli_export_and_erase(app, db, make, people, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "lena.json"
    result = runner.invoke(privacy_cli, ["export", "--platform", "telegram", "--platform-id", "6100",
                                         "--actor", "dpo@inquiry.example.org", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert LENA_FORM in out.read_text(encoding="utf-8")

    refused = runner.invoke(privacy_cli, ["erase", "--contact", str(people["lena"][0].id), "--actor",
                                          "dpo@inquiry.example.org", "--yes"])
    assert refused.exit_code != 0 and "open tickets" in refused.output
    no_admin = runner.invoke(privacy_cli, ["export", "--contact", "1", "--actor", make.supervisor().email])
    assert no_admin.exit_code != 0 and "administrator" in no_admin.output

    close_all(db, make, people["lena"])
    erased = runner.invoke(privacy_cli, ["erase", "--email", "lena.vogel@example.de", "--actor",
                                         "dpo@inquiry.example.org", "--yes"])
    assert erased.exit_code == 0, erased.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.body.contains("Lena"))) == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("privacy.%"))).all()
    assert sorted(actions) == ["privacy.erased", "privacy.exported"]
