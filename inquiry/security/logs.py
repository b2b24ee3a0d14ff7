"""Keep credentials out of third-party log lines.

Our own log calls name accounts and users by id, never a secret. The HTTP library is another
matter: at DEBUG, urllib3 logs every request line, and some platforms put the credential in the
URL (Telegram's ``/bot<token>/``, WeChat's ``?access_token=``). This filter rewrites those lines
before any handler sees them: query strings go, and a bot token in the path is masked.
"""
from __future__ import annotations

import logging
import re

# Loggers whose records carry request URLs or paths.
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")

_BOT_TOKEN = re.compile(r"/bot[^/?#\s]+")
_QUERY = re.compile(r"\?[^\s\"']*")


def redact_url(text: str) -> str:
    """``text`` with every query string reduced to ``?…`` and ``/bot<token>`` to ``/bot…``."""
    return _QUERY.sub("?…", _BOT_TOKEN.sub("/bot…", text))


class RedactUrls(logging.Filter):
    """Rewrites a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(arg) if isinstance(arg, str) else _redacted_repr(arg)
                                for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact_url(value) if isinstance(value, str) else value
                           for key, value in record.args.items()}
        return True


def _redacted_repr(value):
    """Objects whose repr shows a URL (urllib3's Retry history, exceptions) become that repr, redacted."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = repr(value)
    cleaned = redact_url(text)
    return cleaned if cleaned != text else value


def install() -> None:
    """Attach the filter once per process (create_app may run many times, e.g. in tests)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactUrls) for existing in logger.filters):
            logger.addFilter(RedactUrls())
