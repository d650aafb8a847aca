from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifeguard.clock import ShiftedClock


def test_a_shifted_clock_shows_the_asked_hour_and_then_runs_at_real_speed() -> None:
    clock = ShiftedClock.next_at(15, 0)
    shown = clock.now()
    assert (shown.hour, shown.minute) == (15, 0) and shown.tzinfo is UTC
    assert timedelta(0) <= clock.offset < timedelta(days=1)  # never back in time: signals sent now stay past
    later = clock.now()
    assert timedelta(0) <= later - shown < timedelta(seconds=5)


def test_a_shifted_clock_adds_its_offset_to_real_time() -> None:
    clock = ShiftedClock(timedelta(hours=3))
    difference = clock.now() - datetime.now(UTC)
    assert timedelta(hours=3) - timedelta(seconds=5) < difference <= timedelta(hours=3)
