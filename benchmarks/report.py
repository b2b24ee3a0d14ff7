"""The benchmark's printed report: throughput table, end-to-end table, targets, check lines."""
from __future__ import annotations

import os

ACK_TARGET = 0.80  # Inquiry's acknowledged deliveries/s ÷ the durable floor's
E2E_TARGET = 0.50  # Inquiry's tickets/s end to end ÷ the durable floor's deliveries/s

ROWS = (
    ("ceiling", "ceiling (HMAC, 202)"),
    ("durable", "durable floor (+INSERT, COMMIT)"),
    ("inquiry", "Inquiry, no worker running"),
    ("inquiry_live", "Inquiry, workers running"),
    ("inquiry_scale", "Inquiry ×2 gunicorn, workers running"),
)
E2E_ROWS = (
    ("inquiry_live", "workers running during the load"),
    ("inquiry", "load first, then drain"),
    ("inquiry_scale", "×2 gunicorn, workers running"),
)
CHECKS = (("inquiry", "no worker running"), ("inquiry_live", "workers running"),
          ("inquiry_scale", "2 gunicorn masters + 2 workers"))


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def print_report(results: list[dict], args, *, elapsed: float) -> None:
    print()
    print(f"Inquiry webhook intake — {args.requests} signed bridge deliveries per run, {args.concurrency} keep-alive "
          f"connections, gunicorn {args.workers} workers × {args.threads} threads (gthread) for every server; "
          f"loopback; one machine's {os.cpu_count()} cores shared by load generator, servers, workers and database.")
    if args.profile:
        print("NOTE: --profile was on: py-spy sampled Inquiry while it was measured, so its figures are lower.")
    if any("inquiry_scale" in r for r in results):
        print(f"Scale-out (PostgreSQL): two gunicorn masters, each {args.workers} workers × {args.threads} threads, "
              "on two ports serving the same schema (two hosts' worth); the client's connections alternate between "
              "them; 2 `inquiry worker` running.")
    print(f"Load average when the benchmark started: {args.load_at_start:.1f} (before any load of its own; "
          "well above 0 means other work shared the cores and the figures are noisier); "
          f"at the end: {getattr(args, 'load_at_end', float('nan')):.1f}")
    print()
    print(f"{'db':9}{'server':38}{'acked/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'srv CPU ms':>12}"
          f"{'vs ceiling':>12}{'vs floor':>10}")
    for r in results:
        ceiling, floor = r["ceiling"]["rate"], r["durable"]["rate"]
        for key, label in ROWS:
            if key not in r:
                continue
            m = r[key]
            print(f"{r['kind']:9}{label:38}{m['rate']:9.0f}{m['p50']:9.1f}{m['p99']:9.1f}{m['errors']:8d}"
                  f"{m['server_cpu_ms']:12.2f}{_ratio(m['rate'], ceiling):>12}{_ratio(m['rate'], floor):>10}")
    print("(srv CPU ms: CPU time of the gunicorn master and workers per request; the database server's and the"
          " ingest workers' CPU not included)")
    print()
    print("End to end: first request sent → last delivery processed into a ticket message "
          "(`inquiry worker`: 1 on SQLite, 2 on PostgreSQL)")
    print(f"{'db':9}{'mode':38}{'seconds':>9}{'tickets':>9}{'tickets/s':>11}{'msgs/s':>9}{'worker CPU ms':>15}"
          f"{'vs ceiling':>12}{'vs floor':>10}")
    for r in results:
        ceiling, floor = r["ceiling"]["rate"], r["durable"]["rate"]
        for key, label in E2E_ROWS:
            if key not in r:
                continue
            m = r[key]
            cpu = f"{m['worker_cpu_ms']:.2f}" if "worker_cpu_ms" in m else "-"
            print(f"{r['kind']:9}{label:38}{m['e2e']:9.1f}{m['check']['tickets']:9d}{m['tickets_per_s']:11.0f}"
                  f"{m['messages_per_s']:9.0f}{cpu:>15}{_ratio(m['tickets_per_s'], ceiling):>12}"
                  f"{_ratio(m['tickets_per_s'], floor):>10}")
    print("(tickets/s compared with the baselines' acknowledged deliveries/s; about 70% of deliveries open a"
          " ticket, the rest thread onto their sender's open one; worker CPU per delivery, workers-running mode)")
    for r in results:
        if "inquiry_scale" in r:
            m, one = r["inquiry_scale"], r.get("inquiry_live")
            split = " / ".join(str(k) for k in m["per_port"])
            p50 = " / ".join(f"{ms:.1f}" for ms in m["per_port_p50"])
            line = f"scale-out {r['kind']}: acknowledged by gunicorn 1 / 2: {split} (p50 {p50} ms)"
            if one:
                line += (f"; ×2 gunicorn ÷ 1 gunicorn (both with workers running): acked/s "
                         f"{_ratio(m['rate'], one['rate'])}, "
                         f"tickets/s {_ratio(m['tickets_per_s'], one['tickets_per_s'])}")
            print(line + f" ({os.cpu_count()} cores shared by all of it: this shows the path works, not more capacity)")
    print()
    print("Targets")
    for r in results:
        floor = r["durable"]["rate"]
        checks = [("Inquiry ack/s ÷ durable floor", r["inquiry"]["rate"] / floor, ACK_TARGET)]
        if "inquiry_live" in r:
            checks.append(("e2e tickets/s ÷ durable floor, workers running", r["inquiry_live"]["tickets_per_s"] / floor,
                           E2E_TARGET))
        checks.append(("e2e tickets/s ÷ durable floor, load then drain", r["inquiry"]["tickets_per_s"] / floor, E2E_TARGET))
        for label, value, target in checks:
            print(f"{r['kind']:9}{label:50}{value:6.2f}   target ≥ {target:.2f}   {'met' if value >= target else 'MISSED'}")
    print()
    for r in results:
        floor_ok = r["durable_rows"] == r["durable_expected"]
        print(f"check {r['kind']} durable floor: {r['durable_expected']} acknowledged → {r['durable_rows']} rows "
              f"— {'OK' if floor_ok else 'MISMATCH'}")
        for key, label in CHECKS:
            if key not in r:
                continue
            c = r[key]["check"]
            print(f"check {r['kind']} Inquiry, {label}: {c['acked']} acknowledged → {c['messages']} messages "
                  f"({c['distinct']} distinct, {c['missing']} missing, {c['unacked_stored']} not acknowledged), "
                  f"{c['tickets']} tickets (expected {c['expected_tickets']}), deliveries {c['states']}, "
                  f"outcomes created={c['created']} appended={c['appended']} duplicate={c['duplicate']}, "
                  f"with problems {c['problems']} — {'OK' if c['ok'] else 'FAILED'}")
        for key, _ in ROWS:
            if key in r and r[key]["codes"]:
                print(f"non-202 answers {r['kind']} {key}: {r[key]['codes']}")
    for r in results:
        for key, title in (("profile_web", "webhook requests, no worker running"), ("profile_worker", "ingest workers")):
            if key in r:
                print(f"\npy-spy, {r['kind']}, {title}:")
                print("\n".join(r[key]))
    client = max(r[k]["client_cpu_s"] / r[k]["duration"] for r in results for k, _ in ROWS if k in r)
    print(f"load generator: at most {client:.0%} of one core while sending; whole run {elapsed:.0f} s")
