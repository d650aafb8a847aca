"""``_evidence_many`` (numpy, a whole batch) must turn candidate n-grams into the same spans as the plain
per-text reading it replaced, which is kept here as the reference."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.detection.model.model import Evidence, _Candidates, _evidence_many
from lifeguard.detection.model.textnorm import finish_fold, fold_light, light_offsets

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789'")


def reference(text: str, folded: str, candidates: Iterable[tuple[int, int, float]], limit: int) -> list[Evidence]:
    """The per-text loop of sessions 1-15: trim spaces, grow Latin n-grams to whole words, drop what says
    little, keep the first ``limit * 2``, merge overlaps, map the ``limit`` heaviest to the original text."""
    picked: list[tuple[int, int, float]] = []
    size, wanted = len(folded), limit * 2
    for start, length, weight in candidates:
        end = min(start + length, size)
        start = max(start, 0)
        while start < end and folded[start] == " ":
            start += 1
        while end > start and folded[end - 1] == " ":
            end -= 1
        if end <= start:
            continue
        if folded[start] in _WORD_CHARS:
            while start > 0 and folded[start - 1] in _WORD_CHARS:
                start -= 1
            while end < size and folded[end] in _WORD_CHARS:
                end += 1
            if end - start < 3:
                continue
        elif end - start < 2 and not 0x2000 <= ord(folded[start]) < 0x3000:
            continue
        picked.append((start, end, weight))
        if len(picked) >= wanted:
            break
    merged: list[list[float]] = []
    for start, end, weight in sorted(picked):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += weight
        else:
            merged.append([start, end, weight])
    merged.sort(key=lambda item: -item[2])
    starts, ends = light_offsets(text)
    found: list[Evidence] = []
    for start, end, weight in merged[:limit]:
        begin, finish = int(start), int(end)
        found.append(Evidence(starts[begin], ends[finish - 1], finish_fold(folded[begin:finish]), round(weight, 4)))
    return found


pieces = st.sampled_from(
    [
        "i",
        " ",
        "  ",
        "want",
        "to",
        "die",
        "don't",
        "'",
        "k1ll",
        "我",
        "想死",
        "了",
        "मर",
        "जाना",
        "😭",
        "…",
        ".",
        "ﬁ",
        "Ａ",
        "\u200b",
        "x9",
    ]
)
texts = st.lists(pieces, min_size=0, max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(texts, st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8), st.floats(0.01, 3.0)), max_size=14)),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 4),
)
def test_the_batch_reading_gives_the_spans_of_the_per_text_reading(
    batch: list[tuple[str, list[tuple[int, int, float]]]], limit: int
) -> None:
    originals = [text for text, _ in batch]
    light = [fold_light(text) for text in originals]
    docs, starts, lengths, weights = [], [], [], []
    expected = []
    for doc, (folded, (_, candidates)) in enumerate(zip(light, batch, strict=True)):
        inside = candidates  # also past the text's end, which the feature extractor never gives
        expected.append(reference(originals[doc], folded, inside, limit))
        for start, length, weight in inside:
            docs.append(doc)
            starts.append(start)
            lengths.append(length)
            weights.append(weight)
    found = _Candidates(
        np.asarray(docs, dtype=np.int64),
        np.asarray(starts, dtype=np.int64),
        np.asarray(lengths, dtype=np.int64),
        np.asarray(weights, dtype=np.float64),
    )
    assert _evidence_many(originals, light, found, limit) == expected
