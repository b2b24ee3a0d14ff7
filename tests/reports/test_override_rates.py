"""Override rates: tickets opened through the services at chosen times, corrected through
update_labels, counted per head in SQL over 7 and 30 days."""
import datetime as dt

import pytest

from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.reports.router_quality import override_rates, override_windows
from inquiry.tickets import services as tickets

from tests.reports.conftest import unsure

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def days_ago(days, hours=0):
    return NOW - dt.timedelta(days=days, hours=hours)


def relabel(ticket, actor, at, **labels):
    tickets.update_labels(ticket, actor=actor, at=at, **labels)
    db.session.commit()


def by_head(window):
    return {h.head: h for h in window.heads}


@pytest.fixture
def desk(db, make, open_at, receive_at):
    """A week and a month of tickets, with the corrections people made to them."""
    agent = make.agent("general-public", "education", "triage")
    other = make.agent("general-public", "triage")
    sup = make.supervisor()

    # Two days ago: routed tickets.
    a = open_at(days_ago(2))
    relabel(a, agent, days_ago(2, -1), topic="webinars")  # topic changed
    b = open_at(days_ago(2))
    relabel(b, agent, days_ago(2, -1), topic="general", audience="education")  # topic confirmed, audience changed
    c = open_at(days_ago(2))
    relabel(c, agent, days_ago(2, -1), priority="high", language="fr")
    relabel(c, sup, days_ago(2, -2), priority="normal")  # priority put back: not an override; language stays changed
    open_at(days_ago(2))  # untouched
    g = open_at(days_ago(3), language="fr")  # the sender chose French: the language is not the router's
    relabel(g, agent, days_ago(3, -1), priority="urgent")
    k = open_at(days_ago(1))
    relabel(k, agent, days_ago(1, -1), topic="webinars")
    relabel(k, other, days_ago(1, -2), topic="live-events")  # changed twice: one override
    i = open_at(days_ago(3))
    relabel(i, agent, NOW + dt.timedelta(hours=1), topic="webinars")  # after ``now``: not yet counted

    # Triage: the router unsure, and intake with no model loaded (a sender who chose German).
    e = open_at(days_ago(4), unsure(audience="general-public"))
    relabel(e, agent, days_ago(4, -1), audience="general-public")  # a person routed it: counts in triage
    f = receive_at(days_ago(5), "Where do I find the crime index for my city?", language="de")
    assert f.queue.slug == "triage" and f.topic is None and f.language_source.value == "sender"
    relabel(f, agent, days_ago(5, -1), topic="crime-index-portals", audience="general-public")

    # Twenty days ago (the month only), and forty (neither window).
    h = open_at(days_ago(20))
    relabel(h, agent, days_ago(19), topic="journalism")
    j = open_at(days_ago(40))
    relabel(j, agent, days_ago(39), topic="journalism", audience="education")
    return agent


def test_last_seven_days_per_head(desk):
    week = override_rates(NOW, 7)
    assert week.days == 7 and week.until == NOW and week.since == NOW - dt.timedelta(days=7)
    heads = by_head(week)
    # a, b, c, untouched, g, k, i routed; e, f in triage.
    assert {name: (h.routed, h.changed, h.triaged, h.labelled_in_triage) for name, h in heads.items()} == {
        "topic": (7, 2, 2, 1),  # a, k (once); f labelled in triage
        "audience": (7, 1, 2, 2),  # b; e (same label, still a person's routing) and f
        "priority": (7, 1, 2, 0),  # g; c was put back
        "language": (6, 1, 2, 0),  # g's language is the sender's; c changed
    }
    topic = heads["topic"]
    assert topic.routed_rate == pytest.approx(2 / 7) and topic.triage_rate == pytest.approx(1 / 2)
    assert (topic.overrides, topic.tickets) == (3, 9) and topic.rate == pytest.approx(3 / 9)
    assert heads["priority"].triage_rate == 0.0


def test_last_thirty_days_adds_the_older_ticket_only(desk):
    month = by_head(override_rates(NOW, 30))
    assert (month["topic"].routed, month["topic"].changed) == (8, 3)
    assert (month["audience"].routed, month["audience"].changed) == (8, 1)
    assert (month["language"].routed, month["language"].changed) == (7, 1)
    assert month["topic"].triaged == 2
    assert [w.days for w in override_windows(NOW)] == [7, 30]


def test_a_correction_counts_from_when_it_was_made(desk):
    later = by_head(override_rates(NOW + dt.timedelta(hours=2), 7))
    assert later["topic"].changed == 3  # i's correction is now in


def test_an_empty_window_has_no_rate(db):
    window = override_rates(NOW, 7)
    for head in window.heads:
        assert (head.tickets, head.overrides) == (0, 0)
        assert head.rate is None and head.routed_rate is None and head.triage_rate is None


def test_the_window_must_be_a_day_or_more(db):
    with pytest.raises(Invalid):
        override_rates(NOW, 0)


def test_a_sender_chosen_language_a_person_changed_is_no_override(db, make, open_at):
    agent = make.agent("general-public")
    chosen = open_at(days_ago(1), language="fr")  # the sender chose French
    relabel(chosen, agent, days_ago(1, -1), language="de")
    routed = open_at(days_ago(1))
    relabel(routed, agent, days_ago(1, -1), language="de")
    language = by_head(override_rates(NOW, 7))["language"]
    assert (language.routed, language.changed) == (1, 1)  # only the router's language counts


def test_events_written_before_sources_were_recorded_fall_back_to_the_ticket(db, make, open_at):
    """Older ticket.created events hold no ``sources``: the ticket's current source decides."""
    from sqlalchemy import select

    from inquiry.audit.models import AuditEvent

    agent = make.agent("general-public")
    chosen = open_at(days_ago(1), language="fr")
    routed = open_at(days_ago(1))
    relabel(routed, agent, days_ago(1, -1), topic="journalism")
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.created")):
        event.after = {k: v for k, v in event.after.items() if k != "sources"}
    db.session.commit()
    heads = by_head(override_rates(NOW, 7))
    assert (heads["topic"].routed, heads["topic"].changed) == (2, 1)
    assert heads["language"].routed == 1  # the sender's French is still not the router's
    assert chosen.language_source.value == "sender"
