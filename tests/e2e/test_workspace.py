"""The agent workspace in a real browser: what agents do all day, end to end."""
import re

import pytest
from playwright.sync_api import expect

from inquiry.tickets import services
from inquiry.tickets.models import Message, TicketStatus

pytestmark = pytest.mark.browser


def ready(page):
    """Wait until the page's script has run, so keyboard shortcuts are live."""
    page.wait_for_selector("html[data-workspace-ready]", state="attached")


def test_two_agents_on_one_ticket_see_each_other(open_page, make, shot):
    ticket = make.ticket(text="Someone is impersonating your officers on Telegram")
    alice = make.agent(name="Alice Martin")
    bob = make.agent(name="Bob Okafor")
    page_a = open_page(alice)
    page_b = open_page(bob)
    page_a.goto(f"/tickets/{ticket.reference}")
    page_b.goto(f"/tickets/{ticket.reference}")
    expect(page_a.locator("#viewers")).to_contain_text("Bob Okafor is viewing")
    expect(page_b.locator("#viewers")).to_contain_text("Alice Martin is viewing")
    page_b.locator("#reply").type("Thank you for telling us")
    expect(page_a.locator("#viewers")).to_contain_text("Bob Okafor is typing")
    shot(page_a, "ticket-two-agents")


def test_a_new_message_while_composing_warns_before_sending(open_page, make, db):
    agent = make.agent()
    ticket = make.ticket()
    page = open_page(agent)
    page.goto(f"/tickets/{ticket.reference}")
    page.locator("#reply").fill("We will look into it.")
    services.add_inbound(ticket, "Update: they now ask for money", contact=ticket.contact,
                         account=ticket.channel_account)
    db.session.commit()
    expect(page.locator("#new-inbound-banner")).to_be_visible()
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".flash-error").first).to_contain_text("A new message arrived")
    expect(page.locator("#messages")).to_contain_text("they now ask for money")
    expect(page.locator("#reply")).to_have_value("We will look into it.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".flash-success")).to_contain_text("Reply queued")
    db.session.expire_all()
    assert db.session.query(Message).filter_by(ticket_id=ticket.id, body="We will look into it.").count() == 1


def test_topic_correction_moves_the_ticket_out_of_triage(open_page, make, db, shot):
    agent = make.agent("triage", "transport")
    ticket = make.ticket("triage", text="Our cabin crew keeps getting fake job offers during layovers")
    page = open_page(agent)
    page.goto("/tickets/?view=triage")
    expect(page.locator("#ticket-rows")).to_contain_text(ticket.reference)
    page.get_by_role("link", name=ticket.reference).click()
    shot(page, "ticket-page")
    form = page.locator("#labels-form")
    form.get_by_label("Topic").select_option("crime-enablers")
    form.get_by_label("Audience").select_option("transport")
    form.get_by_role("button", name="Correct and re-queue").click()
    expect(page.locator(".flash-success")).to_contain_text("Labels corrected")
    expect(page.locator("#ticket-queue")).to_contain_text("Transport crews")
    page.goto("/tickets/?view=triage")
    expect(page.locator("#ticket-rows")).not_to_contain_text(ticket.reference)
    db.session.expire_all()
    assert ticket.queue.slug == "transport" and ticket.topic == "crime-enablers"


def test_keyboard_only_through_the_inbox(open_page, make, db, shot):
    agent = make.agent()
    first = make.ticket(priority="high", text="First in line")
    second = make.ticket(priority="normal", text="Second in line")
    page = open_page(agent)
    page.goto("/tickets/?view=unassigned")
    ready(page)
    shot(page, "inbox")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    shot(page, "shortcuts")
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(page.locator("tr.selected")).to_have_attribute("data-reference", first.reference)
    page.keyboard.press("j")
    expect(page.locator("tr.selected")).to_have_attribute("data-reference", second.reference)
    page.keyboard.press("k")
    expect(page.locator("tr.selected")).to_have_attribute("data-reference", first.reference)
    page.keyboard.press("o")
    page.wait_for_url(f"**/tickets/{first.reference}")
    ready(page)
    page.keyboard.press("a")
    expect(page.locator("#ticket-assignee")).to_contain_text(agent.name)
    ready(page)
    page.keyboard.press("r")
    expect(page.locator("#reply")).to_be_focused()
    page.keyboard.type("Thanks, we have passed this on.")
    page.keyboard.press("Control+Enter")  # sends from the text box
    expect(page.locator(".flash-success")).to_contain_text("Reply queued")
    ready(page)
    page.keyboard.press("s")
    expect(page.locator(".flash-success")).to_contain_text("Status changed")
    ready(page)
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    db.session.expire_all()
    assert first.status == TicketStatus.SOLVED and first.assignee_id == agent.id


def test_supervisor_bulk_reassigns(open_page, make, db, shot):
    supervisor = make.supervisor(name="Sam Supervisor")
    leaving = make.agent(name="Leaving Agent")
    taking = make.agent(name="Taking Over")
    tickets = [make.ticket() for _ in range(3)]
    keep = make.ticket()
    for ticket in tickets + [keep]:
        services.claim(ticket, actor=leaving)
    db.session.commit()
    page = open_page(supervisor)
    page.goto(f"/tickets/?view=all&assignee={leaving.id}")
    for ticket in tickets:
        page.get_by_label(f"Select {ticket.reference}").check()
    expect(page.locator("#selected-count")).to_have_text("3 selected")
    page.locator("#bulk-action").select_option("assign")
    page.locator("#bulk-assignee").select_option(label="Taking Over")
    shot(page, "inbox-bulk")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".flash-success")).to_contain_text("3 ticket(s) updated")
    db.session.expire_all()
    assert {t.assignee_id for t in tickets} == {taking.id}
    assert keep.assignee_id == leaving.id


