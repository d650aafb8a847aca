"""An optional second stage that re-scores only what the fast first stage flags.

A platform may plug in something heavier (say an ONNX transformer it runs itself). Lifeguard never needs
one and never downloads one: the default does nothing. A second stage receives the flagged texts and the
first stage's calibrated "at or above" probabilities (n x 4: indicator, ideation, behavior, attempt) and
returns its own, same shape. It must not raise; if it does, the first stage's numbers are kept.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class SecondStage(Protocol):
    name: str

    def rescore(self, texts: list[str], at_or_above: np.ndarray) -> np.ndarray: ...


class NoSecondStage:
    """The default: keeps the first stage's probabilities."""

    name = "none"

    def rescore(self, texts: list[str], at_or_above: np.ndarray) -> np.ndarray:
        return at_or_above
