"""Canned reply services: what is accepted, how placeholders are filled, what is offered first."""
import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.canned import services
from inquiry.canned.models import CannedReply, CannedReplyVariant
from inquiry.errors import Conflict, Forbidden, Invalid


def _create(**overrides):
    fields = {"title": "Lost passport", "shortcut": "lost-passport",
              "variants": {"en": "Hello {contact_name}, about {reference}: contact your national authority."}}
    fields.update(overrides)
    return services.create_reply(**fields)


def _problems(exc_info) -> dict:
    return exc_info.value.fields


# --- validation ---------------------------------------------------------------------------

def test_a_valid_reply_is_saved_with_its_variants_and_audited(db, make):
    supervisor = make.supervisor()
    made = _create(variants={"en": "Hello", "fr": "Bonjour", "ar": "مرحبا"}, queue="travellers",
                   topic="crime-awareness", actor=supervisor)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(CannedReply, made.id)
    assert (stored.title, stored.shortcut, stored.queue.slug, stored.topic, stored.is_enabled) == (
        "Lost passport", "lost-passport", "travellers", "crime-awareness", True)
    assert {v.language: v.body for v in stored.variants} == {"ar": "مرحبا", "en": "Hello", "fr": "Bonjour"}
    assert stored.created_by_id == supervisor.id
    event = db.session.scalars(select(AuditEvent).filter_by(action="canned.created")).one()
    assert event.actor_id == supervisor.id and event.subject == f"canned:{made.id}"
    assert event.after["variants"]["fr"] == "Bonjour"


@pytest.mark.parametrize("shortcut", ["Lost Passport", "lost_passport", "-lost", "lost--passport", "lost-", "é", "a" * 41, ""])
def test_shortcuts_must_be_slugs(app, shortcut):
    with pytest.raises(Invalid) as exc:
        _create(shortcut=shortcut)
    assert "shortcut" in _problems(exc)


def test_shortcut_is_lower_cased_and_trimmed(db):
    assert _create(shortcut="  LOST-passport2 ").shortcut == "lost-passport2"


def test_a_shortcut_already_used_is_a_conflict(db):
    _create()
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        _create(title="Another")
    assert "shortcut" in _problems(exc)
    other = _create(shortcut="other")
    db.session.commit()
    with pytest.raises(Conflict):
        services.update_reply(other, title="Other", shortcut="lost-passport", variants={"en": "x"})


def test_every_problem_is_reported_at_once(app):
    with pytest.raises(Invalid) as exc:
        services.create_reply(title=" ", shortcut="Bad Shortcut", variants={"en": "  ", "xx": "hello"},
                              queue="no-such-queue", topic="no-such-topic")
    problems = _problems(exc)
    assert {"title", "shortcut", "queue", "topic", "variants", "variants.en"} <= set(problems)
    assert "xx" in " ".join(problems["variants"])


def test_a_reply_needs_at_least_one_language(app):
    with pytest.raises(Invalid) as exc:
        _create(variants={})
    assert _problems(exc) == {"variants": ["Write the reply in at least one language."]}


def test_a_language_given_twice_is_refused(app):
    with pytest.raises(Invalid) as exc:
        _create(variants=[("fr", "Bonjour"), ("FR", "Salut")])
    assert "already a variant" in " ".join(_problems(exc)["variants"])


def test_unknown_placeholders_are_refused_when_saving(app):
    with pytest.raises(Invalid) as exc:
        _create(variants={"en": "Dear {name}, see {status_url} or {}", "fr": "Bonjour {contact_name}"})
    problems = _problems(exc)
    assert list(problems) == ["variants.en"]
    assert "{name}" in problems["variants.en"][0] and "{}" in problems["variants.en"][0]
    assert "{contact_name}" in problems["variants.en"][0]  # the message says what is allowed


def test_a_body_longer_than_a_message_may_be_is_refused(app):
    app.config["MESSAGE_MAX_CHARS"] = 50
    with pytest.raises(Invalid) as exc:
        _create(variants={"en": "x" * 51})
    assert "variants.en" in _problems(exc)


def test_agents_cannot_manage_canned_replies(db, make):
    agent = make.agent()
    with pytest.raises(Forbidden):
        _create(actor=agent)
    made = _create()
    db.session.commit()
    with pytest.raises(Forbidden):
        services.update_reply(made, title="x", shortcut="x", variants={"en": "x"}, actor=agent)
    with pytest.raises(Forbidden):
        services.set_enabled(made, False, actor=agent)


def test_update_replaces_fields_and_variants_and_audits_the_difference(db, make):
    admin = make.admin()
    made = _create(variants={"en": "Hello", "fr": "Bonjour", "de": "Hallo"})
    db.session.commit()
    changed = services.update_reply(made, title="Lost passport abroad", shortcut="lost-passport",
                                    variants={"en": "Hello again", "fr": "Bonjour", "es": "Hola"},
                                    queue="travellers", topic=None, actor=admin)
    db.session.commit()
    assert changed
    db.session.expire_all()
    stored = db.session.get(CannedReply, made.id)
    assert {v.language: v.body for v in stored.variants} == {"en": "Hello again", "es": "Hola", "fr": "Bonjour"}
    assert stored.title == "Lost passport abroad" and stored.queue.slug == "travellers"
    assert db.session.scalars(select(CannedReplyVariant).filter_by(language="de")).first() is None
    event = db.session.scalars(select(AuditEvent).filter_by(action="canned.updated")).one()
    assert set(event.after) == {"title", "queue", "variants"} and event.before["queue"] is None


