"""Benchmark: the memory of each gunicorn worker of Inquiry, before and after the router is loaded.

    .venv/bin/python benchmarks/memory.py [--db sqlite|postgres] [--workers 2] [--threads 4]
                                          [--requests 200] [--instance DIR] [--preload]

Inquiry under ``gunicorn --workers W --threads T --worker-class gthread`` (as ingest.py serves it)
on a fresh database; every process's RSS, PSS and USS (Private_Clean + Private_Dirty) read from
/proc/<pid>/smaps_rollup, once the process's RSS has stopped moving, at four stages:

1. booted — the worker has imported the app and answered nothing yet;
2. serving, no model — after ``--requests`` signed bridge webhook deliveries (the webhook stores
   and acknowledges; it never classifies, so the model stays out of the web worker);
3. router loaded — after GET /healthz on new connections, round after round (at most ten) until
   every worker has logged loading the router: the health view asks ``classifier.status()``,
   which loads the model lazily, once per process (so a balancer's health check puts it in every
   worker); ``memory_wsgi.py`` shows the router's "router <id> loaded" line with the worker's pid;
4. classifying — after ``--requests`` POST /api/v1/inquiries, each from a new sender: the API
   classifies in-request (``ingest.services.receive`` → ``classifier.predict``; the public web
   form does too, but allows 5 a minute per address). Both workers must have spent CPU on them.

Then one ``inquiry worker`` (the ingest loop; it loads the router at start) processes the
deliveries of stage 2 and is measured too. Exit status 1 if a worker never loaded the model, a
worker loaded it twice or served none of a stage's requests, or a request failed.
``--preload`` runs gunicorn with --preload (the app imported once in the master, its pages
shared by the forked workers until written): the model still loads after the fork, in each worker.

The model comes from the instance folder the app uses (``INQUIRY_INSTANCE_PATH`` or instance/
beside the package, as for inquiry_wsgi.py and ``inquiry worker`` in ingest.py), or --instance;
without a loadable one it is trained there first (``inquiry classifier train``, about a minute).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402
from ingest import SECRET_KEY, Probe, database, send, setup_inquiry, tree, wait_processed  # noqa: E402
from payloads import make_batch, signed_requests  # noqa: E402

STAGES = (("booted", "booted, nothing served"), ("serving", "serving, no model"),
          ("health", "router loaded (/healthz)"), ("model", "+ API inquiries classified"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--threads", type=int, default=4, help="gthread threads per worker (default 4)")
    p.add_argument("--requests", type=int, default=200,
                   help="webhook deliveries before, and API inquiries after the model loads (default 200)")
    p.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    p.add_argument("--instance", help="instance folder with the model (default: the app's own)")
    p.add_argument("--preload", action="store_true", help="gunicorn --preload: import the app in the master")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, SQLite file)")
    return p.parse_args(argv)


# --- what is measured --------------------------------------------------------------------------

def memory(pid: int) -> dict:
    """RSS, PSS and USS in MB from /proc/<pid>/smaps_rollup (one read, kernel-summed)."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        kb[name.strip()] = int(value.split()[0])
    return {"rss": kb["Rss"] / 1024, "pss": kb["Pss"] / 1024,
            "uss": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024, "swap": kb.get("Swap", 0) / 1024}


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled(pids: list[int], *, timeout: float = 60.0) -> None:
    """Wait until no process's RSS moves more than 0.5 MB over half a second (done importing)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = [memory(pid)["rss"] for pid in pids]
        if last and all(abs(a - b) < 0.5 for a, b in zip(now, last)):
            return
        last = now
        time.sleep(0.5)
    raise RuntimeError("the workers' memory did not settle within a minute")


def workers_of(proc, count: int, *, timeout: float = 60.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = tree(proc.popen.pid)[1:]
        if len(pids) == count:
            return sorted(pids)
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start {count} workers:\n{proc.tail()}")


def loaded_in(log: Path) -> dict[int, str]:
    """pid → the log line saying that worker loaded the router."""
    found = {}
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("pid=") and "router" in line and "loaded" in line:
            found[int(line[4:].split()[0])] = line.split(": ", 1)[1]
    return found


# --- setup and load ----------------------------------------------------------------------------

def ensure_model(instance: str, log) -> dict:
    """The current model's metadata, training one first if none can be loaded."""
    from inquiry.classifier import store
    from inquiry.classifier.cli import train_and_save

    try:
        return store.load(instance)[1]
    except store.ModelFileError as exc:
        log(f"no usable model in {instance} ({exc}): training one (about a minute)")
        return train_and_save(instance, echo=log)


def api_token(url: str) -> str:
    """An admin's token with inquiries:write, and the API's channel account made in advance (two
    workers making it on their first request at once would make two)."""
    from inquiry import create_app, taxonomy
    from inquiry.auth import services as auth
    from inquiry.channels.services import default_account
    from inquiry.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        user = auth.create_user("memory-bench@example.org", role="admin", password=secrets.token_urlsafe(16))
        _, plain = auth.create_token(user, name="memory benchmark", scopes=["inquiries:write"])
        default_account(taxonomy.API)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return plain


