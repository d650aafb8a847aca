"""Platt scaling per head: P = sigmoid(a * score + b), fitted on a held-out calibration split.

Fitted with Newton's method on the weighted log loss (two parameters, a few iterations, deterministic),
so training needs no extra dependency and inference is two multiplications per head.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Platt:
    a: float = 1.0
    b: float = 0.0

    def apply(self, scores: np.ndarray) -> np.ndarray:
        return sigmoid(self.a * scores + self.b)

    def to_json(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b}

    @classmethod
    def from_json(cls, data: dict[str, float]) -> Platt:
        return cls(a=float(data["a"]), b=float(data["b"]))


def sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -40.0, 40.0)))


LOGIT_EPS = 1e-7  # probabilities are clipped this far from 0 and 1 before their logit


def logit(p: np.ndarray | float) -> np.ndarray:
    clipped = np.clip(np.asarray(p, dtype=np.float64), LOGIT_EPS, 1.0 - LOGIT_EPS)
    return np.log(clipped / (1.0 - clipped))


def shift_probability(p: np.ndarray | float, from_threshold: float, to_threshold: float) -> np.ndarray:
    """Monotone logit shift that maps ``from_threshold`` onto ``to_threshold``:
    sigmoid(logit(p) - logit(from) + logit(to))."""
    return sigmoid(logit(p) - logit(from_threshold) + logit(to_threshold))


def fit_platt(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None, iterations: int = 50) -> Platt:
    """Weighted Platt scaling with Platt's smoothed targets; identity when one class is missing."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    weights = np.ones_like(scores) if weights is None else np.asarray(weights, dtype=np.float64)
    positive = float(weights[labels == 1].sum())
    negative = float(weights[labels == 0].sum())
    if positive <= 0 or negative <= 0:
        return Platt()
    # Platt (1999): targets pulled slightly off 0/1 so that separable data still gives finite parameters.
    high = (positive + 1.0) / (positive + 2.0)
    low = 1.0 / (negative + 2.0)
    targets = np.where(labels == 1, high, low)
    a, b = 1.0, 0.0
    for _ in range(iterations):
        p = sigmoid(a * scores + b)
        residual = weights * (p - targets)
        curvature = weights * np.maximum(p * (1.0 - p), 1e-12)
        grad = np.array([float(np.dot(residual, scores)), float(residual.sum())])
        hessian = np.array(
            [
                [float(np.dot(curvature, scores * scores)) + 1e-9, float(np.dot(curvature, scores))],
                [float(np.dot(curvature, scores)), float(curvature.sum()) + 1e-9],
            ]
        )
        step = np.linalg.solve(hessian, grad)
        a, b = a - float(step[0]), b - float(step[1])
        if abs(float(step[0])) < 1e-10 and abs(float(step[1])) < 1e-10:
            break
    return Platt(a=a, b=b)
