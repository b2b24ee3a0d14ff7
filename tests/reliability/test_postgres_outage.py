"""PostgreSQL goes away in the middle of a burst of webhooks, then comes back: while it is away
deliveries get 503 with Retry-After (never a 2xx for something not stored), and intake recovers
by itself once it returns, without restarting the app."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from werkzeug.serving import make_server

from inquiry import create_app
from inquiry.channels import lookup
from inquiry.ingest.models import Delivery
from tests.reliability.support import TcpProxy, bridge_body, post_delivery, wait_until

SENDERS = 3
BEFORE, DURING, AFTER = 20, 15, 20  # answers wanted before the outage, refusals during it, 2xx after


@pytest.fixture
def proxy(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a database server going away: PostgreSQL only (set INQUIRY_TEST_DATABASE_URL)")
    url = sa.make_url(database_url)
    server = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    yield server
    server.stop()


@pytest.fixture
def served(app_config, database_url, proxy):
    """The desk, in a real threaded HTTP server, reaching PostgreSQL only through the proxy."""
    url = sa.make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    desk = create_app({**app_config, "TESTING": False, "SQLALCHEMY_DATABASE_URI": url})
    server = make_server("127.0.0.1", 0, desk, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    with desk.app_context():
        from inquiry.extensions import db

        db.engine.dispose()


def test_database_outage_mid_burst_refuses_with_503_and_recovers_by_itself(db, bridge, proxy, served):
    account_id, path = bridge
    port = served
    sent: list[tuple[str, float, object]] = []  # (message id, when it was sent, answer)
    lock, stop = threading.Lock(), threading.Event()
    phase = {"reopened_at": None}

    def sender(n: int):
        i = 0
        while not stop.is_set():
            message_id, started = f"outage-{n}-{i}", time.monotonic()
            answer = post_delivery(port, path, bridge_body(message_id), timeout=60)
            with lock:
                sent.append((message_id, started, answer))
            i += 1

    def count(condition) -> int:
        with lock:
            return sum(1 for entry in sent if condition(*entry))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: count(lambda _i, _t, a: a.status == 202) >= BEFORE, timeout=120, what="deliveries before")
        proxy.stop()  # the database host is gone: listener closed, connections dropped
        lookup.forget(path.rsplit("/", 1)[-1])  # the account's cached copy expires too: that read fails as well
        went_down = time.monotonic()
        wait_until(lambda: count(lambda _i, t, a: t > went_down and a.status != 202) >= DURING, timeout=120,
                   what="refusals during the outage")
        proxy.start()  # back on the same address; the app is not restarted
        phase["reopened_at"] = time.monotonic()
        wait_until(lambda: count(lambda _i, t, a: t > phase["reopened_at"] and a.status == 202) >= AFTER,
                   timeout=120, what="deliveries after the database came back")
    finally:
        stop.set()
        for t in threads:
            t.join(120)

    statuses = {answer.status for _i, _t, answer in sent}
    assert statuses <= {202, 503}, f"only 202 or 503 expected, got {statuses}"
    refused = [(i, a) for i, _t, a in sent if a.status == 503]
    assert len(refused) >= DURING and all(a.retry_after for _i, a in refused), "a 503 without Retry-After"
    late = [a.status for _i, t, a in sent if t > phase["reopened_at"]]
    assert len(late) >= AFTER and set(late) == {202}, "intake did not recover at once when the database came back"

    stored = set(db.session.scalars(select(Delivery.dedupe_key).where(Delivery.channel_account_id == account_id)))
    db.session.commit()
    acknowledged = {f"msg:{i}" for i, _t, a in sent if a.status == 202}
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:5]}"

    # The platform retries what was refused: all of it is stored, once.
    for message_id, _answer in refused:
        assert post_delivery(port, path, bridge_body(message_id)).status == 202
    keys = db.session.scalars(select(Delivery.dedupe_key).where(Delivery.channel_account_id == account_id)).all()
    assert sorted(keys) == sorted({f"msg:{i}" for i, _t, _a in sent})
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == len(sent)
