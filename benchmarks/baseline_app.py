"""The two baselines Inquiry's webhook door is measured against (see benchmarks/ingest.py).

``ceiling``: a bare Flask view that checks the bridge's HMAC exactly as Inquiry's bridge adapter
does and answers 202 — the most any Flask webhook can do on this server setup.
``durable``: the same, plus one INSERT of the raw body and a COMMIT before the 202 (SQLAlchemy
Core, same database URL; SQLite in WAL with the same pragmas as Inquiry) — the least any webhook
that does not lose deliveries must do.

Served by gunicorn: ``gunicorn --chdir benchmarks 'baseline_app:make_app()'`` with
BENCH_MODE, BENCH_SECRET and (durable) BENCH_DATABASE_URL in the environment.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time

import sqlalchemy as sa
from flask import Flask, Response, request

TOLERANCE_SECONDS = 300  # Inquiry's bridge window
TABLE = "bench_floor_deliveries"

metadata = sa.MetaData()
deliveries = sa.Table(
    TABLE,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The bridge signature: "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def make_engine(url: str) -> sa.Engine:
    """An engine set up like Inquiry's: on SQLite, WAL, synchronous=NORMAL, BEGIN IMMEDIATE."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_app() -> Flask:
    mode = os.environ["BENCH_MODE"]
    secret = os.environ["BENCH_SECRET"]
    engine = make_engine(os.environ["BENCH_DATABASE_URL"]) if mode == "durable" else None
    insert = deliveries.insert()
    accepted = json.dumps({"accepted": True})
    app = Flask(__name__)

    @app.post("/hooks/bridge/<key>")
    def receive(key: str):
        body = request.get_data(cache=True)
        stamp = request.headers.get("X-Bridge-Timestamp") or ""
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
            return Response("stale timestamp", status=401)
        given = (request.headers.get("X-Bridge-Signature") or "").encode()
        if not hmac.compare_digest(given, sign(secret, stamp, body).encode()):
            return Response("bad signature", status=401)
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(insert, {"body": body, "received_at": time.time()})
        return Response(accepted, status=202, content_type="application/json")

    return app


def create_table(url: str) -> None:
    """Make the durable floor's table (run once by the benchmark before the server starts)."""
    engine = make_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()


def count_rows(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(deliveries)).scalar_one()
    engine.dispose()
    return n
