"""The short-chat head: a reader of chat lines that the first stage's heads, trained on forum posts and Weibo
comments, read poorly. Pure numpy, part of the first stage, on by default (docs/model.md, "The short-chat head").

The model's four heads learnt risk from posts; what they know of one-line chat comes from a hundred seed phrases.
The rules find the phrasings they were shown and few others: on short-chat risk messages nobody had read, two rounds
of rules moved recall by a few messages each (sessions 21 and 22). This head is a logistic regression over the same
hashed n-grams, trained on labelled chat lines (``short_chat_train``). It reads only lines of at most ``max_chars``
characters in the languages its file names, may raise a line's P(level >= ideation), never lower it, and leaves the
other rungs alone; the hybrid's rule corrections (negation, someone else's risk, idioms, shop talk, too short) apply
after it. On fresh short-chat risk nobody had read it found 10 more of 130 English messages and none more of 130
Chinese ones, opening no case on their lookalikes (session 23); reading Hindi and everyday chat too, 8 more of 150
Chinese and 36 more of 150 Hindi (session 24).

Beside it, a second head of the same kind speaks of behavior (``BEHAVIOR``, session 24): for a line already at
ideation or above, whether it tells a plan, a means, a place, a time, a goodbye or an act under way. It may raise
P(level >= behavior), never lower it, and never opens a case by itself (it acts on lines at ideation only, not on
those the heads read as behavior already).

A third, the act head (rung ``act``, session 25), reads the same lines for an act under way or at hand (on the
ledge, the pills swallowed, the rope bought, the goodbye with a day) against everything that is not risk (wishes alone,
lookalikes, everyday chat, ordinary text), and raises P(level >= behavior) of a line at any level: the people in the
middle of it often write only where they are, what they did or what they hold, words the ideation head, which learnt
wishes, weighs little. It may open a case.

On disk, beside the model: ``short_chat.json`` (parameters, provenance, figures) and two arrays, the buckets with a
weight (``short_chat_index.npy``, uint32) and their weights (``short_chat_weight.npy``, float32); the behavior head's
three files are named ``short_chat_behavior*``, the act head's ``short_chat_act*``; both are optional. No pickle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.model.artifact import ArtifactError
from lifeguard.detection.model.calibrate import shift_probability, sigmoid
from lifeguard.detection.model.features import FeatureConfig, Features, raw_scale, summed_by_block, summed_by_row, weigh
from lifeguard.detection.model.hashing import HASH_SCHEME

FORMAT = "short-chat-1"
META_FILE = "short_chat.json"
INDEX_FILE = "short_chat_index.npy"
WEIGHT_FILE = "short_chat_weight.npy"
BEHAVIOR_PREFIX = "short_chat_behavior"  # the behavior head's files: short_chat_behavior.json, _index.npy, _weight.npy
ACT_PREFIX = "short_chat_act"  # the act head's
IDEATION = 1  # the rungs the heads speak about, in the (n, 4) "at or above" columns
BEHAVIOR = 2
# A file's "rung": the column it raises. "act" raises behavior too, on a line at any level (``ShortChatHead.opens``).
RUNGS = {"ideation": IDEATION, "behavior": BEHAVIOR, "act": BEHAVIOR}
VERSION_PREFIXES = {"ideation": "short.", "behavior": "shortb.", "act": "shorta."}
LANGUAGES = ("en", "zh", "hi", "hi-Latn")  # the model's language guesses


def files(prefix: str) -> tuple[str, str, str]:
    """The meta, index and weight file names of a head."""
    return f"{prefix}.json", f"{prefix}_index.npy", f"{prefix}_weight.npy"


def content_version(meta: dict[str, Any], index: np.ndarray, weight: np.ndarray) -> str:
    """``short.`` (the behavior head: ``shortb.``, the act head: ``shorta.``) and 10 hex digits of a sha256 over what
    changes predictions."""
    digest = hashlib.sha256()
    rung = meta.get("rung", "ideation")
    named = rung != "ideation"  # the ideation head's files name no rung
    for key in ("bias", "threshold", "max_chars", "languages", "features", "hash_scheme", *(["rung"] * named)):
        digest.update(json.dumps(meta.get(key), sort_keys=True).encode("utf-8"))
    digest.update(np.ascontiguousarray(index, dtype=np.uint32).tobytes())
    digest.update(np.ascontiguousarray(weight, dtype=np.float32).tobytes())
    return VERSION_PREFIXES.get(rung, "short.") + digest.hexdigest()[:10]


@dataclass(frozen=True)
class ShortChatHead:
    """A loaded head: dense weights over the model's hash buckets, a bias, the threshold its training chose and the
    longest line (in lightly folded characters) it reads; the rung it raises and whether it may raise a line at any
    level (``opens``: the act head), and the ideation head's behavior and act heads when there are (its ``version``
    then names them)."""

    weights: np.ndarray  # float32, one per bucket
    bias: float
    threshold: float
    max_chars: int
    languages: tuple[str, ...]  # the model's language guesses it reads ("en", "zh", "hi", "hi-Latn")
    version: str
    meta: dict[str, Any]
    rung: int = IDEATION
    behavior: ShortChatHead | None = None
    act: ShortChatHead | None = None
    opens: bool = False

    @classmethod
    def from_arrays(
        cls,
        meta: dict[str, Any],
        index: np.ndarray,
        weight: np.ndarray,
        config: FeatureConfig,
        where: str = META_FILE,
        rung: str = "ideation",
    ) -> ShortChatHead:
        """The head, checked against the model's features (``ArtifactError`` naming the field otherwise)."""
        if meta.get("format") != FORMAT:
            raise ArtifactError(f"{where}: format {meta.get('format')!r}, expected {FORMAT!r}")
        if meta.get("hash_scheme") != HASH_SCHEME:
            raise ArtifactError(f"{where}: hash scheme {meta.get('hash_scheme')!r}, this code uses {HASH_SCHEME!r}")
        features = meta.get("features") or {}
        if features.get("bits") != config.bits or features.get("tf") != config.tf:
            raise ArtifactError(
                f"{where}: trained on features {features!r}, the model beside it uses "
                f"{{'bits': {config.bits}, 'tf': {config.tf!r}}}: retrain it with `lifeguard model train-short-chat`"
            )
        threshold, bias, max_chars = meta.get("threshold"), meta.get("bias"), meta.get("max_chars")
        if not isinstance(threshold, float) or not 0.0 < threshold < 1.0:
            raise ArtifactError(f"{where}: field 'threshold' must be a number in (0, 1), got {threshold!r}")
        if isinstance(bias, bool) or not isinstance(bias, int | float) or not np.isfinite(bias):
            raise ArtifactError(f"{where}: field 'bias' must be a finite number, got {bias!r}")
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            raise ArtifactError(f"{where}: field 'max_chars' must be a whole number >= 1, got {max_chars!r}")
        if meta.get("rung", "ideation") != rung:
            raise ArtifactError(f"{where}: field 'rung' is {meta.get('rung', 'ideation')!r}, this file holds {rung!r}")
        languages = meta.get("languages")
        if not isinstance(languages, list) or not languages or not all(lang in LANGUAGES for lang in languages):
            raise ArtifactError(
                f"{where}: field 'languages' must list some of {', '.join(LANGUAGES)}, got {languages!r}"
            )
        if index.dtype != np.uint32 or weight.dtype != np.float32 or index.shape != weight.shape or index.ndim != 1:
            raise ArtifactError(f"{where}: {INDEX_FILE} (uint32) and {WEIGHT_FILE} (float32) must be 1-D, same length")
        if len(index) and int(index.max()) >= config.buckets:
            raise ArtifactError(f"{where}: a bucket id is beyond the model's {config.buckets} buckets")
        if not np.isfinite(weight).all():
            raise ArtifactError(f"{where}: {WEIGHT_FILE} holds a value that is not finite")
        dense = np.zeros(config.buckets, dtype=np.float32)
        dense[index.astype(np.int64)] = weight
        dense.setflags(write=False)
        version = content_version(meta, index, weight)
        if meta.get("version") not in (None, version):
            raise ArtifactError(f"{where}: records version {meta.get('version')!r}, its content is {version!r}")
        return cls(
            dense, float(bias), threshold, max_chars, tuple(languages), version, meta, RUNGS[rung], opens=rung == "act"
        )

    @classmethod
    def load(cls, directory: Path, config: FeatureConfig) -> ShortChatHead | None:
        """The head beside a model in ``directory`` with its behavior and act heads where they are there too, or None
        when there is no head."""
        head = _load_one(directory, config, "short_chat", "ideation")
        if head is None:
            return None
        for prefix, rung in ((BEHAVIOR_PREFIX, "behavior"), (ACT_PREFIX, "act")):
            other = _load_one(directory, config, prefix, rung)
            if other is None:
                continue
            if (other.max_chars, other.languages) != (head.max_chars, head.languages):
                raise ArtifactError(
                    f"{directory / files(prefix)[0]}: reads lines of {other.max_chars} characters in "
                    f"{list(other.languages)}, the short-chat head {head.max_chars} in {list(head.languages)}: "
                    "retrain them with `lifeguard model train-short-chat`"
                )
            head = replace(head, **{rung: other}, version=f"{head.version}+{other.version}")
        return head

    def reads(self, folded: list[str], langs: list[str | None], has_features: np.ndarray) -> np.ndarray:
        """Which texts of a batch it reads: lines of at most ``max_chars`` (lightly folded) characters, in one of
        its languages (the model's guess), with some n-gram."""
        wanted = [
            lang in self.languages and bool(text.strip()) and len(text) <= self.max_chars
            for text, lang in zip(folded, langs, strict=True)
        ]
        return np.asarray(wanted, dtype=bool) & has_features

    def probabilities(self, features: Features, config: FeatureConfig) -> np.ndarray:
        """P(risk) of every text of a batch whose n-grams the model extracted (short or not)."""
        if config.tf == "raw":  # the model's own sums (``RiskModel._raw_scores``), with this head's weights
            sums = summed_by_block(features, self.weights) * raw_scale(features)
        else:
            rows = weigh(features, config)
            sums = summed_by_row(rows, np.take(self.weights, rows.buckets) * rows.values)
        return self.probabilities_from_sums(sums)

    def probabilities_from_sums(self, sums: np.ndarray) -> np.ndarray:
        """P(risk) from each text's weights summed and scaled as ``probabilities`` sums them (the model sums every
        head's at once: ``RiskModel._raw_scores``)."""
        return np.asarray(sigmoid(sums + self.bias), dtype=np.float64)

    def raise_rung(
        self, at_or_above: np.ndarray, probabilities: np.ndarray, short: np.ndarray, thresholds: np.ndarray
    ) -> np.ndarray:
        """Which rows it raised, raising ``at_or_above`` in place. It acts on the short lines it reads as risk (its
        probability at or above its threshold) and leaves the rest as the heads read them: its probability is shifted
        on the logit scale so that its threshold lands on the model's threshold for its rung (``thresholds``, one per
        rung), and where that is higher than the model's P(>= its rung), it replaces it (and the rungs below follow).
        The behavior head acts only on lines at ideation (not below, not already at behavior): it speaks of how far,
        not whether. The act head (``opens``) acts on a line at any level."""
        rung = self.rung
        shifted = shift_probability(probabilities, self.threshold, float(thresholds[rung]))
        raised = short & (probabilities >= self.threshold) & (shifted > at_or_above[:, rung])
        if rung > IDEATION and not self.opens:
            raised &= (at_or_above[:, rung - 1] >= float(thresholds[rung - 1])) & (
                at_or_above[:, rung] < float(thresholds[rung])
            )
        at_or_above[raised, rung] = shifted[raised]
        at_or_above[raised, :rung] = np.maximum(at_or_above[raised, :rung], shifted[raised, None])
        return raised


