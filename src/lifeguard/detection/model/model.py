"""The trained risk model at inference time: pure numpy, batched, thread-safe, never raises on input.

Four "at or above" heads (indicator, ideation, behavior, attempt) score the hashed features of a text;
each head's score goes through its Platt calibration; the four probabilities are made monotone
(P(>= behavior) can never exceed P(>= ideation)); the level is the highest rung whose probability reaches
its threshold (0.5 by default: the median of the predicted ordinal distribution). Per-level probabilities
are the differences of neighbouring rungs (``probabilities``). A separate 11-way head, trained on SOS-4K
only, gives that set's 0-10 scale for Chinese (``sos_level``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from lifeguard.detection.assessment import Assessment, DetectorInfo, Span, TextInput, quick_assessment
from lifeguard.detection.language import (
    HINGLISH_AMBIGUOUS,
    HINGLISH_WORDS,
    canonical_hint,
    guess_language,
    looks_hinglish,
)
from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.model import artifact as artifact_io
from lifeguard.detection.model.calibrate import Platt, sigmoid
from lifeguard.detection.model.features import (
    FeatureConfig,
    Features,
    Rows,
    extract,
    raw_scale,
    summed_by_block,
    summed_by_row,
    weigh,
)
from lifeguard.detection.model.labels import LEVEL_NAMES, N_HEADS, SOS_CLASSES
from lifeguard.detection.model.second_stage import NoSecondStage, SecondStage
from lifeguard.detection.model.short_chat import ShortChatHead
from lifeguard.detection.model.textnorm import finish_fold, fold, fold_light, fold_light_many, light_offsets
from lifeguard.detection.reasons import NGRAM, SHORT_CHAT_REASON
from lifeguard.detection.scripts import HAN_CLASS

log = logging.getLogger(__name__)

MODEL_NAME = "risk-model"
SHORT_CHAT_HEAD = N_HEADS  # ``explain``'s head number for the short-chat head
SHORT_BEHAVIOR_HEAD = N_HEADS + 1  # and for its behavior head
SHORT_ACT_HEAD = N_HEADS + 2  # and for its act head
MAX_EXPLAINED_NGRAMS = 3
_HAN = re.compile(f"[{HAN_CLASS}]")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789'")


@dataclass(frozen=True, slots=True)
class Scored:
    """First-stage output for a batch: folded texts, calibrated monotone "at or above" probabilities, ranks."""

    folded: list[str]  # ``fold_light`` of each text: canonical except for repeated letters and spaces
    at_or_above: np.ndarray  # (n, 4) float64
    ranks: np.ndarray  # (n,) int: index into LEVELS
    langs: list[str | None] | None = None  # the language read from each text's scripts and words (no hint)
    short_chat: np.ndarray | None = None  # bool per text: the short-chat head raised its P(>= ideation)
    short_behavior: np.ndarray | None = None  # bool per text: its behavior head raised P(>= behavior)
    short_act: np.ndarray | None = None  # bool per text: its act head raised P(>= behavior)

    def short_raised(self) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """What the short-chat heads raised: the ideation head's rows, the behavior head's and the act head's."""
        return self.short_chat, self.short_behavior, self.short_act


class Evidence(NamedTuple):  # a tuple: made three times per flagged text, twice as fast as a dataclass
    start: int  # in the original text
    end: int
    ngram: str  # the folded n-gram(s) behind the span
    weight: float


def _coerce_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def feature_config(meta: dict[str, Any]) -> FeatureConfig:
    """The feature settings a model's ``model.json`` records."""
    return FeatureConfig(bits=int(meta["features"]["bits"]), tf=str(meta["features"].get("tf", "log")))


