"""The model's label space: the ordinal ladder, its "at or above" heads, and the SOS-4K 0-10 scale.

The model has one binary head per rung above ``none``: P(level >= indicator), P(>= ideation),
P(>= behavior), P(>= attempt). A training text only teaches the heads its label speaks about: a
r/SuicideWatch post says "at or above ideation" but nothing about behavior, so its behavior and attempt
targets are unknown (``UNKNOWN``) and it does not train those heads.
"""

from __future__ import annotations

from lifeguard.detection.levels import LEVELS, Level

UNKNOWN = -1
HEAD_LEVELS: tuple[Level, ...] = LEVELS[1:]  # indicator, ideation, behavior, attempt
N_HEADS = len(HEAD_LEVELS)
N_LEVELS = len(LEVELS)
LEVEL_NAMES: tuple[str, ...] = tuple(level.value for level in LEVELS)
SOS_CLASSES = 11

Targets = tuple[int, int, int, int]


def targets_for_level(level: Level) -> Targets:
    """Every head is known for an exactly labelled text."""
    rank = level.rank
    ind, ide, beh, att = (int(rank >= head.rank) for head in HEAD_LEVELS)
    return (ind, ide, beh, att)


def level_from_sos(label: int) -> Level:
    """SOS-4K's 0-10 urgency scale on the C-SSRS-like ladder (its README: 0-3 no intent, 4-5 ideation,
    6-9 plan or method, 10 possibly in progress). 0 is "only everyday negative mood": none."""
    if label <= 0:
        return Level.NONE
    if label <= 3:
        return Level.INDICATOR
    if label <= 5:
        return Level.IDEATION
    if label <= 9:
        return Level.BEHAVIOR
    return Level.ATTEMPT


def parse_level(value: str) -> Level:
    """A level name; ``support`` (text about someone else) counts as ``none`` for the writer's own risk."""
    cleaned = value.strip().lower()
    if cleaned in ("support", "supportive"):
        return Level.NONE
    return Level.parse(cleaned)
