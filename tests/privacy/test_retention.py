"""The retention period: old solved and closed tickets lose their words, contacts with nothing
recent lose their details, old raw deliveries are emptied; statistics stay."""
import datetime as dt

from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.classifier.models import TrainingExample
from inquiry.contacts.models import Contact
from inquiry.dbtypes import utcnow
from inquiry.ingest.models import Delivery
from inquiry.privacy import services
from inquiry.privacy.scrub import RETENTION_TOMBSTONE
from inquiry.search.models import SearchDocument
from inquiry.search.services import search_tickets
from inquiry.tickets import services as tickets
from inquiry.tickets.models import Message, Ticket, TicketStatus
from inquiry.worker import jobs


def bodies(db, ticket):
    return [m.body for m in db.session.scalars(select(Message).where(Message.ticket_id == ticket.id))]


def test_old_tickets_are_anonymised_and_recent_and_open_ones_untouched(db, make, close_at):
    agent = make.agent()
    old = make.ticket(text="Mein Name ist Lena Vogel, Tel. 030 1234567, wann ist das Webinar?", contact_name="Lena Vogel")
    tickets.reply(old, "Hallo Frau Vogel, am Dienstag.", actor=agent)
    db.session.commit()
    close_at(old, 800)
    solved_long_ago = close_at(make.ticket(text="Solved long ago: aroha@example.nz"), 731, TicketStatus.SOLVED)
    recent = close_at(make.ticket(text="Closed last month: keep me"), 30)
    still_open = make.ticket(text="Still open after years")
    still_open.created_at = utcnow() - dt.timedelta(days=1500)
    db.session.commit()
    topic, created = old.topic, old.created_at

    run = services.anonymise_expired()
    db.session.commit()

    assert (run.tickets, run.messages, run.contacts) == (2, 3, 2)
    db.session.expire_all()
    assert bodies(db, old) == [RETENTION_TOMBSTONE, RETENTION_TOMBSTONE]
    assert bodies(db, solved_long_ago) == [RETENTION_TOMBSTONE]
    old = db.session.get(Ticket, old.id)
    assert old.subject == RETENTION_TOMBSTONE and old.public_token_hash is None
    # Statistics stay: labels, status, timestamps.
    assert (old.topic, old.status, old.created_at) == (topic, TicketStatus.CLOSED, created)
    # The contact had nothing recent: name and platform id gone, the language kept.
    contact = db.session.get(Contact, old.contact_id)
    assert contact.display_name is None and contact.external_id.startswith("anonymised:")
    assert bodies(db, recent) == ["Closed last month: keep me"]
    assert bodies(db, still_open) == ["Still open after years"]


def test_running_twice_changes_nothing_the_second_time(db, make, close_at):
    close_at(make.ticket(text="Old words"), 900)
    first = services.anonymise_expired()
    db.session.commit()
    second = services.anonymise_expired()
    db.session.commit()
    assert first.tickets == 1 and not second.did_anything
    # One audit event for the run that did something, with counts and no text.
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.retention")).all()
    assert len(events) == 1 and events[0].after["tickets"] == 1 and events[0].actor_kind == "system"


def test_search_no_longer_finds_the_old_words(db, make, close_at):
    boss = make.supervisor()
    old = close_at(make.ticket(text="Frage zum Hackathon in Graz", contact_name="Zoltan Quimby"), 800)
    assert [h.ticket.id for h in search_tickets(boss, "Hackathon")] == [old.id]
    assert [h.ticket.id for h in search_tickets(boss, "Quimby")] == [old.id]
    chat = old.conversation_key
    assert [h.ticket.id for h in search_tickets(boss, chat)] == [old.id]

    services.anonymise_expired()
    db.session.commit()

    assert search_tickets(boss, "Hackathon") == [] and search_tickets(boss, "Quimby") == []
    assert search_tickets(boss, chat) == []
    assert search_tickets(boss, "removed") == []  # tombstones are not indexed either
    assert db.session.scalar(select(func.count()).select_from(SearchDocument)
                             .where(SearchDocument.text.contains("hackathon"))) == 0


