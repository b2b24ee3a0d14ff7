"""Helpers for the reliability tests: child processes, signed bridge deliveries, a loopback TCP
proxy and a bridge tool that honours idempotency keys. No test imports benchmarks/."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from inquiry.channels.adapters.bridge import sign

SECRET = "reliability-bridge-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(database_url: str, instance: Path, **extra: str) -> dict:
    """The environment of an ``inquiry`` child process: this run's database, an empty instance
    folder (no router: new tickets go to triage) and nothing inherited from INQUIRY_*."""
    instance.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRY_")}
    env.update(INQUIRY_DATABASE_URL=database_url, INQUIRY_SECRET_KEY="r" * 32, INQUIRY_INSTANCE_PATH=str(instance))
    env.update(extra)
    return env


class Child:
    """A child process in a session of its own, output in a log file; stopped by its own pid."""

    def __init__(self, argv: list[str], env: dict, log: Path):
        self.log = log
        self._out = open(log, "wb")
        self.popen = subprocess.Popen(argv, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.PIPE, start_new_session=True)

    def go(self) -> None:
        """Let a process started with ``inquiry_argv(..., held=True)`` run its command."""
        self.popen.stdin.write(b"go\n")
        self.popen.stdin.flush()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a power cut would."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the process group (gunicorn's workers too); SIGKILL if it lingers."""
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(timeout)
        self._out.close()
        if self.popen.stdin:
            self.popen.stdin.close()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def children_of(pid: int) -> list[int]:
    """Live child pids of ``pid``, read from /proc (gunicorn's workers are its master's children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, ...
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def inquiry_argv(*args: str, held: bool = False) -> list[str]:
    """The ``inquiry`` command line. ``held``: import everything, then wait for ``Child.go`` (a
    standby process that starts its command at once when needed, not after seconds of imports)."""
    wait = "sys.stdin.readline(); " if held else ""
    code = f"import sys; from inquiry.cli import main; {wait}sys.argv[0] = 'inquiry'; main()"
    return [sys.executable, "-c", code, *args]


def gunicorn_argv(port: int, *, workers: int, threads: int = 4) -> list[str]:
    """gunicorn as ``inquiry serve`` runs it (an app built in the parent first, so the workers fork
    with everything imported), without the serve command's first-run model training."""
    code = ("from inquiry import create_app; from inquiry.serve import run_gunicorn; create_app(); "
            f"run_gunicorn(create_app, bind='127.0.0.1:{port}', workers={workers}, threads={threads})")
    return [sys.executable, "-c", code]


def wait_until(condition, *, timeout: float, what: str, child: Child | None = None, every: float = 0.1):
    """Poll ``condition`` until it is truthy; fail with the child's log if it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if child is not None and not child.alive():
            raise AssertionError(f"{what}: the process exited\n{child.tail()}")
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s" + (f"\n{child.tail()}" if child else ""))


def get_status(port: int, path: str, timeout: float = 5.0) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


# --- signed bridge deliveries -------------------------------------------------------------------

def bridge_body(message_id: str, *, text: str | None = None) -> bytes:
    """One bridge delivery from a sender of its own (so each message opens a ticket of its own)."""
    return json.dumps({
        "external_message_id": message_id,
        "sender_external_id": f"sender-{message_id}",
        "sender_display_name": "Reliability Test",
        "text": text or f"Message {message_id}: I would like to report a scam.",
    }).encode()


def signed_headers(body: bytes, secret: str = SECRET) -> dict:
    stamp = str(int(time.time()))
    return {"Content-Type": "application/json", "X-Bridge-Timestamp": stamp,
            "X-Bridge-Signature": sign(secret, stamp, body)}


@dataclass
class Answer:
    status: int | None  # None: the connection broke before an answer
    retry_after: str | None = None
    body: bytes = b""


def post_delivery(port: int, path: str, body: bytes, *, timeout: float = 60.0) -> Answer:
    """One delivery on a connection of its own, as a platform sends it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=signed_headers(body))
        response = conn.getresponse()
        return Answer(response.status, response.getheader("Retry-After"), response.read())
    except (OSError, http.client.HTTPException):
        return Answer(None)
    finally:
        conn.close()


# --- a TCP proxy that can play a database outage --------------------------------------------------

class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``. ``stop`` closes the listener and drops every
    connection (the database host went away); ``start`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def start(self) -> "TcpProxy":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            for step in (lambda: sock.shutdown(socket.SHUT_RDWR), sock.close):
                try:
                    step()
                except OSError:
                    pass

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # stopped while connecting: drop it too
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --- a bridge tool on loopback that honours Idempotency-Key --------------------------------------

@dataclass
class BridgeTool:
    """Plays the tool behind a bridge account: POST /replies posts the reply on the network once
    per idempotency key (a repeat gets the first answer again), after ``delay`` seconds.

    ``hold_at``: the call with that number waits for ``release`` before answering (the test kills
    the sender meanwhile); ``reached`` is set when it arrives.
    """

    delay: float = 0.1
    hold_at: int | None = None
    calls: list = field(default_factory=list)  # (idempotency key, JSON payload), in arrival order
    posted: dict = field(default_factory=dict)  # idempotency key -> the network's message id
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def start(self) -> "BridgeTool":
        tool, lock = self, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key")
                with lock:
                    tool.calls.append((key, json.loads(body)))
                    number = len(tool.calls)
                    external = tool.posted.setdefault(key, f"net-{len(tool.posted) + 1}")
                if number == tool.hold_at:
                    tool.reached.set()
                    tool.release.wait(120)
                time.sleep(tool.delay)
                data = json.dumps({"external_message_id": external}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the sender died waiting: the reply is posted all the same
                    pass

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
