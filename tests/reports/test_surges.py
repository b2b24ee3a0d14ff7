"""Surges: a wave of near-identical inquiries is flagged once, with redacted samples, and can be
answered and tagged as one; ordinary traffic and a wave as usual as the days before are not."""
import csv
import datetime as dt
import io
import itertools

import pytest
from sqlalchemy import func, select

from inquiry.channels.services import default_account
from inquiry.contacts.services import upsert_contact
from inquiry.extensions import db
from inquiry.notifications.models import Notification
from inquiry.reports import clusters, surges
from inquiry.reports.models import Surge
from inquiry.tickets import services as tickets
from inquiry.tickets.models import TicketTag
from inquiry.worker import jobs

from tests.factories import confident

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
M = dt.timedelta(minutes=1)
D = dt.timedelta(days=1)
EMAIL = "dana.reyes@example.org"
_n = itertools.count(1)

WORDINGS = [
    "Hi, I got an SMS saying my parcel is held at customs and I must pay {amt} EUR at {url} within 24 hours. Is this real?",
    "I got an SMS saying my parcel is held at customs and that I must pay {amt} EUR at {url} within 24 hours - is this real??",
    "Hello, got a text: my parcel is held at customs and I must pay {amt} EUR at {url} within 24 hours. Real or scam?",
    "Received an sms saying my parcel is held at customs and I have to pay {amt} EUR on {url} within 24 hours, is it real?",
]
AMOUNTS = ["2.99", "3,49", "1.50", "4.20", "0.99", "2.49"]
URLS = ["http://dhl-customs-fee.xyz/p/8812", "https://parcel-release.top/a91", "www.post-fees.info/x", "http://bit.ly/3xYz9"]
WITH_EMAIL = ("Hi, I got an SMS saying my parcel is held at customs and I must pay 2.99 EUR at http://dhl-fee.xyz/q "
              f"within 24 hours. Is this real? Write to me at {EMAIL}")
UNRELATED = [
    "When is the next webinar on data protection for schools?",
    "How do I reset my password for the partner portal?",
    "My passport was stolen in Rome yesterday, what should I do first?",
    "Can I get a copy of the invoice for last month's training course?",
    "Do you publish the annual report on organised crime in Spanish as well?",
    "Is the office in Vienna open on public holidays?",
    "I would like to volunteer at the conference in March. Who do I contact?",
    "What documents does a journalist need to request an interview with your director?",
    "Our school wants a speaker on online safety for teenagers. Is that possible?",
    "I think my neighbour is being exploited by the people he works for. Who can help?",
    "Where can I find your guidelines on reporting money laundering as a bank employee?",
    "Can a researcher get access to your statistics on human trafficking from 2019 to 2023?",
]


def scam(i: int) -> str:
    return WORDINGS[i % 4].format(amt=AMOUNTS[i % 6], url=URLS[(i * 3) % 4])


@pytest.fixture(autouse=True)
def _fresh_job_clock():
    surges._last_run.clear()
    yield
    surges._last_run.clear()


@pytest.fixture
def inquiry(app):
    """inquiry(at, text, channel=, queue=, language=, topic=): a ticket and its first message, through the services."""

    def _open(at, text, *, channel="telegram", queue="general-public", language="en", topic="crime-types-events"):
        n = next(_n)
        account = default_account(channel)
        contact = upsert_contact(channel, f"surge-{n}", display_name=f"Sender {n}")
        db.session.flush()
        ticket, _ = tickets.open_ticket(account=account, contact=contact, conversation_key=f"surge-{n}",
                                        prediction=confident(queue, topic, "normal", language), at=at)
        tickets.add_inbound(ticket, text, contact=contact, account=account, external_id=f"surge-{n}", at=at)
        db.session.commit()
        return ticket

    return _open


