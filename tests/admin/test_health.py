"""The list shows each account's health; failing and silent ones stand out and come first."""
import datetime as dt
import re

from inquiry.channels import health
from inquiry.channels.services import create_account, webhook_url
from inquiry.dbtypes import utcnow
from inquiry.taxonomy import CHANNELS

ROW = re.compile(r'<tr class="channel-row state-(\w+)" data-account="(\d+)" data-state="\w+">(.*?)</tr>', re.S)


def rows(page) -> list[tuple[str, int, str]]:
    return [(state, int(account_id), cells) for state, account_id, cells in ROW.findall(page.text)]


def _healthy(name, platform="telegram"):
    account = create_account(platform, name, signing_secret="s" * 16)
    account.last_delivery_at = utcnow() - dt.timedelta(minutes=5)
    return account


def test_failing_account_with_rejections_is_marked_and_listed_first(client, db, admin):
    fine = _healthy("Aaa healthy")
    broken = _healthy("Zzz broken", platform="viber")
    db.session.flush()
    for _ in range(3):
        health.record_rejection(broken, "bad signature")
    health.record_rejection(broken, "malformed JSON")
    health.record_outbound(broken.id, error="HTTP 401: invalid auth token")
    db.session.commit()

    page = client.get("/admin/channels")
    assert page.status_code == 200
    listed = rows(page)
    assert [(state, account_id) for state, account_id, _ in listed] == [("failing", broken.id), ("ok", fine.id)]
    broken_cells = listed[0][2]
    assert 'class="badge health health-failing">failing<' in broken_cells
    assert "replies failing" in broken_cells and "HTTP 401: invalid auth token" in broken_cells
    assert "bad signature</span> × 3" in broken_cells and "malformed JSON</span> × 1" in broken_cells
    assert CHANNELS["viber"] in broken_cells and webhook_url(broken) in broken_cells
    assert "1 of 2 accounts needs attention" in page.text
    assert 'health-ok">ok<' in listed[1][2]


def test_silent_account_is_marked_and_comes_before_healthy_ones(client, db, admin):
    fine = _healthy("Aaa healthy")
    silent = create_account("telegram", "Quiet bot")
    silent.last_delivery_at = utcnow() - dt.timedelta(days=5)
    db.session.commit()
    listed = rows(client.get("/admin/channels"))
    assert [(state, account_id) for state, account_id, _ in listed] == [("attention", silent.id), ("ok", fine.id)]
    assert 'health-silent">silent<' in listed[0][2] and "no delivery since" in listed[0][2]


def test_account_page_shows_problems_and_rejections_by_reason(client, db, admin):
    account = _healthy("Desk bot")
    db.session.flush()
    health.record_rejection(account, "bad secret token")
    health.record_rejection(account, "bad secret token", at=utcnow() - dt.timedelta(days=3))
    health.record_outbound(account.id, error="ConnectionError: timed out")
    db.session.commit()
    page = client.get(f"/admin/channels/{account.id}").text
    assert "replies failing: ConnectionError: timed out" in page
    assert re.search(r"<td dir=\"auto\">bad secret token</td><td>1</td><td>2</td>", page)


def test_a_token_quoted_in_a_platform_error_is_redacted(client, db, admin):
    account = create_account("telegram", "Desk bot", access_token="123456:SECRET-BOT-TOKEN")
    db.session.flush()
    health.record_outbound(account.id, error="ConnectionError: https://api.telegram.org/bot123456:SECRET-BOT-TOKEN/sendMessage")
    db.session.commit()
    for url in ("/admin/channels", f"/admin/channels/{account.id}"):
        page = client.get(url).text
        assert "SECRET-BOT-TOKEN" not in page
        assert "bot[redacted]/sendMessage" in page


def test_names_are_escaped(client, db, admin):
    account = create_account("telegram", '<script>alert("x")</script>')
    db.session.commit()
    for url in ("/admin/channels", f"/admin/channels/{account.id}"):
        page = client.get(url).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page


def test_name_with_script_typed_into_the_form_is_escaped_on_every_page(client, db, admin):
    response = client.post("/admin/channels/new", data={"platform": "telegram", "name": "<script>alert(1)</script>"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_list_offers_to_add_an_account(client, admin):
    page = client.get("/admin/channels").text
    assert "No channel accounts yet" in page and 'href="/admin/channels/new"' in page
