"""Training the short-chat head (``lifeguard model train-short-chat``). Needs scikit-learn.

What it learns from, in the languages it reads (``LANGUAGES``): chat lines already read to write rules (the
written-apart files of ``READ_RISK_FILES`` and ``READ_LOOKALIKE_FILES``, never the ``*_unread``, ``*_fresh*`` or
``hi_risk_5`` ones), the phrasebook's messages and the seed phrases (``chat_lines``) as risk (ideation or above) and
hard negatives (the rest); everyday chat lines (``READ_EVERYDAY_FILES``) as ordinary text; SOS-4K's short training
comments, labels 4-10 as risk and 0-3 not; and a seeded sample of the benign sets' training parts (shop and delivery
chat, searches, bank and support questions, idioms, Hinglish tweets, dialogues, Hindi comments) as ordinary text, each
line as often as it recurs. Only lines of at most ``MAX_CHARS`` characters (lightly folded), the ones the head reads.

A logistic regression over the model's own hashed n-gram features (same hashing, same values), so scoring costs one more
gather of the n-grams the model extracts anyway. Hard negatives weigh ``HARD_WEIGHT`` times an ordinary text (they are
what the head must learn apart); the risk lines together weigh as much as all the rest together. The settings (``C``,
``HARD_WEIGHT``, ``BENIGN_SAMPLE``, ``MAX_CHARS``, ``THRESHOLD``, SOS-4K's comments) were chosen in session 23, the
languages, the everyday lines and the balance by weight in session 24, each among a few variants by what the hybrid with
the head found on the written-apart files nobody had read, opened on their lookalikes, on everyday chat and on the
benign hold-outs, and by its reading of SOS-4K's test split at ideation; ``docs/model.md`` ("The short-chat head") says
so. Five-fold cross-validation records the out-of-fold rates at the threshold. Deterministic on one machine: the same
data, seed and settings write the same bytes (another processor may differ in the sixth decimal of a few weights).

The same lines train the act head (``train_act``, session 25): the risk lines at behavior or attempt against the lines
at ideation only and everything that is not risk, its threshold chosen out of fold by a rule fixed before counting
(``act_threshold``); and the lines at ideation or above train the behavior head (``train_behavior``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.language import guess_language
from lifeguard.detection.levels import Level
from lifeguard.detection.model import chat_lines
from lifeguard.detection.model.chat_lines import Labelled
from lifeguard.detection.model.datasets import BENIGN_SETS, load_corpus, sha256_of, stated_licence
from lifeguard.detection.model.features import FeatureConfig
from lifeguard.detection.model.textnorm import fold_light
from lifeguard.detection.model.train import featurize, logistic_regression

# Every read file: the head reads the lines the language guess calls one of ``LANGUAGES``.
READ_RISK_FILES = (
    "en_risk_dev.tsv",
    "en_risk_held.tsv",
    "zh_risk_dev.tsv",
    "zh_risk_held.tsv",
    "hi_risk_1.tsv",
    "hi_risk_2.tsv",
    "hi_risk_3.tsv",
    "hi_risk_4.tsv",
    "zh_risk_train3.tsv",
    "hi_risk_train3.tsv",
    "en_risk_train3.tsv",
    # acts under way or at hand, written in session 25 to train the act head
    "en_acts_train5.tsv",
    "zh_acts_train5.tsv",
    "hi_acts_train5.tsv",
    "hi_latn_acts_train6.tsv",  # romanized Hindi only, found least (session 25)
)
READ_LOOKALIKE_FILES = (
    "en_lookalike.txt",
    "zh_lookalike.txt",
    "hi_lookalike_1.txt",
    "hi_lookalike_2.txt",
    "lookalike_aimed.txt",
    "zh_lookalike_train3.txt",
    "hi_lookalike_train3.txt",
    "en_lookalike_train3.txt",
    # Everyday acts, places and plans ("paise bhej diye", "在高铁上", "on the roof fixing the antenna"; session 25):
    # chat written to sound like the acts the act head learns, so hard negatives, not everyday chat.
    "everyday_train4_en.txt",
    "everyday_train4_zh.txt",
    "everyday_train4_hi_deva.txt",
    "everyday_train4_hi_latn.txt",
    "en_acts_lookalike_train5.txt",
    "zh_acts_lookalike_train5.txt",
    "hi_acts_lookalike_train5.txt",
    "hi_latn_acts_lookalike_train6.txt",
)
# Everyday chat with no risk in it ("abhi uthi hu", "on my way", "到家了"): ordinary text, which the benign sets (shop
# reviews, searches, bank and support questions, restaurant dialogues, tweets) hardly hold in the first person.
READ_EVERYDAY_FILES = (
    "everyday_train3_en.txt",
    "everyday_train3_zh.txt",
    "everyday_train3_hi_deva.txt",
    "everyday_train3_hi_latn.txt",
)
# The languages it reads (the model's guesses). Hindi since session 24: before there was everyday Hindi chat to learn
# "ordinary" from, Hindi lines taught it "abhi" ("now", in "abhi kar lunga") and "मैंने" ("I have", in "मैंने गोलियां खा
# लीं") as risk, and it read "abhi uthi hu" ("I just woke up") as ideation (docs/model.md, "The short-chat head").
LANGUAGES = ("en", "zh", "hi", "hi-Latn")
SOS_SET = "sos-4k-zh"
SOS_RISK = 4  # SOS-4K's labels 4-10 are ideation or above (``datasets``); 0-3 are not
MAX_CHARS = 80  # a chat line; longer texts are posts, which the heads learnt
C = 4.0
HARD_WEIGHT = 3.0
BENIGN_SAMPLE = 20_000
THRESHOLD = 0.9
FOLDS = 5
MAX_ITER = 5000
DECIMALS = 6  # of the exported weights and bias (``portable``)


def portable(values: np.ndarray) -> np.ndarray:
    """Fitted values rounded to ``DECIMALS`` places: the solver's last bits differ between processors (one machine's
    weights differed from another's by 7e-15), and the head's files, whose digest is its version, must not."""
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS)


def fit_exported(
    matrix: Any, labels: np.ndarray, weights: np.ndarray, c: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """A head fitted on all its lines, as it is written: the bias, the buckets with a weight (uint32) and their weights
    (float32), rounded by ``portable``."""
    fitted = logistic_regression(c, MAX_ITER).fit(matrix, labels, sample_weight=weights)
    coef = portable(fitted.coef_.ravel())
    index = np.flatnonzero(coef).astype(np.uint32)
    return float(portable(fitted.intercept_)[0]), index, coef[index].astype(np.float32)


def short_enough(text: str, max_chars: int = MAX_CHARS) -> bool:
    """What the head reads: a non-empty line of at most ``max_chars`` lightly folded characters (``RiskModel`` reads
    the same length of the same folding)."""
    light = fold_light(text)
    return bool(light.strip()) and len(light) <= max_chars


def benign_sample(
    data_dir: Path, seed: int, size: int = BENIGN_SAMPLE, max_chars: int = MAX_CHARS
) -> tuple[list[str], dict[str, str]]:
    """A seeded sample of the short texts of the benign sets' training parts, and the files it came from. A line
    that recurs keeps its copies: "alvida" ends a thousand dialogues, and weighs as often as it is written."""
    corpus = load_corpus(data_dir, seed=seed, with_seeds=False, only=BENIGN_SETS)
    texts = [example.text for example in corpus.train if short_enough(example.text, max_chars)]
    random.Random(f"{seed}:short-chat-benign").shuffle(texts)
    return texts[:size], corpus.files


def sos_comments(data_dir: Path, seed: int, max_chars: int = MAX_CHARS) -> tuple[Labelled, dict[str, str]]:
    """SOS-4K's short training comments (Weibo, in a suicide "tree hole"): labels 4-10 as 1, 0-3 as 0. They carry
    the boundary the head decides, between distress and a wish to die, as annotators drew it."""
    corpus = load_corpus(data_dir, seed=seed, with_seeds=False, only=(SOS_SET,))
    out: Labelled = ([], [])
    for example in corpus.train:
        if example.sos >= 0 and short_enough(example.text, max_chars):
            out[0].append(example.text)
            out[1].append(int(example.sos >= SOS_RISK))
    return out, corpus.files


def _read_language(text: str) -> bool:
    return guess_language(text) in LANGUAGES


def training_lines(
    phrasebook: Path,
    written_apart: Path,
    benign: list[str],
    sos: Labelled = ([], []),
    max_chars: int = MAX_CHARS,
) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts, labels and sources (``risk``; ``hard``: lookalikes, distress, reports; ``everyday``: everyday chat;
    ``sos``: SOS-4K comments below ideation; ``benign``), short ones only: the labelled lines in the head's languages,
    each once as first seen; each ordinary line as often as the sample holds it (unless it is also a labelled line)."""
    parts: list[tuple[str, Labelled]] = [
        (
            "written_apart",
            chat_lines.written_apart_lines(written_apart, READ_RISK_FILES, READ_LOOKALIKE_FILES, _read_language),
        ),
        ("everyday", chat_lines.written_apart_lines(written_apart, (), READ_EVERYDAY_FILES, _read_language)),
        ("phrasebook", chat_lines.phrasebook_lines(phrasebook, _read_language)),
        ("seeds", chat_lines.seed_lines(LANGUAGES)),
        ("sos", sos),
        ("benign", (benign, [0] * len(benign))),
    ]
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    seen: set[str] = set()
    benign_seen: set[str] = set()  # ordinary lines keep their copies; a labelled line comes once, and first
    for name, (part_texts, part_labels) in parts:
        for text, label in zip(part_texts, part_labels, strict=True):
            if (text in seen and not (name == "benign" and text in benign_seen)) or not short_enough(text, max_chars):
                continue
            seen.add(text)
            if name == "benign":
                benign_seen.add(text)
            texts.append(text)
            labels.append(label)
            sources.append("risk" if label else name if name in ("everyday", "sos", "benign") else "hard")
    return texts, np.asarray(labels, dtype=np.int64), sources


