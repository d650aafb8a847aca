"""Whatever a platform sends, the model answers: no crash, sane numbers, spans inside the text."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeguard.detection.assessment import Assessment, TextInput
from lifeguard.detection.levels import LEVELS
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.model.textnorm import fold, fold_light

nasty = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=200),
    st.text(alphabet=st.sampled_from("😭💀🔪\u200b\u200d\u202e\ufeff\x00\x07 \n\t"), max_size=300),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.lists(st.sampled_from(["kill", "我想死", "मरना", "ｋｉｌｌ", "k1ll", "марна", "😭", " "]), max_size=30).map(
        "".join
    ),
)


def _check(assessment: Assessment, text: str) -> None:
    assert assessment.level in LEVELS
    assert 0.0 <= assessment.score <= 1.0
    assert assessment.detector.startswith("risk-model/")
    for span in assessment.spans:
        assert 0 <= span.start <= span.end <= len(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(nasty, min_size=1, max_size=8))
def test_any_text_is_assessed(tiny_model: RiskModel, texts: list[str]) -> None:
    results = tiny_model.assess_many([TextInput(text, lang="xx-unknown") for text in texts])
    assert len(results) == len(texts)
    for result, text in zip(results, texts, strict=True):
        _check(result, text)
    probabilities = tiny_model.probabilities(texts)
    assert np.all(np.isfinite(probabilities)) and np.allclose(probabilities.sum(axis=1), 1.0)


def test_edge_cases(tiny_model: RiskModel) -> None:
    cases = ["", " ", "\x00\x01\x02", "😭" * 5000, "\ud800 lone surrogate", "a\u0301" * 100, "x" * 1_000_000]
    for text in cases:
        _check(tiny_model.assess(TextInput(text)), text)
    assert tiny_model.assess(TextInput("")).level is LEVELS[0]


def test_huge_text_is_fast(tiny_model: RiskModel) -> None:
    start = time.perf_counter()
    tiny_model.assess(TextInput("我想死 " * 300_000))
    assert time.perf_counter() - start < 2.0  # only the first MAX_CHARS characters are read


def test_non_string_text_does_not_crash(tiny_model: RiskModel) -> None:
    for value in (None, b"\xff\xfe bytes", 42):
        result = tiny_model.assess(TextInput(value))  # type: ignore[arg-type]
        assert result.level in LEVELS


def test_evasions_score_like_the_plain_words(tiny_model: RiskModel) -> None:
    plain = tiny_model.probabilities(["i want to kill myself"])
    disguises = [
        "I WANT TO KILL MYSELF", "i want to k1ll mys3lf", "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ",
        "i want to ki\u200bll my\u200dself", "i want to kіll myѕelf", "i want to killlll myself",
    ]  # fmt: skip
    for disguised in disguises:
        assert np.allclose(tiny_model.probabilities([disguised]), plain), disguised


def test_batch_equals_one_by_one(tiny_model: RiskModel) -> None:
    texts = ["我想死", "where is my order", "", "मैं मरना चाहता हूँ", "😭😭😭"]
    batch = tiny_model.assess_many([TextInput(text) for text in texts])
    single = [tiny_model.assess(TextInput(text)) for text in texts]
    assert batch == single


risky_and_noisy = st.lists(
    st.sampled_from(
        ["I", " ", "  ", "want", "wannnnt", "to", "DIE", "die", "\u200b", "ｋｉｌｌ", "myself", "ß", "我想死", "想死了",
         "，", "😭", "\u00a0", "k1ll", "tonight", "pills", "mar", "jaana", "hai"]
    ),
    min_size=1,
    max_size=25,
).map("".join)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(risky_and_noisy, min_size=1, max_size=6))
def test_evidence_spans_point_at_the_ngrams_in_the_original_text(tiny_model: RiskModel, texts: list[str]) -> None:
    """Each span of the original text folds to something that holds the n-gram the model read there, also
    across zero-width characters, full-width letters, leet, collapsed letter runs and stripped edges."""
    heads = [1] * len(texts)
    for text, found in zip(texts, tiny_model.explain_many(texts, [fold_light(t) for t in texts], heads), strict=True):
        for evidence in found:
            assert 0 <= evidence.start < evidence.end <= len(text)
            assert evidence.ngram and evidence.ngram in fold(text[evidence.start : evidence.end]), (text, evidence)


def test_evidence_of_a_noisy_risky_text_maps_back_to_its_words(tiny_model: RiskModel) -> None:
    text = "  I\u200b wannnnt to ＤＩＥ... 我想死了  "
    found = tiny_model.explain(text, 1)
    assert found, "the tiny model reads this text as ideation: it must say why"
    for evidence in found:
        original = text[evidence.start : evidence.end]
        assert original.strip() == original and original  # no edge spaces in a span
        assert evidence.ngram in fold(original)
