"""Business time arithmetic: weekends, holidays, daylight-saving changes, bad calendars."""
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from inquiry.errors import Invalid
from inquiry.sla import calendar as cal

UTC = dt.timezone.utc
WEEKDAYS_9_17 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_friday_afternoon_rolls_over_the_weekend():
    office = cal.validate("UTC", WEEKDAYS_9_17)
    friday_4pm = utc(2026, 11, 20, 16, 0)  # a Friday
    # 4 business hours: 1 h on Friday, 3 h on Monday.
    assert cal.add(office, friday_4pm, 4 * 3600) == utc(2026, 11, 23, 12, 0)
    assert cal.between(office, friday_4pm, utc(2026, 11, 23, 12, 0)) == 4 * 3600


def test_outside_hours_starts_at_the_next_opening():
    office = cal.validate("UTC", WEEKDAYS_9_17)
    saturday = utc(2026, 11, 21, 10, 0)
    assert cal.add(office, saturday, 60) == utc(2026, 11, 23, 9, 1)
    assert cal.between(office, saturday, utc(2026, 11, 22, 23, 0)) == 0


def test_holidays_are_skipped():
    office = cal.validate("UTC", WEEKDAYS_9_17, [dt.date(2026, 12, 25)])
    christmas_eve_4pm = utc(2026, 12, 24, 16, 0)  # Thursday; Friday 25th is a holiday
    assert cal.add(office, christmas_eve_4pm, 2 * 3600) == utc(2026, 12, 28, 10, 0)


def test_daylight_saving_change_in_the_calendar_timezone():
    # Europe/Paris leaves summer time on Sunday 25 October 2026: 09:00 local is 07:00 UTC on
    # Friday 23rd and 08:00 UTC on Monday 26th.
    paris = cal.validate("Europe/Paris", WEEKDAYS_9_17)
    friday_1630_local = utc(2026, 10, 23, 14, 30)
    assert cal.add(paris, friday_1630_local, 3600) == utc(2026, 10, 26, 8, 30)
    # A whole working day is still 8 hours on either side of the change.
    assert cal.between(paris, utc(2026, 10, 23, 0, 0), utc(2026, 10, 27, 0, 0)) == 16 * 3600


def test_round_the_clock_counts_every_second():
    start = utc(2026, 11, 21, 23, 0)
    assert cal.add(cal.ROUND_THE_CLOCK, start, 7200) == utc(2026, 11, 22, 1, 0)


@pytest.mark.parametrize("timezone,hours", [
    ("Mars/Olympus", WEEKDAYS_9_17),
    ("UTC", {"funday": [["09:00", "17:00"]]}),
    ("UTC", {"mon": [["17:00", "09:00"]]}),
    ("UTC", {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}),
    ("UTC", {"mon": [["nine", "five"]]}),
])
def test_bad_calendars_are_refused(timezone, hours):
    with pytest.raises(Invalid):
        cal.validate(timezone, hours)


def test_a_calendar_with_no_hours_cannot_schedule():
    with pytest.raises(Invalid):
        cal.add(cal.validate("UTC", {}), utc(2026, 1, 1), 60)


@given(start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)),
       seconds=st.integers(min_value=0, max_value=30 * 8 * 3600))
def test_add_and_between_agree(start, seconds):
    paris = cal.validate("Europe/Paris", WEEKDAYS_9_17, [dt.date(2026, 5, 1)])
    start = start.replace(tzinfo=UTC)
    end = cal.add(paris, start, seconds)
    assert end >= start
    assert cal.between(paris, start, end) == pytest.approx(seconds, abs=1e-3)
