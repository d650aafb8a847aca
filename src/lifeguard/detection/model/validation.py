"""Out-of-fold validation on the training part: where the hybrid's fixed choices are checked without the test part.

The hybrid's constants (the 280-character limit of a long post, the confidence a distress cap asks for...) are
choices. Chosen on the held-out parts, they would make the figures reported there optimistic; chosen on texts the
shipped model trained on, they would be made against a model that has memorised those texts. Instead the training
part of every set is cut into ``folds`` (by conversation for dialogues), a model is trained on all folds but one
(plus the seed phrases), and each text is read by the model that never saw it. The model's and the detector's
levels over those out-of-fold readings are summed into one figure per set, as ``dev`` does on the test part.

This is the data on which session 11 chose the hybrid's long-post caps (docs/model.md); the test part is touched
only by ``dev``, once a choice is made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lifeguard.detection.assessment import Detector, TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.datasets import BENIGN_SETS, Corpus, Example
from lifeguard.detection.model.devmetrics import binary_f1_by_set, sos_high_low_f1
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.model.seeds import SEED_DATASET
from lifeguard.detection.model.train import TrainConfig, train

Progress = Callable[[str], None]
DetectorFactory = Callable[[RiskModel], Detector]
_BATCH = 2000


def fold_of(example: Example, folds: int, seed: int) -> int:
    """A text's fold, the same in every process: by its conversation when it has one (a dialogue is never split
    between training and reading), else by its text."""
    key = f"{seed}:{example.dataset}:{example.group or example.text}"
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % folds


@dataclass(frozen=True, slots=True)
class OutOfFold:
    examples: list[Example]
    model_ranks: np.ndarray  # the fold model's own level of each example
    detector_ranks: np.ndarray  # the detector's level, built on the same fold model


def out_of_fold(
    corpus: Corpus,
    make_detector: DetectorFactory,
    folds: int = 3,
    seed: int = 0,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
) -> OutOfFold:
    """Read every training text (but the seed phrases, which train every fold) with a model that did not train on
    it, and with ``make_detector(that model)``."""
    if folds < 2:
        raise ValueError("out-of-fold validation needs at least two folds")
    seeds = [example for example in corpus.train if example.dataset == SEED_DATASET]
    texts = [example for example in corpus.train if example.dataset != SEED_DATASET]
    assignment = [fold_of(example, folds, seed) for example in texts]
    examples: list[Example] = []
    model_ranks: list[int] = []
    detector_ranks: list[int] = []
    for fold in range(folds):
        held = [example for example, f in zip(texts, assignment, strict=True) if f == fold]
        part = [example for example, f in zip(texts, assignment, strict=True) if f != fold]
        if not held or not part:
            raise ValueError(f"fold {fold} is empty: {len(texts)} texts are too few for {folds} folds")
        if progress is not None:
            progress(f"fold {fold + 1}/{folds}: training on {len(part) + len(seeds)}, reading {len(held)}")
        trained = train(Corpus(train=seeds + part, datasets=corpus.datasets), config, seed=seed, evaluate_test=False)
        model = RiskModel(trained.artifact)
        detector = make_detector(model)
        for begin in range(0, len(held), _BATCH):
            batch = held[begin : begin + _BATCH]
            model_ranks.extend(int(rank) for rank in model.score_texts([example.text for example in batch]).ranks)
            items = [TextInput(example.text, lang=example.lang or None) for example in batch]
            detector_ranks.extend(assessment.level.rank for assessment in detector.assess_many(items))
        examples.extend(held)
    return OutOfFold(examples, np.asarray(model_ranks, dtype=np.int64), np.asarray(detector_ranks, dtype=np.int64))


def figures(examples: Sequence[Example], ranks: np.ndarray) -> dict[str, Any]:
    """As ``dev`` reports them: per labelled set, F1 of its own "at risk" label against "at or above ideation";
    SOS-4K high (>= 6) against behavior or above; false alarms (at or above ideation) over all benign texts."""
    benign = np.isin([example.dataset for example in examples], BENIGN_SETS)
    result: dict[str, Any] = {
        "binary_f1_at_ideation": binary_f1_by_set(examples, ranks),
        "false_alarms": {"flagged": int((ranks[benign] >= Level.IDEATION.rank).sum()), "n": int(benign.sum())},
    }
    sos = sos_high_low_f1(examples, ranks)
    if sos is not None:
        result["sos_high_low_f1"] = sos
    return result