class RiskModel:
    """A loaded model. Implements the ``Detector`` protocol."""

    def __init__(
        self,
        loaded: artifact_io.Artifact,
        second_stage: SecondStage | None = None,
        short_chat: ShortChatHead | None = None,
    ) -> None:
        meta = loaded.meta
        self.meta = meta
        self.config = feature_config(meta)
        self.short_chat = short_chat
        # The short-chat head reads beside the heads: its version is part of the model's.
        self.version: str = str(meta["version"]) + (f"+{short_chat.version}" if short_chat is not None else "")
        self.info = DetectorInfo(name=MODEL_NAME, version=self.version, languages=("zh", "en", "hi", "hi-Latn"))
        self._label = self.info.label
        heads = meta["heads"]
        offsets = [int(value) for value in heads["offsets"]]
        index = loaded.arrays["heads_index"].astype(np.int64)
        weight = loaded.arrays["heads_weight"].astype(np.float32)
        self._table, self._head_columns = _weight_table(
            self.config.buckets, index, weight, offsets, self._short_readers()
        )
        # one floor per head, the short-chat heads' last (nothing to explain without them)
        none = np.zeros(0, dtype=np.float32)
        columns = [self._table[:, column] if column >= 0 else none for column in self._head_columns.tolist()]
        self._explain_floor = np.array(
            [float(np.median(column[column > 0])) if (column > 0).any() else 0.0 for column in columns],
            dtype=np.float32,
        )
        self._bias = np.asarray(heads["bias"], dtype=np.float64)
        self._platt = [Platt.from_json(item) for item in meta["calibration"]]
        self._calib_a = np.array([platt.a for platt in self._platt])
        self._calib_b = np.array([platt.b for platt in self._platt])
        self.thresholds = np.asarray(meta["thresholds"], dtype=np.float64)
        self.second_stage: SecondStage = second_stage or NoSecondStage()
        self._hinglish = _marker_buckets(self.config)
        self._sos_rows: np.ndarray | None = None
        self._sos_weight: np.ndarray | None = None
        self._sos_bias: np.ndarray | None = None
        if "sos_index" in loaded.arrays and meta.get("sos"):
            rows = np.full(self.config.buckets, -1, dtype=np.int32)
            sos_index = loaded.arrays["sos_index"].astype(np.int64)
            rows[sos_index] = np.arange(len(sos_index), dtype=np.int32)
            weights = np.zeros((len(sos_index) + 1, SOS_CLASSES), dtype=np.float32)  # last row: unseen buckets
            weights[:-1] = loaded.arrays["sos_weight"].astype(np.float32)
            rows[rows < 0] = len(sos_index)
            self._sos_rows = rows
            self._sos_weight = weights
            self._sos_bias = np.asarray(meta["sos"]["bias"], dtype=np.float64)

    # -- loading ------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, directory: Path | None = None, second_stage: SecondStage | None = None, short_chat: bool = True
    ) -> RiskModel:
        """The model in ``directory`` (the shipped one by default), with the short-chat head found beside it unless
        ``short_chat`` is False."""
        folder = directory or artifact_io.shipped_dir()
        loaded = artifact_io.load(folder)
        head = ShortChatHead.load(folder, feature_config(loaded.meta)) if short_chat else None
        return cls(loaded, second_stage, head)

    # -- scoring ------------------------------------------------------------------------------------

    def _rows(self, folded: list[str], collapse: bool = False) -> Rows:
        return weigh(extract(folded, self.config, collapse=collapse), self.config)

    def raw_scores(self, folded: list[str], collapse: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated head scores (n, 4) of folded texts (lightly folded with ``collapse``), and which texts
        had any feature at all."""
        scores, has_features, _, _ = self._raw_scores(folded, collapse)
        return scores, has_features

    def _raw_scores(
        self, folded: list[str], collapse: bool
    ) -> tuple[np.ndarray, np.ndarray, Features | None, np.ndarray | None]:
        """The heads' scores, which texts had a feature, the features (``tf="raw"``) and every column of the weight
        table summed and scaled per text (``tf="raw"``: the short-chat heads' sums are among them)."""
        has_features = np.zeros(len(folded), dtype=bool)
        if self.config.tf == "raw":
            # Every occurrence's weights, summed per text block by block; the text's scale multiplies the sum once.
            features = extract(folded, self.config, collapse=collapse)
            sums = summed_by_block(features, self._table) * raw_scale(features)[:, None]
            has_features[features.docs] = True
            return sums[:, :N_HEADS] + self._bias, has_features, features, sums
        rows = self._rows(folded, collapse)
        contributions = np.take(self._table, rows.buckets, axis=0)[:, :N_HEADS] * rows.values[:, None]
        scores = summed_by_row(rows, contributions) + self._bias
        has_features[rows.docs] = True
        return scores, has_features, None, None

    def _languages(self, features: Features | None, folded: list[str]) -> list[str | None]:
        """``guess_language`` for the whole batch from the features already extracted: Han before Devanagari
        (by count), then romanized Hindi by its function words (hashed word buckets, two distinct Hindi-only
        ones or one beside an ambiguous one), else English; None for a text with nothing in it."""
        if features is None or features.han_counts is None or features.deva_counts is None:
            return [guess_language(text) if text.strip() else None for text in folded]
        n = features.n_docs
        han, deva = features.han_counts, features.deva_counts
        hindi_only = np.zeros(n, dtype=np.int64)
        distinct = np.zeros(n, dtype=np.int64)
        words = features.block("word")
        if words is not None:
            buckets = features.buckets[words]
            marks = self._hinglish[buckets]  # 0: no marker, 1: also an English word, 2: Hindi only
            hit = marks.nonzero()[0]
            if len(hit):
                keys = np.unique((features.docs[words][hit] << self.config.bits) | buckets[hit])
                docs = keys >> self.config.bits
                distinct = np.bincount(docs, minlength=n)
                only = self._hinglish[keys & (self.config.buckets - 1)] == 2
                hindi_only = np.bincount(docs[only], minlength=n)
        hinglish = (hindi_only >= 2) | ((hindi_only >= 1) & (distinct >= 2))
        codes = np.where((han > 0) & (han >= deva), 0, np.where(deva > 0, 1, np.where(hinglish, 2, 3))).tolist()
        names = ("zh", "hi", "hi-Latn", "en")
        return [names[code] if text.strip() else None for code, text in zip(codes, folded, strict=True)]

    def _calibrated(self, scores: np.ndarray, has_features: np.ndarray) -> np.ndarray:
        probabilities = sigmoid(scores * self._calib_a + self._calib_b)
        probabilities = np.minimum.accumulate(probabilities, axis=1)
        probabilities[~has_features] = 0.0  # nothing to read: no risk
        return probabilities

    def _short_readers(self) -> tuple[ShortChatHead | None, ShortChatHead | None, ShortChatHead | None]:
        """The short-chat heads in ``explain``'s order of head numbers: ideation, behavior, act."""
        head = self.short_chat
        return head, head and head.behavior, head and head.act

    def ranks_from(self, at_or_above: np.ndarray) -> np.ndarray:
        passed = at_or_above >= self.thresholds
        return np.where(passed.all(axis=1), N_HEADS, np.argmin(passed, axis=1))

    def score_folded(self, folded: list[str], texts: list[str] | None = None, collapse: bool = False) -> Scored:
        """First stage for folded texts (``fold``), or lightly folded ones (``fold_light``) with ``collapse``."""
        scores, has_features, features, sums = self._raw_scores(folded, collapse)
        langs = self._languages(features, folded)
        at_or_above = self._calibrated(scores, has_features)
        ranks = self.ranks_from(at_or_above)
        if self._sos_rows is not None:
            # Chinese texts already read as ideation or above: SOS-4K's own 11-level head knows plans and
            # methods in Weibo Chinese better than the shared behavior head; take the larger probability.
            candidates = [i for i in (ranks >= 2).nonzero()[0].tolist() if _HAN.search(folded[i])]
            if candidates:
                high = self._sos_probabilities_folded([folded[i] for i in candidates], collapse)[:, 6:].sum(axis=1)
                rows = np.asarray(candidates)
                at_or_above[rows, 2] = np.maximum(at_or_above[rows, 2], np.minimum(high, at_or_above[rows, 1]))
                ranks = self.ranks_from(at_or_above)
        # After the SOS head, which reads Weibo comments, not chat: the short-chat head speaks of ideation, its
        # behavior head of behavior for a line at ideation, its act head of behavior for a line at any level; attempt
        # is the heads' alone.
        short_raised = self._read_short_chat(folded, langs, features, sums, has_features, at_or_above, collapse)
        if any(raised is not None and raised.any() for raised in short_raised):
            ranks = self.ranks_from(at_or_above)
        if not isinstance(self.second_stage, NoSecondStage):
            flagged = (ranks > 0).nonzero()[0]
            if len(flagged):
                originals = texts if texts is not None else folded
                try:
                    from lifeguard.detection.model.second_stage import accepts_langs

                    chosen, first = [originals[i] for i in flagged], at_or_above[flagged].copy()
                    if accepts_langs(self.second_stage):  # it is told each text's language guess
                        stage: Any = self.second_stage
                        result = stage.rescore(chosen, first, langs=[langs[i] for i in flagged])
                    else:
                        result = self.second_stage.rescore(chosen, first)
                    rescored = np.asarray(result, dtype=np.float64)
                    if rescored.shape == (len(flagged), N_HEADS) and np.isfinite(rescored).all():
                        at_or_above[flagged] = np.minimum.accumulate(np.clip(rescored, 0.0, 1.0), axis=1)
                        ranks = self.ranks_from(at_or_above)
                    else:
                        log.warning("second stage %s returned a bad shape; kept first stage", self.second_stage.name)
                except Exception:  # noqa: BLE001 - a plug-in must never break detection
                    log.exception("second stage %s failed; kept first stage", self.second_stage.name)
        return Scored(
            folded=folded,
            at_or_above=at_or_above,
            ranks=ranks,
            langs=langs,
            short_chat=short_raised[0],
            short_behavior=short_raised[1],
            short_act=short_raised[2],
        )

    def _read_short_chat(
        self,
        folded: list[str],
        langs: list[str | None],
        features: Features | None,
        sums: np.ndarray | None,
        has_features: np.ndarray,
        at_or_above: np.ndarray,
        collapse: bool,
    ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """The short-chat heads' reading of the batch's chat lines, raising ``at_or_above`` in place: which rows the
        head raised to ideation, which its behavior head raised to behavior, and which its act head raised to
        behavior, in that order (None without a head, or without that one). The behavior and act heads read the
        same lines as the head (``ShortChatHead.load`` checks it). ``sums``: the weight table's columns summed and
        scaled per text (``_raw_scores``), where the heads' own are."""
        readers = self._short_readers()
        head = readers[0]
        if head is None:
            return None, None, None
        short = head.reads(folded, langs, has_features)
        if not short.any():
            behavior, act = (
                np.zeros(len(folded), dtype=bool) if reader is not None else None for reader in readers[1:]
            )
            return short, behavior, act
        if sums is None:  # the tf="log" path: each head weighs the texts' n-grams itself
            if features is None:
                features = extract(folded, self.config, collapse=collapse)
            probabilities = [
                reader.probabilities(features, self.config) if reader is not None else None for reader in readers
            ]
        else:
            probabilities = [
                reader.probabilities_from_sums(sums[:, column]) if reader is not None else None
                for reader, column in zip(readers, self._head_columns[SHORT_CHAT_HEAD:].tolist(), strict=True)
            ]
        raised = [
            reader.raise_rung(at_or_above, read, short, self.thresholds)
            if reader is not None and read is not None
            else None
            for reader, read in zip(readers, probabilities, strict=True)
        ]
        return raised[0], raised[1], raised[2]

    def score_texts(self, texts: list[str]) -> Scored:
        texts = [_coerce_text(text) for text in texts]
        return self.score_folded(fold_light_many(texts), texts, collapse=True)

    def at_or_above(self, texts: list[str]) -> np.ndarray:
        """Calibrated P(level >= indicator / ideation / behavior / attempt), shape (n, 4)."""
        return self.score_texts(texts).at_or_above

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Calibrated probability of each level (none, indicator, ideation, behavior, attempt), shape (n, 5)."""
        return to_level_probabilities(self.at_or_above(texts))

    def predict(self, texts: list[str]) -> list[Level]:
        return [LEVELS[rank] for rank in self.score_texts(texts).ranks.tolist()]

    # -- the SOS-4K 0-10 head -------------------------------------------------------------------------

    @property
    def has_sos_head(self) -> bool:
        return self._sos_rows is not None

    def sos_probabilities(self, texts: list[str]) -> np.ndarray:
        """Probabilities of SOS-4K's 11 urgency levels (0-10), shape (n, 11). Trained on Chinese only."""
        return self._sos_probabilities_folded([fold(_coerce_text(text)) for text in texts])

    def _sos_probabilities_folded(self, folded: list[str], collapse: bool = False) -> np.ndarray:
        if self._sos_rows is None or self._sos_weight is None or self._sos_bias is None:
            raise RuntimeError("this model has no SOS-4K head")
        rows = self._rows(folded, collapse)
        contributions = np.take(self._sos_weight, self._sos_rows[rows.buckets], axis=0) * rows.values[:, None]
        logits = summed_by_row(rows, contributions) + self._sos_bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def sos_level(self, texts: list[str]) -> np.ndarray:
        return np.argmax(self.sos_probabilities(texts), axis=1)

    # -- explanations ---------------------------------------------------------------------------------

    def explaining_head(self, scored: Scored, index: int, level: Level) -> int:
        """The head whose n-grams explain ``level`` for text ``index`` of a batch: the short-chat head where it
        raised the text to ideation, its behavior head or else its act head where that raised it to behavior, else the
        level's own head."""
        if level is Level.IDEATION and scored.short_chat is not None and bool(scored.short_chat[index]):
            return SHORT_CHAT_HEAD
        if level is Level.BEHAVIOR:
            for number, raised in ((SHORT_BEHAVIOR_HEAD, scored.short_behavior), (SHORT_ACT_HEAD, scored.short_act)):
                if raised is not None and bool(raised[index]):
                    return number
        return level.rank - 1

    def explain(self, text: str, head: int, limit: int = MAX_EXPLAINED_NGRAMS) -> list[Evidence]:
        """The n-grams that pushed ``head`` up the most (``SHORT_CHAT_HEAD``: the short-chat head's), as spans of
        the original ``text``."""
        text = _coerce_text(text)
        return self.explain_many([text], [fold_light(text)], [head], limit)[0]

    def explain_many(
        self, texts: list[str], light: list[str], heads: list[int], limit: int = MAX_EXPLAINED_NGRAMS
    ) -> list[list[Evidence]]:
        """``explain`` for a batch of texts and their ``fold_light``: one feature pass for all texts, then a
        few candidates per text."""
        results: list[list[Evidence]] = [[] for _ in texts]
        features = extract(light, self.config, positions=True, collapse=True)
        if len(features.buckets) == 0 or features.starts is None or features.lengths is None:
            return results
        bits = self.config.bits
        head_of_doc = np.asarray(heads, dtype=np.int64)
        occurrence_heads = head_of_doc[features.docs]
        columns = self._head_columns[occurrence_heads]  # -1: a short-chat head the model does not have
        width = self._table.shape[1]
        weights = np.take(self._table.ravel(), features.buckets * width + np.maximum(columns, 0))
        weights[columns < 0] = 0.0  # nothing to explain
        # Only the heavier half of a head's positive weights can be among a text's top few; a text with
        # none of those (rare) is read again with every positive weight.
        candidate = weights > self._explain_floor[occurrence_heads]
        texts_with = np.zeros(len(texts), dtype=bool)
        texts_with[features.docs[candidate]] = True
        if not texts_with.all():
            candidate |= ~texts_with[features.docs] & (weights > 0)
        where = candidate.nonzero()[0]
        if len(where) == 0:  # no n-gram of these texts pushes their head up
            return results
        keys = (features.docs[where] << bits) | features.buckets[where]
        # each (text, bucket) once, with its first occurrence and its count (np.unique's work, one sort)
        by_key = np.argsort(keys, kind="stable")
        sorted_keys = keys[by_key]
        group = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])).nonzero()[0]
        counts = np.diff(np.append(group, len(sorted_keys)))
        docs = sorted_keys[group] >> bits
        picked = where[by_key[group]]
        weights64 = weights[picked].astype(np.float64)
        strength = weights64 * (1.0 + np.log(counts))
        order = np.argsort(docs.astype(np.float64) * 1e6 - strength, kind="stable")  # by text, strongest first
        # only the first ``limit * 4`` of each text are read
        ranked_docs = docs[order]
        firsts = np.searchsorted(ranked_docs, np.arange(len(texts) + 1))
        kept = order[np.arange(len(order)) - firsts[ranked_docs] < limit * 4]
        candidates = _Candidates(
            docs[kept], features.starts[picked[kept]], features.lengths[picked[kept]], weights64[kept]
        )
        return _evidence_many(texts, light, candidates, limit)

    # -- the Detector protocol ------------------------------------------------------------------------

    def assess(self, item: TextInput) -> Assessment:
        return self.assess_many([item])[0]

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        try:
            texts = [_coerce_text(item.text) for item in items]
            return self.assessments(items, texts, self.score_texts(texts))
        except Exception:  # noqa: BLE001 - the contract: a detector never raises; fall back one by one
            log.exception("risk model failed on a batch; assessing one by one")
            return [self._assess_one_safely(item) for item in items]

    def _assess_one_safely(self, item: TextInput) -> Assessment:
        try:
            text = _coerce_text(item.text)
            return self.assessments([item], [text], self.score_texts([text]))[0]
        except Exception:  # noqa: BLE001
            log.exception("risk model failed on one input")
            return Assessment(level=Level.NONE, score=0.0, reasons=("error:model_failed",), detector=self._label)

    def language(self, item: TextInput, folded: str, guessed: str | None = None) -> str | None:
        """The platform's hint when it names a supported language, else ``guessed`` (from the batch), else
        a guess from this text alone."""
        hinted = canonical_hint(item.lang) if item.lang else None
        if hinted or guessed:
            return hinted or guessed
        if not folded.strip():
            return None
        if folded.isascii():  # Latin only: English or Hinglish, by the Hindi function words it uses
            return "hi-Latn" if looks_hinglish(finish_fold(folded[:2000])) else "en"
        return guess_language(folded)

    def assessments(
        self, items: list[TextInput], texts: list[str], scored: Scored, explain: bool = True
    ) -> list[Assessment]:
        ranks = scored.ranks.tolist()
        flagged = [i for i, rank in enumerate(ranks) if rank > 0] if explain else []
        evidence: dict[int, list[Evidence]] = {}
        if flagged:
            found = self.explain_many(
                [texts[i] for i in flagged],
                [scored.folded[i] for i in flagged],
                [self.explaining_head(scored, i, LEVELS[ranks[i]]) for i in flagged],
            )
            evidence = dict(zip(flagged, found, strict=True))
        reasons_by_item = probability_reasons_many(scored.at_or_above)
        # The score is one of the text's four rounded probabilities: P(>= its level), or P(>= indicator) at
        # none. np.round gives the double nearest to k / 10,000, as round(x, 4) does (a division is correctly
        # rounded), in one call for the batch instead of one Python call per text.
        rounded = np.round(scored.at_or_above, 4).tolist()
        model_reason = f"model:{self.version}"
        for raised in scored.short_raised():
            if raised is not None:
                for index in raised.nonzero()[0].tolist():
                    if reasons_by_item[index][:1] != [SHORT_CHAT_REASON]:
                        reasons_by_item[index] = [SHORT_CHAT_REASON, *reasons_by_item[index]]
        langs = scored.langs or [None] * len(items)
        label, folded = self._label, scored.folded
        out: list[Assessment] = []
        for index, item in enumerate(items):
            rank = ranks[index]
            score = rounded[index][rank - 1] if rank else rounded[index][0]
            lang = self.language(item, folded[index], langs[index])
            found = evidence.get(index) if rank else None
            if not found:  # most traffic: a level and its probabilities, nothing to point at
                reasons = (model_reason, *reasons_by_item[index])
                out.append(quick_assessment(LEVELS[rank], score, reasons, (), label, lang))
                continue
            listed = [model_reason, *reasons_by_item[index]]
            spans: list[Span] = []
            for found_here in found:
                listed.append(f"{NGRAM}{found_here.ngram}")
                spans.append(Span(found_here.start, found_here.end, f"model:{NGRAM}{found_here.ngram}"))
            out.append(quick_assessment(LEVELS[rank], score, tuple(dict.fromkeys(listed)), tuple(spans), label, lang))
        return out


