"""``inquiry serve``: gunicorn in front of the factory, with workers sized to the machine."""
from __future__ import annotations

import multiprocessing
import socket
import time

import click
from werkzeug.exceptions import RequestTimeout


# gunicorn's default access line, with the path instead of the request line: query strings may
# carry a credential (Meta's hub.verify_token handshake), so they never reach the access log.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'


# Seconds a request may take to send its whole body once it reaches the app: a client that
# stalls or dribbles gets 408 and its connection closed, and frees its thread. gthread workers
# read bodies in their threads on blocking sockets and gunicorn has no setting that bounds that,
# so a few stalled uploads would hold every thread for ever.
REQUEST_BODY_TIMEOUT = 30


class _BodyDeadline:
    """``wsgi.input`` that raises RequestTimeout (408) once the request's body deadline passes."""

    def __init__(self, stream, sock: socket.socket, deadline: float):
        self._stream, self._sock, self._deadline = stream, sock, deadline

    def _call(self, method, *args):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise RequestTimeout("the request body did not arrive in time")
        self._sock.settimeout(remaining)
        try:
            return getattr(self._stream, method)(*args)
        except (socket.timeout, TimeoutError):
            raise RequestTimeout("the request body did not arrive in time") from None

    def read(self, *args):
        return self._call("read", *args)

    def readline(self, *args):
        return self._call("readline", *args)

    def readlines(self, *args):
        return self._call("readlines", *args)

    def __iter__(self):
        return iter(self.readline, b"")


def bounded_bodies(app, seconds: float):
    """WSGI middleware: under gunicorn, the body must arrive within ``seconds`` of the request
    reaching the app. The answer is written as gunicorn writes it (no limit: a large CSV export to
    a slow but honest reader must not be cut)."""

    def wrapped(environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is None or not seconds:
            return app(environ, start_response)
        environ["wsgi.input"] = _BodyDeadline(environ["wsgi.input"], sock, time.monotonic() + seconds)

        def start(status, headers, exc_info=None):
            sock.settimeout(None)  # the body is done (or refused): back to gunicorn's blocking writes
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wrapped


def default_workers() -> int:
    """gunicorn's rule of thumb, capped: 2 × cores + 1, at most 8 per host."""
    return min(2 * multiprocessing.cpu_count() + 1, 8)


def run_gunicorn(app_factory, *, bind: str, workers: int, threads: int = 4, timeout: int = 30,
                 body_timeout: float = REQUEST_BODY_TIMEOUT) -> None:
    """Serve the app made by ``app_factory`` (called once per worker, after fork), each request's
    body bounded by ``body_timeout`` seconds (see ``bounded_bodies``)."""
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "timeout": timeout,
                "graceful_timeout": timeout,
                "accesslog": "-",
                "access_log_format": ACCESS_LOG_FORMAT,
                "worker_class": "gthread",
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return bounded_bodies(app_factory(), body_timeout)

    _App().run()


@click.command("serve", help="Run Inquiry under gunicorn (production).")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", type=int, default=None, help="Default: 2 × cores + 1, at most 8.")
@click.option("--threads", type=int, default=4, show_default=True)
def serve_command(bind, workers, threads):
    from inquiry import create_app

    from inquiry.classifier.cli import ensure_model

    app = create_app()  # fail here, in the parent, on a bad configuration (e.g. no secret key)
    ensure_model(app.instance_path)  # a fresh install trains its first router before serving
    run_gunicorn(create_app, bind=bind, workers=workers or default_workers(), threads=threads)
