"""Where the rest of Lifeguard gets a detector from, without knowing which one it is.

``rules`` (the default) is the rule-and-lexicon detector: precise on look-alikes (barbecue charcoal, recovery
stories, idioms) and the one the scenario suite is tuned on. ``hybrid`` adds the trained model's calibrated
probabilities (more recall on long forum posts, measured in docs/model.md) at the cost of false alarms on some
look-alikes; a platform chooses it with LIFEGUARD_DETECTOR=hybrid after checking it on its own data
(`lifeguard model eval` / `cv`)."""

from __future__ import annotations

from functools import lru_cache

from lifeguard.detection.assessment import Detector
from lifeguard.detection.lexicon_detector import LexiconDetector

DETECTORS = ("rules", "hybrid")


@lru_cache(maxsize=1)
def default_detector() -> LexiconDetector:
    """The shared rule-and-lexicon detector. Compiled once per process (it is read-only, so threads share it)."""
    return LexiconDetector()


@lru_cache(maxsize=2)
def detector_named(name: str) -> Detector:
    if name == "rules":
        return default_detector()
    if name == "hybrid":
        from lifeguard.detection.model import hybrid_detector

        return hybrid_detector()
    raise ValueError(f"unknown detector {name!r}; choose one of {', '.join(DETECTORS)}")
