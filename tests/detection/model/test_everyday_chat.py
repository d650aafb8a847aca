"""Everyday chat (``tests/detection/everyday_chat.yaml``): the shipped hybrid on messages with no risk.

The public benign sets are shop reviews, searches, service dialogues and aggressive Facebook comments: almost
none is a first-person chat line, and none in Devanagari. The model's only Devanagari "मैं ... हूँ" are risk seeds,
and it read "मैं खाना खा रहा हूं" ("I'm eating") as behavior; the hybrid now needs the rules to find a risk word
in a text mostly in Devanagari. These lines were written apart from the rules and the seeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import HybridDetector
from lifeguard.detection.model.seeds import SEEDS

EVERYDAY_CHAT = Path(__file__).parent.parent / "everyday_chat.yaml"
LINES: dict[str, list[str]] = yaml.safe_load(EVERYDAY_CHAT.read_text(encoding="utf-8"))

# The share of lines the hybrid may read at indicator (a watch level, not a case). English short chat is read as
# distress most often: every English positive is a forum post, and "im ..." opens most of them.
MAX_INDICATOR_SHARE = {"hi": 0.02, "hi-Latn": 0.10, "en": 0.35, "zh": 0.15}


def test_the_lines_are_held_out_from_the_seeds() -> None:
    seeds = {phrase for by_level in SEEDS.values() for phrases in by_level.values() for phrase in phrases}
    lines = [line for block in LINES.values() for line in block]
    assert set(LINES) == set(MAX_INDICATOR_SHARE)
    assert len(lines) == len(set(lines)) >= 400
    assert not seeds & set(lines)


@pytest.mark.parametrize("lang", sorted(MAX_INDICATOR_SHARE))
def test_the_hybrid_opens_no_case_and_rarely_watches_on_everyday_chat(production: HybridDetector, lang: str) -> None:
    lines = LINES[lang]
    results = production.assess_many([TextInput(line) for line in lines])
    read = list(zip(lines, results, strict=True))
    assert [(line, result.reasons) for line, result in read if result.level >= Level.IDEATION] == []
    watched = [line for line, result in read if result.level >= Level.INDICATOR]
    assert len(watched) <= MAX_INDICATOR_SHARE[lang] * len(lines), watched