@pytest.fixture
def scam_wave(inquiry):
    """12 differently worded copies of one parcel scam in the last 2 h, on Telegram and WhatsApp; the
    newest carries an e-mail address. Ordinary questions around them, and on the days before."""

    def _wave(*, baseline_copies: int = 0):
        for day in range(1, 8):
            for i in range(4):
                inquiry(NOW - day * D - (20 + 20 * i) * M, UNRELATED[(day + i) % len(UNRELATED)])
            for i in range(baseline_copies):
                inquiry(NOW - day * D - (100 - 5 * i) * M, scam(i + day))
        wave = [inquiry(NOW - (110 - 9 * i) * M, scam(i), channel=("telegram", "whatsapp")[i % 2]) for i in range(11)]
        wave.append(inquiry(NOW - 2 * M, WITH_EMAIL, channel="whatsapp"))
        for i in range(6):
            inquiry(NOW - (90 - 10 * i) * M, UNRELATED[i])
        return wave

    return _wave


def test_normalising_masks_what_differs_between_copies():
    assert clusters.normalise("Pay 2,99 € at https://x.io/a or mail Zoë@ex.org, @Scammer!") == \
        "pay 0 € at ‹url› or mail ‹email› , ‹handle› !"


def test_a_wave_of_one_scam_is_one_surge_with_redacted_samples(db, scam_wave):
    wave = scam_wave()
    found = surges.check(NOW)
    db.session.commit()
    assert len(found) == 1
    surge = found[0]
    assert surge.size == 12 and surge.baseline == 0
    assert sorted(surge.references) == sorted(t.reference for t in wave)
    assert dict(surge.channels) == {"telegram": 6, "whatsapp": 6}
    assert surge.languages == [["en", 12]] and surge.topic == "crime-types-events"
    assert surge.first_seen_at == NOW - 110 * M and surge.last_seen_at == NOW - 2 * M
    texts = [s.text for s in surges.samples([surge])[surge.id]]
    assert 3 <= len(texts) <= 5 and all("parcel is held at customs" in t for t in texts)
    assert any("[email]" in t for t in texts) and not any(EMAIL in t for t in texts)


def test_twelve_unrelated_messages_are_no_surge(db, inquiry):
    for i, text in enumerate(UNRELATED):
        inquiry(NOW - (100 - 5 * i) * M, text)
    assert surges.check(NOW) == []


def test_a_wave_as_usual_as_on_the_days_before_is_no_surge(db, scam_wave):
    scam_wave(baseline_copies=12)
    assert surges.check(NOW) == []


def test_a_wave_in_a_restricted_queue_stays_out_of_the_reports(db, inquiry):
    for i in range(12):
        inquiry(NOW - (100 - 5 * i) * M, scam(i), queue="whistleblowing", topic="complicit-organisations")
    assert surges.check(NOW) == []


def test_the_worker_tells_supervisors_once_and_keeps_one_id_while_it_lasts(db, make, scam_wave, inquiry):
    boss, other = make.supervisor(), make.supervisor()
    agent = make.agent()
    assert ("surges", surges.run) in jobs()
    scam_wave()
    assert surges.run(NOW) == 1
    assert surges.run(NOW + 2 * M) == 0  # checked a moment ago
    assert surges.run(NOW + 6 * M) == 1  # checked again: the same surge, no second notification

    def notified(user):
        return db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == surges.NOTIFICATION_KIND))

    assert notified(boss) == notified(other) == 1 and notified(agent) == 0
    note = db.session.scalar(select(Notification).where(Notification.user_id == boss.id))
    surge = db.session.scalar(select(Surge))
    assert surge.tag in note.text and EMAIL not in note.text
    assert note.ticket_id == surge.centre_ticket_id

    later = [inquiry(NOW + (10 + 8 * i) * M, scam(i + 5)) for i in range(4)]
    surges.run(NOW + 40 * M)  # four of the first copies have left the window; four new ones came
    assert db.session.scalar(select(func.count(Surge.id))) == 1 and notified(boss) == 1
    db.session.refresh(surge)
    assert surge.size == 12 and surge.ended_at is None and set(surge.ticket_ids) >= {t.id for t in later}
    assert surge.first_seen_at == NOW - 110 * M and surge.last_seen_at == NOW + 34 * M
    surges.run(NOW + 5 * 60 * M)  # the wave has left the window
    db.session.refresh(surge)
    assert surge.ended_at == NOW + 5 * 60 * M
    assert surges.current() == [] and notified(boss) == 1


