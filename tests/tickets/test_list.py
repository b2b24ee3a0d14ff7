"""The staff ticket list: per-queue visibility, filters, counts and keyset pagination."""
from inquiry.tickets import services
from tests.tickets.conftest import older_link, references


def test_list_needs_login(client):
    response = client.get("/tickets/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_agent_sees_only_their_queues_supervisor_sees_all(client, make, login):
    mine = make.ticket("general-public")
    also_mine = make.ticket("travellers")
    theirs = make.ticket("government")
    triage = make.ticket("triage")
    agent = make.agent("general-public", "travellers")
    supervisor = make.supervisor()

    login(agent)
    page = client.get("/tickets/?view=all")
    assert page.status_code == 200
    assert set(references(page)) == {mine.reference, also_mine.reference}
    html = page.data.decode()
    # Queue counts: only the agent's queues are listed.
    assert 'data-queue="general-public"' in html and 'data-queue="travellers"' in html
    assert 'data-queue="government"' not in html and 'data-queue="triage"' not in html
    # Asking for another queue does not reveal its tickets.
    assert references(client.get("/tickets/?queue=government")) == []

    client.post("/logout")
    login(supervisor)
    page = client.get("/tickets/?view=all")
    assert set(references(page)) == {mine.reference, also_mine.reference, theirs.reference, triage.reference}
    assert 'data-queue="government"' in page.data.decode()


def test_urgent_pinned_first_then_most_due_with_the_listed_columns(client, make, login):
    first_due = make.ticket()
    later_due = make.ticket()
    older = make.ticket(contact_name="Amal Haddad", channel="whatsapp", topic="webinars", priority="urgent",
                        language="ar")
    login(make.agent())
    page = client.get("/tickets/?view=unassigned")
    assert references(page) == [older.reference, first_due.reference, later_due.reference]
    html = page.data.decode()
    row = html[html.index(f'data-reference="{older.reference}"'):]
    row = row[:row.index("</tr>")]
    for shown in (f'href="/tickets/{older.reference}"', "Amal Haddad", "WhatsApp", "General public", "webinars",
                  'class="badge badge-urgent"', ">ar<", "new", "nobody", '<time class="due'):
        assert shown in row, shown
    assert f'<td dir="auto" class="subject">{older.subject}</td>' in row


def test_queue_counts_count_open_tickets(client, make, db, login):
    supervisor = make.supervisor()
    make.ticket("education")
    make.ticket("education")
    solved = make.ticket("education")
    services.change_status(solved, "solved", actor=supervisor)
    db.session.commit()
    login(supervisor)
    html = client.get("/tickets/").data.decode()
    entry = html[html.index('data-queue="education"'):]
    entry = entry[:entry.index("</li>")]
    assert '<span class="count">2</span>' in entry


def test_filters(client, make, db, login):
    agent = make.agent("general-public")
    other_agent = make.agent("general-public")
    urgent = make.ticket(priority="urgent", topic="crime-types-events")
    french = make.ticket(language="fr", topic="webinars")
    on_wechat = make.ticket(channel="wechat")
    plain = make.ticket()
    services.claim(plain, actor=agent)
    services.claim(french, actor=other_agent)
    services.change_status(on_wechat, "pending", actor=agent)
    db.session.commit()
    login(agent)

    def listed(query):
        page = client.get("/tickets/?view=all&" + query)
        assert page.status_code == 200, page.data
        return set(references(page))

    assert listed("priority=urgent") == {urgent.reference}
    assert listed("topic=webinars") == {french.reference}
    assert listed("language=fr") == {french.reference}
    assert listed("channel=wechat") == {on_wechat.reference}
    assert listed("status=pending") == {on_wechat.reference}
    assert listed("status=new") == {urgent.reference, french.reference, plain.reference}
    assert listed("assignee=me") == {plain.reference}
    assert listed("assignee=none") == {urgent.reference, on_wechat.reference}
    assert listed("queue=general-public&assignee=none&priority=urgent") == {urgent.reference}
    assert listed("queue=general-public") == {urgent.reference, french.reference, on_wechat.reference, plain.reference}
    # The form shows the filters in use.
    html = client.get("/tickets/?priority=urgent").data.decode()
    assert '<option selected value="urgent">' in html or '<option value="urgent" selected>' in html


def test_bad_filter_or_cursor_is_a_clear_4xx(client, make, login):
    make.ticket()
    login(make.agent())
    bad_topic = client.get("/tickets/?topic=astrology")
    assert bad_topic.status_code == 422
    assert b"astrology" in bad_topic.data and b"not a known topic" in bad_topic.data
    bad_cursor = client.get("/tickets/?cursor=not-a-cursor")
    assert bad_cursor.status_code == 400
    assert b"invalid cursor" in bad_cursor.data
    assert client.get("/tickets/?queue=nowhere").status_code == 422
    assert client.get("/tickets/?limit=0").status_code == 422


def test_pagination_walks_every_ticket_once_most_due_first(client, make, login):
    created = [make.ticket() for _ in range(7)]
    make.ticket("government")  # not the agent's: never listed
    login(make.agent())
    seen, pages = [], 0
    url = "/tickets/?view=unassigned&limit=3"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += references(page)
        pages += 1
        url = older_link(page)
    assert pages == 3
    assert seen == [ticket.reference for ticket in created]


def test_pagination_keeps_filters(client, make, login):
    high = [make.ticket(priority="high") for _ in range(3)]
    make.ticket(priority="low")
    login(make.agent())
    first = client.get("/tickets/?view=unassigned&priority=high&limit=2")
    link = older_link(first)
    assert "priority=high" in link and "limit=2" in link and "view=unassigned" in link
    second = client.get(link)
    assert references(first) + references(second) == [t.reference for t in high]
    assert older_link(second) is None


def test_empty_list_for_agent_without_queues(client, make, login):
    make.ticket()
    agent = make.agent("travellers")
    login(agent)
    page = client.get("/tickets/?view=all")
    assert page.status_code == 200
    assert references(page) == []
    assert b"No tickets here" in page.data



def test_a_surge_of_urgent_tickets_pins_only_the_most_due_and_links_to_all(client, make, login, monkeypatch):
    from inquiry.tickets import inbox

    monkeypatch.setattr(inbox, "PINNED_LIMIT", 2)
    urgent = [make.ticket(priority="urgent") for _ in range(3)]
    normal = make.ticket()
    login(make.agent())
    page = client.get("/tickets/?view=unassigned")
    assert references(page) == [urgent[0].reference, urgent[1].reference, normal.reference]
    assert 'href="/tickets/?priority=urgent&amp;view=unassigned"' in page.data.decode()
    every_urgent = client.get("/tickets/?priority=urgent&view=unassigned")
    assert set(references(every_urgent)) == {t.reference for t in urgent}


def test_a_nul_in_a_queue_or_tag_filter_is_refused_not_a_crash(client, make, login):
    login(make.agent())
    for query in ("queue=%00", "tag=%00", "queue=general%00public"):
        response = client.get(f"/tickets/?{query}")
        assert response.status_code == 422, query
        assert "NUL" in response.data.decode()
