"""SLA targets per priority (first response, next response, resolution)."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask import current_app


class Targets(NamedTuple):
    first_response: dt.timedelta
    next_response: dt.timedelta
    resolution: dt.timedelta


_H = dt.timedelta(hours=1)
# The organisation's defaults; every one is counted round the clock for now.
DEFAULT_TARGETS: dict[str, Targets] = {
    "urgent": Targets(dt.timedelta(minutes=15), dt.timedelta(minutes=15), 4 * _H),
    "high": Targets(_H, _H, 24 * _H),
    "normal": Targets(4 * _H, 4 * _H, 72 * _H),
    "low": Targets(24 * _H, 24 * _H, 7 * 24 * _H),
}


def targets_for(ticket) -> Targets:
    """The targets the ticket is held to; SLA_TARGETS in config ({priority: [minutes×3]}) overrides."""
    configured = current_app.config.get("SLA_TARGETS") or {}
    minutes = configured.get(ticket.priority)
    if minutes:
        return Targets(*(dt.timedelta(minutes=m) for m in minutes))
    return DEFAULT_TARGETS.get(ticket.priority, DEFAULT_TARGETS["normal"])