@pytest.fixture
def flagged(db, scam_wave, make, login):
    """The wave flagged by the worker and a supervisor logged in."""
    wave = scam_wave()
    surges.run(NOW)
    login(make.supervisor())
    return wave, db.session.scalar(select(Surge))


def test_the_dashboard_shows_the_surges_section(client, flagged):
    _wave, surge = flagged
    page = client.get("/reports/dashboard").get_data(as_text=True)
    section = page[page.index('id="surges-heading"'):page.index('id="router-heading"')]
    assert f'data-surge="{surge.id}"' in section and surge.tag in section
    assert "parcel is held at customs" in section and EMAIL not in page


def test_the_dashboard_says_when_there_is_no_surge(client, make, login):
    login(make.supervisor())
    assert 'id="no-surges"' in client.get("/reports/dashboard").get_data(as_text=True)


def test_the_surges_page_shows_samples_escaped_and_redacted_and_the_actions(client, flagged, inquiry):
    wave, surge = flagged
    page = client.get("/reports/surges").get_data(as_text=True)
    card = page[page.index(f'data-surge-card="{surge.id}"'):]
    assert card.count("<blockquote") >= 3 and "[email]" in card and EMAIL not in page
    assert all(t.reference in card for t in wave)
    assert f"Tag all 12 tickets {surge.tag}" in card
    assert "/canned/new?" in card and f"shortcut={surge.tag}" in card


def test_samples_are_escaped(client, db, inquiry, make, login):
    for i in range(12):
        inquiry(NOW - (100 - 5 * i) * M, scam(i) + " <script>alert(1)</script>")
    surges.run(NOW)
    login(make.supervisor())
    page = client.get("/reports/surges").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_surges_csv(client, flagged):
    wave, surge = flagged
    response = client.get("/reports/surges?format=csv&table=surges")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["surge"] == surge.tag and row["status"] == "active" and row["size"] == "12"
    assert row["channels"] == "telegram:6 whatsapp:6" or row["channels"] == "whatsapp:6 telegram:6"
    assert set(row["references"].split()) == {t.reference for t in wave}
    assert "[email]" in row["samples"] and EMAIL not in response.get_data(as_text=True)
    assert client.get("/reports/surges?format=csv&table=nope").status_code == 422


def test_tag_all_tags_every_ticket_and_opens_the_inbox_on_the_tag(client, db, flagged):
    wave, surge = flagged
    response = client.post("/reports/surges/tag", data={"surge": str(surge.id)})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/tickets/") and f"tag={surge.tag}" in response.headers["Location"]
    tagged = set(db.session.scalars(select(TicketTag.ticket_id).where(TicketTag.tag == surge.tag)))
    assert tagged == {t.id for t in wave}
    inbox = client.get(response.headers["Location"]).get_data(as_text=True)
    assert all(t.reference in inbox for t in wave)
    assert client.post("/reports/surges/tag", data={"surge": "999999"}).status_code == 404
    assert client.post("/reports/surges/tag", data={"surge": "x"}).status_code == 404


def test_the_canned_reply_link_opens_a_prefilled_form(client, flagged):
    _wave, surge = flagged
    page = client.get(f"/canned/new?title=Reply+to+{surge.tag}&shortcut={surge.tag}&topic=crime-types-events"
                      "&language=en&language=de").get_data(as_text=True)
    assert f'value="Reply to {surge.tag}"' in page and f'value="{surge.tag}"' in page
    assert 'value="crime-types-events" selected' in page or 'selected value="crime-types-events"' in page
    assert page.count('<textarea') >= 2  # a row for each language of the surge
