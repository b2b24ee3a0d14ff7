"""Whistleblowing: a tip (topic complicit-organisations) goes to the restricted whistleblowing
queue whatever the router's confidence, never to the open triage queue; only the queue's named
members see it (supervisors and admins who are not members get 404s and lists without it), each
opening is audited, and a topic correction moves a ticket into the queue or back out of it."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from inquiry import taxonomy
from inquiry.audit.models import AuditEvent
from inquiry.auth import access
from inquiry.channels.services import default_account
from inquiry.classifier.service import Label, Prediction
from inquiry.contacts.services import upsert_contact
from inquiry.errors import Conflict
from inquiry.search.services import search_tickets
from inquiry.sla import policy as policies, sweep
from inquiry.sla.models import SlaPolicy
from inquiry.tickets import merge, queries, services
from inquiry.tickets.models import Queue

from tests.factories import PASSWORD, confident
from tests.tickets.conftest import REFERENCE_ROW

TIP = "complicit-organisations"
WHISTLEBLOWING = taxonomy.WHISTLEBLOWING_QUEUE
TIP_TEXT = "The port authority's director warns the smugglers before every inspection"
OUTSIDERS = ("agent", "triage_agent", "supervisor", "admin")
MEMBERS = ("member", "member_supervisor")
_seq = itertools.count(1)


def unsure(topic=TIP, audience="general-public"):
    """The router below its thresholds (a ticket that would otherwise wait in triage)."""
    return Prediction(topic=Label(topic, 0.42), audience=Label(audience, 0.37) if audience else Label(),
                      priority=Label("normal", 0.7), language=Label("en", 0.99), is_confident=False,
                      reason="low confidence")


def queue(db, slug):
    return db.session.scalars(select(Queue).filter_by(slug=slug)).one()


@pytest.fixture
def people(make):
    return {
        "member": make.agent(WHISTLEBLOWING),
        "member_supervisor": make.supervisor(queues=(WHISTLEBLOWING,)),
        "agent": make.agent("general-public"),
        "triage_agent": make.agent("triage"),
        "supervisor": make.supervisor(),
        "admin": make.admin(),
    }


@pytest.fixture
def tip(make):
    return make.ticket(prediction=unsure(), text=TIP_TEXT)


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.data
    return client


def events(db, ticket, action):
    db.session.expire_all()
    return [(e.actor_id, e.before, e.after) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id))]


# --- routing at intake -------------------------------------------------------------------------

@pytest.mark.parametrize("prediction", [unsure(), confident("government", TIP), unsure(audience=None)],
                         ids=["unsure", "confident", "no-audience"])
def test_a_tip_goes_to_the_restricted_queue_at_any_confidence(db, make, prediction):
    ticket = make.ticket(prediction=prediction, text=TIP_TEXT)
    assert ticket.queue.slug == WHISTLEBLOWING and ticket.queue.is_restricted
    assert ticket.topic == TIP
    [(_, _, created)] = events(db, ticket, "ticket.created")
    assert created["queue"] == WHISTLEBLOWING


def test_other_topics_are_routed_as_before(make):
    assert make.ticket(prediction=unsure(topic="webinars")).queue.slug == taxonomy.TRIAGE_QUEUE
    assert make.ticket(prediction=confident("education", "webinars")).queue.slug == "education"


# --- who sees it -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_see_a_tip_anywhere(app, people, tip, make, who):
    ordinary = make.ticket("general-public", text="When is the next webinar on port security?")
    user = people[who]
    assert not access.can_see_ticket(user, tip)
    assert tip.id not in {t.id for t in queries.list_tickets(user).items}
    assert search_tickets(user, "smugglers") == [] and search_tickets(user, tip.reference) == []
    client = logged_in(app, user)
    assert client.get(f"/tickets/{tip.reference}").status_code == 404
    assert tip.reference not in REFERENCE_ROW.findall(client.get("/tickets/?view=all").data.decode())
    assert REFERENCE_ROW.findall(client.get("/search?q=smugglers").data.decode()) == []
    if who != "triage_agent":
        assert ordinary.reference in REFERENCE_ROW.findall(client.get("/tickets/?view=all").data.decode())


@pytest.mark.parametrize("who", MEMBERS)
def test_members_see_a_tip_and_each_opening_is_audited(app, db, people, tip, who):
    user = people[who]
    assert tip.id in {t.id for t in queries.list_tickets(user).items}
    assert [h.ticket.id for h in search_tickets(user, "smugglers")] == [tip.id]
    client = logged_in(app, user)
    assert tip.reference in REFERENCE_ROW.findall(client.get("/tickets/?view=all").data.decode())
    assert events(db, tip, "ticket.viewed") == []  # a list is not an opening
    page = client.get(f"/tickets/{tip.reference}")
    assert page.status_code == 200 and "smugglers" in page.data.decode()
    assert events(db, tip, "ticket.viewed") == [(user.id, None, {"via": "web"})]


# --- relabelling -------------------------------------------------------------------------------

def test_setting_the_topic_moves_a_ticket_in_and_drops_a_non_member_assignee(db, make, people):
    agent = people["agent"]
    ticket = make.ticket("general-public", text=TIP_TEXT)
    services.claim(ticket, actor=agent)
    db.session.commit()
    services.update_labels(ticket, actor=agent, topic=TIP)
    db.session.commit()
    assert ticket.queue.slug == WHISTLEBLOWING and ticket.assignee_id is None
    assert not access.can_see_ticket(agent, ticket) and access.can_see_ticket(people["member"], ticket)
    [(actor, before, after)] = events(db, ticket, "ticket.relabelled")
    assert actor == agent.id
    assert before == {"topic": "general", "queue": "general-public", "assignee_id": agent.id}
    assert after == {"topic": TIP, "queue": WHISTLEBLOWING, "assignee_id": None}


def test_a_member_assignee_keeps_the_ticket_when_it_moves_in(db, make):
    both = make.agent("general-public", WHISTLEBLOWING)
    ticket = make.ticket("general-public", text=TIP_TEXT)
    services.claim(ticket, actor=both)
    services.update_labels(ticket, actor=both, topic=TIP)
    db.session.commit()
    assert ticket.queue.slug == WHISTLEBLOWING and ticket.assignee_id == both.id


def test_a_tip_in_triage_moves_in_when_a_person_sets_the_topic(db, make, people):
    ticket = make.ticket("triage", prediction=unsure(topic="general"), text=TIP_TEXT)
    assert ticket.queue.slug == taxonomy.TRIAGE_QUEUE
    services.update_labels(ticket, actor=people["triage_agent"], topic=TIP, audience="government")
    db.session.commit()
    assert ticket.queue.slug == WHISTLEBLOWING


def test_changing_the_topic_away_moves_it_to_the_audience_queue(db, people, tip):
    member = people["member"]
    services.claim(tip, actor=member)
    db.session.commit()
    services.update_labels(tip, actor=member, topic="crime-types-events")
    db.session.commit()
    assert tip.queue.slug == "general-public"
    assert tip.assignee_id is None  # the member does not work general-public
    [(_, before, after)] = events(db, tip, "ticket.relabelled")
    assert (before["queue"], after["queue"]) == (WHISTLEBLOWING, "general-public")
    assert access.can_see_ticket(people["agent"], tip)


def test_without_an_audience_it_goes_to_triage(db, make, people):
    ticket = make.ticket(prediction=unsure(audience=None), text=TIP_TEXT)
    services.update_labels(ticket, actor=people["member"], topic="general")
    db.session.commit()
    assert ticket.queue.slug == taxonomy.TRIAGE_QUEUE


def test_an_audience_or_priority_change_keeps_a_tip_in_the_queue(db, people, tip):
    services.update_labels(tip, actor=people["member"], audience="government", priority="high")
    db.session.commit()
    assert tip.queue.slug == WHISTLEBLOWING and tip.audience == "government"


def test_the_relabel_page_sends_an_outsider_back_to_the_inbox(app, make, people):
    ticket = make.ticket("general-public", text=TIP_TEXT)
    client = logged_in(app, people["agent"])
    response = client.post(f"/tickets/{ticket.reference}/labels", data={"topic": TIP})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tickets/")
    assert client.get(f"/tickets/{ticket.reference}").status_code == 404


def test_the_api_relabel_answers_an_outsider_without_the_conversation(client, make, people):
    ticket = make.ticket("general-public", text=TIP_TEXT)
    headers = {"Authorization": f"Bearer {make.token(people['agent'])}"}
    response = client.patch(f"/api/v1/tickets/{ticket.id}", json={"topic": TIP}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["queue"] == WHISTLEBLOWING and response.json["messages"] == []
    assert client.get(f"/api/v1/tickets/{ticket.id}", headers=headers).status_code == 404


# --- no way out through other actions ----------------------------------------------------------

def test_a_tip_is_not_merged_into_an_open_queue(db, people):
    both = people["member_supervisor"]
    account = default_account("telegram")
    contact = upsert_contact("telegram", f"wb-{next(_seq)}", display_name="Quiet Source")
    db.session.flush()
    tip, _ = services.open_ticket(account=account, contact=contact, conversation_key="wb-tip", prediction=unsure())
    services.add_inbound(tip, TIP_TEXT, contact=contact, account=account)
    other, _ = services.open_ticket(account=account, contact=contact, conversation_key="wb-other",
                                    prediction=confident())
    db.session.commit()
    with pytest.raises(Conflict):
        merge.merge(tip, other, actor=both)
    merge.merge(other, tip, actor=both)  # the other way round the messages stay restricted
    db.session.commit()
    assert other.merged_into_id == tip.id and tip.queue.slug == WHISTLEBLOWING


def test_an_sla_breach_does_not_escalate_a_tip_out_of_the_queue(db, make):
    government = queue(db, "government")
    db.session.add(SlaPolicy(priority="low", first_response_minutes=60, next_response_minutes=60,
                             resolution_minutes=600, raise_priority=True, escalation_queue_id=government.id))
    db.session.commit()
    policies.forget()
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
    account = default_account("telegram")
    contact = upsert_contact("telegram", f"wb-{next(_seq)}", display_name="Quiet Source")
    db.session.flush()
    prediction = Prediction(topic=Label(TIP, 0.4), audience=Label("corporate", 0.4), priority=Label("low", 0.9),
                            is_confident=False, reason="low confidence")
    tip, _ = services.open_ticket(account=account, contact=contact, conversation_key="wb-sla", prediction=prediction,
                                  at=at)
    db.session.commit()
    assert sweep.sweep(at=at + dt.timedelta(minutes=61)) == 1
    db.session.commit()
    assert tip.sla_state == "breached" and tip.priority == "normal"  # the other rules still apply
    assert tip.queue.slug == WHISTLEBLOWING