def sample_weights(labels: np.ndarray, sources: list[str], hard_weight: float = HARD_WEIGHT) -> np.ndarray:
    """Hard negatives ``hard_weight``, ordinary texts (everyday chat too) 1, and the risk lines together as much as
    all the others together. (Until session 24 they weighed as many as the others by count, not by weight: more
    lookalikes then made each risk line weigh less, and the head raised fewer.)"""
    hard = np.asarray([source == "hard" for source in sources], dtype=bool)
    weights = np.where(hard, hard_weight, 1.0)
    positives = labels == 1
    if positives.any():
        weights[positives] = float(weights[~positives].sum()) / float(positives.sum())
    return weights


def out_of_fold(matrix: Any, labels: np.ndarray, weights: np.ndarray, c: float, seed: int) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    result = np.zeros(len(labels), dtype=np.float64)
    for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels):
        model = logistic_regression(c, MAX_ITER).fit(matrix[train], labels[train], sample_weight=weights[train])
        result[held] = model.predict_proba(matrix[held])[:, 1]
    return result


def _share_raised(probabilities: np.ndarray, mask: np.ndarray, threshold: float) -> float:
    return round(float((probabilities[mask] >= threshold).mean()), 4) if mask.any() else 0.0


def _rates(probabilities: np.ndarray, labels: np.ndarray, sources: list[str], threshold: float) -> dict[str, float]:
    raised = probabilities >= threshold
    source = np.asarray(sources)
    risk = labels == 1

    def share(mask: np.ndarray) -> float:
        return _share_raised(probabilities, mask, threshold)

    found = int((raised & risk).sum())
    return {
        "recall": share(risk),
        "precision": round(found / int(raised.sum()), 4) if raised.any() else 0.0,
        "hard_negatives_raised": share(source == "hard"),
        "everyday_raised": share(source == "everyday"),
        "sos_below_ideation_raised": share(source == "sos"),
        "benign_raised": share(source == "benign"),
    }


