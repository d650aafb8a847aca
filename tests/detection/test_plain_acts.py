"""Acts said plainly (``plain_acts.yaml``): each act in each language, by the writer and about someone else, beside
its everyday lookalikes. The rules must read each at its level and find whose it is; the shipped hybrid must not read
an act lower, must leave a report about someone else to the support flag (the writer's own level none), and must open
no case, the writer's or anyone's, on a lookalike."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifeguard.config import Settings
from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import HybridDetector
from tests.detection.conftest import Assess
from tests.detection.test_phrasebook import Phrase, load_phrasebook

PLAIN_ACTS = load_phrasebook(Path(__file__).with_name("plain_acts.yaml"))


def _lookalike(phrase: Phrase) -> bool:
    """Everyday words beside an act: read below a case (a means named is an indicator) and about no one else."""
    return phrase.third is None and phrase.level < Level.IDEATION


def test_every_act_is_listed_for_the_writer_and_for_someone_else_beside_a_lookalike() -> None:
    groups = {phrase.group for phrase in PLAIN_ACTS}
    for group in groups:
        phrases = [phrase for phrase in PLAIN_ACTS if phrase.group == group]
        assert any(phrase.third is not None for phrase in phrases), f"{group}: no one else's act"
        assert any(_lookalike(phrase) for phrase in phrases), f"{group}: no lookalike"
    texts = [phrase.text for phrase in PLAIN_ACTS]
    assert len(texts) == len(set(texts)), "a phrase is listed twice"


@pytest.mark.parametrize("phrase", PLAIN_ACTS, ids=lambda phrase: f"{phrase.group}: {phrase.text}")
def test_the_rules_read_each_act_at_its_level_and_as_whose_it_is(assess_text: Assess, phrase: Phrase) -> None:
    result = assess_text(phrase.text, kind=phrase.kind)
    assert result.level is phrase.level, result.reasons
    if phrase.third is not None:
        assert (result.third_party_level, result.support) == (phrase.third, True), result.reasons
    elif _lookalike(phrase):
        assert result.third_party_level <= Level.INDICATOR, result.reasons  # nobody's act in a lookalike


def test_the_shipped_hybrid_reads_no_act_lower_nor_the_writers_and_opens_no_case_on_a_lookalike(
    production: HybridDetector,
) -> None:
    floor = Settings().case_floor
    results = production.assess_many([TextInput(phrase.text, kind=phrase.kind) for phrase in PLAIN_ACTS])
    wrong = []
    for phrase, result in zip(PLAIN_ACTS, results, strict=True):
        if phrase.third is not None:
            # someone else's act: the writer is not the one at risk (the model alone read "she took all the sleeping
            # pills" as the writer's behavior)
            if (result.level, result.third_party_level, result.support) != (Level.NONE, phrase.third, True):
                wrong.append((phrase.text, f"third {phrase.third.value}", result.level.value, result.reasons))
        elif _lookalike(phrase):
            if result.level >= floor or result.third_party_level >= floor:
                wrong.append((phrase.text, "no case", result.level.value, result.reasons))
        elif result.level < phrase.level:
            wrong.append((phrase.text, phrase.level.value, result.level.value, result.reasons))
    assert not wrong, wrong
