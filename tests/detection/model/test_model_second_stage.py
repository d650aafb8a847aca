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


class ReadsChinese:
    """Changes the numbers of the Chinese texts it is given and returns the others' untouched, as a stage with a
    language gate does."""

    name = "reads-chinese"

    def rescore(self, texts: list[str], at_or_above: np.ndarray) -> np.ndarray:
        out = at_or_above.copy()
        for row, text in enumerate(texts):
            if any("\u4e00" <= char <= "\u9fff" for char in text):
                out[row] = np.minimum(1.0, out[row] + 0.01)
        return out


def test_scored_marks_the_texts_a_second_stage_read(tiny_model_dir: Path, tiny_model: RiskModel) -> None:
    texts = ["我想死", "i want to die i want to die", "where is my order"]
    assert [level > Level.NONE for level in tiny_model.predict(texts)] == [True, True, False]
    assert tiny_model.score_texts(texts).reread is None  # no stage: nothing to mark
    scored = RiskModel.load(tiny_model_dir, second_stage=ReadsChinese()).score_texts(texts)
    assert scored.reread is not None
    assert scored.reread.tolist() == [True, False, False]  # flagged and changed; flagged, untouched; not flagged
