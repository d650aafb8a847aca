"""Case states and the legal moves between them, as data."""

from __future__ import annotations

from enum import StrEnum

from lifeguard.detection.levels import Level


class Status(StrEnum):
    OPEN = "open"
    TRIAGED = "triaged"
    IN_INTERVENTION = "in_intervention"
    REFERRED = "referred"
    RESOLVED = "resolved"
    MERGED = "merged"  # folded into another case of the same person; terminal


class Outcome(StrEnum):
    SAFE = "safe"
    DISSUADED = "dissuaded"
    RESCUED = "rescued"
    HOSPITALISED = "hospitalised"
    FALSE_ALARM = "false_alarm"
    UNREACHABLE = "unreachable"
    DECEASED = "deceased"


OPEN_STATUSES: frozenset[Status] = frozenset({Status.OPEN, Status.TRIAGED, Status.IN_INTERVENTION, Status.REFERRED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.TRIAGED, Status.IN_INTERVENTION, Status.REFERRED, Status.RESOLVED}),
    Status.TRIAGED: frozenset({Status.IN_INTERVENTION, Status.REFERRED, Status.RESOLVED}),
    Status.IN_INTERVENTION: frozenset({Status.TRIAGED, Status.REFERRED, Status.RESOLVED}),
    Status.REFERRED: frozenset({Status.IN_INTERVENTION, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN}),  # reopen
    Status.MERGED: frozenset(),
}

# Which level gives which priority (0 = P0, act now). Fusion over time refines this in its own module.
PRIORITY_BY_LEVEL: dict[Level, int] = {
    Level.ATTEMPT: 0,
    Level.BEHAVIOR: 1,
    Level.IDEATION: 2,
    Level.INDICATOR: 3,
    Level.NONE: 3,
}


def can_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]
