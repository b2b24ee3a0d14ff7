"""Benchmark: Inquiry's webhook intake against a bare-Flask ceiling and a durable floor.

    .venv/bin/python benchmarks/ingest.py [--db sqlite|postgres|both] [--requests N]
                                          [--concurrency C] [--quick] [--profile] [--[no-]scale-out]

Three gunicorn servers on loopback with the same settings, one at a time, fed the same kind of
signed bridge deliveries by a separate load-generator process (benchmarks/loadgen.py):

* ceiling — a bare Flask view that checks the bridge HMAC and answers 202;
* durable floor — the same plus one INSERT of the body and a COMMIT;
* Inquiry — create_app() with a migrated database and one bridge account.

Inquiry is run twice: without workers (acknowledgement only; then ``inquiry worker`` loops drain
what was stored) and with the workers already running (end to end, as deployed). On PostgreSQL a
scale-out run follows: two gunicorn masters with the same settings on two ports (as two hosts
would be) serving one schema, the load generator's connections alternating between them, two
``inquiry worker`` running. After each Inquiry run a check line proves every acknowledged
delivery became exactly one message.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pickle
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_app  # noqa: E402
import servers  # noqa: E402
import spy  # noqa: E402
from payloads import make_batch, signed_requests  # noqa: E402
from report import print_report  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET_KEY = "benchmark-only-" + secrets.token_hex(8)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--requests", type=int, default=3000, help="deliveries per measured run (default 3000)")
    p.add_argument("--concurrency", type=int, default=16, help="keep-alive connections (default 16)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    p.add_argument("--threads", type=int, default=4, help="gthread threads per gunicorn worker (default 4)")
    p.add_argument("--worker-interval", type=float, default=0.2,
                   help="`inquiry worker --interval`: idle sleep of the ingest workers (default 0.2 s)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test (< 60 s on a quiet machine): 300 deliveries, no workers-running run")
    p.add_argument("--profile", action="store_true",
                   help="sample Inquiry's gunicorn workers and ingest workers with py-spy (pip install py-spy) "
                        "and print which steps the time goes to; figures measured this way are not comparable")
    p.add_argument("--scale-out", action=argparse.BooleanOptionalAction, default=None,
                   help="PostgreSQL only: two gunicorn masters on one schema with two `inquiry worker` running "
                        "(default: part of a full PostgreSQL run, left out with --quick)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, SQLite file)")
    args = p.parse_args(argv)
    if args.scale_out and args.db == "sqlite":
        p.error("--scale-out needs PostgreSQL (--db postgres or both): SQLite is one file on one host")
    if args.scale_out is None:
        args.scale_out = not args.quick
    if args.quick:
        args.requests = min(args.requests, 300)
    if args.profile and not spy.available():
        p.error("--profile needs py-spy: .venv/bin/pip install py-spy")
    return args


# --- databases ---------------------------------------------------------------------------------

@contextlib.contextmanager
def database(kind: str, tmp: Path):
    """A fresh database URL: a SQLite file in ``tmp``, or a new schema on the PostgreSQL server."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    schema = f"bench_{secrets.token_hex(6)}"
    admin = sa.create_engine(PG_URL, connect_args={"connect_timeout": 5})
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def setup_inquiry(url: str, secret: str) -> tuple[int, str]:
    """Migrate the database and add one bridge account; (account id, webhook path)."""
    import logging

    from flask_migrate import upgrade

    from inquiry import create_app
    from inquiry.channels.registry import uses_bridge
    from inquiry.channels.services import create_account, webhook_url
    from inquiry.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "PUBLIC_BASE_URL": ""})
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines (its env.py sets up logging)
            upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        # create_account(..., options=...) collides with the options={} it sets itself, so the
        # transport is set on the new account before the commit.
        account = create_account(platform="reddit", name="Reddit bridge (benchmark)", signing_secret=secret)
        account.options = {"transport": "bridge"}
        db.session.commit()
        assert uses_bridge(account), "the benchmark account must come in through the bridge"
        found = account.id, webhook_url(account)
        db.session.remove()
        db.engine.dispose()
    return found


def drain_in_process(url: str) -> int:
    """Process what the warm-up stored (not measured), so the measured runs start with an empty queue."""
    from inquiry import create_app
    from inquiry.extensions import db
    from inquiry.worker import drain

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        done = drain()["deliveries"]
        db.session.remove()
        db.engine.dispose()
    return done


