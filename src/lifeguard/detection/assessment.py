"""The contract between detection and the rest of Lifeguard.

A ``Detector`` reads one piece of text (with what kind of signal it came from and its language, when known)
and returns an ``Assessment``: the level, a score in [0, 1], the reasons and the character spans behind them.
Everything here is plain data so that it can be stored as JSON and shown on a case.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from lifeguard.detection.levels import Level


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``text[start:end]`` of the *original* text that drove a decision."""

    start: int
    end: int
    reason: str  # the rule id or lexicon entry this span supports


@dataclass(frozen=True, slots=True)
class TextInput:
    text: str
    kind: str = "message"  # message, post, comment, search, order, report
    lang: str | None = None  # BCP 47 hint from the platform: zh, en, hi, hi-Latn ... may be wrong or absent


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    score: float  # calibrated-ish confidence that the level is at least ``level`` (0..1)
    reasons: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    detector: str = "unknown"  # name and version of what made it, e.g. "lexicon-rules/1"
    support: bool = False  # the text is about or to someone else at risk, or offers support
    third_party_level: Level = Level.NONE  # the risk the text describes for someone else
    lang: str | None = None  # the language the detector settled on

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["level"] = self.level.value
        data["third_party_level"] = self.third_party_level.value
        data["reasons"] = list(self.reasons)
        data["spans"] = [asdict(span) for span in self.spans]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Assessment:
        return cls(
            level=Level(data["level"]),
            score=float(data["score"]),
            reasons=tuple(data.get("reasons", ())),
            spans=tuple(Span(**span) for span in data.get("spans", ())),
            detector=data.get("detector", "unknown"),
            support=bool(data.get("support", False)),
            third_party_level=Level(data.get("third_party_level", "none")),
            lang=data.get("lang"),
        )


NO_RISK = Assessment(level=Level.NONE, score=0.0, detector="none")

_new_object = object.__new__
_set_level, _set_score, _set_reasons, _set_spans, _set_detector, _set_support, _set_third, _set_lang = (
    getattr(Assessment, name).__set__
    for name in ("level", "score", "reasons", "spans", "detector", "support", "third_party_level", "lang")
)


def quick_assessment(
    level: Level, score: float, reasons: tuple[str, ...], spans: tuple[Span, ...], detector: str, lang: str | None
) -> Assessment:
    """``Assessment(level, score, reasons, spans, detector, lang=lang)``, built in half the time: a frozen
    dataclass's ``__init__`` goes through ``object.__setattr__`` once per field (2.3 against 1.2 us here),
    which a model scoring 50,000 messages a second per core pays for every message. The fields are set
    through their slots, which is what that ``__init__`` does; a test checks the two are equal."""
    made = _new_object(Assessment)
    _set_level(made, level)
    _set_score(made, score)
    _set_reasons(made, reasons)
    _set_spans(made, spans)
    _set_detector(made, detector)
    _set_support(made, False)
    _set_third(made, Level.NONE)
    _set_lang(made, lang)
    return made


@dataclass(frozen=True, slots=True)
class DetectorInfo:
    name: str
    version: str
    languages: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return f"{self.name}/{self.version}"


class Detector(Protocol):
    """Anything that scores text. Must never raise on any input string; must be safe to call from threads."""

    info: DetectorInfo

    def assess(self, item: TextInput) -> Assessment: ...

    def assess_many(self, items: list[TextInput]) -> list[Assessment]: ...