def api_requests(prefix: str, n: int, *, port: int, token: str, seed: int) -> list[bytes]:
    """Raw keep-alive POST /api/v1/inquiries, each from a new sender (so each is classified)."""
    batch = make_batch(prefix, n, seed=seed)
    out = []
    for i, raw in enumerate(batch.bodies):
        body = json.dumps({"text": json.loads(raw)["text"], "message_id": f"{prefix}m{i}",
                           "contact": {"external_id": f"{prefix}c{i}", "name": "Memory Bench"}},
                          ensure_ascii=False).encode()
        head = (f"POST /api/v1/inquiries HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n")
        out.append(head.encode() + body)
    return out


# --- the run -----------------------------------------------------------------------------------

def run(args, tmp: Path, log) -> dict:
    from inquiry import default_instance_path

    instance = args.instance or default_instance_path()
    meta = ensure_model(instance, log)
    model_file = Path(instance) / "models" / f"{meta['id']}.skops"
    out = {"model": meta["id"], "model_mb": model_file.stat().st_size / 2**20, "instance": instance,
           "stages": {}, "failures": []}
    with database(args.db, tmp) as url:
        secret = secrets.token_hex(16)
        account_id, hook = setup_inquiry(url, secret)
        token = api_token(url)
        env = servers.child_env(INQUIRY_DATABASE_URL=url, INQUIRY_SECRET_KEY=SECRET_KEY, INQUIRY_INSTANCE_PATH=instance)
        port = servers.free_port()
        gunicorn_log = tmp / "gunicorn.log"
        log(f"starting gunicorn ({args.workers} workers × {args.threads} threads) on 127.0.0.1:{port}")
        proc = servers.gunicorn("inquiry", "memory_wsgi:app", port=port, workers=args.workers, threads=args.threads,
                                env=env, log=gunicorn_log, extra=("--preload",) if args.preload else ())
        probe = Probe(url, account_id)
        try:
            pids = workers_of(proc, args.workers)
            out["master"], out["pids"] = proc.popen.pid, pids
            settled([proc.popen.pid, *pids])
            out["stages"]["booted"] = {pid: memory(pid) for pid in pids}

            log(f"stage 2: {args.requests} webhook deliveries over {args.concurrency} connections")
            cpu_before = {pid: cpu_s(pid) for pid in pids}
            batch = make_batch(f"memory-{secrets.token_hex(3)}-", args.requests, seed=4000)
            result = send(signed_requests(batch, host="127.0.0.1", port=port, path=hook, secret=secret),
                          port=port, concurrency=args.concurrency, tmp=tmp)
            out["webhooks_ok"] = result["ok"]
            if result["ok"] != args.requests:
                out["failures"].append(f"webhooks: {result['errors']} not acknowledged ({result['codes']})")
            out["webhook_cpu_s"] = {pid: cpu_s(pid) - cpu_before[pid] for pid in pids}
            idle = [pid for pid, cpu in out["webhook_cpu_s"].items() if cpu < 0.05]
            if idle:
                out["failures"].append(f"workers {idle} served (almost) none of the webhook deliveries")
            settled(pids)
            out["stages"]["serving"] = {pid: memory(pid) for pid in pids}
            if loaded_in(gunicorn_log):
                out["failures"].append("the model was loaded before stage 3 (by a webhook?)")

            health = (f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").encode()
            codes = []
            for rounds in range(1, 11):  # new connections each round, till every worker has had one
                log(f"stage 3: 4 × {args.concurrency} GET /healthz over {args.concurrency} new connections "
                    f"(round {rounds}) until every worker logged loading the router")
                result = send([health] * 4 * args.concurrency, port=port, concurrency=args.concurrency, tmp=tmp)
                codes += result["status"]
                if not set(pids) - set(loaded_in(gunicorn_log)):
                    break
            out["health_requests"], out["health_ok"] = len(codes), codes.count(200)
            if out["health_ok"] != len(codes):
                out["failures"].append(f"/healthz: {len(codes) - out['health_ok']} answers not 200")
            out["loaded"] = loaded_in(gunicorn_log)
            missing = set(pids) - set(out["loaded"])
            if missing:
                out["failures"].append(f"workers {sorted(missing)} never logged loading the router")
            settled(pids)
            out["stages"]["health"] = {pid: memory(pid) for pid in pids}

            log(f"stage 4: {args.requests} POST /api/v1/inquiries over {args.concurrency} connections")
            cpu_before = {pid: cpu_s(pid) for pid in pids}
            codes = send(api_requests(f"memory-api-{secrets.token_hex(3)}-", args.requests, port=port, token=token,
                                      seed=4001), port=port, concurrency=args.concurrency, tmp=tmp)["status"]
            out["api_requests"], out["api_created"] = len(codes), codes.count(201)
            if out["api_created"] != len(codes):
                out["failures"].append(f"API: {len(codes) - out['api_created']} answers not 201 "
                                       f"({sorted(set(codes) - {201})})")
            out["api_cpu_s"] = {pid: cpu_s(pid) - cpu_before[pid] for pid in pids}
            idle = [pid for pid, cpu in out["api_cpu_s"].items() if cpu < 0.05]
            if idle:
                out["failures"].append(f"workers {idle} classified (almost) none of the API inquiries")
            settled(pids)
            out["stages"]["model"] = {pid: memory(pid) for pid in pids}
            out["master_memory"] = memory(proc.popen.pid)
            if set(loaded_in(gunicorn_log)) != set(out["loaded"]):
                out["failures"].append("a worker loaded the router twice")
            if sorted(workers_of(proc, args.workers)) != pids:
                out["failures"].append("gunicorn replaced a worker during the run: figures mix processes")
        finally:
            proc.stop()

        log("one `inquiry worker` processes the stage-2 deliveries")
        (worker,) = servers.inquiry_workers(1, env=env, interval=0.2, logdir=tmp, tag="memory")
        try:
            wait_processed(probe, batch.prefix, out["webhooks_ok"], timeout=300)
            settled([worker.popen.pid])
            out["ingest_worker"] = memory(worker.popen.pid)
        finally:
            worker.stop()
            probe.dispose()
    return out


def print_report(out: dict, args, load: tuple[float, float]) -> None:
    print()
    print(f"Inquiry memory per gunicorn worker — gunicorn {args.workers} workers × {args.threads} threads (gthread"
          f"{', --preload' if args.preload else ''}), "
          f"{args.db}; router {out['model']} ({out['model_mb']:.1f} MB file) from {out['instance']}/models")
    print(f"Load average at start {load[0]:.1f}, at the end {load[1]:.1f}; {os.cpu_count()} cores")
    print()
    print(f"{'process':26}{'stage':28}{'RSS MB':>9}{'PSS MB':>9}{'USS MB':>9}{'swap MB':>9}")

    def row(name, stage, m):
        print(f"{name:26}{stage:28}{m['rss']:9.1f}{m['pss']:9.1f}{m['uss']:9.1f}{m['swap']:9.1f}")

    row(f"gunicorn master {out['master']}", "end", out["master_memory"])
    for i, pid in enumerate(out["pids"], 1):
        for key, label in STAGES:
            row(f"gunicorn worker {i} ({pid})" if key == "booted" else "", label, out["stages"][key][pid])
    if "ingest_worker" in out:
        row("`inquiry worker` (ingest)", "model loaded", out["ingest_worker"])
    print()
    stages = out["stages"]
    mean = {key: {f: sum(m[f] for m in stages[key].values()) / len(stages[key]) for f in ("rss", "pss", "uss")}
            for key in stages}
    print(f"per worker, mean: {mean['serving']['rss']:.0f} MB RSS without the model → {mean['health']['rss']:.0f} MB "
          f"with it loaded (+{mean['health']['rss'] - mean['serving']['rss']:.0f} MB RSS, "
          f"+{mean['health']['uss'] - mean['serving']['uss']:.0f} MB USS: the model is private to each worker) → "
          f"{mean['model']['rss']:.0f} MB after classifying "
          f"(+{mean['model']['rss'] - mean['health']['rss']:.0f} MB RSS)")
    for key, label in STAGES[1:]:
        total = out["master_memory"]["pss"] + sum(m["pss"] for m in stages[key].values())
        print(f"gunicorn master + {args.workers} workers, {label}: {total:.0f} MB PSS (what the host pays)")
    print(f"stage 2: {out['webhooks_ok']} webhook deliveries acknowledged (worker CPU s: "
          + ", ".join(f"{cpu:.2f}" for cpu in out["webhook_cpu_s"].values())
          + f"); stage 3: {out['health_ok']} of {out['health_requests']} GET /healthz answered 200; stage 4: "
          + f"{out['api_created']} of {out['api_requests']} API inquiries created (worker CPU s: "
          + ", ".join(f"{cpu:.2f}" for cpu in out["api_cpu_s"].values()) + ")")
    for pid in out["pids"]:
        print(f"check worker {pid}: {out['loaded'].get(pid, 'NO router log line')} — "
              f"{'OK' if pid in out['loaded'] else 'FAILED'}")
    for failure in out["failures"]:
        print(f"FAILED: {failure}")


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="inquiry-memory-"))
    started = time.time()

    def log(text):
        print(f"{time.time() - started:6.1f}s {text}", file=sys.stderr, flush=True)

    load_at_start = os.getloadavg()[0]
    try:
        out = run(args, tmp, log)
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print_report(out, args, (load_at_start, os.getloadavg()[0]))
    return 1 if out["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
