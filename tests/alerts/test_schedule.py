"""The alert widens with time: 50 km at once, then 100 / 200 / 300 km after 1 / 2 / 3 hours, 500 km after 4."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.schedule import DEFAULT_SCHEDULE, WideningSchedule, parse_duration, radius_at, steps_due

from .builders import CST, T0


@pytest.mark.parametrize(
    ("elapsed", "radius"),
    [
        (timedelta(0), 50),
        (timedelta(minutes=59, seconds=59), 50),
        (timedelta(hours=1), 100),
        (timedelta(hours=1, minutes=30), 100),
        (timedelta(hours=2), 200),
        (timedelta(hours=3), 300),
        (timedelta(hours=3, minutes=59), 300),
        (timedelta(hours=4), 500),
        (timedelta(days=30), 500),
    ],
)
def test_default_radius_follows_the_published_steps(elapsed: timedelta, radius: float) -> None:
    assert radius_at(T0, T0 + elapsed) == radius


def test_time_zones_do_not_change_the_answer() -> None:
    assert radius_at(T0, (T0 + timedelta(hours=2)).astimezone(CST)) == 200


def test_a_reading_from_a_clock_slightly_behind_gets_the_first_radius() -> None:
    assert radius_at(T0, T0 - timedelta(seconds=3)) == 50
    assert steps_due(T0, T0 - timedelta(seconds=3), {0}) == []


def test_naive_times_are_refused() -> None:
    with pytest.raises(InvalidAlertInput, match="timezone-aware"):
        radius_at(T0, datetime(2026, 11, 23, 12, 0))  # noqa: DTZ001 - the point of the test


def test_steps_due_lists_what_is_not_done_yet() -> None:
    at = T0 + timedelta(hours=2, minutes=5)
    assert [s.radius_km for s in steps_due(T0, at, {0})] == [100, 200]  # the scheduler missed the 1 h step
    assert [s.radius_km for s in steps_due(T0, at, {0, 1, 2})] == []
    assert [s.index for s in steps_due(T0, T0 + timedelta(hours=9), {0, 1, 2})] == [3, 4]


def test_unknown_done_steps_are_an_error() -> None:
    with pytest.raises(InvalidAlertInput, match=r"done steps \[7\]"):
        steps_due(T0, T0, {7})


def test_next_wake_up() -> None:
    assert DEFAULT_SCHEDULE.next_step_at(T0, {0}) == T0 + timedelta(hours=1)
    assert DEFAULT_SCHEDULE.next_step_at(T0, {0, 1, 2, 3, 4}) is None
    assert DEFAULT_SCHEDULE.max_radius_km == 500


@pytest.mark.parametrize(
    ("pairs", "words"),
    [
        ([], "at least one step"),
        ([("1h", 100)], "first step must start at publication"),
        ([("0h", 0)], "greater than 0 km"),
        ([("0h", -5)], "greater than 0 km"),
        ([("0h", 50), ("1h", 20_001)], "half the planet"),
        ([("0h", 50), ("1h", float("inf"))], "finite"),
        ([("0h", 100), ("1h", 100)], "radius must increase"),
        ([("0h", 100), ("1h", 80)], "radius must increase"),
        ([("0h", 50), ("2h", 100), ("1h", 200)], "times must increase"),
        ([("0h", 50), ("1h", 100), ("1h", 200)], "times must increase"),
    ],
)
def test_bad_schedules_are_refused_with_a_clear_reason(pairs: list[tuple[str, float]], words: str) -> None:
    with pytest.raises(InvalidAlertInput, match=words):
        WideningSchedule.from_pairs(pairs)


def test_a_schedule_from_configuration() -> None:
    schedule = WideningSchedule.parse(
        [{"after": "0h", "radius_km": 5}, {"after": "30m", "radius_km": 20}, {"after": "1h30m", "radius_km": 60}]
    )
    assert schedule.radius_at(T0, T0 + timedelta(minutes=45)) == 20
    assert schedule.radius_at(T0, T0 + timedelta(minutes=90)) == 60
    with pytest.raises(InvalidAlertInput, match="exactly 'after' and 'radius_km'"):
        WideningSchedule.parse([{"after": "0h", "radius": 5}])
    with pytest.raises(InvalidAlertInput, match="must be a number"):
        WideningSchedule.parse([{"after": "0h", "radius_km": "5"}])


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "-1h", "1.5h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InvalidAlertInput, match="duration"):
        parse_duration(text)


def test_durations() -> None:
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(timedelta(hours=3)) == timedelta(hours=3)
