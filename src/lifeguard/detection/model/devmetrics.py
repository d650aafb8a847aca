"""The development figures recorded in a model's metadata, measured on the held-out parts of ``shared/data``.

- SOS-4K (its own test split): high vs low risk F1 (high = label >= 6, i.e. predicted level >= behavior),
  the 11-level weighted F1 of the SOS head, and the 5-level metrics of ``evaluate``;
- SDCNL (20% stratified hold-out): F1 of "suicide" = predicted level >= ideation;
- every other labelled set: F1 of its positive label against "at or above ideation";
- every benign set (25% hold-out): the false-alarm rate, share predicted at or above ideation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lifeguard.detection.assessment import Detector, TextInput
from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.model.datasets import BENIGN_SETS, Example
from lifeguard.detection.model.evaluate import evaluate
from lifeguard.detection.model.labels import UNKNOWN
from lifeguard.detection.model.model import RiskModel, to_level_probabilities


def binary_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float | int]:
    tp = int((truth & predicted).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else 0.0
    recall = tp / int(truth.sum()) if truth.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "n": len(truth)}


def binary_f1_by_set(examples: Sequence[Example], ranks: np.ndarray) -> dict[str, dict[str, float | int]]:
    """Per labelled (not benign) set, in name order: F1 of the set's own "at risk" label against "at or above
    ideation", over its texts whose label says so."""
    datasets = np.array([example.dataset for example in examples])
    binary = np.array([example.binary for example in examples])
    result: dict[str, dict[str, float | int]] = {}
    for name in sorted(set(datasets.tolist()) - set(BENIGN_SETS)):
        known = np.flatnonzero((datasets == name) & (binary != UNKNOWN))
        if len(known):
            result[name] = binary_scores(binary[known] == 1, ranks[known] >= Level.IDEATION.rank)
    return result


def sos_high_low_f1(examples: Sequence[Example], ranks: np.ndarray) -> dict[str, float | int] | None:
    """SOS-4K high (label >= 6) against a level of behavior or above; None without SOS-4K texts."""
    sos = [i for i, example in enumerate(examples) if example.dataset == "sos-4k-zh"]
    if not sos:
        return None
    return binary_scores(np.array([examples[i].sos >= 6 for i in sos]), ranks[sos] >= Level.BEHAVIOR.rank)


def weighted_f1(truth: np.ndarray, predicted: np.ndarray, classes: int) -> float:
    total = 0.0
    for label in range(classes):
        true_pos = truth == label
        pred_pos = predicted == label
        tp = int((true_pos & pred_pos).sum())
        precision = tp / int(pred_pos.sum()) if pred_pos.any() else 0.0
        recall = tp / int(true_pos.sum()) if true_pos.any() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        total += f1 * int(true_pos.sum())
    return round(total / len(truth), 4) if len(truth) else 0.0


