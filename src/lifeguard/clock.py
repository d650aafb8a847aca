"""Time, injectable: UTC inside, aware always."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class ShiftedClock:
    """Real time moved by a fixed offset: a drill, a demo or a test that must happen at a given hour of the
    day runs at normal speed from there (timers, SLAs and leases all see the same shifted time)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    @classmethod
    def next_at(cls, hour: int, minute: int = 0) -> ShiftedClock:
        """A clock that shows ``hour:minute`` UTC now, on the next day that clock time comes (today or tomorrow)."""
        real = datetime.now(UTC)
        target = real.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target < real:
            target += timedelta(days=1)
        return cls(target - real)
