"""``inquiry worker``: everything deferred past a request — deliveries, replies, polling.

One loop, several jobs; each job is a plain function that does a bounded amount of work and says
how much it did, so ``--once`` can drain everything and exit.
"""
from __future__ import annotations

import logging
import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from inquiry.extensions import db

log = logging.getLogger(__name__)


def jobs():
    from inquiry.channels.polling import poll_due
    from inquiry.costs import ledger as costs_ledger
    from inquiry.ingest.deliveries import process_pending
    from inquiry.outbound.dispatch import dispatch_due
    from inquiry.privacy import services as privacy
    from inquiry.reports import surges
    from inquiry.sla import sweep
    from inquiry.tickets import assignment, presence

    return [("deliveries", process_pending), ("outbox", dispatch_due), ("polling", poll_due),
            ("sla", sweep.run), ("assignment", assignment.run), ("presence", presence.run),
            ("costs", costs_ledger.run), ("retention", privacy.run_job), ("surges", surges.run)]


def run_once() -> dict[str, int]:
    """One pass over every job; returns what each did."""
    done = {}
    for name, job in jobs():
        try:
            done[name] = job()
        except Exception:
            db.session.rollback()
            log.exception("worker job %s failed", name)
            done[name] = 0
    return done


def drain(max_rounds: int = 1000) -> dict[str, int]:
    """Run passes until a pass finds nothing due (or ``max_rounds``): for operators and tests."""
    total: dict[str, int] = {}
    for _ in range(max_rounds):
        done = run_once()
        for name, count in done.items():
            total[name] = total.get(name, 0) + count
        if not any(done.values()):
            break
    return total


@click.command("worker", help="Process deliveries, send replies, poll connectors.")
@click.option("--once", is_flag=True, help="Drain everything pending, then exit.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds to sleep when idle.")
@with_appcontext
def worker_command(once, interval):
    from inquiry.classifier import service as classifier

    classifier.status()  # load the router now, not while the first delivery waits
    if once:
        total = drain()
        click.echo(" ".join(f"{name}={count}" for name, count in total.items()))
        return
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("worker started on %s", current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1])
    while not stopping:
        done = run_once()
        db.session.remove()  # a fresh session each pass: nothing stale survives between passes
        if not any(done.values()):
            time.sleep(interval)
