"""Folding, hashing and feature extraction: fast paths agree with their slow, obvious twins."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.detection.model import textnorm
from lifeguard.detection.model.features import KIND_NAMES, FeatureConfig, extract, weigh
from lifeguard.detection.model.hashing import bucket_of, feature_hash, mix64, poly_hash
from lifeguard.detection.model.textnorm import MAX_CHARS, fold, fold_light, fold_light_many, light_offsets

CONFIG = FeatureConfig(bits=20)
texts_strategy = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60) | st.sampled_from(
    ["k1ll mys3lf", "ｋｉｌｌ　ｍｙｓｅｌｆ", "ki\u200bll", "我想死😭😭", "मैं मरना चाहता हूँ", "dieeee"]
)


def test_hash_is_fixed_across_processes_and_versions() -> None:
    # Golden values: changing the hash silently would scramble every shipped weight.
    assert poly_hash("abc") == (97 * 0x100000001B3**2 + 98 * 0x100000001B3 + 99) % 2**64
    assert mix64(0) == 0
    assert feature_hash("word", "die") == feature_hash("word", "die")
    assert feature_hash("word", "die") != feature_hash("lat3", "die")
    assert bucket_of(feature_hash("word", "die"), 20) < 2**20


def test_fold_undoes_common_evasions() -> None:
    assert fold("k1ll mys3lf") == "kil myself"
    assert fold("ｋｉｌｌ　ｍｙｓｅｌｆ") == "kil myself"
    assert fold("ki\u200bll my\u200dself") == "kil myself"
    assert fold("kіll") == "kil"  # Cyrillic і
    assert fold("I WANT TO DIEEEEE") == "i want to die"
    assert fold("50mg at 3am") == "50mg at 3am"  # quantities stay readable
    assert fold("  a \t\n b  ") == "a b"
    assert len(fold("x" * (MAX_CHARS * 3))) <= MAX_CHARS


@settings(max_examples=200, deadline=None)
@given(st.lists(texts_strategy | st.text(max_size=MAX_CHARS + 20), max_size=6))
def test_folding_a_batch_in_numpy_equals_folding_each_text(texts: list[str]) -> None:
    assert fold_light_many(texts) == [fold_light(text) for text in texts]


def test_batch_folding_takes_the_slow_path_for_characters_that_fold_to_none_or_several() -> None:
    texts = ["Straße", "ki\u200bll", "ﬁne", "中" * (MAX_CHARS + 5) + "ß", "\ud800 lone surrogate", "平常的话"]
    assert fold_light_many(texts) == [fold_light(text) for text in texts]
    assert fold_light_many(texts)[:3] == ["strasse", "kill", "fine"]


def test_the_ascii_shortcut_is_the_character_table() -> None:
    printable = "".join(chr(code) for code in range(32, 127))
    assert printable.lower() == printable.translate(textnorm._TABLE)
    assert not textnorm._ASCII_RESHAPES  # so an ASCII text keeps its offsets in light_offsets


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abzAZ0135789@$!|' -.", max_size=24))
def test_the_leet_precheck_never_skips_a_word_it_would_change(text: str) -> None:
    lowered = text.lower()
    assert textnorm._unleet(lowered) == textnorm._LEET_RUN.sub(textnorm._leet_sub, lowered)


@settings(max_examples=300, deadline=None)
@given(texts_strategy)
def test_light_offsets_map_each_folded_character_to_its_original(text: str) -> None:
    light = fold_light(text)
    starts, ends = light_offsets(text)
    assert len(starts) == len(light) == len(ends)
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        assert 0 <= start < end <= len(text)
        # the character came from there; a leet digit (also one that folding made, "¼" -> "1⁄4") reads as a
        # letter inside a word, so then the source folds to that digit instead
        folded_source = fold_light(source := text[start:end])
        assert light[index] in folded_source or any(char in "0123456789@$!|" for char in folded_source), source
    assert list(starts) == sorted(starts)


def test_positions_with_collapse_cover_collapsed_runs() -> None:
    light = fold_light("  I feeeel sooo   alone  ")
    features = extract([light], CONFIG, positions=True, collapse=True)
    assert features.starts is not None and features.lengths is not None and features.kinds is not None
    words = {
        light[start : start + length]
        for start, length, kind in zip(features.starts, features.lengths, features.kinds, strict=True)
        if KIND_NAMES[kind] == "word"
    }
    assert words == {"i", "feeeel", "sooo", "alone"}  # read as "fel", "so": the spans cover the whole runs


@settings(max_examples=150, deadline=None)
@given(st.lists(texts_strategy, min_size=1, max_size=5))
def test_batch_hashes_equal_one_by_one_hashes(raw: list[str]) -> None:
    folded = [fold(text) for text in raw]
    features = extract(folded, CONFIG, positions=True)
    assert features.kinds is not None and features.starts is not None and features.lengths is not None
    for doc, bucket, kind, start, length in zip(
        features.docs, features.buckets, features.kinds, features.starts, features.lengths, strict=True
    ):
        framed = f" {folded[doc]} "
        ngram = framed[start + 1 : start + 1 + length]
        name = KIND_NAMES[kind]
        if name == "bigram":
            continue  # a bigram's text spans its two words and the gap between them
        assert bucket_of(feature_hash(name, ngram), CONFIG.bits) == bucket


def test_features_by_script() -> None:
    features = extract([fold("我想死"), fold("i want"), fold("मरना"), fold("😭")], CONFIG, positions=True)
    assert features.kinds is not None
    kinds_by_doc = {doc: {KIND_NAMES[k] for k, d in zip(features.kinds, features.docs, strict=True) if d == doc}
                    for doc in range(4)}  # fmt: skip
    assert kinds_by_doc[0] == {"cjk1", "cjk2", "cjk3"}
    assert {"word", "bigram", "lat3", "lat4", "lat5"} <= kinds_by_doc[1]
    assert {"word", "deva1", "deva2", "deva3"} <= kinds_by_doc[2]
    assert kinds_by_doc[3] == {"word"}


def test_weigh_normalises_each_text() -> None:
    rows = weigh(extract([fold("i want to die"), "", fold("好")], CONFIG), CONFIG)
    norms = np.bincount(rows.docs, weights=rows.values.astype(np.float64) ** 2, minlength=3)
    assert np.allclose(norms[[0, 2]], 1.0, atol=1e-5)
    assert norms[1] == 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(texts_strategy, min_size=1, max_size=6))
def test_collapsing_in_numpy_equals_folding_in_python(raw: list[str]) -> None:
    full = extract([fold(text) for text in raw], CONFIG)
    light = extract([fold_light(text) for text in raw], CONFIG, collapse=True)
    assert np.array_equal(full.docs, light.docs)
    assert np.array_equal(full.buckets, light.buckets)
