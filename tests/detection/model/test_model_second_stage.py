"""The optional second stage: only flagged texts reach it, and it can never break the first stage."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model import NoSecondStage, SecondStage
from lifeguard.detection.model.model import RiskModel


class Recording:
    name = "recording"

    def __init__(self, result: str = "zero") -> None:
        self.seen: list[str] = []
        self.result = result

    def rescore(self, texts: list[str], at_or_above: np.ndarray) -> np.ndarray:
        self.seen.extend(texts)
        if self.result == "raise":
            raise RuntimeError("model server down")
        if self.result == "bad":
            return np.zeros((1, 1))
        return np.zeros_like(at_or_above)


def test_protocol_and_default() -> None:
    assert isinstance(NoSecondStage(), SecondStage)
    assert isinstance(Recording(), SecondStage)


def test_second_stage_sees_only_flagged_texts_and_can_clear_them(tiny_model_dir: Path) -> None:
    stage = Recording()
    model = RiskModel.load(tiny_model_dir, second_stage=stage)
    results = model.assess_many([TextInput("我想死"), TextInput("where is my order")])
    assert stage.seen == ["我想死"]
    assert results[0].level is Level.NONE and results[1].level is Level.NONE


def test_failing_or_malformed_second_stage_keeps_the_first_stage(tiny_model_dir: Path, tiny_model: RiskModel) -> None:
    for mode in ("raise", "bad"):
        model = RiskModel.load(tiny_model_dir, second_stage=Recording(mode))
        assert model.predict(["我想死"]) == tiny_model.predict(["我想死"])
