"""``inquiry channel add|list``: channel accounts from the command line."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from inquiry.channels import services
from inquiry.channels.models import ChannelAccount
from inquiry.errors import InquiryError
from inquiry.extensions import db


@click.group("channel", help="Channel accounts on the networks.")
def channel_cli() -> None:
    pass


def _options(pairs) -> dict:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        options[key] = value
    return options


@channel_cli.command("add")
@click.argument("platform")
@click.option("--name", required=True)
@click.option("--secret", help="The platform's signing secret or key.")
@click.option("--verify-token", help="Meta's handshake verify token.")
@click.option("--access-token", help="Token for the platform's send API.")
@click.option("--external-id", help="Our account id on the platform (page id, bot id, phone number id …).")
@click.option("--api-base", help="Base URL of the platform's API (for replies and polling).")
@click.option("--language", help="Language most senders on this account write in (ISO 639-1).")
@click.option("--option", "options", multiple=True, help="KEY=VALUE, repeatable (e.g. confirmation=… for VK).")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def add(platform, name, secret, verify_token, access_token, external_id, api_base, language, options, as_json):
    """Add an account; prints it with the webhook URL to give the platform."""
    try:
        account = services.add_account(
            platform, name, actor=None, options=_options(options), signing_secret=secret, verify_token=verify_token,
            access_token=access_token, external_account_id=external_id, api_base_url=api_base, default_language=language,
        )
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        problems = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in exc.fields.items())
        raise click.ClickException(exc.message + (f" ({problems})" if problems else ""))
    summary = services.describe(account)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(f"{summary['id']}\t{platform}\t{name}\twebhook: {summary['webhook_url']}")


@channel_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_accounts(as_json):
    accounts = db.session.scalars(select(ChannelAccount).order_by(ChannelAccount.platform, ChannelAccount.id)).all()
    summaries = [services.describe(a) for a in accounts]
    if as_json:
        click.echo(json.dumps(summaries))
        return
    for s in summaries:
        state = "enabled" if s["enabled"] else "disabled"
        click.echo(f"{s['id']}\t{s['platform']}\t{s['name']}\t{state}\t{s['webhook_url']}")
