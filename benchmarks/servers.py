"""Starting and stopping the benchmark's processes: gunicorn servers and ``inquiry worker`` loops.

Every process gets a session of its own and is stopped by its own process-group id, so nothing
else on the machine is touched.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process with its output in a log file; ``stop`` ends it and its children."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.log = name, log
        self._out = open(log, "wb")
        self.popen = subprocess.Popen(argv, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True, cwd=HERE)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._out.close()

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def child_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INQUIRY_", "BENCH_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def gunicorn(name: str, app_spec: str, *, port: int, workers: int, threads: int, env: dict, log: Path,
             extra: tuple[str, ...] = ()) -> Process:
    """gunicorn with the same settings for every server under test (no access log for any);
    ``extra``: more gunicorn options (memory.py's --preload)."""
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--worker-class", "gthread", "--timeout", "60", "--keep-alive", "5",
            "--log-level", "warning", "--chdir", str(HERE), *extra, app_spec]
    proc = Process(name, argv, env, log)
    wait_for_port(proc, port)
    return proc


def wait_for_port(proc: Process, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited at start:\n{proc.tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    proc.stop()
    raise RuntimeError(f"{proc.name} did not listen on {port} within {timeout:.0f} s:\n{proc.tail()}")


# `inquiry worker` exactly as operators run it, after the imports are done (so "ready" means
# the loop is about to start, not that Python is still loading the app).
_WORKER = (
    "import sys; import inquiry.cli, inquiry.models, inquiry.ingest.deliveries, inquiry.outbound.dispatch, "
    "inquiry.channels.polling; print('ready', flush=True); sys.argv[0] = 'inquiry'; inquiry.cli.main()"
)


def inquiry_workers(count: int, *, env: dict, interval: float, logdir: Path, tag: str) -> list[Process]:
    procs = [
        Process(f"worker-{i}", [sys.executable, "-c", _WORKER, "worker", "--interval", str(interval)], env,
                logdir / f"{tag}-worker-{i}.log")
        for i in range(count)
    ]
    deadline = time.monotonic() + 60
    for proc in procs:
        while "ready" not in proc.log.read_text(errors="replace"):
            if not proc.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{proc.name} did not start:\n{proc.tail()}")
            time.sleep(0.05)
    return procs