def test_inbox_refreshes_itself_without_losing_the_selection(open_page, make, db):
    agent = make.agent()
    first = make.ticket(priority="high")
    page = open_page(agent)
    page.goto("/tickets/?view=unassigned")
    ready(page)
    page.keyboard.press("j")
    page.get_by_label(f"Select {first.reference}").check()
    newcomer = make.ticket(priority="urgent", text="Help, my account was hacked and they threaten me")
    expect(page.locator("#ticket-rows")).to_contain_text(newcomer.reference, timeout=20_000)
    expect(page.locator(f'[data-count="unassigned"]')).to_have_text("2")
    expect(page.locator("tr.selected")).to_have_attribute("data-reference", first.reference)
    expect(page.get_by_label(f"Select {first.reference}")).to_be_checked()
    # The urgent newcomer is pinned on top.
    expect(page.locator("#ticket-rows tr").first).to_have_attribute("data-reference", newcomer.reference)


def test_tablet_and_right_to_left_text(open_page, make, shot):
    ticket = make.ticket(text="سُرق جواز سفري في المطار، ماذا أفعل؟", language="ar", contact_name="أمل حداد")
    page = open_page(make.agent(), width=820, height=1180)
    page.goto(f"/tickets/{ticket.reference}")
    body = page.locator("#messages .user-text").first
    expect(body).to_have_attribute("dir", "auto")
    direction = body.evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"
    assert page.evaluate("document.documentElement.dir") == "ltr"
    # Nothing wider than the tablet's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    shot(page, "ticket-tablet-rtl")


def test_agent_opens_next_due_replies_with_a_canned_reply_in_the_senders_language_and_solves(open_page, make, db, shot):
    from inquiry.canned import services as canned

    supervisor = make.supervisor()
    canned.create_reply(title="Lost passport", shortcut="lost-passport", actor=supervisor, variants={
        "en": "Hello {contact_name}, please contact your national passport authority. Ref {reference}.",
        "es": "Hola {contact_name}, contacte con la autoridad nacional de pasaportes. Ref. {reference}.",
    })
    db.session.commit()
    agent = make.agent(languages=("en", "es"))
    make.ticket(priority="low", text="Just a general question")
    spanish = make.ticket(priority="high", language="es", contact_name="Lucía Pérez",
                          text="Perdí mi pasaporte en el aeropuerto, ¿qué hago?")
    page = open_page(agent)
    page.get_by_role("link", name="Open next due ticket").click()
    page.wait_for_url(f"**/tickets/{spanish.reference}")
    ready(page)
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#ticket-assignee")).to_contain_text(agent.name)
    ready(page)
    page.locator("#canned-select").select_option(label="Lost passport (es)")
    expect(page.locator("#canned-language")).to_have_value("es")
    page.get_by_role("button", name="Insert").click()
    expect(page.locator("#reply")).to_have_value(
        f"Hola Lucía Pérez, contacte con la autoridad nacional de pasaportes. Ref. {spanish.reference}.")
    expect(page.locator("#reply-count")).to_contain_text("characters")
    page.get_by_label("Solve after sending").check()
    shot(page, "ticket-canned-reply")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".flash-success")).to_contain_text("Ticket solved")
    expect(page.locator("#messages")).to_contain_text("Hola Lucía Pérez")
    db.session.expire_all()
    assert spanish.status == TicketStatus.SOLVED
    sent = db.session.query(Message).filter_by(ticket_id=spanish.id, direction="outbound").one()
    assert sent.body.startswith("Hola Lucía Pérez") and sent.delivery_status.value == "queued"
