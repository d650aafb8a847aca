"""Training the MiniLM second stage's head (``lifeguard model second-stage train``). Needs scikit-learn.

On SDCNL's training part only (the project split, ``datasets.load_corpus``; its hold-out is only measured):
embed every post with the encoder, choose C for a logistic regression by 5-fold stratified cross-validation
(mean F1 at 0.5 over the folds), pick the decision threshold that maximises F1 on the out-of-fold predictions
of that C, fit on the whole training part, then measure the hold-out once. The result is one JSON file (no
pickle) that ``second_stage_minilm.Head`` reads. Deterministic for a seed (with a fixed BLAS thread count:
OPENBLAS_NUM_THREADS=1 gives bit-equal embeddings).

Other English sets were tried and left out: adding them (kaggle, twitter-suicidal-intention, reddit-27) or
the first stage's score lowered SDCNL's hold-out F1 (docs/model.md).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from lifeguard.detection.model.datasets import Example, load_corpus
from lifeguard.detection.model.devmetrics import binary_scores
from lifeguard.detection.model.second_stage_minilm import (
    HEAD_FORMAT,
    HEAD_VERSION,
    MIN_INDICATOR,
    Head,
    weights_sha256,
)

DATASET = "sdcnl-train-en"
C_GRID: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.05 + 0.01 * k, 2) for k in range(91))  # 0.05 .. 0.95
FOLDS = 5
DECIMALS = 8  # of the stored weights: equal files for equal training, and a small file


class Encoder(Protocol):
    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray: ...


def binary_f1(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float | int]:
    return binary_scores(np.asarray(truth, dtype=bool), np.asarray(predicted, dtype=bool))


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=c, max_iter=5000).fit(x, y)


def best_f1_threshold(out_of_fold: np.ndarray, y: np.ndarray) -> float:
    return float(max(THRESHOLD_GRID, key=lambda t: binary_f1(y == 1, out_of_fold >= t)["f1"]))


def fit_head(
    x: np.ndarray,
    y: np.ndarray,
    seed: int = 0,
    grid: tuple[float, ...] = C_GRID,
    folds: int = FOLDS,
    pick_threshold: Callable[[np.ndarray, np.ndarray], float] = best_f1_threshold,
    c_at_threshold: bool = False,
) -> dict[str, Any]:
    """C by stratified k-fold CV (the mean fold F1 at 0.5, or with ``c_at_threshold`` the out-of-fold F1 at the
    threshold ``pick_threshold`` picks for it), the threshold from that C's out-of-fold predictions (the best F1
    unless told otherwise), then a fit on all."""
    from sklearn.model_selection import StratifiedKFold

    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y))
    table: dict[str, float] = {}
    out_of_fold: dict[float, np.ndarray] = {}
    for c in grid:
        predictions = np.zeros(len(y))
        for train_rows, held_rows in splits:
            predictions[held_rows] = _fit(x[train_rows], y[train_rows], c).predict_proba(x[held_rows])[:, 1]
        out_of_fold[c] = predictions
        if c_at_threshold:
            table[repr(c)] = round(float(binary_f1(y == 1, predictions >= pick_threshold(predictions, y))["f1"]), 4)
        else:
            scores = [binary_f1(y[held] == 1, predictions[held] >= 0.5)["f1"] for _, held in splits]
            table[repr(c)] = round(float(np.mean(scores)), 4)
    best = max(grid, key=lambda c: table[repr(c)])  # the first of equals: the strongest regularisation
    threshold = pick_threshold(out_of_fold[best], y)
    model = _fit(x, y, best)
    return {
        "C": best,
        "cv_f1": table[repr(best)],
        "cv_f1_by_C": table,
        "threshold": float(threshold),
        "oof_f1_at_threshold": binary_f1(y == 1, out_of_fold[best] >= threshold),
        "oof": out_of_fold[best],
        "weights": [round(float(w), DECIMALS) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), DECIMALS),
    }


def head_file(
    fitted: dict[str, Any],
    identity: dict[str, Any],
    kind: str,
    applies_to: dict[str, Any],
    training: dict[str, Any],
    seed: int,
    cv_notes: dict[str, Any] | None = None,
    oof_at_threshold: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of a head file (``second_stage_minilm.Head`` reads it) from ``fit_head``'s result: the weights,
    where the head applies, how C and the threshold were chosen (``cv_notes`` added to that record, and
    ``oof_at_threshold`` replacing its out-of-fold figures when given) and what it learnt from. The keys keep one
    order, so that equal training writes equal files."""
    return {
        "format": HEAD_FORMAT,
        "version": HEAD_VERSION,
        "kind": kind,
        "encoder": identity,
        "weights": fitted["weights"],
        "bias": fitted["bias"],
        "threshold": fitted["threshold"],
        "applies_to": applies_to,
        "C": fitted["C"],
        "cv": {
            "folds": FOLDS,
            "stratified": True,
            "seed": seed,
            "f1": fitted["cv_f1"],
            "f1_by_C": fitted["cv_f1_by_C"],
            **(cv_notes or {}),
            "oof_at_threshold": fitted["oof_f1_at_threshold"] if oof_at_threshold is None else oof_at_threshold,
        },
        "training": training,
        "seed": seed,
    }


