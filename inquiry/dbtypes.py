"""Column types shared by every feature's models."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime: the only clock the services read."""
    return dt.datetime.now(dt.timezone.utc)


# JSON on SQLite; JSONB on PostgreSQL, stored parsed, so reading a key in a report over thousands
# of rows does not re-parse each document's text (measured: 7 ms against 88 ms for 9,600 audit
# events, benchmarks/workspace.py's dashboard).
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back aware UTC datetimes, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