def dev_metrics(model: RiskModel, test: list[Example], detector: Detector | None = None) -> dict[str, Any]:
    """Figures of ``model`` on the held-out examples; with ``detector`` (e.g. the hybrid), its levels are
    measured instead (probabilities, for ECE, stay the model's)."""
    texts = [example.text for example in test]
    scored = model.score_texts(texts)
    ranks = scored.ranks
    if detector is not None:
        levels = []
        for begin in range(0, len(texts), 1000):
            batch = [
                TextInput(text, lang=test[begin + i].lang or None) for i, text in enumerate(texts[begin : begin + 1000])
            ]
            levels.extend(assessment.level.rank for assessment in detector.assess_many(batch))
        ranks = np.asarray(levels, dtype=np.int64)
    datasets = np.array([example.dataset for example in test])
    metrics: dict[str, Any] = {"false_alarm_rate": {}, "binary_f1_at_ideation": {}}

    sos = np.flatnonzero(datasets == "sos-4k-zh")
    if len(sos):
        metrics["sos_high_low_f1"] = sos_high_low_f1(test, ranks)
        sos_triples = [
            (test[i].level or "none", _name(ranks[i]), to_level_probabilities(scored.at_or_above[i])[0]) for i in sos
        ]
        metrics["sos_five_level"] = _compact(evaluate(sos_triples))
        if model.has_sos_head and detector is None:
            probabilities = model.sos_probabilities([texts[i] for i in sos])
            labels = np.array([test[i].sos for i in sos])
            predicted = probabilities.argmax(axis=1)
            metrics["sos_11_level_weighted_f1"] = weighted_f1(labels, predicted, 11)
            metrics["sos_11_level_accuracy"] = round(float((labels == predicted).mean()), 4)
            metrics["sos_high_low_f1_sos_head"] = binary_scores(labels >= 6, probabilities[:, 6:].sum(axis=1) >= 0.5)
        stage = _sos_stage(model.second_stage)
        if stage is not None:  # the Chinese second stage has its own 0-10 distribution: measured on every text
            labels = np.array([test[i].sos for i in sos])
            predicted = stage.sos_probabilities([texts[i] for i in sos]).argmax(axis=1)
            metrics["sos_11_level_weighted_f1_second_stage"] = weighted_f1(labels, predicted, 11)
            metrics["sos_11_level_accuracy_second_stage"] = round(float((labels == predicted).mean()), 4)

    for name in sorted(set(datasets.tolist()) & set(BENIGN_SETS)):
        members = np.flatnonzero(datasets == name)
        metrics["false_alarm_rate"][name] = {
            "rate": round(float((ranks[members] >= Level.IDEATION.rank).mean()), 5),
            "flagged": int((ranks[members] >= Level.IDEATION.rank).sum()),
            "indicator_or_above": int((ranks[members] >= Level.INDICATOR.rank).sum()),
            "n": len(members),
        }
    metrics["binary_f1_at_ideation"] = binary_f1_by_set(test, ranks)
    if "sdcnl-train-en" in metrics["binary_f1_at_ideation"]:
        metrics["sdcnl_f1"] = metrics["binary_f1_at_ideation"]["sdcnl-train-en"]
    exact = [i for i, example in enumerate(test) if example.level is not None]
    if exact:
        triples = [
            (test[i].level or "none", _name(ranks[i]), to_level_probabilities(scored.at_or_above[i])[0]) for i in exact
        ]
        metrics["five_level_exact_labels"] = _compact(evaluate(triples, [test[i].lang for i in exact]))
    return metrics


def _sos_stage(stage: object) -> Any:
    """The second stage (or the part of a chain) that gives SOS-4K probabilities, if any."""
    for part in getattr(stage, "stages", [stage]):
        if hasattr(part, "sos_probabilities"):
            return part
    return None


def _name(rank: int | np.integer) -> str:
    return LEVELS[int(rank)].value


def _compact(result: dict[str, Any]) -> dict[str, Any]:
    keep = ("accuracy", "macro_f1", "weighted_f1", "graded_fscore", "ordinal_error", "ece", "false_alarm_rate")
    out: dict[str, Any] = {"n": sum(level["support"] for level in result["per_level"].values())}
    out.update({key: result[key] for key in keep if key in result})
    out["at_or_above"] = result.get("at_or_above", {})
    if result.get("by_lang"):
        out["by_lang"] = {
            lang: {key: value[key] for key in keep if key in value} for lang, value in result["by_lang"].items()
        }
    return out


def second_stage_figures(stage: object) -> dict[str, Any]:
    """What a second stage cost while measuring: texts it encoded and milliseconds per text (for a chain,
    each part's)."""
    if hasattr(stage, "stages"):
        return {"name": getattr(stage, "name", "?"), "parts": [second_stage_figures(part) for part in stage.stages]}
    encoded = int(getattr(stage, "texts_encoded", 0))
    seconds = float(getattr(stage, "seconds_encoding", 0.0))
    figures: dict[str, Any] = {"name": getattr(stage, "name", "?"), "texts_encoded": encoded}
    figures["ms_per_text"] = round(1000 * seconds / encoded, 2) if encoded else None
    for key in ("version", "min_words"):
        if hasattr(stage, key):
            figures[key] = getattr(stage, key)
    return figures
