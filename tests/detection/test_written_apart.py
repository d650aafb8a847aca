"""Phrases written apart from the rules (``written_apart/``): the shipped hybrid's recall on them may not drop, and
no harmless lookalike may open a case. The floors are what docs/model.md reports for session 21; a change that
lowers one must say why there and lower it here."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifeguard.config import Settings
from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model import hybrid_detector
from lifeguard.detection.model.hybrid import HybridDetector

WRITTEN_APART = Path(__file__).with_name("written_apart")

# Messages read at ideation or above (a case), per file and script: (Devanagari, any other script).
RECALL_FLOORS = {
    "hi_risk_1.tsv": (60, 57),
    "hi_risk_2.tsv": (56, 45),
    "hi_risk_3.tsv": (42, 35),
    "hi_risk_4.tsv": (26, 27),
    "en_risk_dev.tsv": (0, 83),
    "en_risk_held.tsv": (0, 44),
    "zh_risk_dev.tsv": (0, 73),
    "zh_risk_held.tsv": (0, 49),
}
LOOKALIKES = ("hi_lookalike_1.txt", "hi_lookalike_2.txt", "en_lookalike.txt", "zh_lookalike.txt")


def _devanagari(text: str) -> bool:
    return any("\u0900" <= char <= "\u097f" for char in text)


def _risk(name: str) -> list[tuple[Level, str]]:
    rows = []
    for line in (WRITTEN_APART / name).read_text(encoding="utf-8").splitlines():
        level, text = line.split("\t", 1)
        rows.append((Level(level), text))
    return rows


@pytest.fixture(scope="module")
def production() -> HybridDetector:
    return hybrid_detector("none")


def test_every_file_is_well_formed() -> None:
    for name in RECALL_FLOORS:
        rows = _risk(name)
        assert rows and all(level >= Level.IDEATION for level, _ in rows), name
        assert len({text for _, text in rows}) == len(rows), name
    for name in LOOKALIKES:
        lines = (WRITTEN_APART / name).read_text(encoding="utf-8").splitlines()
        assert len(lines) >= 200 and all(lines), name


@pytest.mark.parametrize("name", sorted(RECALL_FLOORS))
def test_recall_on_phrases_written_apart_does_not_drop(production: HybridDetector, name: str) -> None:
    rows = _risk(name)
    results = production.assess_many([TextInput(text) for _, text in rows])
    found = [0, 0]
    for (_, text), result in zip(rows, results, strict=True):
        if result.level >= Level.IDEATION:
            found[0 if _devanagari(text) else 1] += 1
    assert found[0] >= RECALL_FLOORS[name][0] and found[1] >= RECALL_FLOORS[name][1], (name, found)


@pytest.mark.parametrize("name", LOOKALIKES)
def test_no_lookalike_written_apart_opens_a_case(production: HybridDetector, name: str) -> None:
    lines = (WRITTEN_APART / name).read_text(encoding="utf-8").splitlines()
    floor = Settings().case_floor
    results = production.assess_many([TextInput(line) for line in lines])
    cases = [(line, result.level.value, result.reasons) for line, result in zip(lines, results, strict=True)]
    assert [case for case in cases if Level(case[1]) >= floor] == []
