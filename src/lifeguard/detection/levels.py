"""Risk levels, ordered, aligned with the C-SSRS and the public Reddit C-SSRS labels.

``support`` is not on the ladder: it is a flag on an assessment (text about or to someone else at risk,
or offering support), kept apart from the speaker's own risk.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    NONE = "none"
    INDICATOR = "indicator"  # distress, hopelessness
    IDEATION = "ideation"  # wish to die, suicidal thoughts
    BEHAVIOR = "behavior"  # plan, method, preparation, acquiring means, self-harm
    ATTEMPT = "attempt"  # in progress, imminent with a time or place, or a past attempt disclosed

    # Levels are compared many times for every message the hybrid reads: a rank is one dict lookup.
    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return _RANK[self] >= _RANK[other]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return _RANK[self] > _RANK[other]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return _RANK[self] <= _RANK[other]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return _RANK[self] < _RANK[other]

    @classmethod
    def parse(cls, value: str) -> Level:
        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(level.value for level in _ORDER)
            raise ValueError(f"unknown risk level {value!r}; expected one of {names}") from None


_ORDER: list[Level] = [Level.NONE, Level.INDICATOR, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT]
_RANK: dict[Level, int] = {level: rank for rank, level in enumerate(_ORDER)}

LEVELS: tuple[Level, ...] = tuple(_ORDER)


def highest(levels: list[Level] | tuple[Level, ...]) -> Level:
    return max(levels, key=lambda level: level.rank, default=Level.NONE)
