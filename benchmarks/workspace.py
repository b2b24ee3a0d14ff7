"""Benchmark: how fast the agent workspace's pages render with a million tickets in PostgreSQL.

    .venv/bin/python benchmarks/workspace.py [--quick] [--tickets N] [--requests N] [--rebuild]

Targets (issues): p95 ≤ 100 ms for the inbox and the ticket page with 1,000,000 tickets, ≤ 300 ms
for the supervisor dashboard; the API list and search are reported beside them (run it with
``--tickets 10000`` too, to see how each cost grows with size).

The data set comes from ``dataset.py`` (built once, then reused). Inquiry runs as ``create_app()``
under gunicorn on loopback, as in ``ingest.py``; an agent and a supervisor log in through the
real log-in form and keep their session cookies. One request at a time (what one person waits
for), the pages interleaved round by round in a shuffled order so the machine's noise falls on
all of them alike; the baseline, ``GET /healthz`` (app, session-less, one ``SELECT 1``), is
measured in the same rounds. Then, in this process, each page once more with every SQL
statement timed, and the inbox's ticket queries through ``EXPLAIN (ANALYZE, BUFFERS)``.
"""
from __future__ import annotations

import argparse
import html
import http.client
import http.cookies
import json
import math
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
import servers  # noqa: E402

# p95 targets by page (ms); pages not named here are reported without one.
TARGETS = (("inbox", 100.0), ("refresh", 100.0), ("ticket page", 100.0), ("dashboard", 300.0))
SEARCH = "passport"  # a word of the demo corpus, in thousands of messages


def target_for(name: str) -> float | None:
    return next((ms for prefix, ms in TARGETS if name.startswith(prefix)), None)
SECRET_KEY = "benchmark-only-" + secrets.token_hex(8)
QUEUE = "general-public"  # the agent's biggest queue


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickets", type=int, default=dataset.DEFAULT_TICKETS, help="default 1,000,000")
    p.add_argument("--requests", type=int, default=200, help="measured requests per page (default 200)")
    p.add_argument("--warmup", type=int, default=20, help="rounds before measuring (default 20)")
    p.add_argument("--quick", action="store_true",
                   help=f"{dataset.QUICK_TICKETS:,} tickets, 50 requests per page, 5 warm-up rounds")
    p.add_argument("--url", default=dataset.PG_URL, help=f"PostgreSQL server (default {dataset.PG_URL})")
    p.add_argument("--schema", help="data set schema (default: bench_workspace_<size>)")
    p.add_argument("--rebuild", action="store_true", help="build the data set again even if it exists")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--threads", type=int, default=4, help="gthread threads per worker (default 4)")
    p.add_argument("--no-explain", action="store_true", help="skip the SQL timing and EXPLAIN ANALYZE part")
    args = p.parse_args(argv)
    if args.quick:
        args.tickets, args.requests, args.warmup = dataset.QUICK_TICKETS, min(args.requests, 50), min(args.warmup, 5)
    return args


# --- an HTTP client with a cookie jar ---------------------------------------------------------

