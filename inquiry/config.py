"""Every setting, its default, and where it comes from.

Order: these defaults, then ``instance/config.py``, then ``INQUIRY_*`` environment variables,
then the ``test_config`` mapping given to the factory.
"""
from __future__ import annotations

import json
import os

# A setting's default, with one comment each. Environment variables override any of these as
# ``INQUIRY_<NAME>`` (``INQUIRY_DATABASE_URL`` maps to ``SQLALCHEMY_DATABASE_URI``).
DEFAULTS: dict[str, object] = {
    # Signs sessions and CSRF tokens. Never in the repository: the demo writes one into instance/.
    "SECRET_KEY": None,
    # SQLite in instance/ unless told otherwise; PostgreSQL: postgresql+psycopg://user@host/db
    "SQLALCHEMY_DATABASE_URI": None,
    # Reject bodies bigger than this anywhere (webhooks included): 5 MiB.
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    # The JSON API accepts at most this many bytes per request body.
    "API_MAX_BODY_BYTES": 256 * 1024,
    # Longest inbound or outbound message body, in characters (API, form, services).
    "MESSAGE_MAX_CHARS": 10_000,
    # A message to a ticket solved less than this many days ago reopens it; later, a new ticket.
    "REOPEN_WITHIN_DAYS": 7,
    # The address the platforms reach this desk at (e.g. https://desk.example.org), for webhook URLs.
    "PUBLIC_BASE_URL": "",
    # Webhooks: False acknowledges as soon as the delivery is stored and leaves threading and
    # classification to `inquiry worker` (fastest acknowledgement under load); True does them
    # before answering (no worker needed; each delivery takes longer).
    "INGEST_INLINE": False,
    # Outbound replies: attempts before the dead letter, and the back-off between them.
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_BACKOFF_SECONDS": 30,
    "OUTBOX_BACKOFF_MAX_SECONDS": 3600,
    # Seconds a worker holds an outbox item it is sending before another worker may retry it.
    "OUTBOX_LEASE_SECONDS": 120,
    # HTTP timeout (seconds) for platform APIs.
    "OUTBOUND_TIMEOUT": 10,
    # Polling connectors: seconds between polls of one account.
    "POLL_INTERVAL_SECONDS": 60,
    # Lists: default and largest page size.
    "PAGE_SIZE": 25,
    "PAGE_SIZE_MAX": 100,
    # How often the inbox refreshes itself and the ticket page reports presence (seconds).
    "WORKSPACE_REFRESH_SECONDS": 8,
    "WORKSPACE_HEARTBEAT_SECONDS": 5,
    # Bearer token Prometheus sends to scrape /metrics (None: only logged-in supervisors may read it).
    "METRICS_TOKEN": None,
    # Tickets solved or closed longer ago than this many days are anonymised (words, contact
    # details, raw deliveries); labels and timestamps stay for the reports. 0 keeps everything.
    "RETENTION_DAYS": 730,
    # How often the worker looks for tickets past the retention period (minutes).
    "RETENTION_SWEEP_MINUTES": 60,
    # How often the worker rebuilds yesterday's and today's cost ledger (minutes).
    "COSTS_LEDGER_MINUTES": 15,
    # Minutes an agent spends on a ticket, for the queue outlook until measured handle times exist.
    "SLA_HANDLE_MINUTES": 12,
    # The outlook uses a queue's measured handle time (mean over tickets solved in the last
    # SLA_HANDLE_DAYS) once at least SLA_HANDLE_MIN_TICKETS of them were measured.
    "SLA_HANDLE_DAYS": 14,
    "SLA_HANDLE_MIN_TICKETS": 20,
    # Surges (/reports/surges): the worker checks every SURGE_CHECK_MINUTES the first messages of
    # tickets opened in the last SURGE_WINDOW_MINUTES (the newest SURGE_MAX_MESSAGES at most) for
    # clusters of at least SURGE_MIN_SIZE near-identical ones (cosine of character n-grams ≥
    # SURGE_SIMILARITY) and flags those at least SURGE_BASELINE_RATIO times as many as the same
    # hours held on average over the previous SURGE_BASELINE_DAYS days. A surge quiet for less
    # than SURGE_RENOTIFY_HOURS that comes back is the same surge (no second notification).
    "SURGE_WINDOW_MINUTES": 120,
    "SURGE_MIN_SIZE": 10,
    "SURGE_SIMILARITY": 0.6,
    "SURGE_BASELINE_RATIO": 5.0,
    "SURGE_BASELINE_DAYS": 7,
    "SURGE_MAX_MESSAGES": 2000,
    "SURGE_CHECK_MINUTES": 5,
    "SURGE_RENOTIFY_HOURS": 24,
    # Staffing planner (`inquiry plan staffing`, /planning/): weeks of history behind the forecast;
    # paid time off the queue; the most of their time agents spend on contacts; the share of
    # contacts answered within a minute-level first-response target (Erlang); mean seconds a
    # waiting contact stays (0: Erlang C, else Erlang A); a full-timer's weekly hours; seats kept
    # filled in every covered hour of a queue (0: no floor).
    "PLANNING_WEEKS": 6,
    "PLANNING_SHRINKAGE": 0.30,
    "PLANNING_MAX_OCCUPANCY": 0.85,
    "PLANNING_SERVICE_LEVEL": 0.80,
    "PLANNING_PATIENCE_SECONDS": 0,
    "PLANNING_CONTRACTED_HOURS": 37.5,
    "PLANNING_COVERAGE_SEATS": 1,
    # Flask-Limiter storage: memory:// per process; redis://127.0.0.1:6379 when several workers.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Public form: submissions and status look-ups allowed per client address.
    "CONTACT_RATE_LIMIT": "5 per minute;30 per hour",
    "STATUS_RATE_LIMIT": "20 per minute",
    # How passwords are hashed (werkzeug method string). scrypt is the strong default.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Login: attempts per client address, and per account before a temporary lock.
    "LOGIN_RATE_LIMIT": "10 per minute",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    # True: supervisors and admins must set up two-factor log-in (/account/security) before anything else.
    "REQUIRE_TOTP_FOR_STAFF": False,
    # API tokens expire after this many days unless created with another lifetime (0 = never).
    "API_TOKEN_DAYS": 365,
    # Behind a reverse proxy, how many proxies to trust for the client address (0 = none).
    "PROXY_FIX_HOPS": 0,
    # Session cookie hardening. SECURE: None means "on in production, off otherwise".
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Flask-Login sends the "remember me" cookie without SameSite unless told.
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # "production" refuses to start without a SECRET_KEY; "development" and "testing" do not.
    "ENV": "production",
}

ENV_PREFIX = "INQUIRY_"
# Environment names that do not map one to one onto a setting name.
ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def _coerce(raw: str, default: object) -> object:
    """Environment values are strings; give them the type of the default they replace."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, (dict, list)):
        return json.loads(raw)
    return raw


def from_environment(environ: os._Environ | dict | None = None) -> dict[str, object]:
    """Settings given as ``INQUIRY_*`` environment variables."""
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):]
        name = ENV_ALIASES.get(name, name)
        found[name] = _coerce(raw, DEFAULTS.get(name))
    return found
