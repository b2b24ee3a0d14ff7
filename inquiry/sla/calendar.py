"""Business time: adding and counting working seconds in a queue's calendar.

A calendar is a timezone, working hours per weekday (local wall-clock times) and holidays (local
dates). Times go in and out as aware UTC datetimes; each local day is turned into UTC with
zoneinfo, so a day that gains or loses an hour at a daylight-saving change counts right.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inquiry.errors import Invalid

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UTC = dt.timezone.utc
# Searching further than this for working time means the calendar has none (all days closed).
_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    timezone: str = "UTC"
    # weekday -> [(start "HH:MM", end "HH:MM"), …]; a missing or empty weekday is closed.
    hours: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()
    always_open: bool = False  # 24/7: every second counts

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


ROUND_THE_CLOCK = Calendar(always_open=True)


def _clock(text: str) -> dt.time:
    try:
        hours, minutes = text.split(":")
        if hours == "24" and minutes == "00":
            return dt.time.max
        return dt.time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise Invalid(f"{text!r} is not a time of day", fields={"hours": ["times as HH:MM"]}) from None


def validate(timezone: str, hours: dict, holidays=()) -> Calendar:
    """A Calendar from stored or typed values; Invalid (422) for anything that is not one."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise Invalid(f"unknown timezone {timezone!r}", fields={"timezone": ["an IANA timezone such as Europe/Lyon"]}) from None
    clean: dict[str, tuple[tuple[str, str], ...]] = {}
    for day, spans in (hours or {}).items():
        if day not in WEEKDAYS:
            raise Invalid(f"unknown weekday {day!r}", fields={"hours": [f"weekdays are {', '.join(WEEKDAYS)}"]})
        pairs = []
        for start, end in spans or ():
            if _clock(start) >= _clock(end):
                raise Invalid(f"{start}–{end} ends before it starts", fields={"hours": ["each span must end after it starts"]})
            pairs.append((start, end))
        pairs.sort()
        for (_, end), (start, _) in zip(pairs, pairs[1:]):
            if _clock(start) < _clock(end):
                raise Invalid(f"working hours overlap on {day}", fields={"hours": ["spans must not overlap"]})
        clean[day] = tuple(pairs)
    return Calendar(timezone=timezone, hours=clean, holidays=frozenset(holidays))


def _local_spans(calendar: Calendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The working spans of one local date, in UTC."""
    if day in calendar.holidays:
        return []
    spans = []
    zone = calendar.zone
    for start, end in calendar.hours.get(WEEKDAYS[day.weekday()], ()):
        begin = dt.datetime.combine(day, _clock(start), tzinfo=zone)
        close = _clock(end)
        finish = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone) if close == dt.time.max
                  else dt.datetime.combine(day, close, tzinfo=zone))
        spans.append((begin.astimezone(_UTC), finish.astimezone(_UTC)))
    return spans


def add(calendar: Calendar, start: dt.datetime, seconds: float) -> dt.datetime:
    """The moment ``seconds`` of working time after ``start``."""
    if calendar.always_open:
        return start + dt.timedelta(seconds=seconds)
    remaining = dt.timedelta(seconds=seconds)
    day = start.astimezone(calendar.zone).date()
    for _ in range(_MAX_DAYS):
        for begin, finish in _local_spans(calendar, day):
            if finish <= start:
                continue
            begin = max(begin, start)
            available = finish - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise Invalid("the calendar has no working hours", fields={"hours": ["open at least one day a week"]})


def between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> float:
    """Working seconds from ``start`` to ``end`` (0 if end is not after start)."""
    if end <= start:
        return 0.0
    if calendar.always_open:
        return (end - start).total_seconds()
    total = 0.0
    day = start.astimezone(calendar.zone).date()
    last = end.astimezone(calendar.zone).date()
    while day <= last:
        for begin, finish in _local_spans(calendar, day):
            lo, hi = max(begin, start), min(finish, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total