class Probe:
    """Read-only queries the benchmark makes on Inquiry's tables (progress and the final check)."""

    def __init__(self, url: str, account_id: int):
        self.engine = sa.create_engine(url)
        self.account_id = account_id

    def processed(self, prefix: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT count(*) FROM deliveries WHERE channel_account_id = :a AND dedupe_key LIKE :p "
                "AND state <> 'pending'"), {"a": self.account_id, "p": f"msg:{prefix}%"}).scalar_one()

    def check(self, batch, status: list[int]) -> dict:
        """Every acknowledged delivery is one message, every sender one ticket, nothing failed."""
        acked = {f"{batch.prefix}m{i}" for i, code in enumerate(status) if code == 202}
        senders = {batch.senders[i] for i, code in enumerate(status) if code == 202}
        params = {"a": self.account_id, "p": f"{batch.prefix}%"}
        with self.engine.connect() as conn:
            ids = conn.execute(sa.text("SELECT external_id FROM messages WHERE channel_account_id = :a "
                                       "AND external_id LIKE :p"), params).scalars().all()
            tickets = conn.execute(sa.text("SELECT count(*) FROM tickets WHERE channel_account_id = :a "
                                           "AND conversation_key LIKE :p"), params).scalar_one()
            states = dict(conn.execute(sa.text(
                "SELECT state, count(*) FROM deliveries WHERE channel_account_id = :a AND dedupe_key LIKE :p "
                "GROUP BY state"), {"a": self.account_id, "p": f"msg:{batch.prefix}%"}).all())
            results = conn.execute(sa.text(
                "SELECT result FROM deliveries WHERE channel_account_id = :a AND dedupe_key LIKE :p"
            ).columns(sa.column("result", sa.JSON)), {"a": self.account_id, "p": f"msg:{batch.prefix}%"}).scalars().all()
        outcome = {"created": 0, "appended": 0, "duplicate": 0}
        problems = 0
        for result in results:
            for key in outcome:
                outcome[key] += (result or {}).get(key, 0)
            problems += bool((result or {}).get("problems"))
        found = set(ids)
        check = {
            "acked": len(acked), "messages": len(ids), "distinct": len(found), "missing": len(acked - found),
            "unacked_stored": len(found - acked), "tickets": tickets, "expected_tickets": len(senders),
            "states": states, "problems": problems, **outcome,
        }
        check["ok"] = (len(ids) == len(found) == len(acked) and not acked - found and tickets == len(senders)
                       and states.get("done", 0) == len(acked) and not problems)
        return check

    def dispose(self):
        self.engine.dispose()


# --- load --------------------------------------------------------------------------------------

def send(requests: list[bytes], *, port: int | list[int], concurrency: int, tmp: Path) -> dict:
    """Replay ``requests`` from the load-generator process; its result plus derived figures.

    Several ports: connection k goes to port k mod len (requests taken by whichever connection is
    free, so a slower server gets fewer; ``per_port`` says how many each acknowledged)."""
    ports = [port] if isinstance(port, int) else list(port)
    job, out = tmp / "job.pickle", tmp / "result.json"
    with open(job, "wb") as f:
        pickle.dump({"host": "127.0.0.1", "ports": ports, "concurrency": concurrency, "requests": requests}, f)
    subprocess.run([sys.executable, str(servers.HERE / "loadgen.py"), str(job), str(out)], check=True, timeout=600)
    result = json.loads(out.read_text())
    status, latency = result["status"], sorted(result["latency"])
    ok = sum(code == 202 for code in status)
    duration = result["last_answer"] - result["first_send"]
    result.update(
        n=len(status), ok=ok, errors=len(status) - ok, duration=duration, rate=ok / duration if duration else 0.0,
        p50=statistics.median(latency) * 1000, p99=latency[min(len(latency) - 1, int(len(latency) * 0.99))] * 1000,
        codes=sorted({code for code in status if code != 202}),
        per_port=[sum(code == 202 and p == port for code, p in zip(status, result["port"])) for port in ports],
        per_port_p50=[statistics.median([t for t, p in zip(result["latency"], result["port"]) if p == port] or [0])
                      * 1000 for port in ports],
    )
    return result


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their children's threads, from /proc."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    found = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def measured(procs, requests, args, tmp, *, ports=None) -> dict:
    procs = procs if isinstance(procs, list) else [procs]
    pids = [pid for proc in procs for pid in tree(proc.popen.pid)]
    before = cpu_seconds(pids)
    result = send(requests, port=ports or args.port, concurrency=args.concurrency, tmp=tmp)
    result["server_cpu_ms"] = (cpu_seconds(pids) - before) * 1000 / max(result["n"], 1)
    return result


