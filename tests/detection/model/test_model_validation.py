"""Out-of-fold validation of the training part (``lifeguard model validate``) on the tiny synthetic sets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from lifeguard.detection.assessment import Assessment, DetectorInfo, TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model import validation
from lifeguard.detection.model.cli import model_app
from lifeguard.detection.model.datasets import Corpus, Example, load_corpus
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.model.seeds import SEED_DATASET
from lifeguard.detection.model.train import TrainConfig
from lifeguard.detection.model.validation import figures, fold_of, out_of_fold


class EverythingIsIdeation:
    """A detector whose levels are known, to tell them apart from the fold model's own."""

    info = DetectorInfo(name="constant", version="1", languages=("en", "zh"))

    def assess(self, item: TextInput) -> Assessment:
        return Assessment(level=Level.IDEATION, score=0.5)

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        return [self.assess(item) for item in items]


class Recording(EverythingIsIdeation):
    def __init__(self) -> None:
        self.read: list[str] = []

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        self.read.extend(item.text for item in items)
        return super().assess_many(items)


def test_every_training_text_is_read_once_by_a_model_that_did_not_train_on_it(
    synthetic_data: Path, tiny_config: TrainConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = load_corpus(synthetic_data, seed=0)
    trained_on: list[set[str]] = []
    readers: list[Recording] = []
    real_train = validation.train

    def spy_train(part: Corpus, *args: Any, **kwargs: Any) -> Any:
        trained_on.append({example.text for example in part.train})
        return real_train(part, *args, **kwargs)

    def detector(model: RiskModel) -> Recording:
        readers.append(Recording())
        return readers[-1]

    monkeypatch.setattr(validation, "train", spy_train)
    read = out_of_fold(corpus, detector, folds=2, seed=0, config=tiny_config)
    expected = [example for example in corpus.train if example.dataset != SEED_DATASET]
    seed_texts = {example.text for example in corpus.train if example.dataset == SEED_DATASET}
    assert Counter(example.text for example in read.examples) == Counter(example.text for example in expected)
    assert len(trained_on) == len(readers) == 2
    for trained, reader in zip(trained_on, readers, strict=True):
        # no fold model reads a text it trained on, but for the seed phrases, which train every fold ("不想活了"
        # is both a seed phrase and a synthetic SOS-4K comment)
        assert reader.read and not set(reader.read) & (trained - seed_texts)
    assert sum(len(reader.read) for reader in readers) == len(expected)
    assert (read.detector_ranks == Level.IDEATION.rank).all()
    assert read.model_ranks.shape == (len(expected),)


def test_a_dialogue_stays_in_one_fold() -> None:
    turns = [Example(f"turn {i}", "en", "benign-ecd-taobao-sample-zh", (0, 0, 0, 0), group="conv-7") for i in range(20)]
    assert len({fold_of(turn, 5, 0) for turn in turns}) == 1
    loose = [Example(f"turn {i}", "en", "benign-banking77-en", (0, 0, 0, 0)) for i in range(40)]
    assert len({fold_of(text, 5, 0) for text in loose}) > 1


def test_figures_count_false_alarms_and_each_sets_f1() -> None:
    examples = [
        Example("a", "en", "sdcnl-train-en", (1, 1, -1, -1), binary=1),
        Example("b", "en", "sdcnl-train-en", (1, 0, -1, -1), binary=0),
        Example("c", "en", "benign-banking77-en", (0, 0, 0, 0)),
        Example("d", "en", "benign-banking77-en", (0, 0, 0, 0)),
    ]
    result = figures(examples, np.array([Level.IDEATION.rank, Level.IDEATION.rank, Level.IDEATION.rank, 0]))
    assert result["false_alarms"] == {"flagged": 1, "n": 2}
    sdcnl = result["binary_f1_at_ideation"]["sdcnl-train-en"]
    assert (sdcnl["precision"], sdcnl["recall"]) == (0.5, 1.0)


def test_too_few_texts_for_the_folds_is_a_clear_error(synthetic_data: Path, tiny_config: TrainConfig) -> None:
    corpus = load_corpus(synthetic_data, seed=0)
    with pytest.raises(ValueError, match="at least two folds"):
        out_of_fold(corpus, lambda model: EverythingIsIdeation(), folds=1, config=tiny_config)


def test_validate_prints_the_model_and_the_hybrid_out_of_fold(synthetic_data: Path) -> None:
    result = CliRunner().invoke(model_app, ["validate", "--data-dir", str(synthetic_data), "--folds", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["folds"] == 2 and report["n"] > 0
    for reader in ("model", "hybrid"):
        assert "sdcnl-train-en" in report[reader]["binary_f1_at_ideation"]
        assert report[reader]["false_alarms"]["n"] > 0
        assert "sos_high_low_f1" in report[reader]
