"""Measuring the Chinese second stage alone, on every text (no gate): SOS-4K's test split (high vs low risk
F1, 11-level weighted F1) and the Chinese benign hold-outs (how many ordinary texts it reads at or above
indicator and ideation).

``train-zh`` measures the stage it just fine-tuned (with torch); ``second-stage measure-zh`` measures any
stage folder, an ensemble included, with the numpy encoder the hybrid runs. Both read the same held-out
texts: the split of the benign sets is always seed 0's (``SPLIT_SEED``), whatever seed fine-tuned a stage.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.model.datasets import Corpus, Example, load_corpus
from lifeguard.detection.model.devmetrics import binary_scores, weighted_f1
from lifeguard.detection.model.second_stage_zh import SOS_DATASET, cumulative, sos_distribution

BENIGN_SETS_ZH: tuple[str, ...] = (
    "benign-online-shopping-10cats-zh",
    "benign-waimai-10k-zh",
    "benign-ecd-taobao-sample-zh",
    "benign-taobao-search-queries-zh",
    "weibo-zoufan-ckend-zh",  # its "normal" posts only
)
SPLIT_SEED = 0  # the project split of the benign sets (SOS-4K and Weibo keep their own): the same for every seed


def stage_corpus(data_dir: Path) -> Corpus:
    """SOS-4K and the Chinese benign sets, split as every stage is trained and measured; FileNotFoundError
    when ``data_dir`` has no SOS-4K (nothing to train on or to measure)."""
    corpus = load_corpus(data_dir, SPLIT_SEED, with_seeds=False, only=(SOS_DATASET, *BENIGN_SETS_ZH))
    if SOS_DATASET not in corpus.datasets:
        raise FileNotFoundError(f"no {SOS_DATASET} under {data_dir}")
    return corpus


def held_out(corpus: Corpus) -> tuple[list[Example], list[Example]]:
    """SOS-4K's test split, and the ordinary texts of the benign hold-outs."""
    test = [e for e in corpus.test if e.dataset == SOS_DATASET]
    benign = [e for e in corpus.test if e.dataset in BENIGN_SETS_ZH and e.binary == 0]
    return test, benign


def measure_stage(
    classes: Callable[[list[str]], np.ndarray], test: list[Example], benign: list[Example]
) -> dict[str, Any]:
    """The figures of a stage whose ``classes(texts)`` gives the (n, 12) class probabilities."""
    measured: dict[str, Any] = {}
    if test:
        p = classes([e.text for e in test])
        truth = np.array([e.sos for e in test])
        sos = sos_distribution(p)
        measured["sos_test"] = {
            "high_low_f1": binary_scores(truth >= 6, cumulative(p)[:, 2] >= 0.5),
            "eleven_level_weighted_f1": weighted_f1(truth, sos.argmax(axis=1), 11),
            "eleven_level_accuracy": round(float((sos.argmax(axis=1) == truth).mean()), 4),
        }
    if benign:
        at = cumulative(classes([e.text for e in benign]))
        measured["benign_zh_holdout"] = {
            "n": len(benign),
            "ideation_or_above": int((at[:, 1] >= 0.5).sum()),
            "indicator_or_above": int((at[:, 0] >= 0.5).sum()),
        }
    return measured
