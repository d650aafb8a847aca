"""The Chinese second stage: a small Chinese BERT fine-tuned on SOS-4K's 0-10 scale (plus ordinary text).

Optional and off by default (LIFEGUARD_SECOND_STAGE=zh, or ``minilm+zh`` for both stages). The folder it reads
(LIFEGUARD_ZH_STAGE_DIR) is made by ``lifeguard model second-stage train-zh`` (``second_stage_zh_train``,
needs torch and the base encoder; Lifeguard never downloads either): the fine-tuned encoder, run here in
numpy by ``minilm.MiniLMEncoder``, and ``head.json``, a 12-way softmax on the mean of its last hidden states
(classes 0-10 = SOS-4K's levels, 11 = ordinary text).

It re-scores the texts the first stage flags (level indicator or above) that the model reads as Chinese with
P(level >= indicator) >= ``applies_to.min_indicator``. The twelve probabilities become the four "at or
above" ones by SOS-4K's mapping (``datasets._sos``): indicator = P(1-10), ideation = P(4-10),
behavior = P(6-10), attempt = P(10). Each is shifted on the logit scale so that the stage's own 0.5 lands
on the model's threshold for that rung, then made monotone. Other texts keep the first stage's numbers.
``sos_probabilities`` gives the 0-10 distribution (renormalised without the ordinary class).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.model.calibrate import shift_probability
from lifeguard.detection.model.minilm import WEIGHTS_FILE
from lifeguard.detection.model.second_stage_minilm import (
    SecondStageUnavailable,
    load_encoder_for,
    read_head_file,
)

log = logging.getLogger(__name__)

NAME = "zh"
DIR_ENV = "LIFEGUARD_ZH_STAGE_DIR"
HEAD_FILE = "head.json"
HEAD_FORMAT = "lifeguard-zh-stage-head"
HEAD_VERSION = 1
SOS_DATASET = "sos-4k-zh"
CLASSES = 12
BENIGN_CLASS = 11
# SOS-4K level where each Lifeguard rung starts (indicator, ideation, behavior, attempt), as datasets._sos.
RUNG_STARTS = (1, 4, 6, 10)
MIN_INDICATOR = 0.5


class ZhHeadError(ValueError):
    """The head file is missing, malformed, or made for another encoder."""


def cumulative(probabilities: np.ndarray) -> np.ndarray:
    """(n, 12) class probabilities -> (n, 4) P(at or above) indicator, ideation, behavior, attempt."""
    p = np.asarray(probabilities, dtype=np.float64)
    return np.stack([p[:, start:BENIGN_CLASS].sum(axis=1) for start in RUNG_STARTS], axis=1)


def sos_distribution(probabilities: np.ndarray) -> np.ndarray:
    """(n, 12) class probabilities -> (n, 11) distribution over SOS-4K's levels 0-10, the ordinary class left out."""
    p = np.asarray(probabilities, dtype=np.float64)[:, :BENIGN_CLASS]
    return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class ZhHead:
    weights: np.ndarray  # (12, dim) float64
    bias: np.ndarray  # (12,)
    encoder_sha256: str  # of the fine-tuned model.safetensors beside it
    digest: str  # sha256 of the head file's content (sorted keys), to name the version that scored
    min_indicator: float
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, where: str = "head") -> ZhHead:
        if not isinstance(data, dict):
            raise ZhHeadError(f"{where}: expected a JSON object")
        if data.get("format") != HEAD_FORMAT or data.get("version") != HEAD_VERSION:
            raise ZhHeadError(
                f"{where}: format {data.get('format')!r} version {data.get('version')!r}, "
                f"this code reads {HEAD_FORMAT!r} version {HEAD_VERSION}"
            )
        try:
            weights = np.asarray(data["weights"], dtype=np.float64)
            bias = np.asarray(data["bias"], dtype=np.float64)
        except KeyError as exc:
            raise ZhHeadError(f"{where}: missing field {exc.args[0]!r}") from exc
        except (TypeError, ValueError) as exc:
            raise ZhHeadError(f"{where}: 'weights' and 'bias' must be numbers ({exc})") from exc
        if weights.ndim != 2 or weights.shape[0] != CLASSES or bias.shape != (CLASSES,):
            raise ZhHeadError(
                f"{where}: weights {weights.shape} / bias {bias.shape}, expected ({CLASSES}, dim) / ({CLASSES},)"
            )
        if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
            raise ZhHeadError(f"{where}: a weight or bias is not a finite number")
        encoder = data.get("encoder")
        sha = encoder.get("sha256") if isinstance(encoder, dict) else None
        if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ZhHeadError(f"{where}: field 'encoder.sha256' must be 64 lowercase hex digits, got {sha!r}")
        applies = data.get("applies_to", {})
        gate = applies.get("min_indicator", MIN_INDICATOR) if isinstance(applies, dict) else None
        if isinstance(gate, bool) or not isinstance(gate, int | float) or not 0.0 <= gate <= 1.0:
            raise ZhHeadError(f"{where}: field 'applies_to.min_indicator' must be a number in [0, 1], got {gate!r}")
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        meta = {key: value for key, value in data.items() if key not in ("weights", "bias")}
        return cls(weights, bias, sha, hashlib.sha256(canonical).hexdigest(), float(gate), meta)

    @classmethod
    def load(cls, path: Path) -> ZhHead:
        return cls.from_json(read_head_file(path, ZhHeadError), str(path))

    def probabilities(self, pooled: np.ndarray) -> np.ndarray:
        """(n, 12) class probabilities for mean-pooled (not normalised) last hidden states."""
        return _softmax(np.asarray(pooled, dtype=np.float64) @ self.weights.T + self.bias)