class Browser:
    """One keep-alive connection and its cookies (sent by hand: the session cookie is ``Secure``
    in production settings, which a cookie jar would not send over plain HTTP)."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.cookies, self.headers = port, {}, dict(headers or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, dict, float]:
        headers = {"Accept": "application/json" if "/refresh" in path or "/api/" in path else "text/html",
                   **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data, dict(response.headers), elapsed

    def login(self, email: str, password: str) -> None:
        status, page, _, _ = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"GET /login answered {status} without a CSRF token")
        status, _, headers, _ = self.request("POST", "/login", {"email": email, "password": password,
                                                                "csrf_token": token.group(1).decode()})
        if status != 302 or "/login" in headers.get("Location", "/login"):
            raise RuntimeError(f"log-in as {email} failed: {status}")


# --- what is measured -----------------------------------------------------------------------

def pick_targets(data: dataset.Dataset, n: int) -> dict:
    """The agent's queue and ``n`` random open tickets the agent may open (different every request)."""
    engine = sa.create_engine(data.url)
    with engine.connect() as conn:
        agent = conn.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": data.agent_email}).scalar_one()
        refs = conn.execute(sa.text(
            "SELECT reference FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold') AND queue_id IN "
            "(SELECT queue_id FROM queue_members WHERE user_id = :a) ORDER BY random() LIMIT :n"), {"a": agent, "n": n}
        ).scalars().all()
        queues = conn.execute(sa.text("SELECT q.slug FROM queues q JOIN queue_members m ON m.queue_id = q.id "
                                      "WHERE m.user_id = :a ORDER BY q.slug"), {"a": agent}).scalars().all()
        counts = dict(conn.execute(sa.text(
            "SELECT 'mine', count(*) FROM tickets WHERE assignee_id = :a AND status IN ('new', 'open', 'pending', 'on_hold') "
            "UNION ALL SELECT 'unassigned', count(*) FROM tickets WHERE assignee_id IS NULL AND status IN "
            "('new', 'open', 'pending', 'on_hold') AND queue_id IN (SELECT queue_id FROM queue_members WHERE user_id = :a) "
            "UNION ALL SELECT 'open', count(*) FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold')"),
            {"a": agent}).all())
    engine.dispose()
    if QUEUE not in queues:
        raise RuntimeError(f"{data.agent_email} does not work {QUEUE}")
    return {"references": refs, "queues": queues, "counts": counts}


def api_token(data: dataset.Dataset) -> str:
    """A read token for the supervisor, made by the app's own service (the data set has none)."""
    from inquiry import create_app
    from inquiry.auth import services as auth
    from inquiry.extensions import db

    app = create_app(data.app_config(SECRET_KEY=SECRET_KEY, ENV="testing"))
    with app.app_context():
        _, plain = auth.create_token(auth.user_by_email(data.supervisor_email), name="benchmark")
        db.session.commit()
        db.engine.dispose()
    return plain


def pages(agent: Browser, supervisor: Browser, anon: Browser, api: Browser, targets: dict) -> list[tuple[str, Browser, object]]:
    """(name, who asks, path or a callable giving the next path) for every page measured."""
    # The second page as the list links it, and the refresh as the page's script asks for it.
    status, first, _, _ = supervisor.request("GET", "/tickets/?view=all")
    older = re.search(rb'<a href="([^"]+)" rel="next">', first)
    if status != 200 or not older:
        raise RuntimeError(f"/tickets/?view=all answered {status} without a next-page link")
    status, body, _, _ = agent.request("GET", "/tickets/refresh?view=unassigned")
    known = json.loads(body)["fingerprint"]
    refs = iter(targets["references"])
    return [
        ("baseline: GET /healthz", anon, "/healthz"),
        ("static file (CSS)", anon, "/static/css/inquiry.css"),
        ("inbox, mine (agent)", agent, "/tickets/"),
        ("inbox, unassigned (agent)", agent, "/tickets/?view=unassigned"),
        (f"inbox, queue {QUEUE} (agent)", agent, f"/tickets/?queue={QUEUE}"),
        ("inbox, all (supervisor)", supervisor, "/tickets/?view=all"),
        ("inbox, all, page 2 (supervisor)", supervisor, html.unescape(older.group(1).decode())),
        ("refresh, unassigned, unchanged (agent)", agent, f"/tickets/refresh?view=unassigned&known={known}"),
        ("refresh, unassigned, rows (agent)", agent, "/tickets/refresh?view=unassigned"),
        ("ticket page, random open (agent)", agent, lambda: f"/tickets/{next(refs)}"),
        ("dashboard, last 7 days (supervisor)", supervisor, "/reports/dashboard"),
        (f"search '{SEARCH}' (agent)", agent, f"/search?q={SEARCH}"),
        ("API list, open tickets (supervisor token)", api, "/api/v1/tickets?status=open"),
        (f"API search '{SEARCH}' (supervisor token)", api, f"/api/v1/search?q={SEARCH}"),
    ]


