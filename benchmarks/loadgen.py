"""The load generator: replays pre-built HTTP requests over C keep-alive connections.

Run as its own process by benchmarks/ingest.py: ``python loadgen.py JOB.pickle RESULT.json``.
JOB holds host, port (or ``ports``: several servers, connection k goes to ports[k % len]),
concurrency and the raw request bytes (each request sent exactly once, in order, by whichever
connection is free); RESULT gets each request's status, latency and the port that answered it,
the wall-clock time of the first send and the last answer, and the client's own CPU time.
Plain asyncio sockets (no HTTP library) so the client costs the 2 shared cores as little as it can.
"""
from __future__ import annotations

import asyncio
import json
import pickle
import resource
import sys
import time

TIMEOUT = 60.0  # seconds for one answer; a request that takes longer counts as an error


async def _connect(host: str, port: int):
    return await asyncio.open_connection(host, port)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, server closes the connection) of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, closes = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            closes = True
    if length:
        await reader.readexactly(length)
    return status, closes


async def _connection(host, port, requests, order, status, latency, served_by, marks):
    reader = writer = None
    for i in order:
        served_by[i] = port
        t0 = time.perf_counter()
        if marks["first"] is None:
            marks["first"] = time.time()
        try:
            if writer is None:
                reader, writer = await _connect(host, port)
            writer.write(requests[i])
            code, closes = await asyncio.wait_for(_read_response(reader), TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError):
            code, closes = 0, True
        latency[i] = time.perf_counter() - t0
        status[i] = code
        marks["last"] = time.time()
        if closes and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


class _Shared:
    """One ordered stream of request indexes that every connection takes its next request from."""

    def __init__(self, n: int):
        self._it = iter(range(n))

    def __iter__(self):
        return self

    def __next__(self) -> int:
        return next(self._it)


async def run(job: dict) -> dict:
    requests = job["requests"]
    n = len(requests)
    status, latency, served_by = [0] * n, [0.0] * n, [0] * n
    marks = {"first": None, "last": None}
    shared = _Shared(n)
    ports = job.get("ports") or [job["port"]]
    before = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(
        _connection(job["host"], ports[k % len(ports)], requests, shared, status, latency, served_by, marks)
        for k in range(job["concurrency"])
    ))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "first_send": marks["first"],
        "last_answer": marks["last"],
        "status": status,
        "latency": latency,
        "port": served_by,
        "client_cpu_s": usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime,
    }


def main() -> None:
    with open(sys.argv[1], "rb") as f:
        job = pickle.load(f)
    result = asyncio.run(run(job))
    with open(sys.argv[2], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
