"""Reading the public sets under ``shared/data`` and mapping each one's labels onto the model's heads.

Label semantics differ between sets (see each README), so every set has its own mapping, written out
below with the reason. A set speaks only to the heads its labels inform; the rest are ``UNKNOWN``.
Every file read is hashed (sha256) so the model's metadata says exactly what trained it.

Splits (deterministic for a seed): SOS-4K, Weibo and RallyPoint keep their own ``split`` (test is held out);
SDCNL holds out 20% stratified; the other labelled sets 15%; each benign set 25% (by conversation where a
set has conversations). Held-out parts are only ever used for measuring.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifeguard.detection.levels import Level
from lifeguard.detection.model.labels import UNKNOWN, Targets, level_from_sos, parse_level, targets_for_level
from lifeguard.detection.model.seeds import SEED_DATASET, SEED_LICENCE, SEEDS

DEFAULT_DATA_DIR = Path("../shared/data")
NONE_TARGETS: Targets = (0, 0, 0, 0)
SEED_WEIGHT = 4.0  # the seed phrases are few and short: each counts as four forum posts
_IDEATION: Targets = (1, 1, UNKNOWN, UNKNOWN)  # at or above ideation, how far above is not said
_DISTRESS_NOT_IDEATION: Targets = (1, 0, UNKNOWN, UNKNOWN)  # e.g. r/depression vs r/SuicideWatch
_DISTRESS: Targets = (1, UNKNOWN, UNKNOWN, UNKNOWN)
_NOT_IDEATION: Targets = (UNKNOWN, 0, 0, 0)  # e.g. "not suicidal": may still be distressed


def default_data_dir() -> Path:
    return Path(os.environ.get("LIFEGUARD_DATA_DIR", str(DEFAULT_DATA_DIR)))


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    lang: str
    dataset: str
    targets: Targets
    weight: float = 1.0
    sos: int = UNKNOWN  # SOS-4K's 0-10 label, for the 11-level head
    level: str | None = None  # the exact level when the label gives one (for evaluation)
    binary: int = UNKNOWN  # the dataset's own "at risk" label (1/0) for binary evaluation
    group: str = ""  # conversation id (benign dialogues): split by group, never across


@dataclass(slots=True)
class Corpus:
    train: list[Example] = field(default_factory=list)
    test: list[Example] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    licences: dict[str, str] = field(default_factory=dict)  # dataset -> licence as stated
    datasets: list[str] = field(default_factory=list)  # datasets that trained the model


# -- per-dataset label mappings ---------------------------------------------------------------------

Mapped = tuple[Targets, float, str | None, int]  # targets, weight, exact level, binary label
Mapper = Callable[[dict[str, Any]], Mapped | None]


def _sos(record: dict[str, Any]) -> Mapped:
    level = level_from_sos(int(record["label"]))
    return targets_for_level(level), 1.0, level.value, int(int(record["label"]) >= 6)


def _weibo(record: dict[str, Any]) -> Mapped:
    # "manually selected comments with suicidal tendency" vs random, off-topic Weibo posts (easy negatives).
    if record["label"] == "suicidal":
        return _IDEATION, 1.0, None, 1
    return NONE_TARGETS, 0.3, Level.NONE.value, 0


def _sdcnl(record: dict[str, Any]) -> Mapped:
    # r/SuicideWatch vs r/depression: both distressed, only the first says ideation (noisy self-selection).
    if record["label"] == "suicide":
        return _IDEATION, 1.0, None, 1
    return _DISTRESS_NOT_IDEATION, 0.8, None, 0


def _kaggle(record: dict[str, Any]) -> Mapped:
    # r/SuicideWatch vs r/teenagers: teenagers' posts are not suicidal but may be distressed.
    if record["label"] == "suicide":
        return _IDEATION, 1.0, None, 1
    return _NOT_IDEATION, 0.6, None, 0


def _twitter_intention(record: dict[str, Any]) -> Mapped:
    # weak provenance: half weight
    if record["label"] == "suicidal":
        return _IDEATION, 0.5, None, 1
    return _NOT_IDEATION, 0.5, None, 0


def _twitter_ideation(record: dict[str, Any]) -> Mapped:
    # very noisy: many "potential suicide" tweets are ordinary complaints, so they only say "distress".
    if record["label"] == "potential_suicide":
        return _DISTRESS, 0.3, None, 1
    return _NOT_IDEATION, 0.5, None, 0


_MH_DISTRESS = {
    "depression", "lonely", "foreveralone", "bpd", "ptsd", "anxiety", "socialanxiety", "healthanxiety",
    "mentalhealth", "edanonymous", "bipolarreddit", "schizophrenia", "addiction", "alcoholism",
}  # fmt: skip
_MH_UNSURE = {"adhd", "autism", "divorce", "mindfulness"}


def _reddit27(record: dict[str, Any]) -> Mapped:
    sub = str(record["label"]).lower()
    if sub == "suicidewatch":
        return _IDEATION, 1.0, None, 1
    if sub in _MH_DISTRESS:
        return _DISTRESS_NOT_IDEATION, 0.4, None, 0
    if sub in _MH_UNSURE:
        return _NOT_IDEATION, 0.4, None, 0
    return NONE_TARGETS, 0.5, Level.NONE.value, 0


def _rallypoint(record: dict[str, Any]) -> Mapped:
    # 1 = discloses own mental-health problem or suicidal thoughts; 0 = no disclosure, incl. negated ones.
    if int(record["label"]) == 1:
        return _DISTRESS, 0.7, None, 1
    return NONE_TARGETS, 1.0, Level.NONE.value, 0


def _dreaddit(record: dict[str, Any]) -> Mapped:
    # stress is not suicide risk: a weak distress signal only
    if record["label"] == "stress":
        return _DISTRESS, 0.3, None, 1
    return NONE_TARGETS, 0.5, Level.NONE.value, 0


def _benign(record: dict[str, Any]) -> Mapped:
    return NONE_TARGETS, 1.0, Level.NONE.value, 0


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    folder: str
    mapper: Mapper
    holdout: float | None  # None: use the record's own ``split`` field (test = held out)
    cap: int = 8000  # weights are scaled so that one set counts as at most ``cap`` full-weight examples


SPECS: tuple[DatasetSpec, ...] = (
    DatasetSpec("sos-4k-zh", _sos, None, cap=100_000),
    DatasetSpec("weibo-zoufan-ckend-zh", _weibo, None),
    DatasetSpec("sdcnl-train-en", _sdcnl, 0.2),
    DatasetSpec("kaggle-suicide-watch-sample-en", _kaggle, 0.15),
    DatasetSpec("twitter-suicidal-intention-en", _twitter_intention, 0.15),
    DatasetSpec("twitter-suicide-ideation-en", _twitter_ideation, 0.15),
    DatasetSpec("reddit-mental-health-27-subreddits-en", _reddit27, 0.15),
    DatasetSpec("rallypoint-reddit-mentalhealth-en", _rallypoint, None),
    DatasetSpec("dreaddit-en", _dreaddit, 0.15),
    DatasetSpec("benign-online-shopping-10cats-zh", _benign, 0.25),
    DatasetSpec("benign-waimai-10k-zh", _benign, 0.25),
    DatasetSpec("benign-ecd-taobao-sample-zh", _benign, 0.25),
    DatasetSpec("benign-taobao-search-queries-zh", _benign, 0.25),
    DatasetSpec("benign-bitext-customer-support-en", _benign, 0.25),
    DatasetSpec("benign-banking77-en", _benign, 0.25),
    DatasetSpec("benign-epie-idioms-en", _benign, 0.25),
    DatasetSpec("hindi-hinglid-tweets", _benign, 0.25),
    DatasetSpec("hindi-codemixed-dstc2-dialogs", _benign, 0.25),
    DatasetSpec("hindi-trac1-facebook-comments", _benign, 0.25),
)
BENIGN_SETS: tuple[str, ...] = tuple(spec.folder for spec in SPECS if spec.folder.startswith(("benign-", "hindi-")))


# -- reading ----------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield json.loads(line)


def _data_file(folder: Path) -> Path | None:
    for name in ("data.jsonl", "data.jsonl.gz"):
        if (folder / name).is_file():
            return folder / name
    return None


_LICENCE_LINE = re.compile(r"\*\*Licen[cs]e(?: as stated)?:\*\*\s*(.+)")


def stated_licence(folder: Path) -> str:
    readme = folder / "README.md"
    if not readme.is_file():
        return "unknown (no README)"
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = _LICENCE_LINE.search(line)
        if match:
            return match.group(1).strip()
    return "not stated in README"


def _holdout_keys(keys: list[str], fraction: float, seed: int, name: str) -> set[str]:
    unique = sorted(set(keys))
    rng = random.Random(f"{seed}:{name}")
    rng.shuffle(unique)
    return set(unique[: int(round(len(unique) * fraction))])


def _split(records: list[tuple[Example, str]], spec: DatasetSpec, seed: int) -> tuple[list[Example], list[Example]]:
    """Stratified by binary label (and grouped by conversation when the set has conversations)."""
    if spec.holdout is None:
        train = [example for example, split in records if split != "test"]
        test = [example for example, split in records if split == "test"]
        return train, test
    held: set[str] = set()
    strata: dict[int, list[str]] = {}
    for index, (example, _) in enumerate(records):
        key = example.group or f"#{index}"
        strata.setdefault(example.binary, []).append(key)
    for stratum, keys in sorted(strata.items()):
        held |= _holdout_keys(keys, spec.holdout, seed, f"{spec.folder}:{stratum}")
    train: list[Example] = []
    test: list[Example] = []
    for index, (example, _) in enumerate(records):
        key = example.group or f"#{index}"
        (test if key in held else train).append(example)
    return train, test


def _scaled(examples: list[Example], cap: int) -> list[Example]:
    if len(examples) <= cap:
        return examples
    factor = cap / len(examples)
    return [
        Example(e.text, e.lang, e.dataset, e.targets, e.weight * factor, e.sos, e.level, e.binary, e.group)
        for e in examples
    ]


def load_dataset(folder: Path, spec: DatasetSpec, seed: int) -> tuple[list[Example], list[Example]]:
    path = _data_file(folder)
    if path is None:
        return [], []
    records: list[tuple[Example, str]] = []
    for record in read_jsonl(path):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        mapped = spec.mapper(record)
        if mapped is None:
            continue
        targets, weight, level, binary = mapped
        sos = int(record["label"]) if spec.folder == "sos-4k-zh" else UNKNOWN
        group = str(record.get("conversation_id") or "")
        example = Example(text, str(record.get("lang") or ""), spec.folder, targets, weight, sos, level, binary, group)
        records.append((example, str(record.get("split") or "")))
    train, test = _split(records, spec, seed)
    return _scaled(train, spec.cap), test


def seed_examples() -> list[Example]:
    examples: list[Example] = []
    for lang, by_level in SEEDS.items():
        for level, phrases in by_level.items():
            for phrase in phrases:
                examples.append(
                    Example(phrase, lang, SEED_DATASET, targets_for_level(level), SEED_WEIGHT, UNKNOWN, level.value)
                )
    return examples


def read_labelled(path: Path, label_map: dict[str, str] | None = None) -> list[Example]:
    """Any JSONL with ``text`` and ``label`` (a level name, or mapped through ``label_map``), ``lang`` optional."""
    examples: list[Example] = []
    for record in read_jsonl(path):
        text = record.get("text")
        if not isinstance(text, str):
            continue
        raw = str(record.get("label"))
        name = label_map.get(raw, label_map.get(raw.strip().lower(), raw)) if label_map else raw
        level = parse_level(name)
        examples.append(
            Example(
                text,
                str(record.get("lang") or ""),
                path.stem,
                targets_for_level(level),
                float(record.get("weight", 1.0)),
                UNKNOWN,
                level.value,
                int(level >= Level.IDEATION),
            )
        )
    return examples


def load_corpus(
    data_dir: Path,
    seed: int = 0,
    extra: list[Path] | None = None,
    with_seeds: bool = True,
    only: tuple[str, ...] | None = None,
) -> Corpus:
    """All known sets found under ``data_dir`` (missing ones are skipped), plus seeds and extra files."""
    corpus = Corpus()
    for spec in SPECS:
        if only is not None and spec.folder not in only:
            continue
        folder = data_dir / spec.folder
        path = _data_file(folder)
        if path is None:
            continue
        train, test = load_dataset(folder, spec, seed)
        corpus.files[f"{spec.folder}/{path.name}"] = sha256_of(path)
        corpus.licences[spec.folder] = stated_licence(folder)
        corpus.train.extend(train)
        corpus.test.extend(test)
        if train:
            corpus.datasets.append(spec.folder)
    if with_seeds:
        corpus.train.extend(seed_examples())
        corpus.datasets.append(SEED_DATASET)
        corpus.licences[SEED_DATASET] = SEED_LICENCE
    for path in extra or []:
        examples = read_labelled(path)
        corpus.train.extend(examples)
        corpus.files[f"extra/{path.name}"] = sha256_of(path)
        corpus.licences[f"extra:{path.name}"] = "supplied by the operator"
        corpus.datasets.append(f"extra:{path.name}")
    return corpus
