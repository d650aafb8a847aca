"""False alarms on presumed-benign public text, and recall on labelled suicidal text (development data).

Reads the staged datasets from ``LIFEGUARD_DATA_DIR`` (default ``../shared/data`` next to the repository);
skips when they are not there. Nothing here is shipped or read at runtime. Run with ``-s`` to see the
figures, e.g. ``pytest tests/detection/test_false_alarms.py -s``.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lifeguard.detection.assessment import Detector, TextInput
from lifeguard.detection.levels import Level

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("LIFEGUARD_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
BENIGN_LIMIT = 2000  # the first records of each set: deterministic and quick
MAX_FALSE_ALARM_SHARE = 0.005

needs_data = pytest.mark.skipif(
    not DATA_DIR.is_dir(),
    reason=f"development data not found at {DATA_DIR} (set LIFEGUARD_DATA_DIR to the shared data folder)",
)


def _records(folder: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    for name in ("data.jsonl", "data.jsonl.gz"):
        path = folder / name
        if not path.exists():
            continue
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
            for index, line in enumerate(handle):
                if limit is not None and index >= limit:
                    return
                yield json.loads(line)
        return


def _benign_sets() -> list[str]:
    if not DATA_DIR.is_dir():
        return []
    return sorted(
        entry.name for entry in DATA_DIR.iterdir() if entry.is_dir() and entry.name.startswith(("benign-", "hindi-"))
    )


@needs_data
def test_benign_sets_are_present() -> None:
    assert _benign_sets(), f"no benign-* or hindi-* folders in {DATA_DIR}"


@needs_data
@pytest.mark.parametrize("name", _benign_sets() or ["<none>"])
def test_false_alarm_share_at_or_above_ideation(name: str, detector: Detector) -> None:
    if name == "<none>":
        pytest.skip("no benign sets found")
    kind = "search" if "search" in name else "message"
    total = alarms = death_total = death_alarms = 0
    examples: list[str] = []
    for record in _records(DATA_DIR / name, BENIGN_LIMIT):
        result = detector.assess(TextInput(text=record["text"], kind=kind, lang=record.get("lang")))
        alarm = result.level >= Level.IDEATION
        total += 1
        alarms += alarm
        if record.get("death_term"):
            death_total += 1
            death_alarms += alarm
        if alarm and len(examples) < 5:
            examples.append(f"{result.level.value}: {record['text'][:120]!r} {result.reasons[:3]}")
    share = alarms / total if total else 0.0
    print(
        f"\n[false alarms] {name}: {alarms}/{total} at >= ideation ({share:.2%}); "
        f"death-term slice {death_alarms}/{death_total}"
    )
    for example in examples:
        print("   ", example)
    assert total > 0
    assert share <= MAX_FALSE_ALARM_SHARE, "\n".join(examples)


def _recall(
    detector: Detector, name: str, is_positive: Callable[[dict[str, Any]], bool], kind: str = "post"
) -> tuple[float, int]:
    positives = found = 0
    for record in _records(DATA_DIR / name):
        if not is_positive(record):
            continue
        positives += 1
        found += detector.assess(TextInput(text=record["text"], kind=kind)).level >= Level.IDEATION
    return (found / positives if positives else 0.0), positives


def _flag_rate(detector: Detector, name: str, label: str) -> float:
    records = [record for record in _records(DATA_DIR / name) if record["label"] == label]
    flagged = sum(detector.assess(TextInput(text=r["text"], kind="post")).level >= Level.IDEATION for r in records)
    return flagged / len(records) if records else 0.0


@needs_data
def test_recall_on_sos_4k_chinese(lexicon_detector: Detector) -> None:
    """The rules alone (the model trained on most of these texts: its figures are on held-out parts, docs/model.md)."""
    if not (DATA_DIR / "sos-4k-zh").is_dir():
        pytest.skip("sos-4k-zh not staged")
    high, high_n = _recall(lexicon_detector, "sos-4k-zh", lambda r: r["label"] >= 6)
    wish, wish_n = _recall(lexicon_detector, "sos-4k-zh", lambda r: 4 <= r["label"] <= 5)
    low, low_n = _recall(lexicon_detector, "sos-4k-zh", lambda r: r["label"] <= 2)
    print(
        f"\n[recall >= ideation] sos-4k-zh label 6-10 (plan..imminent): {high:.2f} of {high_n}; "
        f"label 4-5 (wish to die): {wish:.2f} of {wish_n}; label 0-2 (no wish) flagged: {low:.2f} of {low_n}"
    )
    # Modest and honest: rules catch the explicit half; the trained model is meant for the rest.
    assert high >= 0.4
    assert wish >= 0.4
    assert low <= 0.1


@needs_data
@pytest.mark.parametrize(
    ("name", "positive", "negative"),
    [("sdcnl-train-en", "suicide", "depression"), ("kaggle-suicide-watch-sample-en", "suicide", "non-suicide")],
)
def test_recall_on_english_reddit_sets(name: str, positive: str, negative: str, lexicon_detector: Detector) -> None:
    if not (DATA_DIR / name).is_dir():
        pytest.skip(f"{name} not staged")
    recall, count = _recall(lexicon_detector, name, lambda r: r["label"] == positive)
    other = _flag_rate(lexicon_detector, name, negative)
    print(f"\n[recall >= ideation] {name}: {positive} {recall:.2f} of {count}; {negative} flagged {other:.2f}")
    assert recall >= 0.35
    assert recall > other  # the rules separate the classes, even where "depression" posts mention death
