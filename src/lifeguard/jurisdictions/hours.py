"""When a unit or one of its channels takes referrals: always, or weekly ranges in the unit's own time zone.

A unit's e-mail inbox read 09:00-18:00 is no use at 23:00; routing skips what is closed at the moment asked and
falls back to the next unit (in the end a 24/7 emergency line). Ranges that end before they start run past
midnight ("22:00-06:00" on Friday covers Saturday 03:00).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24/7"
_RANGE = re.compile(r"^(?P<days>[a-z,\-]+)\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$")


@dataclass(frozen=True, slots=True)
class Window:
    day: int  # 0 Monday .. 6 Sunday: the day the window starts on
    start: int  # minutes after midnight
    end: int  # minutes after midnight, 1..1440; not after ``start`` means it runs into the next day


@dataclass(frozen=True, slots=True)
class Hours:
    timezone: str | None  # None for 24/7
    windows: tuple[Window, ...] = ()

    @property
    def always(self) -> bool:
        return self.timezone is None

    def is_open(self, at: dt.datetime) -> bool:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("opening hours need an aware datetime (UTC inside Lifeguard)")
        if self.always:
            return True
        assert self.timezone is not None
        local = at.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        today, yesterday = local.weekday(), (local.weekday() - 1) % 7
        for window in self.windows:
            overnight = window.end <= window.start
            if window.day == today and window.start <= minute < (1440 if overnight else window.end):
                return True
            if overnight and window.day == yesterday and minute < window.end:
                return True
        return False

    def describe(self) -> str:
        if self.always:
            return ALWAYS
        spans = ", ".join(
            f"{DAYS[w.day]} {w.start // 60:02d}:{w.start % 60:02d}-{w.end // 60:02d}:{w.end % 60:02d}"
            for w in self.windows
        )
        return f"{spans} ({self.timezone})"


ALWAYS_OPEN = Hours(timezone=None)


def parse_hours(raw: object) -> Hours:
    """``"24/7"`` or ``{timezone: Area/City, ranges: ["mon-fri 09:00-18:00", ...]}``; ``ValueError`` says what."""
    if raw == ALWAYS:
        return ALWAYS_OPEN
    if not isinstance(raw, dict) or set(raw) != {"timezone", "ranges"}:
        raise ValueError('hours are "24/7" or a mapping with exactly timezone and ranges')
    timezone = raw["timezone"]
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone {timezone!r} is not an IANA time zone such as Asia/Shanghai") from None
    ranges = raw["ranges"]
    if not isinstance(ranges, list) or not ranges:
        raise ValueError("ranges must be a non-empty list such as ['mon-fri 09:00-18:00']")
    windows: list[Window] = []
    for index, text in enumerate(ranges):
        match = _RANGE.match(str(text).strip().lower())
        if not match:
            raise ValueError(f"ranges[{index}]: {text!r} is not 'DAYS HH:MM-HH:MM' (e.g. 'mon-fri 09:00-18:00')")
        start, end = _minutes(match["start"], index), _minutes(match["end"], index)
        if start == 1440:
            raise ValueError(f"ranges[{index}]: a window cannot start at 24:00")
        if start == end:
            raise ValueError(f"ranges[{index}]: start and end are equal; write 00:00-24:00 for a whole day")
        windows.extend(Window(day, start, end) for day in _days(match["days"], index))
    return Hours(timezone=str(timezone), windows=tuple(windows))


def _minutes(text: str, index: int) -> int:
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"ranges[{index}]: {text} is not a time of day")
    return hours * 60 + minutes


def _days(text: str, index: int) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"ranges[{index}]: {part!r} is not a day or a day range of {', '.join(DAYS)}")
        start = DAYS.index(first)
        stop = DAYS.index(last) if last else start
        span = (stop - start) % 7
        days.extend((start + step) % 7 for step in range(span + 1))
    return days
