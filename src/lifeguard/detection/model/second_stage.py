"""An optional second stage that re-scores only what the fast first stage flags.

A platform may plug in something heavier (say an ONNX transformer it runs itself). The default does nothing;
the one Lifeguard knows, ``minilm`` (``second_stage_minilm``: English only, off unless
LIFEGUARD_SECOND_STAGE=minilm), reads an encoder the platform installs; Lifeguard never downloads one.
A second stage receives the flagged texts and the first stage's calibrated "at or above" probabilities
(n x 4: indicator, ideation, behavior, attempt) and returns its own, same shape. A stage whose ``rescore``
takes a ``langs`` keyword also receives the model's language guess of each text ("en", "zh", "hi",
"hi-Latn" or None); one without it is called as before. It must not raise; if it does, the first stage's
numbers are kept.
"""

from __future__ import annotations

import inspect
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


def accepts_langs(stage: object) -> bool:
    """Whether ``stage.rescore`` takes a ``langs`` keyword (or any keyword at all)."""
    try:
        parameters = inspect.signature(stage.rescore).parameters.values()  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return False
    return any(p.name == "langs" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


class ChainedSecondStage:
    """Several second stages in turn (e.g. ``minilm`` for English, then ``zh`` for Chinese): each receives the
    numbers the one before it returned. Its name and version join theirs with "+"."""

    def __init__(self, stages: list[SecondStage]) -> None:
        if not stages:
            raise ValueError("a chain needs at least one stage")
        self.stages = list(stages)
        self.name = "+".join(stage.name for stage in self.stages)
        self.version = "+".join(str(getattr(stage, "version", stage.name)) for stage in self.stages)

    def rescore(self, texts: list[str], at_or_above: np.ndarray, langs: list[str | None] | None = None) -> np.ndarray:
        out = at_or_above
        for stage in self.stages:
            if accepts_langs(stage):
                out = stage.rescore(texts, out, langs=langs)  # type: ignore[call-arg]
            else:
                out = stage.rescore(texts, out)
        return out
