"""Fixtures for the reliability tests: a bridge account and ``inquiry`` processes on this run's
database. Every process is stopped before the ``app`` fixture empties the tables."""
from __future__ import annotations

import pytest

from inquiry.channels.services import create_account
from tests.reliability.support import SECRET, Child, child_env, children_of, free_port, get_status, gunicorn_argv, \
    wait_until


@pytest.fixture
def bridge(db):
    """An enabled account fed through the signed bridge (Snapchat has no native adapter):
    (account id, webhook path). The test's session is left without a transaction."""
    account = create_account("snapchat", "Snapchat via bridge", signing_secret=SECRET)
    found = (account.id, f"/hooks/bridge/{account.key}")
    db.session.commit()
    return found


@pytest.fixture
def spawn(app, database_url, tmp_path):
    """Start ``inquiry`` child processes on this run's database; all stopped at the end."""
    started: list[Child] = []

    def _spawn(argv: list[str], name: str, **env: str) -> Child:
        child = Child(argv, child_env(database_url, tmp_path / "instance", **env), tmp_path / f"{name}.log")
        started.append(child)
        return child

    yield _spawn
    for child in started:
        child.stop()


@pytest.fixture
def gunicorn(spawn):
    """``inquiry serve``'s gunicorn with 2 workers on a free loopback port, answering /healthz."""

    def _start(workers: int = 2):
        port = free_port()
        child = spawn(gunicorn_argv(port, workers=workers), "gunicorn")
        wait_until(lambda: len(children_of(child.pid)) == workers, timeout=120, what="gunicorn workers", child=child)
        wait_until(lambda: get_status(port, "/healthz") == 200, timeout=120, what="gunicorn /healthz", child=child,
                   every=0.3)
        return child, port

    return _start
