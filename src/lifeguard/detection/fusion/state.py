"""A person's fused risk state: compact, bounded, JSON-serialisable.

Only what a later signal or the clock can still use is kept: the newest evidence at each level, the means at
hand per kind, the last time and place named, look-alike contexts, a few reporters, a few word sets for linking
products named in words. Everything is pruned relative to the newest observation (not the wall clock), so that
folding the same observations always gives the same state. A typical state is well under 2 KB of JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lifeguard.detection.fusion.policy import Policy
from lifeguard.detection.levels import Level
from lifeguard.detection.products.catalogue import Strength

STATE_VERSION = 1
RISK_LEVELS: tuple[Level, ...] = (Level.INDICATOR, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT)


@dataclass(slots=True)
class Evidence:
    """The newest piece of evidence at one level: when, which signals, why."""

    at: int
    ids: tuple[str, ...]
    reasons: tuple[str, ...]
    score: float

    def to_json(self) -> list[Any]:
        return [self.at, list(self.ids), list(self.reasons), self.score]

    @classmethod
    def from_json(cls, data: list[Any]) -> Evidence:
        return cls(int(data[0]), tuple(data[1]), tuple(data[2]), float(data[3]))


@dataclass(slots=True)
class MeansHeld:
    """One kind of means the person bought or sought: the newest acquisition and its strength."""

    at: int
    sid: str
    entry: str
    strength: int  # after quantity, repeats and pairs; ordinary context is applied when read
    orders: list[tuple[int, str]]  # (at, order key) of recent distinct orders, for "repeated attempts"
    pairs: tuple[tuple[str, int, float], ...]
    reasons: tuple[str, ...]

    def to_json(self) -> list[Any]:
        return [
            self.at, self.sid, self.entry, self.strength, [list(o) for o in self.orders],
            [list(p) for p in self.pairs], list(self.reasons),
        ]  # fmt: skip

    @classmethod
    def from_json(cls, data: list[Any]) -> MeansHeld:
        return cls(
            int(data[0]), str(data[1]), str(data[2]), int(data[3]), [(int(a), str(k)) for a, k in data[4]],
            tuple((str(p[0]), int(p[1]), float(p[2])) for p in data[5]), tuple(data[6]),
        )  # fmt: skip


@dataclass(slots=True)
class Cue:
    """A time or place the person (or a reporter) named. For times, ``start``/``end`` are absolute epoch seconds."""

    at: int
    sid: str
    phrase: str
    kind: str = ""  # place kind (height, water, rail, closed_room); "time" for times
    start: int = 0
    end: int = 0

    def to_json(self) -> list[Any]:
        return [self.at, self.sid, self.phrase, self.kind, self.start, self.end]

    @classmethod
    def from_json(cls, data: list[Any]) -> Cue:
        return cls(int(data[0]), str(data[1]), str(data[2]), str(data[3]), int(data[4]), int(data[5]))


@dataclass(slots=True)
class ReporterMark:
    kind: str
    level: Level  # the highest level this reporter claimed within the window
    weight: float
    at: int
    sid: str
    counted: bool  # counts towards independent confirmation (false when it came in a flood)

    def to_json(self) -> list[Any]:
        return [self.kind, self.level.value, self.weight, self.at, self.sid, self.counted]

    @classmethod
    def from_json(cls, data: list[Any]) -> ReporterMark:
        return cls(str(data[0]), Level(data[1]), float(data[2]), int(data[3]), str(data[4]), bool(data[5]))


@dataclass(slots=True)
class SubjectRisk:
    latest: int = 0  # the newest observation time folded in
    count: int = 0  # observations folded in
    levels: dict[Level, Evidence] = field(default_factory=dict)
    means: dict[str, MeansHeld] = field(default_factory=dict)
    named: dict[str, tuple[int, str]] = field(default_factory=dict)  # means kinds named in words
    time: Cue | None = None
    place: Cue | None = None
    contexts: dict[str, tuple[int, str]] = field(default_factory=dict)
    reporters: dict[str, ReporterMark] = field(default_factory=dict)
    report_times: list[int] = field(default_factory=list)
    word_tokens: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    order_tokens: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"v": STATE_VERSION, "latest": self.latest, "n": self.count}
        if self.levels:
            data["lv"] = {level.value: evidence.to_json() for level, evidence in self.levels.items()}
        if self.means:
            data["mn"] = {kind: held.to_json() for kind, held in self.means.items()}
        if self.named:
            data["nm"] = {kind: list(mark) for kind, mark in self.named.items()}
        if self.time is not None:
            data["tc"] = self.time.to_json()
        if self.place is not None:
            data["pc"] = self.place.to_json()
        if self.contexts:
            data["cx"] = {name: list(mark) for name, mark in self.contexts.items()}
        if self.reporters:
            data["rp"] = {key: mark.to_json() for key, mark in self.reporters.items()}
        if self.report_times:
            data["rt"] = list(self.report_times)
        if self.word_tokens:
            data["wt"] = [[at, sid, list(tokens)] for at, sid, tokens in self.word_tokens]
        if self.order_tokens:
            data["ot"] = [[at, sid, list(tokens)] for at, sid, tokens in self.order_tokens]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubjectRisk:
        version = data.get("v")
        if version != STATE_VERSION:
            raise ValueError(f"subject risk state version {version!r} is not {STATE_VERSION}; replay the signals")
        return cls(
            latest=int(data.get("latest", 0)),
            count=int(data.get("n", 0)),
            levels={Level(key): Evidence.from_json(value) for key, value in data.get("lv", {}).items()},
            means={key: MeansHeld.from_json(value) for key, value in data.get("mn", {}).items()},
            named={key: (int(value[0]), str(value[1])) for key, value in data.get("nm", {}).items()},
            time=Cue.from_json(data["tc"]) if data.get("tc") else None,
            place=Cue.from_json(data["pc"]) if data.get("pc") else None,
            contexts={key: (int(value[0]), str(value[1])) for key, value in data.get("cx", {}).items()},
            reporters={key: ReporterMark.from_json(value) for key, value in data.get("rp", {}).items()},
            report_times=[int(value) for value in data.get("rt", [])],
            word_tokens=[(int(a), str(s), tuple(t)) for a, s, t in data.get("wt", [])],
            order_tokens=[(int(a), str(s), tuple(t)) for a, s, t in data.get("ot", [])],
        )


def effective_strength(state: SubjectRisk, kind: str, held: MeansHeld, policy: Policy) -> int:
    """Held strength, one step lower when an ordinary use of it was mentioned close by (orchard, barbecue)."""
    mark = state.contexts.get(f"ordinary:{kind}")
    if mark is not None and abs(held.at - mark[0]) <= policy.window("ordinary_context"):
        return int(Strength(held.strength).step(-1))
    return held.strength
