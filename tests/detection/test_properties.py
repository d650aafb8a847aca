"""Properties that must hold for any input, checked with generated text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.registry import default_detector

DETECTOR = default_detector()
KINDS = st.sampled_from(["message", "post", "comment", "search", "order", "report", "unknown-kind"])
LANGS = st.sampled_from([None, "zh", "en", "hi", "hi-Latn", "fr", "", "zh-CN"])
# Risky words, idioms and invisibles mixed into random text, so generated inputs reach the rules.
FRAGMENTS = st.sampled_from(
    [
        "不想活了", "笑死", "安眠药", "今晚", "我朋友", "不", "want to die", "kill myself", "tonight", "not",
        "my friend", "marna chahta hoon", "nahi", "मरना चाहता हूँ", "नहीं", "\u200b", "ＫＩＬＬ", "k1ll",
        "dieeee", "。", ",", "\n", "😂", "hotline", "used to", "百草枯", "喝多少", "从楼上跳下去",
    ]
)  # fmt: skip
MIXED_TEXT = st.lists(st.one_of(st.text(max_size=12), FRAGMENTS), max_size=12).map("".join)

IDEATION_TEXTS = st.sampled_from(
    ["我不想活了", "真的活不下去了", "I want to die", "I can't live any longer", "mar jaana chahta hoon",
     "मैं मरना चाहती हूँ", "jeena nahi chahta", "I wish I was dead", "想死"]
)  # fmt: skip
METHOD_TERMS = st.sampled_from(
    ["安眠药", "百草枯", "烧炭", "从楼上跳下去", "sleeping pills", "paraquat", "rope", "hang myself",
     "neend ki goliyan", "sulphas", "सल्फास", "नींद की गोलियां", "割腕"]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "，", ". ", "\n", " and "])  # words must stay words


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.one_of(st.text(max_size=300), MIXED_TEXT), kind=KINDS, lang=LANGS)
def test_never_raises_and_stays_in_bounds(text: str, kind: str, lang: str | None) -> None:
    result = DETECTOR.assess(TextInput(text=text, kind=kind, lang=lang))
    assert "error:detector_failed" not in result.reasons
    assert 0.0 <= result.score <= 1.0
    assert (result.score == 0.0) == (result.level is Level.NONE)
    for span in result.spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert span.reason
    if kind == "order":
        assert result.level <= Level.INDICATOR
    assert result.detector == "lexicon-rules/1"


@settings(max_examples=200, deadline=None)
@given(ideation=IDEATION_TEXTS, method=METHOD_TERMS, separator=SEPARATORS)
def test_appending_a_method_never_lowers_ideation(ideation: str, method: str, separator: str) -> None:
    before = DETECTOR.assess(TextInput(ideation))
    after = DETECTOR.assess(TextInput(ideation + separator + method))
    assert before.level == Level.IDEATION
    assert after.level >= Level.BEHAVIOR, after.reasons
    assert after.score >= before.score


@settings(max_examples=200, deadline=None)
@given(prefix=MIXED_TEXT, ideation=IDEATION_TEXTS)
def test_appending_ideation_after_a_sentence_break_raises_to_at_least_ideation(prefix: str, ideation: str) -> None:
    # Whatever came before, a new sentence stating a wish to die by the writer is at least ideation.
    result = DETECTOR.assess(TextInput(prefix + "\n" + ideation))
    assert result.level >= Level.IDEATION or result.third_party_level >= Level.IDEATION, result.reasons
