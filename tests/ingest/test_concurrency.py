"""Concurrent deliveries: the database, not Python, decides who creates the ticket."""
import threading

from sqlalchemy import func, select

from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive
from inquiry.tickets.models import Message, Ticket


def run_together(app, account_id, messages):
    from inquiry.extensions import db

    db.session.commit()  # the test's own session must not hold a transaction while threads write
    barrier = threading.Barrier(len(messages))
    outcomes, errors = [], []

    def work(kwargs):
        from inquiry.extensions import db

        with app.app_context():
            try:
                account = db.session.get(ChannelAccount, account_id)
                db.session.commit()  # hold no transaction (on SQLite: no lock) while waiting
                barrier.wait()
                got = receive(InboundMessage(account=account, **kwargs))
                db.session.commit()
                outcomes.append(got.outcome.value)
            except Exception as exc:  # reported below: the test must see it
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return sorted(outcomes)


def test_same_message_delivered_eight_times_at_once_is_stored_once(app, db):
    account = create_account("line", "Line desk", signing_secret="s")
    db.session.commit()
    same = dict(text="東京の講演会に申し込みたいです", sender_external_id="U1", conversation_key="U1", external_message_id="5300")
    outcomes = run_together(app, account.id, [same] * 8)
    assert outcomes.count("created") == 1 and outcomes.count("duplicate") == 7
    assert db.session.scalar(select(func.count(Message.id))) == 1


def test_first_messages_of_one_conversation_at_once_open_one_ticket(app, db):
    account = create_account("viber", "Viber desk", signing_secret="s")
    db.session.commit()
    burst = [dict(text=f"part {n} of my report", sender_external_id="V1", conversation_key="V1", external_message_id=f"v-{n}")
             for n in range(6)]
    outcomes = run_together(app, account.id, burst)
    assert outcomes.count("created") == 1 and outcomes.count("appended") == 5
    assert db.session.scalar(select(func.count(Ticket.id))) == 1
    assert db.session.scalar(select(func.count(Message.id))) == 6
