"""Metrics for an ordinal risk classifier, on the five levels none < indicator < ideation < behavior < attempt.

``evaluate`` takes (true level, predicted level, per-level probabilities or None) triples and, optionally,
one language tag per item, and returns one JSON-ready dict:

- ``accuracy``, ``macro_f1`` (over the levels present in truth or prediction, as scikit-learn does),
  ``weighted_f1`` (by true support), ``per_level`` (precision, recall, f1, support);
- ``at_or_above``: for L in indicator..attempt, precision/recall/f1 of the binary task "level >= L";
- graded precision, recall and F-score after Gaur et al., "Knowledge-aware Assessment of Severity of Suicide
  Risk for Early Intervention" (WWW 2019): an exact match is a true positive, an over-estimate counts as a
  false positive and an under-estimate as a false negative, so GP = TP / (TP + over), GR = TP / (TP + under);
- ``ordinal_error``: share of items whose level was under-estimated by more than one level;
- ``confusion``: ``{true level: {predicted level: count}}``;
- ``ece``: expected calibration error of the top-class probability (10 equal-width bins; items without
  probabilities are left out; ``None`` when no item has them);
- ``false_alarm_rate``: share of ``none``-labelled items predicted at or above ``ideation``;
- ``by_lang``: the same metrics per language (without a further ``by_lang``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.model.labels import LEVEL_NAMES, parse_level

Triple = tuple[Level | str, Level | str, Sequence[float] | np.ndarray | None]


def _rank(value: Level | str) -> int:
    return value.rank if isinstance(value, Level) else parse_level(value).rank


def _safe_div(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _safe_div(2 * precision * recall, precision + recall)


def _round(value: float) -> float:
    return round(float(value), 6)


def expected_calibration_error(probabilities: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """ECE of the most probable class: sum over bins of |accuracy - mean confidence| x share of items."""
    confidence = probabilities.max(axis=1)
    predicted = probabilities.argmax(axis=1)
    correct = (predicted == truth).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def _metrics(truth: np.ndarray, predicted: np.ndarray, probabilities: list[np.ndarray | None]) -> dict[str, Any]:
    n = len(truth)
    k = len(LEVELS)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_level: dict[str, dict[str, float | int]] = {}
    f1s: list[float] = []
    present: list[float] = []
    weighted = 0.0
    for index, name in enumerate(LEVEL_NAMES):
        tp = int(confusion[index, index])
        predicted_count = int(confusion[:, index].sum())
        support = int(confusion[index, :].sum())
        precision = _safe_div(tp, predicted_count)
        recall = _safe_div(tp, support)
        f1 = _f1(precision, recall)
        per_level[name] = {
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(f1),
            "support": support,
        }
        f1s.append(f1)
        if support or predicted_count:
            present.append(f1)
        weighted += f1 * support
    at_or_above: dict[str, dict[str, float | int]] = {}
    for level in LEVELS[1:]:
        true_pos = truth >= level.rank
        pred_pos = predicted >= level.rank
        tp = int((true_pos & pred_pos).sum())
        precision = _safe_div(tp, int(pred_pos.sum()))
        recall = _safe_div(tp, int(true_pos.sum()))
        at_or_above[level.value] = {
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(_f1(precision, recall)),
            "support": int(true_pos.sum()),
        }
    exact = int((truth == predicted).sum())
    over = int((predicted > truth).sum())
    under = int((predicted < truth).sum())
    graded_precision = _safe_div(exact, exact + over)
    graded_recall = _safe_div(exact, exact + under)
    none_items = truth == Level.NONE.rank
    with_probabilities = [i for i, p in enumerate(probabilities) if p is not None]
    ece: float | None = None
    if with_probabilities:
        matrix = np.array([np.asarray(probabilities[i], dtype=np.float64) for i in with_probabilities])
        ece = _round(expected_calibration_error(matrix, truth[with_probabilities]))
    return {
        "accuracy": _round(_safe_div(exact, n)),
        "macro_f1": _round(float(np.mean(present)) if present else 0.0),
        "weighted_f1": _round(_safe_div(weighted, n)),
        "per_level": per_level,
        "at_or_above": at_or_above,
        "graded_precision": _round(graded_precision),
        "graded_recall": _round(graded_recall),
        "graded_fscore": _round(_f1(graded_precision, graded_recall)),
        "ordinal_error": _round(_safe_div(int((truth - predicted > 1).sum()), n)),
        "confusion": {LEVEL_NAMES[i]: {LEVEL_NAMES[j]: int(confusion[i, j]) for j in range(k)} for i in range(k)},
        "ece": ece,
        "false_alarm_rate": _round(
            _safe_div(int((predicted[none_items] >= Level.IDEATION.rank).sum()), int(none_items.sum()))
        ),
    }


def evaluate(pairs_true_pred_probs: Sequence[Triple], langs: Sequence[str | None] | None = None) -> dict[str, Any]:
    """All metrics for ``(true, predicted, probabilities)`` triples; ``probabilities`` has one entry per level."""
    truth = np.array([_rank(t) for t, _, _ in pairs_true_pred_probs], dtype=np.int64)
    predicted = np.array([_rank(p) for _, p, _ in pairs_true_pred_probs], dtype=np.int64)
    probabilities = [None if probs is None else np.asarray(probs) for _, _, probs in pairs_true_pred_probs]
    result = _metrics(truth, predicted, probabilities)
    by_lang: dict[str, Any] = {}
    if langs is not None:
        if len(langs) != len(truth):
            raise ValueError("one language per item, please")
        tags = np.array([lang or "unknown" for lang in langs])
        for tag in sorted(set(tags.tolist())):
            members = np.flatnonzero(tags == tag)
            by_lang[tag] = _metrics(truth[members], predicted[members], [probabilities[i] for i in members])
    result["by_lang"] = by_lang
    return result


def mean_metrics(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Element-wise mean of metric dicts with the same shape (confusion matrices are summed)."""
    if not results:
        return {}

    def combine(values: list[Any], key: str) -> Any:
        first = values[0]
        if isinstance(first, dict):
            keys = [k for k in first if all(isinstance(v, dict) and k in v for v in values)]
            return {k: combine([v[k] for v in values], k) for k in keys}
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if not numbers:
            return None
        if key in ("n", "support") or (all(isinstance(v, int) for v in numbers) and key not in ("ece",)):
            return int(sum(numbers))
        return _round(float(np.mean(numbers)))

    merged = combine(list(results), "")
    assert isinstance(merged, dict)
    return merged
