"""The trained multilingual risk model (hashed n-grams, ordinal logistic heads, calibrated) and the hybrid
detector that combines it with the rule-and-lexicon detector. Inference needs numpy only.

- ``load_model()``: the model shipped in ``shipped/`` (cached per process);
- ``hybrid_detector()``: the shipped model plus the lexicon rules, the production ``Detector``;
- ``RiskModel``, ``HybridDetector``, ``SecondStage`` for the rest.

See docs/model.md for data, training, measured figures and limits.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from lifeguard.detection.model.second_stage import NoSecondStage, SecondStage

if TYPE_CHECKING:
    from lifeguard.detection.model.hybrid import HybridDetector
    from lifeguard.detection.model.model import RiskModel

__all__ = ["NoSecondStage", "SecondStage", "hybrid_detector", "load_model"]


@lru_cache(maxsize=1)
def load_model() -> RiskModel:
    """The shipped model, loaded once per process (read-only, shared by threads)."""
    from lifeguard.detection.model.model import RiskModel

    return RiskModel.load()


def hybrid_detector() -> HybridDetector:
    """The shipped model combined with the rule-and-lexicon detector."""
    from lifeguard.detection.lexicon_detector import LexiconDetector
    from lifeguard.detection.model.hybrid import HybridDetector

    return HybridDetector(load_model(), LexiconDetector())
