"""The phrasebook (``phrasebook.yaml``): messages people in crisis write, and their everyday lookalikes.

The rules must read each at the level written there. The shipped hybrid (model + rules, the default detector)
must never read a phrase lower than the rules are asked to, and must not open a case (the default case floor,
ideation) on a phrase whose level is none. Where the hybrid itself once misread a phrase, ``hybrid:`` gives the
level it must read exactly, with no one else's risk in it ("can i buy sleeping pills here": indicator, not a case).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from lifeguard.config import Settings
from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import HybridDetector
from tests.detection.conftest import Assess

PHRASEBOOK = Path(__file__).with_name("phrasebook.yaml")


@dataclass(frozen=True, slots=True)
class Phrase:
    group: str
    text: str
    level: Level  # the writer's own level
    third: Level | None  # for a report about someone else: their level (the writer's own is then none)
    why: str = ""
    kind: str = "message"  # the signal kind it arrives as: a "report" is someone's words about another
    hybrid: Level | None = None  # the shipped hybrid's exact level, where it once read the phrase wrong


def load_phrasebook(path: Path = PHRASEBOOK) -> list[Phrase]:
    phrases: list[Phrase] = []
    for group in yaml.safe_load(path.read_text(encoding="utf-8")):
        for item in group["phrases"]:
            third = Level(item["third"]) if "third" in item else None
            level = Level.NONE if third is not None else Level(item["level"])
            kind = item.get("kind", "message")
            hybrid = Level(item["hybrid"]) if "hybrid" in item else None
            phrases.append(Phrase(group["group"], item["text"], level, third, item.get("why", ""), kind, hybrid))
    return phrases


PHRASES = load_phrasebook()


def test_the_phrasebook_is_well_formed() -> None:
    texts = [phrase.text for phrase in PHRASES]
    assert len(texts) == len(set(texts)), "a phrase is listed twice"
    assert {phrase.kind for phrase in PHRASES} <= {"message", "post", "comment", "search", "report"}, "unknown kind"
    assert any(phrase.level is Level.NONE and phrase.third is None for phrase in PHRASES), "no lookalikes"
    assert {phrase.level for phrase in PHRASES} >= {Level.NONE, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT}


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda phrase: f"{phrase.group}: {phrase.text}")
def test_the_rules_read_each_phrase_at_its_level(assess_text: Assess, phrase: Phrase) -> None:
    result = assess_text(phrase.text, kind=phrase.kind)
    assert result.level is phrase.level, (phrase.why, result.reasons)
    if phrase.third is not None:
        assert result.third_party_level is phrase.third, (phrase.why, result.reasons)
        assert result.support is (phrase.third > Level.NONE), (phrase.why, result.reasons)


def test_the_shipped_hybrid_never_reads_a_phrase_lower_nor_opens_a_case_on_a_lookalike(
    production: HybridDetector,
) -> None:
    floor = Settings().case_floor
    results = production.assess_many([TextInput(phrase.text, kind=phrase.kind) for phrase in PHRASES])
    wrong = []
    for phrase, result in zip(PHRASES, results, strict=True):
        if result.level < phrase.level or (phrase.level is Level.NONE and result.level >= floor):
            wrong.append((phrase.text, phrase.level.value, result.level.value, result.reasons))
        if phrase.third is not None and result.third_party_level < phrase.third:
            wrong.append((phrase.text, f"third {phrase.third.value}", result.third_party_level.value, result.reasons))
        if phrase.hybrid is not None and (result.level is not phrase.hybrid or result.support):
            wrong.append((phrase.text, f"hybrid {phrase.hybrid.value}", result.level.value, result.reasons))
    assert not wrong, wrong


# Words that name one way of dying, or an amount. An entry whose pattern covers several methods must not be named by
# one of them: an interventionist reading "term:zh:想跳楼" for "我想割手腕" would look for the wrong danger. (The
# substances a means entry names, "农药" for any pesticide, are its category, and a means reason goes with them.)
_METHOD_WORDS = (
    "跳楼", "上吊", "割腕", "烧炭", "安眠药", "跳海", "跳河", "二十片",
    "hang", "jump", "sleeping pills", "20 ", "फांसी", "phansi",
)  # fmt: skip


def test_a_term_reason_names_no_method_the_text_does_not_hold(assess_text: Assess) -> None:
    wrong = []
    for phrase in PHRASES:
        folded = phrase.text.casefold()
        for reason in assess_text(phrase.text, kind=phrase.kind).reasons:
            if not reason.removeprefix("third_party:").startswith("term:"):
                continue
            named = [word for word in _METHOD_WORDS if word.casefold() in reason.casefold()]
            wrong.extend((phrase.text, reason) for word in named if word.casefold() not in folded)
    assert not wrong, wrong
