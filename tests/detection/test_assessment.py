"""The assessment record: the fast constructor the model uses builds exactly what the dataclass does."""

from __future__ import annotations

from lifeguard.detection.assessment import Assessment, Span, quick_assessment
from lifeguard.detection.levels import Level


def test_quick_assessment_equals_the_dataclass_constructor() -> None:
    spans = (Span(0, 4, "model:ngram:die"),)
    for level, lang in ((Level.NONE, None), (Level.IDEATION, "zh"), (Level.ATTEMPT, "hi-Latn")):
        quick = quick_assessment(level, 0.8123, ("model:x", "p:none=0.1"), spans, "risk-model/1", lang)
        built = Assessment(level, 0.8123, ("model:x", "p:none=0.1"), spans, "risk-model/1", lang=lang)
        assert quick == built
        assert hash(quick) == hash(built)
        assert quick.to_json() == built.to_json()
        assert quick.support is False and quick.third_party_level is Level.NONE


def test_quick_assessment_is_frozen_like_any_other() -> None:
    quick = quick_assessment(Level.NONE, 0.0, (), (), "risk-model/1", "en")
    try:
        quick.level = Level.ATTEMPT  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("an assessment must not change after it is made")
    assert quick.level is Level.NONE
