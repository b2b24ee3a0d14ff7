"""``inquiry user …`` and ``inquiry token …``."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from inquiry.auth import services
from inquiry.auth.models import Role
from inquiry.errors import InquiryError
from inquiry.extensions import db


def _fail(exc: InquiryError):
    db.session.rollback()
    raise click.ClickException(exc.message)


@click.group("user", help="Manage the people who work the desk.")
def user_cli() -> None:
    pass


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="agent", show_default=True)
@click.option("--name", help="Display name (default: the part of the e-mail before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--queue", "queues", multiple=True, help="A queue slug the user works (repeatable).")
@click.option("--language", "languages", multiple=True, help="An ISO 639-1 code the user answers in (repeatable).")
@with_appcontext
def create_user(email, role, name, password_stdin, queues, languages):
    """Create a user. Without --password-stdin you are prompted (hidden input)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, name=name, role=role, password=password, queues=queues, languages=languages)
        db.session.commit()
    except InquiryError as exc:
        _fail(exc)
    queues_text = ", ".join(q.slug for q in user.queues) or ("all" if user.sees_all_queues else "none")
    click.echo(f"created {user.role.value} {user.email} (queues: {queues_text})")


@user_cli.command("list")
@with_appcontext
def list_users():
    from sqlalchemy import select

    from inquiry.auth.models import User

    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "enabled" if user.is_enabled else "disabled"
        queues = ",".join(q.slug for q in user.queues) or "-"
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}\t{state}\tqueues={queues}\tlanguages={','.join(user.languages) or '-'}")


@user_cli.command("reset-totp")
@click.argument("email")
@with_appcontext
def reset_totp(email):
    """Switch off EMAIL's two-factor log-in (a lost phone, or the last administrator locked out)."""
    from inquiry.auth import management

    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    changed = management.reset_totp(user, actor=None)
    db.session.commit()
    click.echo(f"two-factor log-in {'switched off' if changed else 'was not on'} for {user.email}")


@click.group("token", help="API tokens.")
def token_cli() -> None:
    pass


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(services.SCOPES), help="Repeatable; default: all.")
@click.option("--days", type=int, default=None, help="Lifetime in days (0 = never expires).")
@with_appcontext
def create_token(email, name, scopes, days):
    """Create a token for EMAIL and print it once: it cannot be shown again."""
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    try:
        _token, plain = services.create_token(user, name=name, scopes=scopes or services.SCOPES, days=days)
        db.session.commit()
    except InquiryError as exc:
        _fail(exc)
    click.echo(plain)


@token_cli.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token(token_id):
    from inquiry.auth.models import ApiToken

    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    services.revoke_token(token_id, actor=token.user)
    db.session.commit()
    click.echo(f"revoked token {token_id} ({token.prefix}…)")
