"""The ``inquiry`` command: Flask's CLI over the app factory, plus each feature's commands.

Commands are attached to the group itself (not the app), so ``inquiry demo`` can run before
there is a secret key to build the app with.
"""
from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from inquiry import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, help="Inquiry: the public-inquiry desk.")
def main() -> None:
    """Console script entry point."""


def _attach() -> None:
    from inquiry.auth.cli import token_cli, user_cli
    from inquiry.demo.cli import demo_command
    from inquiry.channels.cli import channel_cli
    from inquiry.classifier.cli import classifier_cli
    from inquiry.planning.cli import plan_cli
    from inquiry.privacy.cli import privacy_cli
    from inquiry.serve import serve_command
    from inquiry.worker import worker_command

    for command in (user_cli, token_cli, channel_cli, classifier_cli, plan_cli, serve_command, worker_command, demo_command,
                    privacy_cli):
        main.add_command(command)


_attach()