def measure(endpoints, *, rounds: int, warmup: int, seed: int = 2026, log=print) -> dict[str, dict]:
    """Every endpoint once per round, in a shuffled order; warm-up rounds are not recorded."""
    rng = random.Random(seed)
    samples = {name: [] for name, _, _ in endpoints}
    errors = {name: [] for name, _, _ in endpoints}
    sizes = {name: 0 for name, _, _ in endpoints}
    order = list(endpoints)
    for round_no in range(warmup + rounds):
        rng.shuffle(order)
        for name, who, path in order:
            url = path() if callable(path) else path
            status, body, _, elapsed = who.request("GET", url)
            if status != 200:
                errors[name].append((url, status))
            if round_no >= warmup:
                samples[name].append(elapsed * 1000)
                sizes[name] = len(body)
        if round_no + 1 == warmup or (round_no + 1 - warmup) % max(1, rounds // 4) == 0 and round_no >= warmup:
            log(f"round {round_no + 1 - warmup}/{rounds}" if round_no >= warmup else "warm-up done")
    return {name: {**stats(samples[name]), "errors": errors[name], "bytes": sizes[name]} for name in samples}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def stats(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.50), "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99), "max": max(values), "mean": statistics.fmean(values)}


# --- in-process: SQL per page and EXPLAIN ANALYZE ------------------------------------------------

def analyse(data: dataset.Dataset, endpoints, token: str, *, explain_queries: bool = True) -> list[dict]:
    """Each page in this process with every SQL statement timed; the SELECTs on tickets explained."""
    from inquiry import create_app
    from inquiry.extensions import db

    app = create_app(data.app_config(SECRET_KEY=SECRET_KEY, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                                     ENV="testing"))
    # No app context is held around the requests: each request gets its own, as under a server
    # (Flask-Login keeps the user in ``g``, which lives in the app context).
    with app.app_context():
        engine = db.engine
    captured: list[list] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("t0", []).append(time.perf_counter())

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - conn.info["t0"].pop()
        captured.append([statement, parameters, took * 1000, executemany])

    results = []
    try:
        clients = {}
        for email in (data.agent_email, data.supervisor_email):
            client = app.test_client()
            response = client.post("/login", data={"email": email, "password": data.password})
            if response.status_code != 302:
                raise RuntimeError(f"in-process log-in as {email}: {response.status_code}")
            clients[email] = client
        for name, who, path in endpoints:
            if name.startswith(("baseline", "static")):
                continue
            client = clients[data.supervisor_email if "supervisor" in name else data.agent_email]
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"} if "API" in name else {}
            runs = []
            for _ in range(5):
                url = path() if callable(path) else path
                captured.clear()
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                total = (time.perf_counter() - started) * 1000
                runs.append((total, list(captured), response.status_code))
            total, statements, status = sorted(runs, key=lambda r: r[0])[2]  # the median run
            groups: dict[str, dict] = {}
            for statement, parameters, took, executemany in statements:
                group = groups.setdefault(statement, {"sql": statement, "count": 0, "ms": 0.0, "first": None})
                group["count"] += 1
                group["ms"] += took
                if group["first"] is None and not executemany:
                    group["first"] = (statement, parameters)
            for group in groups.values():
                if explain_queries and group["first"] and _is_ticket_select(group["sql"]):
                    group["explain"] = explain(engine, *group["first"])
            results.append({"name": name, "status": status, "total_ms": total, "statements": len(statements),
                            "sql_ms": sum(s[2] for s in statements), "groups": list(groups.values())})
    finally:
        engine.dispose()
    return results


_INDEX = re.compile(r"^ix_tickets_\w+_due$|^ix_tickets_due$")


def _is_ticket_select(sql: str) -> bool:
    flat = " ".join(sql.split())
    return flat.startswith("SELECT") and re.search(r" (FROM|JOIN) tickets\b", flat) is not None


def explain(engine, statement: str, parameters) -> dict:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0][0]
        raw.rollback()
    finally:
        raw.close()
    nodes, indexes, seq_scans, sorts = [], set(), set(), []
    stack = [plan["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node["Node Type"])
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "tickets":
            seq_scans.add(node["Relation Name"])
        if node["Node Type"] == "Sort":
            sorts.append(f"{node.get('Sort Method', '?')} of {node.get('Actual Rows', '?')} rows")
        stack.extend(node.get("Plans", []))
    return {"explain_ms": plan["Execution Time"],
            "rows": plan["Plan"].get("Actual Rows"), "indexes": sorted(indexes), "seq_scan_tickets": bool(seq_scans),
            "uses_due_index": any(_INDEX.match(i) for i in indexes), "sorts": sorts,
            "shared_read": plan["Plan"].get("Shared Read Blocks", 0), "shared_hit": plan["Plan"].get("Shared Hit Blocks", 0),
            "plan": plan}


# --- proposals, tried on the captured queries -----------------------------------------------------

def _top_level(flat: str, word: str) -> int:
    """Where ``word`` first occurs outside parentheses (the main query's clause, not a subquery's)."""
    depth = 0
    for i, ch in enumerate(flat):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and flat.startswith(word, i):
            return i
    return len(flat)


def describe(sql: str) -> str:
    """A short label for a statement: its verb and table, and for ticket lists the conditions and order."""
    flat = " ".join(sql.split())
    verb = flat.split(" ", 1)[0]
    if verb != "SELECT":
        table = re.search(r"^(?:UPDATE|INSERT INTO|DELETE FROM) (\w+)", flat)
        return f"{verb} {table.group(1) if table else ''}".strip()
    at = _top_level(flat, " FROM ")
    head, rest = flat[:at], flat[at + 6:]
    table = rest.split(" ", 1)[0].rstrip(",")
    where = re.search(r" WHERE (.*?)( ORDER BY | GROUP BY | LIMIT |$)", rest)
    clause = where.group(1) if where else ""
    if re.fullmatch(r"\w+\.id = %\(pk_1\)s(::INTEGER)?", clause):
        return f"SELECT {table} by primary key (an expired or lazy-loaded row)"
    what = "count(*) FILTER … of" if "count(" in head else "SELECT"
    if "GROUP BY" in rest:
        what = "count per group of"
    conditions = [label for needle, label in (
        ("queue_members", "in my queues"), ("assignee_id = %", "assignee = me"), ("assignee_id IS NULL", "unassigned"),
        ("queue_id = %", "queue ="), ("priority = %", "priority = urgent"), ("priority != %", "not urgent"),
        ("due_at IS NOT NULL", "due_at set"), ("due_at IS NULL", "due_at null"), ("due_at >", "after cursor"),
        ("reference =", "by reference"), ("contact_id", "same contact"), ("status IN", "open"),
        ("ticket_id IN", "of tickets"), ("ticket_id =", "of a ticket")) if needle in clause]
    order = re.search(r" ORDER BY (.*?)( LIMIT |$)", rest)
    return (f"{what} {table}" + (f" [{', '.join(conditions)}]" if conditions else "")
            + (f" order by {order.group(1)[:70]}" if order else ""))


# --- report -------------------------------------------------------------------------------------

def print_report(args, data: dataset.Dataset, targets: dict, results: dict, analysis: list[dict], load: tuple) -> bool:
    base = results["baseline: GET /healthz"]["p95"]
    print()
    print(f"Inquiry workspace pages — PostgreSQL schema {data.schema}: {data.counts.get('tickets', data.tickets):,} tickets, "
          f"{data.counts.get('messages', 0):,} messages, {targets['counts']['open']:,} open "
          f"(built {data.built_at:%Y-%m-%d %H:%M} UTC{', reused' if data.reused else f' in {data.build_seconds:.0f} s'}).")
    print(f"gunicorn {args.workers} workers × {args.threads} threads (gthread) on 127.0.0.1; one request at a time, "
          f"{args.requests} per page after {args.warmup} warm-up rounds, pages interleaved in shuffled rounds; "
          f"{os.cpu_count()} cores shared by client, server and database.")
    print(f"Agent {data.agent_email} works {', '.join(targets['queues'])}: {targets['counts']['mine']:,} open tickets of "
          f"their own, {targets['counts']['unassigned']:,} unassigned in their queues.")
    print(f"Load average: {load[0]:.1f} before, {load[1]:.1f} after (above {os.cpu_count()} means other work shared the "
          "cores and the figures are noisier).")
    print()
    print(f"{'page':44}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'p95÷base':>10}{'KiB':>7}  target p95")
    ok = True
    for name, r in results.items():
        target = target_for(name)
        verdict = (f"≤ {target:.0f} ms " + ("met" if r["p95"] <= target else "MISSED")) if target else ""
        ok &= target is None or r["p95"] <= target
        errors = f"  {len(r['errors'])} errors, e.g. {r['errors'][0]}" if r["errors"] else ""
        ok &= not r["errors"]
        print(f"{name:44}{r['p50']:8.1f}{r['p95']:8.1f}{r['p99']:8.1f}{r['max']:8.1f}{r['p95'] / base:10.1f}"
              f"{r['bytes'] / 1024:7.0f}  {verdict}{errors}")
    if analysis:
        print()
        print("In process (Flask test client, no server; the median of 5 runs): time and SQL per page, the statements "
              "grouped (how often, time in the request), each SELECT on tickets once more under EXPLAIN ANALYZE.")
        for page in analysis:
            status = "" if page["status"] == 200 else f" — answered {page['status']}"
            print(f"\n{page['name']}{status}: {page['total_ms']:.1f} ms, {page['statements']} statements, SQL "
                  f"{page['sql_ms']:.1f} ms, the rest {page['total_ms'] - page['sql_ms']:.1f} ms (Python, templates)")
            for g in page["groups"]:
                print(f"  {g['count']:3d}× {g['ms']:6.1f} ms  {describe(g['sql'])}")
                e = g.get("explain")
                if e:
                    flags = (["uses a ix_tickets_*due index"] if e["uses_due_index"] else []) + \
                            (["SEQ SCAN on tickets"] if e["seq_scan_tickets"] else []) + [f"sort: {x}" for x in e["sorts"]]
                    print(f"         EXPLAIN ANALYZE {e['explain_ms']:.1f} ms, {e['rows']} rows, buffers hit {e['shared_hit']} "
                          f"read {e['shared_read']}; indexes: {', '.join(e['indexes']) or 'none'}"
                          + (f"; {'; '.join(flags)}" if flags else ""))
    print()
    print("RESULT:", "every page within the target" if ok else "some pages missed the target (see above)")
    return ok


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.time()

    def log(text):
        print(f"{time.time() - started:7.1f}s {text}", file=sys.stderr, flush=True)

    data = dataset.ensure(args.tickets, url=args.url, schema=args.schema, rebuild=args.rebuild, log=log)
    targets = pick_targets(data, args.requests + args.warmup + 20)
    token = api_token(data)
    tmp = Path(tempfile.mkdtemp(prefix="inquiry-bench-workspace-"))
    load_before = os.getloadavg()[0]
    port = servers.free_port()
    env = servers.child_env(INQUIRY_DATABASE_URL=data.url, INQUIRY_SECRET_KEY=SECRET_KEY)
    log(f"starting gunicorn on 127.0.0.1:{port}")
    proc = servers.gunicorn("inquiry", "inquiry_wsgi:app", port=port, workers=args.workers, threads=args.threads,
                            env=env, log=tmp / "gunicorn.log")
    try:
        agent, supervisor, anon = Browser(port), Browser(port), Browser(port)
        api = Browser(port, {"Authorization": f"Bearer {token}"})
        agent.login(data.agent_email, data.password)
        supervisor.login(data.supervisor_email, data.password)
        endpoints = pages(agent, supervisor, anon, api, targets)
        log(f"measuring {len(endpoints)} pages, {args.requests} requests each")
        results = measure(endpoints, rounds=args.requests, warmup=args.warmup, log=log)
    finally:
        proc.stop()
        server_log = (tmp / "gunicorn.log").read_text(errors="replace")
        shutil.rmtree(tmp, ignore_errors=True)
    if any(r["errors"] for r in results.values()):
        # What the server said about the failed requests (tracebacks), in the report's place.
        first = server_log.find("Traceback")
        log("server log at the first error:\n" + (server_log[first:first + 4000] if first >= 0 else server_log[-4000:]))
    load_after = os.getloadavg()[0]
    analysis = []
    if not args.no_explain:
        log("timing SQL per page and explaining the ticket queries")
        try:
            analysis = analyse(data, endpoints, token)
        except Exception as exc:  # the HTTP figures above are still worth printing
            log(f"in-process analysis failed: {type(exc).__name__}: {exc}")
    ok = print_report(args, data, targets, results, analysis, (load_before, load_after))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
