"""Training: hashed features -> one scikit-learn logistic regression per "at or above" head -> pruned float16
weights -> Platt calibration on a held-out split -> a model directory (``artifact.py``).

scikit-learn (and scipy) are needed here only; inference (``model.py``) is numpy. Determinism: the data
order is fixed, the calibration split is drawn from ``random.Random`` seeded with the seed and the
dataset name, L-BFGS is deterministic, BLAS runs single-threaded during fitting, weights are rounded to
float16 before calibration, and the files are written deterministically, so the same seed and data give
byte-identical files.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lifeguard.detection.levels import LEVELS
from lifeguard.detection.model.artifact import FORMAT, Artifact, content_digest
from lifeguard.detection.model.calibrate import Platt, fit_platt
from lifeguard.detection.model.datasets import BENIGN_SETS, Corpus, Example
from lifeguard.detection.model.features import FeatureConfig, extract, weigh
from lifeguard.detection.model.hashing import HASH_SCHEME
from lifeguard.detection.model.labels import HEAD_LEVELS, N_HEADS, SOS_CLASSES, UNKNOWN
from lifeguard.detection.model.textnorm import MAX_CHARS, fold

MODEL_SERIES = "linear-1"
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainConfig:
    bits: int = 20
    tf: str = "raw"  # see FeatureConfig ("raw" is 25% faster to score; "log" measured within noise)
    c: float = 30.0  # inverse L2 strength of the level heads
    sos_c: float = 30.0  # of the SOS-4K 11-level head
    max_iter: int = 300
    keep_per_head: int = 100_000  # weights kept per head (largest magnitude); the rest are dropped
    sos_keep: int = 40_000  # buckets kept by the SOS head
    calibration_fraction: float = 0.15
    benign_share: float = 1.0  # benign texts weigh this much relative to the labelled risk sets, per head
    tune_thresholds: bool = True  # pick each head's threshold on the calibration split (else 0.5)
    max_false_alarm: float = 0.0005  # ... keeping benign texts at or above ideation under this share
    max_benign_indicator: float = 0.005  # ... and benign texts at or above indicator under this share
    chunk: int = 4000

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class TrainResult:
    artifact: Artifact
    timings: dict[str, float] = field(default_factory=dict)


def _quiet(_: str) -> None:
    return None


def featurize(texts: list[str], config: FeatureConfig, chunk: int = 4000) -> Any:
    """CSR matrix (texts x buckets) of the exact values inference computes."""
    import scipy.sparse as sparse

    parts = []
    for begin in range(0, len(texts), chunk):
        folded = [fold(text) for text in texts[begin : begin + chunk]]
        rows = weigh(extract(folded, config), config)
        parts.append(
            sparse.csr_matrix(
                (rows.values.astype(np.float64), (rows.docs, rows.buckets)), shape=(len(folded), config.buckets)
            )
        )
    if not parts:
        return sparse.csr_matrix((0, config.buckets))
    matrix = sparse.vstack(parts, format="csr")
    matrix.sort_indices()
    return matrix


def split_for_calibration(examples: list[Example], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices of the fitting and calibration parts, drawn per dataset (seeded, order-independent)."""
    by_dataset: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_dataset.setdefault(example.dataset, []).append(index)
    fit: list[int] = []
    calibration: list[int] = []
    for name in sorted(by_dataset):
        indices = by_dataset[name]
        shuffled = list(indices)
        random.Random(f"{seed}:calibration:{name}").shuffle(shuffled)
        count = int(len(shuffled) * fraction) if len(shuffled) >= 20 else 0
        held = set(shuffled[:count])
        calibration.extend(i for i in indices if i in held)
        fit.extend(i for i in indices if i not in held)
    return sorted(fit), sorted(calibration)


def _balanced_weights(labels: np.ndarray, weights: np.ndarray, benign: np.ndarray, benign_share: float) -> np.ndarray:
    """Within the labelled risk sets, negatives are scaled to weigh as much as positives (hard negatives such
    as r/depression or SOS-4K's lower levels matter); the benign sets together weigh ``benign_share`` of that."""
    weights = weights.astype(np.float64, copy=True)
    risk = ~benign
    positive = weights[risk & (labels == 1)].sum()
    negative = weights[risk & (labels == 0)].sum()
    if positive > 0 and negative > 0:
        weights[risk & (labels == 0)] *= positive / negative
    benign_total = weights[benign].sum()
    if positive > 0 and benign_total > 0:
        weights[benign] *= benign_share * 2.0 * positive / benign_total
    return weights


