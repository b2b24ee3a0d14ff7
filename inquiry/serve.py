"""``inquiry serve``: gunicorn in front of the factory, with workers sized to the machine."""
from __future__ import annotations

import multiprocessing

import click


def default_workers() -> int:
    """gunicorn's rule of thumb, capped: 2 × cores + 1, at most 8 per host."""
    return min(2 * multiprocessing.cpu_count() + 1, 8)


def run_gunicorn(app_factory, *, bind: str, workers: int, threads: int = 4, timeout: int = 30) -> None:
    """Serve the app made by ``app_factory`` (called once per worker, after fork)."""
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
                "worker_class": "gthread",
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return app_factory()

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
