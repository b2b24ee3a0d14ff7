"""``inquiry privacy …``: the retention sweep by hand, and data-subject requests (export, erase).

Export and erase name the person by ``--contact ID``, ``--platform P --platform-id X`` or
``--email``; contacts linked to the same person on other channels come along. Both need
``--actor`` (an administrator's e-mail) and leave an audit event.
"""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from inquiry.auth.services import user_by_email
from inquiry.errors import InquiryError
from inquiry.extensions import db
from inquiry.privacy import services


def _fail(exc: InquiryError):
    db.session.rollback()
    raise click.ClickException(exc.message)


@click.group("privacy", help="Retention and data-subject requests (export, erasure).")
def privacy_cli() -> None:
    pass


@privacy_cli.command("anonymise")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
@click.option("--batch", type=click.IntRange(1, 10_000), default=services.DEFAULT_BATCH, show_default=True,
              help="Tickets (and deliveries) per transaction.")
@with_appcontext
def anonymise(dry_run, batch):
    """Anonymise tickets solved or closed longer than RETENTION_DAYS ago, their contacts when
    nothing recent is left, and raw deliveries older than that."""
    cutoff = services.retention_cutoff()
    if cutoff is None:
        click.echo("retention is off (RETENTION_DAYS = 0): nothing to do")
        return
    if dry_run:
        run = services.anonymise_expired(batch=batch, dry_run=True)
        db.session.rollback()
        more = " (at least: one batch counted)" if max(run.tickets, run.deliveries) >= batch else ""
        click.echo(f"would anonymise, closed before {cutoff:%Y-%m-%d}: {run.tickets} tickets, {run.messages} "
                   f"messages, {run.deliveries} deliveries{more}")
        return
    total: dict[str, int] = {}
    while True:
        run = services.anonymise_expired(batch=batch)
        db.session.commit()  # one audit event per batch, committed with it
        for name, count in run.counts.items():
            total[name] = total.get(name, 0) + count
        if max(run.tickets, run.deliveries) < batch:
            break
    click.echo(f"anonymised, closed before {cutoff:%Y-%m-%d}: " + ", ".join(f"{n} {k}" for k, n in total.items()))


def _person_options(command):
    for option in reversed((
        click.option("--actor", required=True, help="E-mail of the administrator handling the request."),
        click.option("--contact", "contact_id", type=int, help="A contact id."),
        click.option("--platform", help="A channel, with --platform-id."),
        click.option("--platform-id", help="The person's id on that channel (or the e-mail / phone of a form)."),
        click.option("--email", help="Every contact with this e-mail address."),
    )):
        command = option(command)
    return command


def _resolve(actor, contact_id, platform, platform_id, email):
    user = user_by_email(actor)
    if user is None:
        raise click.ClickException(f"no user {actor}")
    if bool(platform) != bool(platform_id):
        raise click.UsageError("--platform and --platform-id go together")
    try:
        services.require_admin(user)
        contacts = services.find_contacts(contact_id=contact_id, platform=platform, platform_id=platform_id,
                                          email=email)
    except InquiryError as exc:
        _fail(exc)
    return user, contacts


@privacy_cli.command("export")
@_person_options
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@with_appcontext
def export(actor, contact_id, platform, platform_id, email, out):
    """Everything held about one person, across their linked channels, as one JSON document."""
    user, contacts = _resolve(actor, contact_id, platform, platform_id, email)
    try:
        doc = services.export_person(contacts, actor=user)
    except InquiryError as exc:
        _fail(exc)
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    db.session.commit()  # the audit event before any of the data leaves
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"exported {len(doc['contacts'])} contacts, {len(doc['tickets'])} tickets to {out}", err=True)
    else:
        sys.stdout.write(text + "\n")


@privacy_cli.command("erase")
@_person_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase(actor, contact_id, platform, platform_id, email, yes):
    """Erase one person across their linked channels; their tickets stay as anonymous statistics."""
    user, contacts = _resolve(actor, contact_id, platform, platform_id, email)
    names = ", ".join(f"{c.platform}:{c.id}" for c in contacts)
    if not yes:
        click.confirm(f"Erase contacts {names} and the words of all their tickets? This cannot be undone", abort=True)
    try:
        done = services.erase_person(contacts, actor=user)
        db.session.commit()
    except InquiryError as exc:
        _fail(exc)
    click.echo(f"erased contacts {names}: " + ", ".join(f"{n} {k}" for k, n in done.counts.items()))
