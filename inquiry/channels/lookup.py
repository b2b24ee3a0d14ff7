"""Finding the account a webhook URL names, on the hot path: a per-process copy of each account,
kept a few seconds, read outside any write transaction.

Changes made through the ORM in this process take effect at once (the copy is dropped on update);
other processes see them within ``TTL_SECONDS``.
"""
from __future__ import annotations

import threading
import time
from types import MappingProxyType, SimpleNamespace

from sqlalchemy import event, select

from inquiry.channels.models import ChannelAccount
from inquiry.extensions import db

TTL_SECONDS = 5.0
_COLUMNS = [column.key for column in ChannelAccount.__table__.columns]
_cache: dict[str, tuple[float, SimpleNamespace | None]] = {}
_lock = threading.Lock()


def account_by_key(key: str) -> SimpleNamespace | None:
    """A read-only copy of the account with webhook key ``key`` (None if there is none)."""
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    row = db.session.execute(select(ChannelAccount.__table__).where(ChannelAccount.key == key)).mappings().first()
    view = None
    if row is not None:
        values = {name: row[name] for name in _COLUMNS}
        values["options"] = MappingProxyType(dict(values.get("options") or {}))
        view = SimpleNamespace(**values)
    with _lock:
        _cache[key] = (now, view)
    return view


def forget(*keys: str | None) -> None:
    with _lock:
        for key in keys:
            _cache.pop(key, None)


@event.listens_for(ChannelAccount, "after_update")
@event.listens_for(ChannelAccount, "after_delete")
def _drop_copy(_mapper, _connection, target: ChannelAccount) -> None:
    from sqlalchemy import inspect

    history = inspect(target).attrs.key.history
    forget(target.key, *(history.deleted or ()))