def encoder_identity(folder: Path, dim: int) -> dict[str, Any]:
    from lifeguard.detection.model.minilm import PACKAGE

    return {"name": "all-MiniLM-L6-v2", "package": PACKAGE, "sha256": weights_sha256(folder), "dim": dim}


def _labelled(examples: list[Example]) -> tuple[list[str], np.ndarray]:
    kept = [example for example in examples if example.dataset == DATASET and example.binary in (0, 1)]
    return [example.text for example in kept], np.array([example.binary for example in kept], dtype=np.int64)


def embed(encoder: Encoder, texts: list[str], progress: Callable[[str], None], label: str) -> np.ndarray:
    started = time.perf_counter()
    parts = []
    for begin in range(0, len(texts), 256):
        parts.append(np.asarray(encoder.encode(texts[begin : begin + 256]), dtype=np.float64))
        progress(f"{label}: embedded {min(begin + 256, len(texts))}/{len(texts)}")
    seconds = time.perf_counter() - started
    progress(f"{label}: {len(texts)} texts in {seconds:.1f} s ({1000 * seconds / max(len(texts), 1):.1f} ms each)")
    return np.vstack(parts) if parts else np.zeros((0, 0))


def train_head(
    data_dir: Path,
    encoder: Encoder,
    identity: dict[str, Any],
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The head file's content (a JSON object), trained on SDCNL's training part under ``data_dir``."""
    say = progress or (lambda message: None)
    corpus = load_corpus(data_dir, seed=seed, with_seeds=False, only=(DATASET,))
    train_texts, train_y = _labelled(corpus.train)
    test_texts, test_y = _labelled(corpus.test)
    if len(set(train_y.tolist())) < 2 or min(np.bincount(train_y)) < FOLDS:
        raise ValueError(f"{DATASET} under {data_dir}: too few training posts of each label for {FOLDS} folds")
    x_train = embed(encoder, train_texts, say, "train")
    fitted = fit_head(x_train, train_y, seed)
    say(f"C={fitted['C']} (CV F1 {fitted['cv_f1']}), threshold {fitted['threshold']}")
    words = _word_stats(train_texts)
    head = head_file(
        fitted,
        identity,
        "logistic regression on L2-normalised mean-pooled sentence embeddings",
        # What the head may re-score: English texts at least as long as 95% of its training posts (on chat-length
        # texts its output sits in a narrow band near its threshold whatever they say), which the first stage
        # reads as distress with confidence (its training posts were all distress; it knows no "neither").
        {"lang": "en", "min_words": words["p5"], "min_indicator": MIN_INDICATOR},
        {
            "dataset": DATASET,
            "meaning": "1 = post from r/SuicideWatch, 0 = post from r/depression",
            "files": corpus.files,
            "licence": corpus.licences.get(DATASET, "unknown"),
            "split": f"datasets.load_corpus(data_dir, seed={seed}): the training part only",
            "n": int(len(train_y)),
            "positives": int(train_y.sum()),
            "words": words,
        },
        seed,
    )
    if len(test_y):
        x_test = embed(encoder, test_texts, say, "hold-out")
        probabilities = Head.from_json(head).probability(x_test)
        head["holdout"] = binary_f1(test_y == 1, probabilities >= fitted["threshold"])
        head["holdout"]["positives"] = int(test_y.sum())
        say(f"hold-out: {head['holdout']}")
    return head


def _word_stats(texts: list[str]) -> dict[str, int]:
    counts = np.array([len(text.split()) for text in texts]) if texts else np.zeros(1)
    return {
        "min": int(counts.min()),
        "p5": int(np.percentile(counts, 5)),
        "median": int(np.median(counts)),
        "max": int(counts.max()),
    }


def write_head(path: Path, head: dict[str, Any]) -> None:
    Head.from_json(head, str(path))  # never write a file the runtime would refuse
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(head, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
