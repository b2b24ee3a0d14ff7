"""Where one delivery's time goes, step by step: the webhook request and the worker, in process.

    .venv/bin/python benchmarks/profile_ingest.py [--db sqlite|postgres] [--requests N]

No server and no concurrency: N signed bridge deliveries go through the Flask app (test client)
one after another, then ``process_pending`` turns them into tickets. For each it prints the CPU
and wall time per delivery of each step (inclusive; indented steps are inside the one above),
and every SQL statement with how often it runs and its time per delivery. The durable-floor app
of benchmarks/baseline_app.py goes through the same test client first, as the yardstick.
benchmarks/ingest.py says what these costs mean under load; this says which step they come from.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import io
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import event  # noqa: E402

import baseline_app  # noqa: E402
from ingest import SECRET_KEY, database  # noqa: E402
from payloads import make_batch, sign  # noqa: E402


class Steps:
    """Inclusive CPU (this thread) and wall time of named functions, patched where they are looked up."""

    def __init__(self):
        self.cpu = collections.Counter()
        self.wall = collections.Counter()
        self.calls = collections.Counter()
        self.order: list[str] = []

    def wrap(self, owner, name: str, label: str) -> None:
        inner = getattr(owner, name)
        self.order.append(label)

        def timed(*args, **kwargs):
            c, w = time.thread_time(), time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.cpu[label] += time.thread_time() - c
                self.wall[label] += time.perf_counter() - w
                self.calls[label] += 1

        setattr(owner, name, timed)

    def report(self, per: int) -> None:
        print(f"  {'CPU ms':>7} {'wall ms':>8} {'calls':>6}  step (inclusive)")
        for label in self.order:
            if self.calls[label]:
                print(f"  {self.cpu[label] * 1000 / per:7.3f} {self.wall[label] * 1000 / per:8.3f} "
                      f"{self.calls[label] / per:6.2f}  {label}")


class SqlTimer:
    """Count and time each distinct SQL statement (values folded) on one engine."""

    def __init__(self, engine):
        self.times: dict[str, list[float]] = collections.defaultdict(list)
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        shape = re.sub(r"\s+", " ", statement).strip()
        shape = re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", shape)
        shape = re.sub(r"SELECT (\w+)\.\w+, .*? FROM", r"SELECT \1.* FROM", shape)
        shape = re.sub(r"\(([^()]{0,30}), [^()]*\)", r"(\1, …)", shape)
        self.times[shape[:110]].append(time.perf_counter() - self._started)

    def report(self, per: int) -> None:
        total = sum(sum(v) for v in self.times.values())
        calls = sum(len(v) for v in self.times.values())
        print(f"  {calls / per:.1f} statements per delivery (plus COMMIT and the pool's pre-ping), "
              f"{total * 1000 / per:.2f} ms executing them:")
        for shape, values in sorted(self.times.items(), key=lambda kv: -sum(kv[1])):
            print(f"  {len(values) / per:5.2f}× {sum(values) * 1000 / per:6.3f} ms  {shape}")
        self.times.clear()


def _post_all(client, path, signed, stamp):
    for body, signature in signed:
        answer = client.post(path, data=body, headers={"X-Bridge-Timestamp": stamp, "X-Bridge-Signature": signature})
        assert answer.status_code == 202, answer.get_data(as_text=True)


def _timed(fn) -> tuple[float, float]:
    c, w = time.thread_time(), time.perf_counter()
    fn()
    return time.thread_time() - c, time.perf_counter() - w


def floor_reference(url: str, secret: str, signed, stamp) -> None:
    os.environ.update(BENCH_MODE="durable", BENCH_SECRET=secret, BENCH_DATABASE_URL=url)
    baseline_app.create_table(url)
    client = baseline_app.make_app().test_client()
    _post_all(client, "/hooks/bridge/x", signed[:20], stamp)
    cpu, wall = _timed(lambda: _post_all(client, "/hooks/bridge/x", signed[20:], stamp))
    n = len(signed) - 20
    print(f"durable floor, same test client: {cpu * 1000 / n:.3f} ms CPU, {wall * 1000 / n:.3f} ms wall per delivery")


def instrument_webhook(steps: Steps, app) -> None:
    import inquiry.ingest.webhooks as W
    from inquiry.channels.adapters.bridge import Bridge
    from inquiry.ingest import deliveries as D

    steps.wrap(app, "wsgi_app", "whole request inside Flask (hooks, view, response)")
    funcs = app.before_request_funcs[None]
    for i, f in enumerate(list(funcs)):
        holder = type("H", (), {"f": staticmethod(f)})
        steps.wrap(holder, "f", f"  before_request: {getattr(f, '__qualname__', f)}")
        funcs[i] = holder.f
    steps.wrap(W, "receive_webhook", "  view receive_webhook")
    app.view_functions["hooks.receive_webhook"] = W.receive_webhook
    steps.wrap(W, "account_by_key", "    account lookup (per-process copy, refreshed every 5 s)")
    steps.wrap(Bridge, "authenticate", "    bridge authenticate (HMAC)")
    steps.wrap(Bridge, "parse", "    bridge parse")
    steps.wrap(D, "dedupe_key", "    dedupe_key (parses the body again)")
    steps.wrap(D, "store_fast", "    deliveries.store_fast (INSERT … ON CONFLICT DO NOTHING, COMMIT)")
    steps.wrap(Bridge, "acknowledge", "    bridge acknowledge")


def instrument_worker(steps: Steps) -> None:
    from inquiry.classifier import service as classifier
    from inquiry.extensions import db
    from inquiry.ingest import deliveries as D
    from inquiry.ingest import services as S
    from inquiry.tickets import services as T

    steps.wrap(D, "_receive_all", "process one delivery (parse, receive each message; batch claim and UPDATE outside)")
    steps.wrap(D, "adapter_for_account", "  adapter_for_account")
    steps.wrap(D, "receive", "  ingest.services.receive (in a SAVEPOINT)")
    steps.wrap(S, "_existing", "    _existing (duplicate check SELECT)")
    steps.wrap(S, "upsert_contact", "    upsert_contact (SELECT, SAVEPOINT INSERT if new)")
    steps.wrap(S, "_thread", "    _thread (find the ticket or open one)")
    steps.wrap(T, "find_thread_ticket", "      find_thread_ticket (open or reopenable, one SELECT)")
    steps.wrap(classifier, "predict", "      classifier.predict")
    steps.wrap(T, "open_ticket", "      open_ticket (INSERT ticket, audit)")
    steps.wrap(T, "queue_id_for", "        queue_id_for (cached per process)")
    steps.wrap(T, "record", "        audit record")
    steps.wrap(T, "add_inbound", "    tickets.add_inbound (INSERT message, UPDATE ticket)")
    steps.wrap(db.session, "commit", "session.commit (COMMIT, once per batch)")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--requests", type=int, default=400)
    args = p.parse_args(argv)

    import logging

    from flask_migrate import upgrade

    from inquiry import create_app
    from inquiry.channels.services import create_account, webhook_url
    from inquiry.extensions import db
    from inquiry.ingest.deliveries import process_pending

    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
        secret = secrets.token_hex(16)
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
                upgrade()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            account = create_account(platform="reddit", name="profile", signing_secret=secret)
            account.options = {"transport": "bridge"}
            db.session.commit()
            path = webhook_url(account)
            sql = SqlTimer(db.engine)
        batch = make_batch(f"prof-{secrets.token_hex(3)}-", args.requests, seed=7)
        stamp = str(int(time.time()))
        signed = [(body, sign(secret, stamp, body)) for body in batch.bodies]
        print(f"{args.db}, one request at a time through Flask's test client, "
              f"load average {os.getloadavg()[0]:.1f}\n")
        floor_reference(url, secret, signed, stamp)

        client = app.test_client()
        _post_all(client, path, signed[:20], stamp)  # warm-up: imports, connections, statement caches
        sql.times.clear()
        steps = Steps()
        instrument_webhook(steps, app)
        n = len(signed) - 20
        cpu, wall = _timed(lambda: _post_all(client, path, signed[20:], stamp))
        print(f"Inquiry webhook, same test client: {cpu * 1000 / n:.3f} ms CPU, {wall * 1000 / n:.3f} ms wall per delivery")
        steps.report(n)
        sql.report(n)

        steps = Steps()
        with app.app_context():
            process_pending(limit=20)
            db.session.remove()
            instrument_worker(steps)
            sql.times.clear()
            done, cpu, wall = 0, 0.0, 0.0
            while True:
                c, w = time.thread_time(), time.perf_counter()
                got = process_pending(limit=100)
                cpu, wall = cpu + time.thread_time() - c, wall + time.perf_counter() - w
                db.session.remove()
                done += got
                if not got:
                    break
            print(f"\nWorker process_pending: {done} deliveries, {cpu * 1000 / done:.3f} ms CPU, "
                  f"{wall * 1000 / done:.3f} ms wall per delivery")
            steps.report(done)
            sql.report(done)
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
