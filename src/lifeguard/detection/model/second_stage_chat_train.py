"""Training the chat head (``lifeguard model second-stage train-chat``). Needs scikit-learn.

The posts' head (``second_stage_train``) learnt from Reddit posts and reads only texts of 15 words or more: on chat
lines its output sits near its threshold whatever they say. The chat head reads the short English lines instead
(``applies_to.max_words``), with the same encoder, as the optional ``chat`` stage. The rules find what they were shown
and little else (docs/model.md, session 22: on short-chat risk nobody had read, a round of rules moved English recall
from 48 to 50 of 150); an encoder reads meaning in phrasing nobody wrote down.

What it learns from: short English chat lines that are labelled and were already read to write rules, never the
held-out ones. Risk (ideation or above): the read written-apart files (``READ_RISK_FILES``), the English seed phrases
and the phrasebook's English messages at ideation or above. Not risk: the read lookalike files, the seed phrases and
phrasebook messages below ideation (distress, idioms, reports about someone else), and a seeded sample of the
English benign sets' training parts (bank and shop questions, idioms). Stratified 5-fold cross-validation chooses C
and the threshold together: the best out-of-fold F1 among thresholds that raise at most ``MAX_HARD_RATE`` of the
lookalikes and other hard negatives and at most ``MAX_BENIGN_RATE`` of the benign sample (the issue's false-alarm
target). The written-apart files nobody has read (``HELD_OUT_RISK``, ``HELD_OUT_LOOKALIKES``) are only measured, once,
at the end.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.language import guess_language
from lifeguard.detection.model import chat_lines
from lifeguard.detection.model.chat_lines import Labelled
from lifeguard.detection.model.datasets import load_corpus, sha256_of
from lifeguard.detection.model.second_stage_minilm import Head
from lifeguard.detection.model.second_stage_train import (
    FOLDS,
    THRESHOLD_GRID,
    Encoder,
    binary_f1,
    embed,
    fit_head,
    head_file,
)

READ_RISK_FILES = ("en_risk_dev.tsv", "en_risk_held.tsv")
READ_LOOKALIKE_FILES = ("en_lookalike.txt", "lookalike_aimed.txt")
HELD_OUT_RISK = "en_risk_unread.tsv"
HELD_OUT_LOOKALIKES = "en_lookalike_unread.txt"
BENIGN_SETS = ("benign-banking77-en", "benign-bitext-customer-support-en", "benign-epie-idioms-en")
BENIGN_SAMPLE = 3000
MAX_HARD_RATE = 0.025  # of the lookalikes, distress and reports, out of fold
MAX_BENIGN_RATE = 0.001  # of the benign sample, out of fold
# The chat stage reads lines the posts' head leaves alone (it starts at 15 words) ...
MAX_WORDS = 14
# ... that the first stage watches: about the shipped model's indicator threshold (0.325).
MIN_INDICATOR = 0.3


def _english(text: str) -> bool:
    return guess_language(text) == "en"


def written_apart_phrases(folder: Path, risk_files: tuple[str, ...], lookalike_files: tuple[str, ...]) -> Labelled:
    """English lines of the named written-apart files: risk as 1, lookalikes as 0."""
    return chat_lines.written_apart_lines(folder, risk_files, lookalike_files, _english)


def phrasebook_phrases(path: Path) -> Labelled:
    """The phrasebook's English messages (``chat_lines.phrasebook_lines``)."""
    return chat_lines.phrasebook_lines(path, _english)


def benign_sample(data_dir: Path, seed: int, size: int = BENIGN_SAMPLE) -> tuple[list[str], dict[str, str]]:
    """A seeded sample of the English benign sets' training parts, and the files it came from."""
    corpus = load_corpus(data_dir, seed=seed, with_seeds=False, only=BENIGN_SETS)
    texts = sorted({example.text for example in corpus.train})
    random.Random(f"{seed}:chat-benign").shuffle(texts)
    return texts[:size], corpus.files


def threshold_rule(
    benign: np.ndarray, max_hard: float = MAX_HARD_RATE, max_benign: float = MAX_BENIGN_RATE
) -> Callable[[np.ndarray, np.ndarray], float]:
    """The rule that picks a threshold from out-of-fold probabilities: the best F1 among the thresholds that raise at
    most ``max_hard`` of the negatives outside ``benign`` and at most ``max_benign`` of those in it (the lowest of
    equals); when none keeps both, the highest threshold."""

    def pick(out_of_fold: np.ndarray, y: np.ndarray) -> float:
        truth = np.asarray(y) == 1
        hard = ~truth & ~benign
        soft = ~truth & benign
        allowed = [
            t
            for t in THRESHOLD_GRID
            if _share(out_of_fold[hard] >= t) <= max_hard and _share(out_of_fold[soft] >= t) <= max_benign
        ]
        if not allowed:
            return float(THRESHOLD_GRID[-1])
        return float(max(allowed, key=lambda t: (binary_f1(truth, out_of_fold >= t)["f1"], -t)))

    return pick


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if len(flags) else 0.0