@dataclass(frozen=True)
class ChatLines:
    """The short-chat head's training lines (``training_lines``), their features and where they came from: made once
    for the head and its act head, which learns from the same lines."""

    texts: list[str]
    labels: np.ndarray
    sources: list[str]
    matrix: Any  # CSR, texts x buckets
    files: dict[str, str]  # every file read, with its sha256
    licences: dict[str, str]  # each public set sampled, with its stated licence


def chat_lines_for_heads(
    data_dir: Path,
    phrasebook: Path,
    written_apart: Path,
    config: FeatureConfig,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> ChatLines:
    say = progress or (lambda message: None)
    benign, benign_files = benign_sample(data_dir, seed)
    sos, sos_files = sos_comments(data_dir, seed)
    texts, labels, sources = training_lines(phrasebook, written_apart, benign, sos)
    say(f"{len(texts)} lines, {int(labels.sum())} risk; features")
    files = {
        **benign_files,
        **sos_files,
        f"phrasebook/{phrasebook.name}": sha256_of(phrasebook),
        **{
            f"written_apart/{name}": sha256_of(written_apart / name)
            for name in READ_RISK_FILES + READ_LOOKALIKE_FILES + READ_EVERYDAY_FILES
        },
    }
    licences = {
        folder: stated_licence(data_dir / folder)
        for folder in sorted({name.split("/", 1)[0] for name in (*benign_files, *sos_files)})
    }
    return ChatLines(texts, labels, sources, featurize(texts, config), dict(sorted(files.items())), licences)


def _enough(labels: np.ndarray, head: str) -> None:
    if len(set(labels.tolist())) < 2 or min(np.bincount(labels)) < FOLDS:
        raise ValueError(f"too few chat lines of each label to train the {head} (is --written-apart right?)")


def _training_meta(lines: ChatLines, meaning: str, texts: list[str], sources: list[str]) -> dict[str, Any]:
    return {
        "meaning": meaning,
        "n": len(texts),
        "sources": {
            source: sources.count(source)
            for source in ("risk", "ideation", "hard", "everyday", "sos", "benign")
            if source != "ideation" or source in sources
        },
        "files": lines.files,
        "licence": "the project's own lines (Apache-2.0); the sets' samples under their stated licences",
        "licences": lines.licences,
    }


def _head_meta(config: FeatureConfig, bias: float, threshold: float, model: str, **settings: Any) -> dict[str, Any]:
    """What every head trained on the short-chat lines records: its parameters, what it reads, and its settings (the
    head's own beside the shared ones)."""
    return {
        "bias": bias,
        "threshold": threshold,
        "max_chars": MAX_CHARS,
        "languages": list(LANGUAGES),
        "features": {"bits": config.bits, "tf": config.tf},
        "model": model,
        "settings": {
            "C": C,
            "hard_weight": HARD_WEIGHT,
            "benign_sample": BENIGN_SAMPLE,
            **settings,
            "folds": FOLDS,
            "max_iter": MAX_ITER,
        },
    }


def train_short_chat(
    data_dir: Path,
    phrasebook: Path,
    written_apart: Path,
    config: FeatureConfig,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    lines: ChatLines | None = None,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The head's meta (without version and format, which ``short_chat.save`` adds), bucket index and weights."""
    say = progress or (lambda message: None)
    lines = lines or chat_lines_for_heads(data_dir, phrasebook, written_apart, config, seed, progress)
    texts, labels, sources, matrix = lines.texts, lines.labels, lines.sources, lines.matrix
    _enough(labels, "short-chat head")
    weights = sample_weights(labels, sources)
    say(f"{FOLDS}-fold cross-validation")
    oof = out_of_fold(matrix, labels, weights, C, seed)
    say("fitting")
    bias, index, weight = fit_exported(matrix, labels, weights, C)
    model = "logistic regression on the model's hashed n-grams, English, Chinese and Hindi chat lines"
    meta: dict[str, Any] = {
        **_head_meta(config, bias, THRESHOLD, model, seed=seed),
        "training": _training_meta(
            lines,
            "risk: the writer's own at ideation or above; hard: lookalikes, distress, reports; everyday: everyday "
            "chat; sos: SOS-4K comments below ideation; benign: ordinary text",
            texts,
            sources,
        ),
        "out_of_fold_at_threshold": _rates(oof, labels, sources, THRESHOLD),
    }
    return meta, index, weight


# -- the behavior head ------------------------------------------------------------------------------------------

BEHAVIOR_C = 1.0
BEHAVIOR_THRESHOLDS = tuple(round(0.5 + 0.05 * step, 2) for step in range(10))  # 0.5 ... 0.95
BEHAVIOR_MAX_IDEATION_RAISED = 0.02  # out of fold, of the lines at ideation only


def _levelled(phrasebook: Path, written_apart: Path) -> tuple[chat_lines.Levelled, ...]:
    """The labelled chat lines in the heads' languages with the writer's own level: the read written-apart risk files,
    the phrasebook's messages, the seed phrases, in that order."""
    return (
        chat_lines.written_apart_levels(written_apart, READ_RISK_FILES, _read_language),
        chat_lines.phrasebook_levels(phrasebook, _read_language),
        chat_lines.seed_levels(LANGUAGES),
    )


def behavior_lines(phrasebook: Path, written_apart: Path, max_chars: int = MAX_CHARS) -> tuple[list[str], np.ndarray]:
    """The labelled chat lines at ideation or above in the head's languages (the read written-apart risk files, the
    phrasebook's own messages, the seed phrases), each once as first seen: 1 at behavior or above (a plan, a means, a
    place, a time, a goodbye, an act under way), 0 at ideation."""
    parts = _levelled(phrasebook, written_apart)
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for part_texts, levels in parts:
        for text, level in zip(part_texts, levels, strict=True):
            if level < Level.IDEATION or text in seen or not short_enough(text, max_chars):
                continue
            seen.add(text)
            texts.append(text)
            labels.append(int(level >= Level.BEHAVIOR))
    return texts, np.asarray(labels, dtype=np.int64)


def behavior_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The lowest of ``BEHAVIOR_THRESHOLDS`` at which at most ``BEHAVIOR_MAX_IDEATION_RAISED`` of the lines at
    ideation only are read as behavior (out of fold); the highest when none is."""
    ideation = probabilities[labels == 0]
    for threshold in BEHAVIOR_THRESHOLDS:
        if not len(ideation) or float((ideation >= threshold).mean()) <= BEHAVIOR_MAX_IDEATION_RAISED:
            return threshold
    return BEHAVIOR_THRESHOLDS[-1]


def train_behavior(
    phrasebook: Path,
    written_apart: Path,
    config: FeatureConfig,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The behavior head's meta (without version and format), bucket index and weights. The two classes weigh the
    same; the threshold is chosen out of fold (``behavior_threshold``)."""
    say = progress or (lambda message: None)
    texts, labels = behavior_lines(phrasebook, written_apart)
    if len(set(labels.tolist())) < 2 or min(np.bincount(labels)) < FOLDS:
        raise ValueError("too few chat lines at ideation and at behavior to train the behavior head")
    say(f"behavior head: {len(texts)} lines at ideation or above, {int(labels.sum())} at behavior or above")
    matrix = featurize(texts, config)
    positives = labels == 1
    weights = np.where(positives, float((~positives).sum()) / float(positives.sum()), 1.0)
    oof = out_of_fold(matrix, labels, weights, BEHAVIOR_C, seed)
    threshold = behavior_threshold(oof, labels)
    bias, index, weight = fit_exported(matrix, labels, weights, BEHAVIOR_C)
    files = {f"phrasebook/{phrasebook.name}": sha256_of(phrasebook)}
    files |= {f"written_apart/{name}": sha256_of(written_apart / name) for name in READ_RISK_FILES}
    raised = oof >= threshold
    meta: dict[str, Any] = {
        "rung": "behavior",
        "bias": bias,
        "threshold": threshold,
        "max_chars": MAX_CHARS,
        "languages": list(LANGUAGES),
        "features": {"bits": config.bits, "tf": config.tf},
        "model": "logistic regression on the model's hashed n-grams: behavior or above against ideation, chat lines",
        "settings": {
            "C": BEHAVIOR_C,
            "thresholds_tried": list(BEHAVIOR_THRESHOLDS),
            "max_ideation_raised": BEHAVIOR_MAX_IDEATION_RAISED,
            "seed": seed,
            "folds": FOLDS,
            "max_iter": MAX_ITER,
        },
        "training": {
            "meaning": "1: the writer's own level behavior or attempt; 0: ideation",
            "n": len(texts),
            "behavior_or_above": int(positives.sum()),
            "files": dict(sorted(files.items())),
            "licence": "the project's own lines (Apache-2.0)",
        },
        "out_of_fold_at_threshold": {
            "recall": round(float(raised[positives].mean()), 4),
            "ideation_raised": round(float(raised[~positives].mean()), 4),
        },
    }
    return meta, index, weight


# -- the act head -----------------------------------------------------------------------------------------------

ACT_THRESHOLDS = BEHAVIOR_THRESHOLDS  # 0.5 ... 0.95
# Out of fold, at most these shares of the lines that are not risk may be raised (the chat stage's limits for hard
# negatives and ordinary text, and everyday chat in between): the act head opens cases. Lines at ideation only are its
# negatives too, with no limit: read as behavior they are still a case.
ACT_MAX_RAISED = {"hard": 0.025, "everyday": 0.005, "benign": 0.001}


def act_lines(lines: ChatLines, phrasebook: Path, written_apart: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """What the act head learns from, among the head's lines: which rows, their labels and their sources. A risk line
    at behavior or above (its level as the written-apart files, the phrasebook or the seeds give it, first as seen) is
    1; a risk line at ideation only is 0, source ``ideation`` (a wish is not an act: the head raises behavior); every
    line that is not risk keeps its label and source. SOS-4K's comments at ideation or above (a level on another
    scale) are left out."""
    parts = _levelled(phrasebook, written_apart)
    levels: dict[str, Level] = {}
    for texts, own in parts:
        for text, level in zip(texts, own, strict=True):
            levels.setdefault(text, level)
    rows: list[bool] = []
    labels: list[int] = []
    sources: list[str] = []
    for text, label, source in zip(lines.texts, lines.labels.tolist(), lines.sources, strict=True):
        level = levels.get(text)
        kept = label == 0 or level is not None
        rows.append(kept)
        if kept:
            act = label == 1 and level is not None and level >= Level.BEHAVIOR
            labels.append(int(act))
            sources.append("ideation" if label == 1 and not act else source)
    return np.asarray(rows, dtype=bool), np.asarray(labels, dtype=np.int64), sources


def act_threshold(probabilities: np.ndarray, labels: np.ndarray, sources: list[str]) -> float:
    """The lowest of ``ACT_THRESHOLDS`` at which, out of fold, no kind of line that is not risk is raised more often
    than ``ACT_MAX_RAISED`` allows; the highest when none is."""
    kinds = np.asarray(sources)
    for threshold in ACT_THRESHOLDS:
        raised = probabilities >= threshold
        if all(
            not (mask := (kinds == kind) & (labels == 0)).any() or float(raised[mask].mean()) <= limit
            for kind, limit in ACT_MAX_RAISED.items()
        ):
            return threshold
    return ACT_THRESHOLDS[-1]


def train_act(
    data_dir: Path,
    phrasebook: Path,
    written_apart: Path,
    config: FeatureConfig,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    lines: ChatLines | None = None,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The act head's meta (without version and format), bucket index and weights: the short-chat head's settings on
    its lines (``act_lines``), the threshold chosen out of fold (``act_threshold``)."""
    say = progress or (lambda message: None)
    lines = lines or chat_lines_for_heads(data_dir, phrasebook, written_apart, config, seed, progress)
    rows, labels, sources = act_lines(lines, phrasebook, written_apart)
    texts = [text for text, kept in zip(lines.texts, rows.tolist(), strict=True) if kept]
    matrix = lines.matrix[rows]
    _enough(labels, "act head")
    say(f"act head: {len(texts)} lines, {int(labels.sum())} at behavior or above")
    weights = sample_weights(labels, sources)
    oof = out_of_fold(matrix, labels, weights, C, seed)
    threshold = act_threshold(oof, labels, sources)
    bias, index, weight = fit_exported(matrix, labels, weights, C)
    model = (
        "logistic regression on the model's hashed n-grams: an act under way or at hand against what is not risk, "
        "chat lines"
    )
    settings = {"thresholds_tried": list(ACT_THRESHOLDS), "max_raised": ACT_MAX_RAISED, "seed": seed}
    meta: dict[str, Any] = {
        "rung": "act",
        **_head_meta(config, bias, threshold, model, **settings),
        "training": _training_meta(
            lines,
            "risk: the writer's own at behavior or attempt; ideation: the writer's own at ideation only; hard: "
            "lookalikes, distress, reports; everyday: everyday chat; sos: SOS-4K comments below ideation; benign: "
            "ordinary text",
            texts,
            sources,
        ),
        "out_of_fold_at_threshold": {
            **_rates(oof, labels, sources, threshold),
            "ideation_raised": _share_raised(oof, np.asarray(sources) == "ideation", threshold),
        },
    }
    return meta, index, weight