def _weight_table(
    buckets: int, index: np.ndarray, weight: np.ndarray, offsets: list[int], readers: tuple[ShortChatHead | None, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The heads' weights (sparse: ``index``/``weight``, head h at ``offsets[h]:offsets[h + 1]``) and the short-chat
    heads' side by side, one row per bucket, so that a batch's n-grams are gathered once for all of them: with the
    short-chat heads, 8 float32 columns (a 32-byte row: one gather reads all seven), of which the last are zero;
    and the table column of each ``explain`` head number (-1: not there)."""
    width = N_HEADS if all(reader is None for reader in readers) else 8
    table = np.zeros((buckets, width), dtype=np.float32)
    for head in range(N_HEADS):
        part = slice(offsets[head], offsets[head + 1])
        table[index[part], head] = weight[part]
    columns = list(range(N_HEADS))
    free = N_HEADS
    for reader in readers:
        if reader is None:
            columns.append(-1)
            continue
        table[:, free] = reader.weights
        columns.append(free)
        free += 1
    table.setflags(write=False)
    return table, np.asarray(columns, dtype=np.int64)


def _marker_buckets(config: FeatureConfig) -> np.ndarray:
    """Per word bucket: 2 for a Hinglish function word that is not English, 1 for one that also is, else 0."""
    words = sorted({fold(word) for word in HINGLISH_WORDS})
    ambiguous = {fold(word) for word in HINGLISH_AMBIGUOUS}
    table = np.zeros(config.buckets, dtype=np.uint8)
    features = extract(words, config)
    where = features.block("word")
    if where is not None:
        for doc, bucket in zip(features.docs[where].tolist(), features.buckets[where].tolist(), strict=True):
            table[bucket] = max(int(table[bucket]), 1 if words[doc] in ambiguous else 2)
    table.setflags(write=False)
    return table


class _Candidates(NamedTuple):
    """N-grams of a batch that may explain their text, grouped by text and strongest first within each."""

    docs: np.ndarray  # the text each comes from (ascending)
    starts: np.ndarray  # in the text's ``fold_light``
    lengths: np.ndarray
    weights: np.ndarray  # float64


def _evidence_many(texts: list[str], light: list[str], found: _Candidates, limit: int) -> list[list[Evidence]]:
    """Turn each text's candidate n-grams of its ``fold_light`` into at most ``limit`` readable original spans.

    For each text, strongest first: trim the spaces at both ends; a Latin n-gram grows to whole words ("i w" ->
    "i want") and is dropped under three characters ("to"); a lone Han or Devanagari character is dropped (an
    emoji or symbol is kept). The first ``limit * 2`` kept are merged where they overlap (their weights added),
    and the ``limit`` heaviest are mapped back to the original characters. All of it in numpy for the batch, on
    the texts joined by a separator that is neither a space nor a word character; Python only builds the few
    spans kept."""
    results: list[list[Evidence]] = [[] for _ in texts]
    if len(found.docs) == 0:
        return results
    sizes = np.fromiter((len(text) for text in light), dtype=np.int64, count=len(light))
    offsets = np.concatenate(([0], np.cumsum(sizes + 1)[:-1]))  # each text's first character in the joined text
    codes = np.frombuffer("\n".join(light).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    index = np.arange(len(codes) + 1, dtype=np.int64)
    ends_at = np.append(codes, np.uint32(10))  # one separator past the last text
    space = ends_at == 32
    word = _WORD_TABLE[np.minimum(ends_at, 127)] & (ends_at < 128)
    # per position: the first non-space at or after it, the last non-space before it, the first non-word at or
    # after it and the last non-word before it (a separator is both: nothing crosses from one text to the next)
    next_solid = np.minimum.accumulate(np.where(space, len(index), index)[::-1])[::-1]
    last_solid = np.maximum.accumulate(np.where(space, -1, index))
    next_break = np.minimum.accumulate(np.where(word, len(index), index)[::-1])[::-1]
    last_break = np.maximum.accumulate(np.where(word, -1, index))

    base = offsets[found.docs]
    size = sizes[found.docs]
    start = base + np.clip(found.starts, 0, size)  # (features never start past their text)
    end = base + np.minimum(found.starts + found.lengths, size)
    start = np.minimum(next_solid[start], np.maximum(end, start))
    end_solid = last_solid[np.maximum(end - 1, 0)] + 1
    end = np.where(end > start, np.maximum(end_solid, start), end)
    solid = end > start
    first = ends_at[start]
    wide = (first >= 0x2000) & (first < 0x3000)  # punctuation, arrows, symbols: one may say something
    latin = solid & word[start]
    start = np.where(latin, np.maximum(last_break[np.maximum(start - 1, 0)] + 1, base), start)
    end = np.where(latin, next_break[end], end)
    kept = solid & np.where(latin, end - start >= 3, (end - start >= 2) | wide)
    # the first ``limit * 2`` kept of each text, in their order
    docs = found.docs[kept]
    start, end, weight = start[kept], end[kept], found.weights[kept]
    rank = np.arange(len(docs)) - np.searchsorted(docs, docs)  # place among the kept of its text
    take = rank < limit * 2
    docs, start, end, weight = docs[take], start[take], end[take], weight[take]
    if len(docs) == 0:
        return results
    # merge overlapping spans of a text, in order of (start, end, weight): a span joins the group before it when
    # it starts at or before the furthest end so far in its text
    order = np.lexsort((weight, end, start, docs))
    docs, start, end, weight = docs[order], start[order], end[order], weight[order]
    first_of_doc = np.concatenate(([True], docs[1:] != docs[:-1]))
    span = int(end.max()) + 1
    furthest = np.maximum.accumulate(end + docs * span) - docs * span
    before = np.concatenate(([-1], furthest[:-1]))
    opens = first_of_doc | (start > before)
    heads = opens.nonzero()[0]
    group_docs = docs[heads]
    group_start = start[heads]
    group_end = np.maximum.reduceat(end, heads)
    group_weight = np.add.reduceat(weight, heads)
    # the heaviest ``limit`` groups of each text (ties in order of start), mapped back to the original text
    order = np.lexsort((np.arange(len(heads)), -group_weight, group_docs))
    group_docs, group_start, group_end, group_weight = (
        group_docs[order],
        group_start[order],
        group_end[order],
        group_weight[order],
    )
    place = np.arange(len(group_docs)) - np.searchsorted(group_docs, group_docs)
    final = (place < limit).nonzero()[0]
    local_start = (group_start - offsets[group_docs])[final].tolist()
    local_end = (group_end - offsets[group_docs])[final].tolist()
    final_docs = group_docs[final].tolist()
    final_weights = group_weight[final].tolist()
    maps: dict[int, tuple[Sequence[int], Sequence[int]] | None] = {}
    for doc, begin, finish, value in zip(final_docs, local_start, local_end, final_weights, strict=True):
        if doc not in maps:
            starts, ends = light_offsets(texts[doc])
            # cannot differ for ``fold_light`` of the text; never report wrong offsets
            maps[doc] = (starts, ends) if len(starts) == len(light[doc]) else None
        mapped = maps[doc]
        if mapped is None:
            continue
        ngram = _finished(light[doc][begin:finish])  # as the model read it
        results[doc].append(Evidence(mapped[0][begin], mapped[1][finish - 1], ngram, round(value, 4)))
    return results


_WORD_TABLE = np.zeros(128, dtype=bool)
_WORD_TABLE[[ord(char) for char in _WORD_CHARS]] = True
_FINISHED: dict[str, str] = {}
_FINISHED_MAX = 65_536


def _finished(piece: str) -> str:
    """``finish_fold`` of a short n-gram, remembered: the same few thousand n-grams explain most texts. Shared by
    threads: an entry lost to another thread's ``clear`` is computed again, to the same value."""
    done = _FINISHED.get(piece)
    if done is None:
        if len(_FINISHED) >= _FINISHED_MAX:
            _FINISHED.clear()
        done = _FINISHED[piece] = finish_fold(piece)
    return done


def to_level_probabilities(at_or_above: np.ndarray) -> np.ndarray:
    at_or_above = np.atleast_2d(at_or_above)
    upper = np.concatenate([np.ones((len(at_or_above), 1)), at_or_above], axis=1)
    lower = np.concatenate([at_or_above, np.zeros((len(at_or_above), 1))], axis=1)
    return np.clip(upper - lower, 0.0, 1.0)


def probability_reasons(at_or_above: np.ndarray, top: int = 2) -> list[str]:
    """The ``top`` most probable levels as "p:<level>=0.123" reasons."""
    return probability_reasons_many(np.atleast_2d(at_or_above), top)[0]


# "p:<level>=0.123" for every level and every probability in thousandths: formatting is then a lookup
_P_REASONS: tuple[tuple[str, ...], ...] = tuple(
    tuple(f"p:{name}={k / 1000:.3f}" for k in range(1001)) for name in LEVEL_NAMES
)


# the same strings in one flat array: the reason for level i at k thousandths is _P_FLAT[i * 1001 + k]
_P_FLAT = np.array([reason for row in _P_REASONS for reason in row], dtype=object)


def probability_reasons_many(at_or_above: np.ndarray, top: int = 2) -> list[list[str]]:
    probabilities = to_level_probabilities(at_or_above)
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :top]
    thousandths = np.rint(np.take_along_axis(probabilities, order, axis=1) * 1000).astype(np.int64)
    reasons: list[list[str]] = _P_FLAT[order * 1001 + thousandths].tolist()  # one gather for the batch
    return reasons
