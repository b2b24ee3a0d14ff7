"""The Content-Security-Policy in a real browser: the pages people use log no violation.

The policy forbids inline scripts, inline event handlers and style= attributes. A template that
brings one back breaks silently in the browser (the handler never runs, the style is dropped);
these tests make that loud. Each page is watched two ways: the console ("Refused to …") and the
``securitypolicyviolation`` event, collected by a script the browser injects before the page's own.
"""
import pytest
from playwright.sync_api import expect

from inquiry.notifications.services import notify

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
                              " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


class Watch:
    """Every CSP complaint one browser page makes, across navigations."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            self.console.append(f"{self.page.url}: {text}")

    def visit(self, path: str, *, wait_for: str | None = None) -> list[str]:
        """Open ``path``, let its script run, and return what it violated (console and events)."""
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if wait_for:
            self.page.wait_for_selector(wait_for, state="attached")
        self.page.wait_for_load_state("load")
        events = self.page.evaluate("window.__cspViolations || []")
        return [f"{path}: {event}" for event in events]


def _seen_clean(watch: Watch, paths) -> None:
    problems = []
    for path in paths:
        problems += watch.visit(path, wait_for="html[data-workspace-ready]")
    problems += watch.console
    assert problems == []


def test_agent_pages_log_no_violation(open_page, make, db):
    from inquiry.canned import services as canned

    supervisor = make.supervisor()
    canned.create_reply(title="Lost passport", shortcut="lost-passport", actor=supervisor,
                        variants={"en": "Hello {contact_name}, see {reference}."})
    db.session.commit()
    agent = make.agent()
    ticket = make.ticket(text="My passport was stolen at the airport")
    page = open_page(agent)
    watch = Watch(page)
    _seen_clean(watch, ["/tickets/", "/tickets/?view=unassigned", f"/tickets/{ticket.reference}",
                        "/search?q=passport", "/notifications/"])
    # What the script does on the ticket page must not trip the policy either.
    page.goto(f"/tickets/{ticket.reference}")
    page.wait_for_selector("html[data-workspace-ready]", state="attached")
    page.locator("#canned-select").select_option(label="Lost passport (en)")
    page.get_by_role("button", name="Insert").click()
    expect(page.locator("#reply")).to_have_value(f"Hello Dana Reyes, see {ticket.reference}.")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == [] and watch.console == []


def test_supervisor_and_admin_pages_log_no_violation(open_page, make, db):
    ticket = make.ticket()
    make.ticket("travellers")
    supervisor = make.supervisor()
    notify([supervisor], "ticket.escalated", "A ticket was escalated", ticket=ticket)
    db.session.commit()
    watch = Watch(open_page(supervisor))
    _seen_clean(watch, ["/reports/dashboard", "/reports/router", "/reports/surges", "/costs/", "/planning/", "/account/security", "/canned/", "/canned/new",
                        "/admin/users", "/admin/queues", "/notifications/"])
    admin = make.admin()
    watch = Watch(open_page(admin))
    _seen_clean(watch, ["/admin/channels", "/admin/channels/new", "/admin/users/new"])


def test_public_pages_log_no_violation(browser, live_server):
    context = browser.new_context(base_url=live_server)
    try:
        watch = Watch(context.new_page())
        problems = []
        for path in ["/contact", "/contact/status", "/login"]:
            problems += watch.visit(path)
        assert problems + watch.console == []
    finally:
        context.close()


def test_the_policy_blocks_injected_inline_code(open_page, make):
    """The control for the tests above: an inline handler slipped into the page does not run, and
    the watch sees the violation."""
    watch = Watch(open_page(make.agent()))
    assert watch.visit("/tickets/", wait_for="html[data-workspace-ready]") == []
    watch.page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        '<img id="bait" src="data:," onload="window.__pwned = 1"><p id="styled" style="color: red">x</p>')""")
    watch.page.wait_for_function("window.__cspViolations.length >= 1")
    assert watch.page.evaluate("window.__pwned") is None
    assert watch.page.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
