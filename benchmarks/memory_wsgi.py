"""``inquiry_wsgi:app`` plus one log line per process when the router (classifier model) loads.

For benchmarks/memory.py: ``inquiry.classifier.service`` logs "router <id> loaded" at INFO, which
no handler shows by default; here it goes to the gunicorn log with the worker's pid, so the
benchmark can tell which workers have the model in memory. Nothing else differs from
inquiry_wsgi.py.
"""
import logging
import sys

_handler = logging.StreamHandler(sys.stderr)
_handler.setFormatter(logging.Formatter("pid=%(process)d %(name)s: %(message)s"))
_log = logging.getLogger("inquiry.classifier.service")
_log.addHandler(_handler)
_log.setLevel(logging.INFO)

from inquiry_wsgi import app  # noqa: E402,F401
