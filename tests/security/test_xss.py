"""Hostile text wherever people can type: it is shown as text, never run as markup.

Every field outsiders or staff control (the sender's message, name and subject, notes,
escalation reasons, canned replies, people's names, search words, filters) carries markup that
would run if it reached the page unescaped. Each page that shows it is parsed: no inline script,
no ``on*=`` handler, no injected element, and the payload is there in escaped form.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.security.conftest import Client, log_in

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")


def hostile(label: str) -> str:
    """A payload led by a plain word, so searches can find it without splitting the markup."""
    return f"{label} {SCRIPT} {IMG}"


class _Scan(HTMLParser):
    """What a browser would run or load from a page: inline scripts, handlers, injected images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not attrs.get("src"):
                self.found.append("inline <script>")
        if tag == "img" and attrs.get("src") == "x":
            self.found.append("injected <img src=x>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            is_link = name in ("href", "src", "action", "formaction")
            if is_link and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style" or "style" in attrs:
            self.found.append(f"inline style on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("script content")


def assert_inert(html: str, where: str, *, shown: bool = True) -> None:
    """Nothing in ``html`` would run; with ``shown``, the payload is on the page as escaped text."""
    scan = _Scan()
    scan.feed(html)
    assert scan.found == [], f"{where}: {scan.found}"
    assert SCRIPT not in html and "<img src=x" not in html, where
    if shown:
        assert any(text in html for text in ESCAPED), f"{where}: the hostile text is not on the page at all"


@pytest.fixture
def desk(app, db, make):
    """A desk where every typed field of one ticket holds a payload."""
    from inquiry.canned import services as canned
    from inquiry.tickets import escalation, services as tickets
    from inquiry.tickets.models import Ticket

    db.session().expire_on_commit = False
    supervisor = make.supervisor(name="Sam Supervisor")
    agent = make.agent("triage", "general-public", name=hostile("Agentname"))
    api = Client(app)
    created = api.post("/api/v1/inquiries", headers={"Authorization": f"Bearer {make.token(supervisor)}"}, json={
        "text": hostile("Messagetext"), "subject": hostile("Subjectline"),
        "contact": {"name": hostile("Contactname"), "external_id": "hostile-1"}})
    assert created.status_code == 201, created.text
    body = created.get_json()
    ticket = db.session.get(Ticket, body["ticket"]["id"] if "ticket" in body else body["id"])
    tickets.assign(ticket, agent, actor=supervisor)
    tickets.add_note(ticket, hostile("Notetext"), actor=agent)
    escalation.escalate(ticket, hostile("Escalationreason"), actor=agent)
    reply = canned.create_reply(title=hostile("Cannedtitle"), shortcut="hostile", actor=supervisor,
                                variants={"en": hostile("Cannedbody")})
    tickets.reply(ticket, hostile("Replytext"), actor=agent)
    db.session.commit()
    staff = Client(app)
    log_in(staff, supervisor)
    return {"ticket": ticket, "agent": agent, "reply": reply, "staff": staff, "public_token": body.get("public_token"),
            "app": app}


def _page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/tickets/?view=all",
    "/tickets/{reference}",
    "/search?q=Messagetext",
    "/search?q=Notetext",
    "/canned/",
    "/canned/{reply_id}",
    "/notifications/",
    "/admin/users",
    "/admin/users/{agent_id}",
])
def test_staff_pages_show_hostile_text_escaped(desk, path):
    url = path.format(reference=desk["ticket"].reference, reply_id=desk["reply"].id, agent_id=desk["agent"].id)
    assert_inert(_page(desk["staff"], url), url)


@pytest.mark.parametrize("path", ["/reports/dashboard", "/reports/router", "/reports/surges", "/costs/"])
def test_report_pages_stay_inert(desk, path):
    assert_inert(_page(desk["staff"], path), path, shown=False)


def test_every_hostile_field_reaches_the_ticket_page_escaped(desk):
    html = _page(desk["staff"], f"/tickets/{desk['ticket'].reference}")
    for label in ("Messagetext", "Subjectline", "Contactname", "Notetext", "Agentname", "Replytext"):
        assert f"{label} {ESCAPED[0]}" in html, f"{label} is missing or not escaped"


def test_inbox_refresh_rows_are_escaped(desk):
    response = desk["staff"].get("/tickets/refresh?view=all")
    assert response.status_code == 200 and response.is_json
    rows = response.get_json()["rows"]
    assert_inert(rows, "refresh rows")
    assert f"Subjectline {ESCAPED[0]}" in rows or f"Messagetext {ESCAPED[0]}" in rows


def test_canned_offer_is_json_and_never_sniffed_as_html(desk):
    response = desk["staff"].get(f"/canned/offer/{desk['ticket'].reference}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert any(offer["body"].startswith("Cannedbody <script>") for offer in response.get_json())  # data, not markup


@pytest.mark.parametrize("path", [
    "/search?q={payload}",
    "/canned/?q={payload}",
    "/tickets/?view=all&tag={payload}",
    "/tickets/?view=all&queue={payload}&topic={payload}",
])
def test_search_words_and_filters_are_not_reflected_as_markup(desk, path):
    from urllib.parse import quote

    url = path.format(payload=quote(hostile("Reflected")))
    response = desk["staff"].get(url)
    assert response.status_code in (200, 400, 422), (url, response.status_code)
    assert_inert(response.get_data(as_text=True), url, shown=False)


def test_login_next_and_public_pages_are_inert(desk):
    from urllib.parse import quote

    visitor = Client(desk["app"])
    for url in [f"/login?next={quote(IMG)}", f"/contact?lang={quote(IMG)}", f"/contact/status?lang={quote(SCRIPT)}"]:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), url, shown=False)


def test_the_sender_sees_the_conversation_escaped_on_the_status_page(desk):
    visitor = Client(desk["app"])
    response = visitor.post("/contact/status", data={"reference": desk["ticket"].reference,
                                                     "token": desk["public_token"]}, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_inert(html, "public status page")
    assert f"Replytext {ESCAPED[0]}" in html and "Notetext" not in html  # notes stay internal


def test_a_hostile_tag_is_refused(desk, db):
    """Tags are plain words: markup never gets stored, so it cannot be shown (filters by tag are
    checked above)."""
    from inquiry.errors import Invalid
    from inquiry.tickets import tags

    with pytest.raises(Invalid):
        tags.change_tags(desk["ticket"], actor=desk["agent"], add=[hostile("Tag")])
    db.session.rollback()
