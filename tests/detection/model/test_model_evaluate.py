"""Metrics against small examples computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from lifeguard.detection.levels import Level
from lifeguard.detection.model.evaluate import evaluate, expected_calibration_error, mean_metrics

TRUTH = ["none", "indicator", "ideation", "behavior", "attempt", "ideation"]
PRED = ["none", "ideation", "indicator", "behavior", "indicator", "ideation"]

EXPECTED_KEYS = {
    "accuracy", "macro_f1", "weighted_f1", "per_level", "at_or_above", "graded_precision", "graded_recall",
    "graded_fscore", "ordinal_error", "confusion", "ece", "false_alarm_rate", "by_lang",
}  # fmt: skip


def test_graded_metrics_follow_gaur_et_al() -> None:
    result = evaluate([(t, p, None) for t, p in zip(TRUTH, PRED, strict=True)])
    # 3 exact, 1 over-estimate (FP), 2 under-estimates (FN); one under-estimate by 3 levels.
    assert result["graded_precision"] == pytest.approx(0.75)
    assert result["graded_recall"] == pytest.approx(0.6)
    assert result["graded_fscore"] == pytest.approx(2 * 0.75 * 0.6 / 1.35, abs=1e-6)
    assert result["ordinal_error"] == pytest.approx(1 / 6, abs=1e-6)
    assert result["accuracy"] == pytest.approx(0.5)
    assert EXPECTED_KEYS <= set(result)


def test_per_level_macro_weighted_and_at_or_above() -> None:
    result = evaluate([(t, p, None) for t, p in zip(TRUTH, PRED, strict=True)])
    per = result["per_level"]
    assert per["none"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert per["indicator"]["f1"] == 0.0
    assert per["ideation"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert per["attempt"]["support"] == 1 and per["attempt"]["f1"] == 0.0
    assert result["macro_f1"] == pytest.approx(0.5)
    assert result["weighted_f1"] == pytest.approx(0.5)
    ideation = result["at_or_above"]["ideation"]
    assert ideation["precision"] == pytest.approx(2 / 3, abs=1e-6)
    assert ideation["recall"] == pytest.approx(0.5)
    assert ideation["f1"] == pytest.approx(4 / 7, abs=1e-6)
    assert result["confusion"]["attempt"]["indicator"] == 1
    assert result["confusion"]["ideation"]["ideation"] == 1
    assert sum(sum(row.values()) for row in result["confusion"].values()) == 6


def test_false_alarm_rate_counts_none_items_at_or_above_ideation() -> None:
    triples = [("none", level, None) for level in ("none", "indicator", "ideation", "attempt")]
    assert evaluate(triples)["false_alarm_rate"] == pytest.approx(0.5)


def test_ece() -> None:
    assert expected_calibration_error(np.eye(5)[[0, 1, 2]], np.array([0, 1, 2])) == pytest.approx(0.0)
    probabilities = np.array([[0.8, 0.2, 0, 0, 0], [0.8, 0.2, 0, 0, 0]])
    assert expected_calibration_error(probabilities, np.array([0, 1])) == pytest.approx(0.3)
    result = evaluate([("none", "none", [0.8, 0.2, 0, 0, 0]), ("indicator", "none", [0.8, 0.2, 0, 0, 0])])
    assert result["ece"] == pytest.approx(0.3)
    assert evaluate([("none", "none", None)])["ece"] is None


def test_by_lang_and_level_objects() -> None:
    triples = [(Level.IDEATION, Level.IDEATION, None), ("ideation", "none", None), ("none", "none", None)]
    result = evaluate(triples, ["zh", "en", None])
    assert set(result["by_lang"]) == {"zh", "en", "unknown"}
    assert result["by_lang"]["zh"]["accuracy"] == 1.0
    assert result["by_lang"]["en"]["graded_recall"] == 0.0
    assert "by_lang" not in result["by_lang"]["zh"]
    with pytest.raises(ValueError):
        evaluate(triples, ["zh"])


def test_support_label_counts_as_none_for_the_writer() -> None:
    assert evaluate([("support", "none", None)])["accuracy"] == 1.0


def test_mean_metrics_averages_rates_and_sums_counts() -> None:
    a = evaluate([("none", "none", None), ("ideation", "ideation", None)])
    b = evaluate([("none", "ideation", None), ("ideation", "ideation", None)])
    mean = mean_metrics([a, b])
    assert mean["accuracy"] == pytest.approx(0.75)
    assert mean["confusion"]["none"]["ideation"] == 1
    assert mean["per_level"]["ideation"]["support"] == 2