def wait_processed(probe: Probe, prefix: str, expected: int, *, timeout: float = 600) -> float:
    """Poll (every 20 ms) until ``expected`` deliveries of the run are processed; the time seen."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if probe.processed(prefix) >= expected:
            return time.time()
        time.sleep(0.02)
    raise RuntimeError(f"only {probe.processed(prefix)} of {expected} deliveries processed after {timeout:.0f} s")


# --- one database ------------------------------------------------------------------------------

def run_database(kind: str, args, tmp: Path, log) -> dict:
    seed = 1000 if kind == "sqlite" else 2000
    n, warm = args.requests, max(2 * args.concurrency, min(200, args.requests // 10))
    out = {"kind": kind}
    with database(kind, tmp) as url:
        secret = secrets.token_hex(16)
        account_id, path = setup_inquiry(url, secret)
        baseline_app.create_table(url)
        probe = Probe(url, account_id)
        tag = secrets.token_hex(3)
        try:
            for server in ("ceiling", "durable", "inquiry"):
                args.port = servers.free_port()
                if server == "inquiry":
                    env = servers.child_env(INQUIRY_DATABASE_URL=url, INQUIRY_SECRET_KEY=SECRET_KEY)
                    spec, hook = "inquiry_wsgi:app", path
                else:
                    env = servers.child_env(BENCH_MODE=server, BENCH_SECRET=secret, BENCH_DATABASE_URL=url)
                    spec, hook = "baseline_app:make_app()", "/hooks/bridge/benchmark"
                log(f"[{kind}] {server}: starting gunicorn on 127.0.0.1:{args.port}")
                proc = servers.gunicorn(server, spec, port=args.port, workers=args.workers, threads=args.threads,
                                        env=env, log=tmp / f"{kind}-{server}.log")
                try:
                    batch = make_batch(f"{kind}-{server}-warm-{tag}-", warm, seed=seed)
                    send(signed_requests(batch, host="127.0.0.1", port=args.port, path=hook, secret=secret),
                         port=args.port, concurrency=args.concurrency, tmp=tmp)
                    if server == "inquiry":
                        drain_in_process(url)
                        out.update(run_inquiry(kind, proc, probe, args, tmp, env, hook, secret, tag, seed, log))
                    else:
                        batch = make_batch(f"{kind}-{server}-{tag}-", n, seed=seed + 1)
                        log(f"[{kind}] {server}: sending {n} deliveries over {args.concurrency} connections")
                        out[server] = measured(proc, signed_requests(batch, host="127.0.0.1", port=args.port,
                                                                      path=hook, secret=secret), args, tmp)
                finally:
                    proc.stop()
                if server == "durable":
                    rows = baseline_app.count_rows(url)
                    out["durable_rows"] = rows
                    out["durable_expected"] = warm + out["durable"]["ok"]
            if kind == "postgres" and args.scale_out:
                env = servers.child_env(INQUIRY_DATABASE_URL=url, INQUIRY_SECRET_KEY=SECRET_KEY)
                out["inquiry_scale"] = run_scale_out(url, probe, args, tmp, env, path, secret, tag, seed, log)
                _rates(out)
        finally:
            probe.dispose()
    return out


def run_inquiry(kind, proc, probe, args, tmp, env, hook, secret, tag, seed, log) -> dict:
    n, out = args.requests, {}
    workers_n = 2 if kind == "postgres" else 1

    # 1. Acknowledgement only: no worker runs while the load is on; then the workers drain.
    batch = make_batch(f"{kind}-inquiry-ack-{tag}-", n, seed=seed + 1)
    log(f"[{kind}] inquiry: sending {n} deliveries, no worker running")
    requests = signed_requests(batch, host="127.0.0.1", port=args.port, path=hook, secret=secret)
    spies = [spy.record(proc.popen.pid, tmp / f"{kind}-spy-web.txt", subprocesses=True)] if args.profile else []
    if spies:
        time.sleep(1.0)  # py-spy attaches to every gunicorn worker
    ack = measured(proc, requests, args, tmp)
    spy.stop(spies)
    if args.profile:
        out["profile_web"] = spy.summarize([tmp / f"{kind}-spy-web.txt"], "receive_webhook")
    workers = servers.inquiry_workers(workers_n, env=env, interval=args.worker_interval, logdir=tmp, tag=f"{kind}-ack")
    started = time.time()
    try:
        done_at = wait_processed(probe, batch.prefix, ack["ok"])
    finally:
        for w in workers:
            w.stop()
    ack["drain"] = done_at - started
    ack["e2e"] = ack["duration"] + ack["drain"]
    ack["check"] = probe.check(batch, ack["status"])
    out["inquiry"] = ack
    if args.quick:
        return _rates(out)

    # 2. End to end as deployed: the workers are running before the first request.
    batch = make_batch(f"{kind}-inquiry-live-{tag}-", n, seed=seed + 2)
    workers = servers.inquiry_workers(workers_n, env=env, interval=args.worker_interval, logdir=tmp, tag=f"{kind}-live")
    worker_pids = [w.popen.pid for w in workers]
    spies = [spy.record(pid, tmp / f"{kind}-spy-worker-{pid}.txt", subprocesses=False) for pid in worker_pids] \
        if args.profile else []
    if spies:
        time.sleep(1.0)
    cpu_before = cpu_seconds(worker_pids)
    log(f"[{kind}] inquiry: sending {n} deliveries with {workers_n} `inquiry worker` running")
    try:
        live = measured(proc, signed_requests(batch, host="127.0.0.1", port=args.port, path=hook, secret=secret),
                        args, tmp)
        done_at = wait_processed(probe, batch.prefix, live["ok"])
        live["worker_cpu_ms"] = (cpu_seconds(worker_pids) - cpu_before) * 1000 / max(live["ok"], 1)
    finally:
        spy.stop(spies)
        for w in workers:
            w.stop()
    if args.profile:
        out["profile_worker"] = spy.summarize([tmp / f"{kind}-spy-worker-{pid}.txt" for pid in worker_pids],
                                              "process_pending")
    live["e2e"] = done_at - live["first_send"]
    live["check"] = probe.check(batch, live["status"])
    out["inquiry_live"] = live
    return _rates(out)


def run_scale_out(url, probe, args, tmp, env, hook, secret, tag, seed, log) -> dict:
    """Two gunicorn masters (what two hosts behind a balancer would run) on one PostgreSQL schema,
    two `inquiry worker` running before the first request: end to end, as the workers-running run."""
    n, warm = args.requests, max(2 * args.concurrency, min(200, args.requests // 10))
    procs, ports = [], []
    try:
        for host in (1, 2):
            ports.append(servers.free_port())
            log(f"[postgres] scale-out: starting gunicorn {host} of 2 on 127.0.0.1:{ports[-1]}")
            procs.append(servers.gunicorn(f"inquiry-host{host}", "inquiry_wsgi:app", port=ports[-1],
                                          workers=args.workers, threads=args.threads, env=env,
                                          log=tmp / f"postgres-inquiry-host{host}.log"))
        # Every request names the first port in Host:, as a balancer forwards one public name to all hosts.
        batch = make_batch(f"postgres-inquiry-scale-warm-{tag}-", warm, seed=seed + 3)
        send(signed_requests(batch, host="127.0.0.1", port=ports[0], path=hook, secret=secret),
             port=ports, concurrency=args.concurrency, tmp=tmp)
        drain_in_process(url)
        batch = make_batch(f"postgres-inquiry-scale-{tag}-", n, seed=seed + 4)
        workers = servers.inquiry_workers(2, env=env, interval=args.worker_interval, logdir=tmp, tag="postgres-scale")
        worker_pids = [w.popen.pid for w in workers]
        cpu_before = cpu_seconds(worker_pids)
        log(f"[postgres] scale-out: sending {n} deliveries over {args.concurrency} connections alternating between "
            f"the 2 gunicorns, 2 `inquiry worker` running")
        try:
            run = measured(procs, signed_requests(batch, host="127.0.0.1", port=ports[0], path=hook, secret=secret),
                           args, tmp, ports=ports)
            done_at = wait_processed(probe, batch.prefix, run["ok"])
            run["worker_cpu_ms"] = (cpu_seconds(worker_pids) - cpu_before) * 1000 / max(run["ok"], 1)
        finally:
            for w in workers:
                w.stop()
    finally:
        for proc in procs:
            proc.stop()
    run["e2e"] = done_at - run["first_send"]
    run["check"] = probe.check(batch, run["status"])
    return run


def _rates(out: dict) -> dict:
    for run in (out[k] for k in ("inquiry", "inquiry_live", "inquiry_scale") if k in out):
        run["tickets_per_s"] = run["check"]["tickets"] / run["e2e"]
        run["messages_per_s"] = run["check"]["messages"] / run["e2e"]
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    tmp = Path(tempfile.mkdtemp(prefix="inquiry-bench-"))
    started = time.time()

    def log(text):
        print(f"{time.time() - started:6.1f}s {text}", file=sys.stderr, flush=True)

    results = []
    args.load_at_start = os.getloadavg()[0]  # before any load of ours: what else keeps the cores busy
    try:
        for kind in kinds:
            results.append(run_database(kind, args, tmp, log))
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    args.load_at_end = os.getloadavg()[0]
    print_report(results, args, elapsed=time.time() - started)
    return 0 if all(r[k]["check"]["ok"] for r in results for k in ("inquiry", "inquiry_live", "inquiry_scale")
                    if k in r) else 1


if __name__ == "__main__":
    sys.exit(main())
