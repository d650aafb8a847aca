"""Where the rest of Lifeguard gets a detector from, without knowing which one it is."""

from __future__ import annotations

from functools import lru_cache

from lifeguard.detection.lexicon_detector import LexiconDetector


@lru_cache(maxsize=1)
def default_detector() -> LexiconDetector:
    """The shared rule-and-lexicon detector. Compiled once per process (it is read-only, so threads share it)."""
    return LexiconDetector()