def _rates(out_of_fold: np.ndarray, y: np.ndarray, benign: np.ndarray, threshold: float) -> dict[str, float]:
    raised = out_of_fold >= threshold
    negative = np.asarray(y) == 0
    return {
        "hard_negatives_raised": round(_share(raised[negative & ~benign]), 4),
        "benign_raised": round(_share(raised[negative & benign]), 4),
    }


def _counts(names: list[str], sources: list[str], labels: list[int]) -> dict[str, dict[str, int]]:
    """Lines kept per source (after duplicates are dropped), risk and not."""
    counts = {name: {"risk": 0, "not_risk": 0} for name in names}
    for source, label in zip(sources, labels, strict=True):
        counts[source]["risk" if label else "not_risk"] += 1
    return counts


def train_chat_head(
    data_dir: Path,
    phrasebook: Path,
    written_apart: Path,
    encoder: Encoder,
    identity: dict[str, Any],
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The chat head file's content (a JSON object)."""
    say = progress or (lambda message: None)
    benign, benign_files = benign_sample(data_dir, seed)
    parts: dict[str, Labelled] = {
        "written_apart": written_apart_phrases(written_apart, READ_RISK_FILES, READ_LOOKALIKE_FILES),
        "phrasebook": phrasebook_phrases(phrasebook),
        "seeds": chat_lines.seed_lines(("en",)),
        "benign": (benign, [0] * len(benign)),
    }
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    seen: set[str] = set()
    for name, (part_texts, part_labels) in parts.items():  # a line in two sources counts once, as first seen
        for text, label in zip(part_texts, part_labels, strict=True):
            if text not in seen:
                seen.add(text)
                texts.append(text)
                labels.append(label)
                sources.append(name)
    y = np.asarray(labels, dtype=np.int64)
    benign_rows = np.asarray([source == "benign" for source in sources], dtype=bool)
    if len(set(labels)) < 2 or min(np.bincount(y)) < FOLDS:
        raise ValueError("too few chat lines of each label to train the chat head (is --written-apart right?)")
    x = embed(encoder, texts, say, "chat lines")
    fitted = fit_head(x, y, seed, pick_threshold=threshold_rule(benign_rows), c_at_threshold=True)
    say(f"C={fitted['C']} (CV F1 {fitted['cv_f1']}), threshold {fitted['threshold']}")
    files = {
        **benign_files,
        f"phrasebook/{phrasebook.name}": sha256_of(phrasebook),
        **{f"written_apart/{name}": sha256_of(written_apart / name) for name in READ_RISK_FILES + READ_LOOKALIKE_FILES},
    }
    head = head_file(
        fitted,
        identity,
        "logistic regression on L2-normalised mean-pooled sentence embeddings, short English chat lines",
        # English lines too short for the posts' head, which the first stage watches (indicator or above).
        {"lang": "en", "min_words": 0, "max_words": MAX_WORDS, "min_indicator": MIN_INDICATOR, "raise_only": True},
        {
            "meaning": "1 = the writer's own risk at ideation or above; 0 = lookalikes, distress, reports, benign text",
            "sources": _counts(list(parts), sources, labels),
            "n": int(len(y)),
            "positives": int(y.sum()),
            "files": dict(sorted(files.items())),
            "licence": "the project's own lines (Apache-2.0); benign samples under their sets' stated licences",
        },
        seed,
        cv_notes={
            "threshold_rule": (
                f"C and threshold: best out-of-fold F1 raising at most {MAX_HARD_RATE} of the hard negatives and "
                f"{MAX_BENIGN_RATE} of the benign sample"
            )
        },
        oof_at_threshold={
            **fitted["oof_f1_at_threshold"],
            **_rates(fitted["oof"], y, benign_rows, fitted["threshold"]),
        },
    )
    head["holdout"] = _held_out(written_apart, encoder, Head.from_json(head), say)
    return head


def _held_out(folder: Path, encoder: Encoder, head: Head, say: Callable[[str], None]) -> dict[str, Any]:
    """The head alone on the written-apart files nobody read, at its threshold (no first-stage gate)."""
    risk = written_apart_phrases(folder, (HELD_OUT_RISK,), ())[0]
    lookalikes = written_apart_phrases(folder, (), (HELD_OUT_LOOKALIKES,))[0]
    found = head.probability(embed(encoder, risk, say, "held-out risk")) >= head.threshold
    raised = head.probability(embed(encoder, lookalikes, say, "held-out lookalikes")) >= head.threshold
    return {
        "risk_file": HELD_OUT_RISK,
        "risk_found": int(found.sum()),
        "risk_lines": len(risk),
        "lookalike_file": HELD_OUT_LOOKALIKES,
        "lookalikes_raised": int(raised.sum()),
        "lookalike_lines": len(lookalikes),
    }
