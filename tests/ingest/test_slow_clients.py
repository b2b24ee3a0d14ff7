"""Slow clients against the real server: gunicorn as ``inquiry serve`` configures it (gthread
workers, 4 threads each, request bodies bounded by ``serve.bounded_bodies``) on loopback, against
this run's database.

Connections that send their headers and then dribble the body a byte a second, or stall in the
middle of it, neither starve the platforms' deliveries on other connections nor hold a thread for
ever: each gets 408 when its body deadline passes and the connection is closed. (Production still
belongs behind a buffering reverse proxy, which takes slow uploads off the workers entirely.)
"""
from __future__ import annotations

import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from inquiry.channels.adapters.bridge import sign
from inquiry.channels.services import create_account, webhook_url

SECRET = "slow-client-bridge-key"
WORKERS, THREADS = 2, 4  # threads: inquiry serve's default; two workers keep the start-up short
# Shorter than serve.REQUEST_BODY_TIMEOUT (30 s) to keep the test short, longer than "promptly".
BODY_TIMEOUT = 6
PROMPTLY = 3.0
# gunicorn then waits up to 5 s for the rest of the body before it closes (gthread's
# DEFAULT_WORKER_DATA_TIMEOUT), and a loaded machine adds its own delay.
CLOSED_WITHIN = BODY_TIMEOUT + 5 + 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signed(body: bytes) -> dict:
    stamp = str(int(time.time()))
    return {"Content-Type": "application/json", "X-Bridge-Timestamp": stamp, "X-Bridge-Signature": sign(SECRET, stamp, body)}


def _body(message_id: str) -> bytes:
    return json.dumps({"external_message_id": message_id, "sender_external_id": f"s-{message_id}",
                       "text": f"Message {message_id}"}).encode()


@pytest.fixture
def server(db, database_url, tmp_path):
    """(port, webhook path): gunicorn serving the factory, with a bridge account to post to."""
    account = create_account("snapchat", "Snapchat via bridge", signing_secret=SECRET)
    db.session.commit()
    path = webhook_url(account)
    db.session.commit()  # hold no transaction: on SQLite it would keep the server from writing
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRY_")}
    env.update(INQUIRY_DATABASE_URL=database_url, INQUIRY_SECRET_KEY="s" * 32, INQUIRY_INSTANCE_PATH=str(tmp_path))
    code = ("from inquiry import create_app; from inquiry.serve import run_gunicorn; "
            f"run_gunicorn(create_app, bind='127.0.0.1:{port}', workers={WORKERS}, threads={THREADS}, "
            f"body_timeout={BODY_TIMEOUT})")
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts slowly
        while _status(port, "/healthz") != 200:
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        for n in range(2 * WORKERS):  # every worker has loaded the app and served a delivery once
            assert _post(port, path, _body(f"warm-{n}"))[0] == 202, log_path.read_text()
        yield port, path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def _status(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


def _post(port: int, path: str, body: bytes) -> tuple[int | None, float]:
    """(status, seconds) of one delivery on a connection of its own."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=_signed(body))
        return conn.getresponse().status, time.monotonic() - started
    except OSError:
        return None, time.monotonic() - started
    finally:
        conn.close()


def _open_slow(port: int, path: str, body: bytes) -> socket.socket:
    """A connection that has sent the headers of a signed delivery and none of its body."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in _signed(body).items()) + "\r\n"
    sock.sendall(head.encode())
    return sock


def _answer_then_close(sock: socket.socket, until: float) -> tuple[bytes, float | None]:
    """What the server sent, and when it closed the connection (None: still open at ``until``)."""
    received = b""
    while time.monotonic() < until:
        sock.settimeout(max(0.05, until - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        except OSError:  # reset by the server
            return received, time.monotonic()
        if not data:
            return received, time.monotonic()
        received += data
    return received, None


def test_slow_bodies_neither_starve_deliveries_nor_hold_a_connection_for_ever(server):
    port, path = server
    stop = threading.Event()
    outcomes: dict[str, tuple[bytes, float | None]] = {}

    def dribble(name: str):
        """Headers, then a byte a second, never the last one, until the server gives up."""
        body = _body(name)
        sock = _open_slow(port, path, body)
        try:
            for sent in range(len(body) - 1):
                answered, _, _ = select.select([sock], [], [], 1.0)  # a second, or until the server answers
                if answered or stop.is_set():
                    break
                sock.sendall(body[sent:sent + 1])
        except OSError:
            pass  # the server answered and closed
        outcomes[name] = _answer_then_close(sock, opened + CLOSED_WITHIN)
        sock.close()

    opened = time.monotonic()
    stalled = _open_slow(port, path, _body("stalled"))
    stalled.sendall(b'{"external_')  # part of the body, then nothing more
    dribblers = [threading.Thread(target=dribble, args=(f"dribble-{n}",)) for n in range(2)]
    for thread in dribblers:  # three slow connections in all: fewer than one worker's threads
        thread.start()
    try:
        time.sleep(1.0)  # every slow connection has reached a worker thread
        answers = [_post(port, path, _body(f"normal-{n}")) for n in range(5)]
        assert [status for status, _ in answers] == [202] * 5, answers
        assert max(seconds for _, seconds in answers) < PROMPTLY, answers

        answer, closed_at = _answer_then_close(stalled, opened + CLOSED_WITHIN)
        assert closed_at is not None, "the server kept a stalled connection open"
        assert answer.startswith(b"HTTP/1.1 408") and b'"code":"request_timeout"' in answer, answer[:300]
        assert BODY_TIMEOUT - 1 <= closed_at - opened < CLOSED_WITHIN
    finally:
        stop.set()
        stalled.close()
        for thread in dribblers:
            thread.join(CLOSED_WITHIN + 5)
    for name, (answer, closed_at) in outcomes.items():  # still sending, but bounded all the same
        assert answer.startswith(b"HTTP/1.1 408") and closed_at is not None, (name, answer[:100])