def tune_threshold(probabilities: np.ndarray, labels: np.ndarray, benign: np.ndarray, max_benign_rate: float) -> float:
    """The threshold that maximises F1 on the labelled risk texts while benign texts stay under the rate."""
    risk = ~benign
    best, best_f1 = 0.5, -1.0
    if not risk.any() or not (labels[risk] == 1).any():
        return best
    truth = labels[risk] == 1
    for threshold in np.round(np.arange(0.1, 0.951, 0.025), 3):
        if benign.any() and float((probabilities[benign] >= threshold).mean()) > max_benign_rate:
            continue
        predicted = probabilities[risk] >= threshold
        tp = int((truth & predicted).sum())
        f1 = 2.0 * tp / (int(truth.sum()) + int(predicted.sum())) if tp else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(threshold), f1
    return best


def _stable(value: float) -> float:
    """Round to float32 precision: numpy's SIMD sums may differ in the last bits with memory alignment, and
    the exported model must not (weights are float16 already)."""
    return float(np.float32(value))


def _prune(coef: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (sorted) and float16 values of the ``keep`` largest-magnitude non-zero weights."""
    values = coef.astype(np.float16)
    nonzero = np.flatnonzero(values != 0)
    if len(nonzero) > keep:
        magnitude = np.abs(values[nonzero].astype(np.float32))
        order = np.argsort(-magnitude, kind="stable")[:keep]
        nonzero = np.sort(nonzero[order])
    return nonzero.astype(np.uint32), values[nonzero]


def logistic_regression(c: float, max_iter: int) -> Any:
    """The logistic regression every linear head is fitted with (the model's heads, the short-chat head)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=max_iter, solver="lbfgs", tol=1e-4)


def _fit_head(matrix: Any, labels: np.ndarray, weights: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, float]:
    """(coefficients, intercept) of one binary head; a constant head when a class is missing."""
    positive = float(weights[labels == 1].sum())
    negative = float(weights[labels == 0].sum())
    if positive <= 0 or negative <= 0:
        prior = (positive + 0.5) / (positive + negative + 1.0)
        return np.zeros(matrix.shape[1]), float(np.log(prior / (1.0 - prior)))
    model = logistic_regression(config.c, config.max_iter)
    model.fit(matrix, labels, sample_weight=weights)
    return np.asarray(model.coef_[0], dtype=np.float64), float(model.intercept_[0])


def _head_scores(matrix: Any, index: np.ndarray, values: np.ndarray, bias: float) -> np.ndarray:
    coef = np.zeros(matrix.shape[1], dtype=np.float64)
    coef[index.astype(np.int64)] = values.astype(np.float64)
    return np.asarray(matrix @ coef).ravel() + bias


def train(
    corpus: Corpus,
    config: TrainConfig | None = None,
    seed: int = 0,
    progress: Progress = _quiet,
    evaluate_test: bool = True,
) -> TrainResult:
    from threadpoolctl import threadpool_limits

    config = config or TrainConfig()
    features = FeatureConfig(bits=config.bits, tf=config.tf)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    examples = corpus.train
    if not examples:
        raise ValueError("no training examples: is the data directory right?")
    fit_idx, cal_idx = split_for_calibration(examples, config.calibration_fraction, seed)
    texts = [example.text for example in examples]
    targets = np.array([example.targets for example in examples], dtype=np.int64).reshape(-1, N_HEADS)
    weights = np.array([example.weight for example in examples], dtype=np.float64)
    benign = np.array([example.dataset in BENIGN_SETS for example in examples], dtype=bool)
    progress(f"featurising {len(texts)} training texts")
    matrix = featurize(texts, features, config.chunk)
    timings["featurize_seconds"] = round(time.perf_counter() - clock, 2)
    fit_rows = np.asarray(fit_idx, dtype=np.int64)
    cal_rows = np.asarray(cal_idx, dtype=np.int64)

    indices: list[np.ndarray] = []
    values: list[np.ndarray] = []
    biases: list[float] = []
    calibration: list[Platt] = []
    thresholds: list[float] = []
    with threadpool_limits(limits=1):
        for head, level in enumerate(HEAD_LEVELS):
            clock = time.perf_counter()
            rows = fit_rows[targets[fit_rows, head] != UNKNOWN]
            labels = targets[rows, head]
            head_weights = _balanced_weights(labels, weights[rows], benign[rows], config.benign_share)
            progress(f"head >= {level.value}: {len(rows)} texts, {int((labels == 1).sum())} positive")
            coef, bias = _fit_head(matrix[rows], labels, head_weights, config)
            bias = _stable(bias)
            index, value = _prune(coef, config.keep_per_head)
            indices.append(index)
            values.append(value)
            biases.append(bias)
            cal = cal_rows[targets[cal_rows, head] != UNKNOWN]
            scores = _head_scores(matrix[cal], index, value, bias)
            fitted = fit_platt(scores, targets[cal, head], weights[cal])
            platt = Platt(a=_stable(fitted.a), b=_stable(fitted.b))
            calibration.append(platt)
            if config.tune_thresholds:
                limit = config.max_benign_indicator if head == 0 else config.max_false_alarm
                thresholds.append(tune_threshold(platt.apply(scores), targets[cal, head], benign[cal], limit))
            else:
                thresholds.append(0.5)
            timings[f"head_{level.value}_seconds"] = round(time.perf_counter() - clock, 2)

        sos_rows = np.array([i for i, example in enumerate(examples) if example.sos != UNKNOWN], dtype=np.int64)
        sos_meta: dict[str, Any] | None = None
        sos_arrays: dict[str, np.ndarray] = {}
        sos_labels = np.array([examples[i].sos for i in sos_rows], dtype=np.int64)
        if len(sos_rows) and len(np.unique(sos_labels)) == SOS_CLASSES:
            clock = time.perf_counter()
            progress(f"SOS-4K 11-level head: {len(sos_rows)} texts")
            sos_matrix = matrix[sos_rows]
            columns = np.unique(sos_matrix.indices)  # buckets SOS-4K never uses keep a zero weight: skip them
            model = logistic_regression(config.sos_c, config.max_iter * 2)
            model.fit(sos_matrix[:, columns], sos_labels)
            coef = np.asarray(model.coef_, dtype=np.float64)  # (11, used buckets)
            strength = np.abs(coef).max(axis=0)
            keep = np.flatnonzero(strength > 0)
            if len(keep) > config.sos_keep:
                keep = np.sort(keep[np.argsort(-strength[keep], kind="stable")[: config.sos_keep]])
            sos_arrays = {
                "sos_index": columns[keep].astype(np.uint32),
                "sos_weight": coef[:, keep].T.astype(np.float16),
            }
            sos_meta = {"bias": [_stable(v) for v in model.intercept_], "classes": list(range(SOS_CLASSES))}
            timings["sos_head_seconds"] = round(time.perf_counter() - clock, 2)

    offsets = [0]
    for index in indices:
        offsets.append(offsets[-1] + len(index))
    arrays: dict[str, np.ndarray] = {
        "heads_index": np.concatenate(indices).astype(np.uint32),
        "heads_weight": np.concatenate(values).astype(np.float16),
        **sos_arrays,
    }
    meta: dict[str, Any] = {
        "format": FORMAT,
        "hash_scheme": HASH_SCHEME,
        "features": {"bits": config.bits, "tf": config.tf, "max_chars": MAX_CHARS},
        "heads": {"levels": [level.value for level in HEAD_LEVELS], "offsets": offsets, "bias": biases},
        "calibration": [platt.to_json() for platt in calibration],
        "thresholds": thresholds,
        "sos": sos_meta,
        "levels": [level.value for level in LEVELS],
    }
    digest = content_digest(meta, arrays)
    meta["version"] = f"{MODEL_SERIES}+{digest[:10]}"
    meta["training"] = {
        "seed": seed,
        "config": config.to_json(),
        "datasets": list(corpus.datasets),
        "licences": dict(sorted(corpus.licences.items())),
        "files_sha256": dict(sorted(corpus.files.items())),
        "examples": {"fit": len(fit_idx), "calibration": len(cal_idx), "test": len(corpus.test)},
        "by_dataset": _counts(examples),
    }
    meta["metrics"] = {}
    result = TrainResult(artifact=Artifact(meta=meta, arrays=arrays), timings=timings)
    if evaluate_test and corpus.test:
        from lifeguard.detection.model.devmetrics import dev_metrics
        from lifeguard.detection.model.model import RiskModel

        clock = time.perf_counter()
        progress(f"measuring on {len(corpus.test)} held-out texts")
        meta["metrics"] = dev_metrics(RiskModel(result.artifact), corpus.test)
        timings["evaluate_seconds"] = round(time.perf_counter() - clock, 2)
    return result


def _counts(examples: list[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.dataset] = counts.get(example.dataset, 0) + 1
    return dict(sorted(counts.items()))