def test_saving_the_same_values_changes_nothing_and_writes_no_event(db):
    made = _create(variants={"en": "Hello"})
    db.session.commit()
    assert not services.update_reply(made, title="Lost passport", shortcut="lost-passport", variants={"en": "Hello"})
    db.session.commit()
    assert db.session.scalars(select(AuditEvent).filter_by(action="canned.updated")).first() is None


def test_disable_and_enable_are_audited_once(db, make):
    supervisor = make.supervisor()
    made = _create()
    db.session.commit()
    assert services.set_enabled(made, False, actor=supervisor)
    assert not services.set_enabled(made, False, actor=supervisor)
    assert services.set_enabled(made, True, actor=supervisor)
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("canned.%abled"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["canned.disabled", "canned.enabled"]


def test_list_searches_title_and_shortcut(db, reply):
    reply("lost-passport", title="Passport lost abroad")
    reply("scam-received", title="Scam report received")
    reply("careers", title="Working with us")
    assert [r.shortcut for r in services.list_replies("SCAM")] == ["scam-received"]
    assert [r.shortcut for r in services.list_replies("passport")] == ["lost-passport"]
    assert [r.shortcut for r in services.list_replies("%")] == []
    assert len(services.list_replies("")) == 3


# --- rendering -----------------------------------------------------------------------------

def test_render_fills_every_placeholder(app, make):
    agent = make.agent("travellers", name="Li Wei")
    ticket = make.ticket("travellers", contact_name="Dana Reyes", language="fr")
    body = "{contact_name}|{reference}|{agent_name}|{queue}|{status_url}"
    app.config["PUBLIC_BASE_URL"] = "https://desk.example.org/"
    assert services.render(body, ticket, agent).split("|") == [
        "Dana Reyes", ticket.reference, "Li Wei", ticket.queue.name, "https://desk.example.org/contact/status?lang=fr"]


def test_status_url_is_absolute_in_a_request_without_a_base_url(app, make):
    ticket = make.ticket(language="en")
    app.config["PUBLIC_BASE_URL"] = ""
    with app.test_request_context("/", base_url="https://staff.example.org"):
        assert services.render("{status_url}", ticket, None) == "https://staff.example.org/contact/status?lang=en"
    # Outside a request (a worker, a CLI), a path rather than an error.
    assert services.render("{status_url}", ticket, None) == "/contact/status?lang=en"


def test_render_never_raises(app, make):
    ticket = make.ticket(contact_name=None)
    # Rows written around the service can hold anything: it is left as it is, never an error.
    body = "Hi {contact_name}! {unknown} {0} {{reference}} { reference } {"
    rendered = services.render(body, ticket, None)
    assert rendered == f"Hi ! {{unknown}} {{0}} {{{ticket.reference}}} {ticket.reference} {{"
    assert services.render("", ticket, None) == ""


# --- offering ------------------------------------------------------------------------------

def test_the_variant_in_the_tickets_language_is_chosen_then_english_then_the_first(db, make, reply):
    reply("both", en="Hello {contact_name}", fr="Bonjour {contact_name}")
    reply("no-french", de="Hallo", en="Hello")
    reply("neither", es="Hola", de="Hallo")
    ticket = make.ticket(language="fr", contact_name="Aline")
    offers = {o.shortcut: o for o in services.offer(ticket, make.agent())}
    assert (offers["both"].language, offers["both"].body) == ("fr", "Bonjour Aline")
    assert offers["no-french"].language == "en"
    assert offers["neither"].language == "de"  # the first, alphabetically
    assert offers["both"].languages == ["en", "fr"] and offers["neither"].languages == ["de", "es"]


def test_a_requested_language_wins_when_the_reply_has_it(db, make, reply):
    reply("both", en="Hello", fr="Bonjour", ar="مرحبا")
    reply("english-only", en="Hello")
    ticket = make.ticket(language="fr")
    offers = {o.shortcut: o for o in services.offer(ticket, None, language="ar")}
    assert offers["both"].language == "ar" and offers["both"].body == "مرحبا"
    assert offers["english-only"].language == "en"


def test_choose_language_without_preferences():
    assert services.choose_language(["de", "en"], None) == "en"
    assert services.choose_language(["de", "es"]) == "de"
    assert services.choose_language([], "fr") is None


def test_only_enabled_replies_of_the_tickets_queue_or_every_queue_are_offered(db, make, reply):
    reply("everywhere")
    reply("travellers-only", queue="travellers")
    reply("government-only", queue="government")
    off = reply("switched-off")
    services.set_enabled(off, False)
    db.session.commit()
    ticket = make.ticket("travellers")
    assert sorted(o.shortcut for o in services.offer(ticket, None)) == ["everywhere", "travellers-only"]


def test_replies_about_the_tickets_topic_come_first_then_by_title(db, make, reply):
    reply("zeta", title="Zeta")
    reply("alpha", title="Alpha")
    reply("webinar-link", title="Webinar recording", topic="webinars")
    reply("other-topic", title="Another topic", topic="journalism")
    ticket = make.ticket(topic="webinars")
    assert [o.shortcut for o in services.offer(ticket, None)] == ["webinar-link", "alpha", "other-topic", "zeta"]


def test_offer_as_dict_has_the_documented_keys(db, make, reply):
    made = reply("hello", en="Hello {agent_name}")
    agent = make.agent(name="Amina Haddad")
    (only,) = services.offer(make.ticket(), agent)
    assert only.as_dict() == {"id": made.id, "title": "Hello", "shortcut": "hello", "language": "en",
                              "body": "Hello Amina Haddad", "languages": ["en"]}