def _load_one(directory: Path, config: FeatureConfig, prefix: str, rung: str) -> ShortChatHead | None:
    meta_name, index_name, weight_name = files(prefix)
    meta_path = directory / meta_name
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        index = np.load(directory / index_name, allow_pickle=False)
        weight = np.load(directory / weight_name, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{directory}: cannot read the short-chat head ({prefix}): {exc}") from exc
    if not isinstance(meta, dict):
        raise ArtifactError(f"{meta_path}: not a JSON object")
    return ShortChatHead.from_arrays(meta, index, weight, config, str(meta_path), rung)


def save(
    directory: Path, meta: dict[str, Any], index: np.ndarray, weight: np.ndarray, prefix: str = "short_chat"
) -> dict[str, Any]:
    """Write a head's three files (``prefix``: ``BEHAVIOR_PREFIX`` for the behavior head, whose meta says
    ``"rung": "behavior"``, ``ACT_PREFIX`` for the act head, ``"rung": "act"``); returns the meta written (with its
    version)."""
    index = np.ascontiguousarray(index, dtype=np.uint32)
    weight = np.ascontiguousarray(weight, dtype=np.float32)
    meta = {**meta, "format": FORMAT, "hash_scheme": HASH_SCHEME}
    meta["version"] = content_version(meta, index, weight)
    directory.mkdir(parents=True, exist_ok=True)
    meta_name, index_name, weight_name = files(prefix)
    for name, array in ((index_name, index), (weight_name, weight)):
        with (directory / name).open("wb") as handle:
            np.save(handle, array, allow_pickle=False)
    text = json.dumps(meta, sort_keys=True, indent=1, ensure_ascii=False)
    (directory / meta_name).write_text(text + "\n", encoding="utf-8")
    return meta
