"""Fixtures for the rule-and-lexicon detector tests (named apart from the root ``detector`` fixture)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lifeguard.detection.assessment import Assessment, TextInput
from lifeguard.detection.lexicon_detector import LexiconDetector
from lifeguard.detection.model.hybrid import HybridDetector
from lifeguard.detection.registry import default_detector

Assess = Callable[..., Assessment]


@pytest.fixture(scope="session")
def lexicon_detector() -> LexiconDetector:
    return default_detector()


@pytest.fixture(scope="session")
def assess_text(lexicon_detector: LexiconDetector) -> Assess:
    def _assess(text: str, kind: str = "message", lang: str | None = None) -> Assessment:
        return lexicon_detector.assess(TextInput(text=text, kind=kind, lang=lang))

    return _assess


@pytest.fixture(scope="session")
def production() -> HybridDetector:
    """The shipped hybrid, the default detector, without an optional second stage."""
    from lifeguard.detection.model import hybrid_detector

    return hybrid_detector("none")