class ChineseSecondStage:
    """Implements ``SecondStage`` (with ``langs``). Thread-safe: the encoders and heads are read-only.

    ``more`` adds members to an ensemble: encoder-and-head pairs fine-tuned the same way with other seeds,
    whose class probabilities are averaged with the first pair's."""

    name = NAME

    def __init__(
        self,
        encoder: Any,
        head: ZhHead,
        thresholds: np.ndarray | list[float],
        cache: bool = False,
        more: tuple[tuple[Any, ZhHead], ...] = (),
    ) -> None:
        limits = np.asarray(thresholds, dtype=np.float64)
        if limits.shape != (4,) or not ((limits > 0) & (limits < 1)).all():
            raise ValueError(f"need the model's four thresholds, each strictly between 0 and 1, got {thresholds}")
        self.encoder = encoder  # ``encode(texts, normalize=False) -> (n, dim)``: MiniLMEncoder in production
        self.head = head
        self.members: tuple[tuple[Any, ZhHead], ...] = ((encoder, head), *more)
        self.thresholds = limits
        if more:
            joined = "+".join(member_head.digest for _, member_head in self.members)
            self.version = f"{NAME}.{hashlib.sha256(joined.encode()).hexdigest()[:8]}x{len(self.members)}"
        else:
            self.version = f"{NAME}.{head.digest[:8]}"
        self._cache: dict[str, np.ndarray] | None = {} if cache else None  # text -> class probabilities
        self._lock = threading.Lock()
        self.texts_encoded = 0
        self.seconds_encoding = 0.0

    def handles(self, lang: str | None, p_indicator: float = 1.0) -> bool:
        return lang == "zh" and p_indicator >= self.head.min_indicator

    def class_probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, 12): SOS-4K levels 0-10 and ordinary text."""
        out = np.zeros((len(texts), CLASSES), dtype=np.float64)
        todo = [i for i, text in enumerate(texts) if self._cache is None or text not in self._cache]
        if todo:
            started = time.perf_counter()
            chosen = [texts[i] for i in todo]
            summed = np.zeros((len(todo), CLASSES), dtype=np.float64)
            for encoder, head in self.members:
                pooled = np.asarray(encoder.encode(chosen, normalize=False))
                if pooled.shape != (len(todo), head.weights.shape[1]):
                    raise ValueError(f"encoder gave shape {pooled.shape}, the head needs (n, {head.weights.shape[1]})")
                summed += head.probabilities(pooled)
            out[todo] = summed / len(self.members)
            with self._lock:
                self.texts_encoded += len(todo)
                self.seconds_encoding += time.perf_counter() - started
                if self._cache is not None:
                    for i in todo:
                        self._cache[texts[i]] = out[i]
        if self._cache is not None:
            for i, text in enumerate(texts):
                out[i] = self._cache[text]
        return out

    def sos_probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, 11): the distribution over SOS-4K's levels 0-10, the ordinary class left out."""
        return sos_distribution(self.class_probabilities(texts))

    def rescore(self, texts: list[str], at_or_above: np.ndarray, langs: list[str | None] | None = None) -> np.ndarray:
        out = np.array(at_or_above, dtype=np.float64, copy=True)
        if langs is None:
            from lifeguard.detection.language import guess_language

            langs = [guess_language(text) if text.strip() else None for text in texts]
        indicator = out[:, 0].tolist()
        chosen = [i for i, lang in enumerate(langs) if self.handles(lang, indicator[i])]
        if not chosen:
            return out
        rungs = cumulative(self.class_probabilities([texts[i] for i in chosen]))
        shifted = np.stack([shift_probability(rungs[:, j], 0.5, self.thresholds[j]) for j in range(4)], axis=1)
        out[np.asarray(chosen)] = np.minimum.accumulate(shifted, axis=1)  # P(>= a higher rung) <= a lower one
        return out


