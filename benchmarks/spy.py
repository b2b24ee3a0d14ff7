"""``--profile``: sample Inquiry's processes with py-spy (wall time, waits included) and say which
line of Inquiry's request path or worker the time is spent under, and whether it is spent
waiting on the database or running Python.

py-spy is not a dependency of Inquiry: ``.venv/bin/pip install py-spy`` to use this.
"""
from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

# Leaf frames that mean "this thread is waiting on the database" (sending, waiting for the
# answer, or — on SQLite — sleeping in the busy handler for the write lock).
_DB_WAIT = re.compile(r"^(do_execute|do_commit|do_ping|do_rollback|Connection\.wait|BaseCursor\._execute_send|"
                      r"BaseConnection\._exec_command|wait_conn|wait|_execute_send|execute)$")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?):(?P<line>\d+)\)$")


def available() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


def record(pid: int, out: Path, *, subprocesses: bool) -> subprocess.Popen:
    argv = [available(), "record", "--idle", "--format", "raw", "--rate", "200", "-o", str(out), "--pid", str(pid)]
    if subprocesses:
        argv.append("--subprocesses")
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop(spies: list[subprocess.Popen]) -> None:
    for spy in spies:
        spy.send_signal(signal.SIGINT)
    for spy in spies:
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()


def _place(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    short = path.split("/inquiry/", 1)[-1] if "/inquiry/" in path else Path(path).name
    return f"{match['func']} ({short}:{match['line']})"


def _ours(frame: str) -> bool:
    match = _FRAME.match(frame)
    path = match["file"] if match else ""
    return (path.startswith("inquiry/") or "/inquiry/" in path) and "site-packages" not in path


# What the database driver is doing, told by the SQLAlchemy frames above it (first match wins).
_DOING = (("do_ping", "pool pre-ping"), ("_on_begin", "BEGIN IMMEDIATE"), ("_emit_update_statements", "flush UPDATE"),
          ("_emit_insert_statements", "flush INSERT"), ("do_release_savepoint", "RELEASE SAVEPOINT"),
          ("do_savepoint", "SAVEPOINT"), ("do_rollback_to_savepoint", "ROLLBACK TO SAVEPOINT"),
          ("DefaultDialect.do_commit", "COMMIT"), ("_flush", "flush"), ("do_execute", "query"),
          ("Connection.wait", "query"))


def _doing(stack: str) -> str:
    for marker, label in _DOING:
        if marker in stack:
            return f" → {label}"
    return ""


def summarize(paths: list[Path], root: str, *, top: int = 14) -> list[str]:
    """Samples of threads inside ``root``, grouped by the deepest Inquiry line on their stack."""
    by_line: collections.Counter = collections.Counter()
    waiting: collections.Counter = collections.Counter()
    total = 0
    for path in paths:
        if not path.exists():
            continue
        for row in path.read_text(errors="replace").splitlines():
            stack, _, count = row.rpartition(" ")
            frames = stack.split(";")
            if not count.isdigit() or not any(f.startswith(root + " ") for f in frames):
                continue
            n = int(count)
            total += n
            ours = [f for f in frames if _ours(f)]
            where = (_place(ours[-1]) if ours else "(outside Inquiry)") + _doing(stack)
            by_line[where] += n
            leaf = _FRAME.match(frames[-1])
            func = leaf["func"] if leaf else frames[-1]
            if _DB_WAIT.match(func) or _DB_WAIT.match(func.split(".")[-1]):
                waiting[where] += n
    if not total:
        return [f"  (no samples inside {root})"]
    lines = [f"  {total} samples of threads inside {root}; share of that time, by the deepest Inquiry line:"]
    for where, n in by_line.most_common(top):
        lines.append(f"  {n / total:6.1%}  {where:78} in the database driver {waiting[where] / n:4.0%}")
    db = sum(waiting.values())
    lines.append(f"  overall: {db / total:.0%} in the database driver (waiting for the server or a lock, or running"
                 f" SQLite), {1 - db / total:.0%} running Python")
    return lines
