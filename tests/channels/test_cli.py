"""`inquiry channel add|list`: what an administrator types, and what the platform must call."""
import json

from click.testing import CliRunner
from flask.cli import ScriptInfo

from inquiry.channels.models import ChannelAccount
from inquiry.cli import main


def run(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_add_prints_json_with_the_webhook_url_and_list_shows_it(app, db, client):
    result = run(app, "channel", "add", "vk", "--name", "VK community", "--secret", "vk-secret",
                 "--option", "confirmation=abc123", "--external-id", "220000001", "--json")
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["platform"] == "vk" and created["id"] and created["webhook_url"].startswith("/hooks/vk/")
    account = db.session.get(ChannelAccount, created["id"])
    assert account.signing_secret == "vk-secret" and account.options == {"confirmation": "abc123"}
    assert "vk-secret" not in result.output
    # The URL printed is the one VK's confirmation call must reach.
    response = client.post(created["webhook_url"], json={"type": "confirmation", "group_id": 220000001, "secret": "vk-secret"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "abc123"

    listed = json.loads(run(app, "channel", "list", "--json").output)
    assert [a["id"] for a in listed] == [created["id"]]


def test_bridge_accounts_get_the_bridge_url(app):
    result = run(app, "channel", "add", "snapchat", "--name", "Snap via bridge", "--secret", "k", "--json")
    assert json.loads(result.output)["webhook_url"].startswith("/hooks/bridge/")


def test_add_refuses_bad_input_and_writes_nothing(app, db):
    for args in (["myspace", "--name", "x"], ["telegram", "--name", "x", "--api-base", "ftp://nope"],
                 ["telegram", "--name", "x", "--option", "novalue"]):
        result = run(app, "channel", "add", *args)
        assert result.exit_code != 0, args
    assert db.session.query(ChannelAccount).count() == 0


def test_create_account_takes_options(db):
    from inquiry.channels.services import create_account

    account = create_account("reddit", "Reddit via bridge", signing_secret="k", options={"transport": "bridge"})
    assert account.options == {"transport": "bridge"}