def find_stage_dir(directory: str | Path | None = None) -> Path | None:
    chosen = directory if directory not in (None, "") else os.environ.get(DIR_ENV, "").strip()
    return Path(chosen) if chosen else None


def member_dirs(folder: Path) -> list[Path]:
    """The stage folders ``folder`` stands for: itself when it holds an encoder, else (an ensemble) each of
    its sub-folders that holds one, by name."""
    if (folder / WEIGHTS_FILE).is_file():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(child for child in folder.iterdir() if (child / WEIGHTS_FILE).is_file())


def build_zh_stage(
    thresholds: list[float], directory: str | Path | None = None, cache: bool = False
) -> ChineseSecondStage:
    """The Chinese second stage from ``directory`` (else LIFEGUARD_ZH_STAGE_DIR): one fine-tuned encoder, or a
    folder of several (an ensemble, e.g. ``seed-0``, ``seed-1``, ``seed-2``); or ``SecondStageUnavailable``
    saying what to make or set."""
    folder = find_stage_dir(directory)
    members = member_dirs(folder) if folder is not None else []
    if not members:
        asked = f"no {WEIGHTS_FILE} in {folder} or its sub-folders" if folder is not None else f"{DIR_ENV} is unset"
        raise SecondStageUnavailable(
            f"second stage 'zh' needs a fine-tuned Chinese encoder: {asked}. Make one with `lifeguard model "
            f"second-stage train-zh --base DIR --out DIR` (docs/model.md) and set {DIR_ENV} to that folder"
        )
    loaded: list[tuple[Any, ZhHead]] = []
    for member in members:
        try:
            head = ZhHead.load(member / HEAD_FILE)
        except ZhHeadError as exc:
            raise SecondStageUnavailable(str(exc)) from exc
        loaded.append((load_encoder_for(member, head.encoder_sha256), head))
    gates = {head.min_indicator for _, head in loaded}
    if len(gates) > 1:
        raise SecondStageUnavailable(
            f"the members under {folder} disagree on applies_to.min_indicator: {sorted(gates)}"
        )
    (encoder, head), *more = loaded
    return ChineseSecondStage(encoder, head, thresholds, cache, more=tuple(more))
