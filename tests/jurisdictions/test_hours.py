"""Opening hours of units and channels: 24/7, weekly ranges in the unit's time zone, overnight windows."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeguard.jurisdictions.hours import ALWAYS_OPEN, parse_hours

UTC = dt.UTC


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_always_open() -> None:
    assert parse_hours("24/7") is ALWAYS_OPEN
    assert ALWAYS_OPEN.is_open(dt.datetime(2026, 11, 21, 3, 0, tzinfo=UTC))


def test_office_hours_in_the_units_time_zone() -> None:
    hours = parse_hours({"timezone": "Asia/Shanghai", "ranges": ["mon-fri 09:00-18:00"]})
    assert hours.is_open(_at("2026-11-23T10:00:00+08:00"))  # Monday
    assert hours.is_open(_at("2026-11-23T01:30:00+00:00"))  # Monday 09:30 in Shanghai
    assert not hours.is_open(_at("2026-11-23T18:00:00+08:00"))  # the end is exclusive
    assert not hours.is_open(_at("2026-11-22T10:00:00+08:00"))  # Sunday
    assert "mon 09:00-18:00" in hours.describe() and "Asia/Shanghai" in hours.describe()


def test_an_overnight_window_runs_into_the_next_day() -> None:
    hours = parse_hours({"timezone": "Asia/Kolkata", "ranges": ["fri 22:00-06:00", "sat,sun 00:00-24:00"]})
    assert hours.is_open(_at("2026-11-27T23:00:00+05:30"))  # Friday night
    assert hours.is_open(_at("2026-11-28T05:59:00+05:30"))  # Saturday early morning (and Saturday anyway)
    assert hours.is_open(_at("2026-11-29T23:59:00+05:30"))  # Sunday
    assert not hours.is_open(_at("2026-11-30T05:00:00+05:30"))  # Monday: Sunday has no overnight window
    assert not hours.is_open(_at("2026-11-27T21:59:00+05:30"))


def test_day_ranges_may_wrap_the_week() -> None:
    hours = parse_hours({"timezone": "UTC", "ranges": ["sat-mon 10:00-12:00"]})
    open_days = {day for day in range(21, 28) if hours.is_open(dt.datetime(2026, 11, day, 11, tzinfo=UTC))}
    assert open_days == {21, 22, 23}  # Saturday, Sunday, Monday


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_hours({"timezone": "UTC", "ranges": ["mon 09:00-10:00"]}).is_open(dt.datetime(2026, 11, 23, 9))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("always", "24/7"),
        ({"timezone": "Mars/Olympus", "ranges": ["mon 09:00-10:00"]}, "IANA"),
        ({"timezone": "UTC", "ranges": []}, "non-empty"),
        ({"timezone": "UTC", "ranges": ["weekdays 09:00-10:00"]}, "not a day"),
        ({"timezone": "UTC", "ranges": ["mon 9-10"]}, "DAYS HH:MM-HH:MM"),
        ({"timezone": "UTC", "ranges": ["mon 09:00-25:00"]}, "not a time of day"),
        ({"timezone": "UTC", "ranges": ["mon 09:00-09:00"]}, "equal"),
        ({"timezone": "UTC", "ranges": ["mon 24:00-06:00"]}, "cannot start at 24:00"),
        ({"timezone": "UTC"}, "exactly timezone and ranges"),
    ],
)
def test_malformed_hours_are_refused(raw: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_hours(raw)