def test_a_contact_with_a_recent_ticket_keeps_its_details(db, make, close_at):
    from inquiry.contacts.services import upsert_contact
    from inquiry.channels.services import default_account

    old = close_at(make.ticket(text="Two years ago", contact_name="Mira Sol"), 800)
    contact, account = old.contact, default_account("telegram")
    newer, _ = tickets.open_ticket(account=account, contact=upsert_contact("telegram", contact.external_id),
                                   conversation_key="chat-new", subject="New one", prediction=None)
    tickets.add_inbound(newer, "A new question", contact=contact, account=account, external_id="m-new")
    db.session.commit()

    run = services.anonymise_expired()
    db.session.commit()

    assert run.tickets == 1 and run.contacts == 0
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).display_name == "Mira Sol"
    assert bodies(db, old) == [RETENTION_TOMBSTONE]


def test_old_raw_deliveries_are_emptied_recent_and_pending_kept(db, telegram, tg_send):
    tg_send(6100, "Hallo, ich bin Lena, +49 171 2345678")
    tg_send(6200, "A recent one")
    first, second = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    first.received_at = utcnow() - dt.timedelta(days=800)
    pending = Delivery(channel_account_id=telegram.id, dedupe_key="pending-old", body=b"{}", headers={}, args={},
                       received_at=utcnow() - dt.timedelta(days=800))
    db.session.add(pending)
    db.session.commit()

    run = services.anonymise_expired()
    db.session.commit()

    assert run.deliveries == 1
    db.session.expire_all()
    assert db.session.get(Delivery, first.id).body == b"" and db.session.get(Delivery, first.id).headers == {}
    assert db.session.get(Delivery, second.id).body != b"" and db.session.get(Delivery, pending.id).body == b"{}"


def test_dry_run_counts_and_writes_nothing(db, make, close_at):
    old = close_at(make.ticket(text="Old words"), 800)
    run = services.anonymise_expired(dry_run=True)
    db.session.rollback()
    assert (run.tickets, run.messages) == (1, 1)
    assert bodies(db, old) == ["Old words"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "privacy.retention")) == 0


def test_zero_days_keeps_everything(app, db, make, close_at):
    app.config["RETENTION_DAYS"] = 0
    old = close_at(make.ticket(text="Old words"), 5000)
    assert not services.anonymise_expired().did_anything and services.run_job() == 0
    assert bodies(db, old) == ["Old words"]


def test_training_examples_of_old_tickets_keep_their_words_without_personal_data(db, make, close_at):
    old = close_at(make.ticket(text="Email me at ole@example.dk"), 800)
    db.session.add(TrainingExample(ticket_id=old.id, text="Email me at ole@example.dk", channel="telegram",
                                   topic="general", audience="general-public", priority="normal"))
    db.session.commit()
    run = services.anonymise_expired()
    db.session.commit()
    assert run.training_examples == 1
    assert db.session.scalars(select(TrainingExample.text)).one() == "Email me at [email]"


def test_the_worker_runs_it(app, db, make, close_at):
    assert ("retention", services.run_job) in jobs()
    services._last_run.clear()
    close_at(make.ticket(text="Old words"), 800)
    assert services.run_job() == 1
    assert services.run_job() == 0  # not again within RETENTION_SWEEP_MINUTES


def test_cli(app, db, make, close_at):
    close_at(make.ticket(text="Old words"), 800)
    runner = app.test_cli_runner()
    from inquiry.privacy.cli import privacy_cli

    dry = runner.invoke(privacy_cli, ["anonymise", "--dry-run"])
    assert dry.exit_code == 0 and "1 tickets" in dry.output
    done = runner.invoke(privacy_cli, ["anonymise", "--batch", "1"])
    assert done.exit_code == 0 and "1 tickets" in done.output, done.output
    db.session.expire_all()
    assert db.session.scalars(select(Message.body)).all() == [RETENTION_TOMBSTONE]
