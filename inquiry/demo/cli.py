"""``inquiry demo``: a working desk with demo data on SQLite, from a fresh clone, in one command."""
from __future__ import annotations

import click


def _demo_app():
    from inquiry import create_app

    # The demo serves plain HTTP on loopback, where a Secure-only session cookie would be dropped.
    return create_app({"SESSION_COOKIE_SECURE": False})


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--serve/--no-serve", default=True, help="Start the server after seeding (default) or just seed.")
def demo_command(host, port, workers, serve):
    """Create or upgrade the database, seed demo staff and inquiries once, print the logins, serve."""
    from flask_migrate import upgrade

    from inquiry import default_instance_path
    from inquiry.demo import seed as demo
    from inquiry.extensions import db
    from inquiry.instance import ensure_secret_key
    from inquiry.serve import run_gunicorn

    instance = default_instance_path()
    if ensure_secret_key(instance):
        click.echo(f"Wrote a new secret key to {instance}/config.py")
    from inquiry.classifier.cli import ensure_model

    ensure_model(instance)
    app = _demo_app()
    with app.app_context():
        upgrade()
        if demo.is_seeded():
            click.echo("Demo data already there; nothing added.")
        else:
            made = demo.seed(instance)
            click.echo(f"Seeded {made['tickets']} tickets, {made['messages']} messages on {made['channels']} channels.")
        logins = demo.demo_logins(instance)
        database = db.engine.url.render_as_string(hide_password=True)
    click.echo(f"\nDatabase: {database}\nDemo logins (also in {instance}/{demo.LOGINS_FILE}):")
    for email, password, role in logins:
        click.echo(f"  {role:<10} {email:<32} {password}")
    click.echo(f"\nPublic contact form: http://{host}:{port}/contact\nStaff log-in:        http://{host}:{port}/login\n")
    if serve:
        worker = _start_worker()
        try:
            run_gunicorn(_demo_app, bind=f"{host}:{port}", workers=workers)
        finally:
            worker.terminate()


def _start_worker():
    """The demo runs `inquiry worker` beside the web server, as production does, so webhook
    deliveries become tickets and replies go out without a second terminal."""
    import atexit
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "from inquiry.cli import main; main()", "worker"])
    atexit.register(process.terminate)
    return process
