"""Hashed n-gram features for a batch of texts, computed with whole-batch numpy operations.

For each folded text (see ``textnorm.fold``):

- word unigrams and bigrams: a word is a run of Latin-like letters/digits/apostrophes, or a run of
  Devanagari, or one symbol/emoji character;
- character 3-, 4- and 5-grams over Latin segments (letters, digits and the single spaces between words,
  so "to die" is seen across the word gap, as scikit-learn's ``char`` analyser does);
- character 1-, 2- and 3-grams over runs of Han (and other scripts written without spaces) and over
  Devanagari runs.

All texts are concatenated into one array of code points; every n-gram of every text is hashed at once
(``hashing.prefix_tables``). The result lists (text index, bucket) pairs, optionally with the n-gram's
position, so that the heaviest n-grams of a flagged text can be shown as spans of the original text.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import numpy as np

from lifeguard.detection.model.hashing import KIND_SEEDS, Q, mix64_array, prefix_tables, substring_hashes
from lifeguard.detection.scripts import HAN_RANGES

OTHER, LATIN, CJK, DEVA, SYMBOL = 0, 1, 2, 3, 4
KIND_NAMES: tuple[str, ...] = tuple(KIND_SEEDS)
_KIND_INDEX = {name: index for index, name in enumerate(KIND_NAMES)}
_SPACE = 32


def _classify(code: int) -> int:
    char = chr(code)
    if code == 39:  # apostrophe belongs to words ("don't")
        return LATIN
    if 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF:
        return DEVA
    if (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
        or 0x0E00 <= code <= 0x0EFF  # Thai, Lao: written without spaces
        or 0x1000 <= code <= 0x109F  # Myanmar
        or 0x1780 <= code <= 0x17FF  # Khmer
    ):
        category = unicodedata.category(char)
        return CJK if category[0] in "LNM" else OTHER
    category = unicodedata.category(char)
    if category[0] in "LN" or (category[0] == "M" and code > 127):
        return LATIN
    if category in ("So", "Sk"):
        return SYMBOL
    return OTHER


class _ClassTable:
    """Script class of each code point, filled lazily for the code points a batch actually uses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.table = np.full(0x110000, 255, dtype=np.uint8)
        for code in range(128):
            self.table[code] = _classify(code)
        self.table[10] = OTHER

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        classes = self.table[codes]
        unknown = classes == 255
        if unknown.any():
            with self._lock:
                for code in np.unique(codes[unknown]).tolist():
                    self.table[code] = _classify(int(code))
            classes = self.table[codes]
        return classes


_CLASSES = _ClassTable()


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    bits: int = 20  # 2**bits hash buckets
    tf: str = "raw"  # "log": each distinct n-gram once, 1 + log(count), L2-normalised per text;
    # "raw": every occurrence counts 1, the text's vector divided by sqrt(number of occurrences) (no sort)

    @property
    def buckets(self) -> int:
        return 1 << self.bits


@dataclass(frozen=True, slots=True)
class Features:
    """One row per n-gram occurrence. ``starts``/``lengths`` index ``texts[doc]`` (the folded text)."""

    n_docs: int
    docs: np.ndarray  # int64
    buckets: np.ndarray  # int64
    kinds: np.ndarray | None = None  # uint8 index into KIND_NAMES
    starts: np.ndarray | None = None  # int64, offset inside the folded text of its doc
    lengths: np.ndarray | None = None  # int64
    blocks: tuple[int, ...] = ()  # offsets of the per-kind blocks; inside a block ``docs`` never decreases
    block_kinds: tuple[str, ...] = ()  # the kind (a key of KIND_SEEDS) of each block
    han_counts: np.ndarray | None = None  # per text: Han characters (for the language guess)
    deva_counts: np.ndarray | None = None  # per text: Devanagari characters

    def block(self, kind: str) -> slice | None:
        """Where the n-grams of ``kind`` are, or None when the batch has none."""
        for index, name in enumerate(self.block_kinds):
            if name == kind:
                return slice(self.blocks[index], self.blocks[index + 1])
        return None


def _framed_lengths(texts: list[str]) -> np.ndarray:
    return np.fromiter((len(text) + 3 for text in texts), dtype=np.int64, count=len(texts))


def _han_table() -> np.ndarray:
    """Han ideographs (``detection.scripts``), for the language guess: one lookup per character instead of
    eight comparisons (1.1 MB, of which the pages never read are never touched)."""
    table = np.zeros(0x110000, dtype=bool)
    for first, last in HAN_RANGES:
        table[first : last + 1] = True
    table.setflags(write=False)
    return table


_HAN = _han_table()


def _seeded(hashes: np.ndarray, kind: str) -> np.ndarray:
    return mix64_array(hashes ^ np.uint64(KIND_SEEDS[kind]))


def extract(texts: list[str], config: FeatureConfig, positions: bool = False, collapse: bool = False) -> Features:
    """Hashed features of folded texts (``textnorm.fold``), or of lightly folded ones (``textnorm.fold_light``)
    with ``collapse=True``, which finishes the folding here: runs of one Latin letter and runs of spaces become
    one character, exactly as ``fold`` does. Positions index the texts as given: with ``collapse`` an n-gram
    over a collapsed run covers the whole run ("feeeel" for "fel")."""
    n_docs = len(texts)
    if n_docs == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Features(0, empty, empty, np.zeros(0, np.uint8) if positions else None, empty, empty)
    # Each text is framed as " text \n": the spaces pad Latin n-grams at the edges, "\n" separates texts.
    joined = " " + " \n ".join(texts) + " \n"
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    original_index: np.ndarray | None = None  # with collapse and positions: index in the uncollapsed codes
    lengths = _framed_lengths(texts) if positions or not collapse else None
    if lengths is not None and positions:
        doc_start = np.cumsum(lengths) - lengths + 1  # where each text's first character sits (uncollapsed)
    else:
        doc_start = np.zeros(n_docs, dtype=np.int64)  # unused without positions
    if collapse:
        repeated = np.empty(len(codes), dtype=bool)
        repeated[0] = False
        np.equal(codes[1:], codes[:-1], out=repeated[1:])
        repeated &= ((codes >= 97) & (codes <= 122)) | (codes == _SPACE)
        if positions:
            original_index = (~repeated).nonzero()[0]
        codes = codes[~repeated]
        doc_of = np.empty(len(codes), dtype=np.int64)
        doc_of[0] = 0
        np.cumsum(codes[:-1] == 10, out=doc_of[1:])  # texts hold no "\n" (folding made it a space)
    else:
        assert lengths is not None
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    classes = _CLASSES.lookup(codes)
    in_class = np.bincount(classes, minlength=SYMBOL + 1)  # which scripts the batch holds, in one pass
    han_counts = np.bincount(doc_of[_HAN[codes]], minlength=n_docs)
    deva = classes == DEVA if in_class[DEVA] else None
    deva_counts = np.bincount(doc_of[deva], minlength=n_docs) if deva is not None else np.zeros(n_docs, np.int64)
    table, powers = prefix_tables(codes)
    shift = np.uint64(64 - config.bits)

    all_docs: list[np.ndarray] = []
    all_buckets: list[np.ndarray] = []
    all_kinds: list[np.ndarray] = []
    all_starts: list[np.ndarray] = []
    all_lengths: list[np.ndarray] = []
    kinds_emitted: list[str] = []

    def emit(kind: str, hashes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        if len(starts) == 0:
            return
        kinds_emitted.append(kind)
        docs = doc_of[starts]
        all_docs.append(docs)
        all_buckets.append((hashes >> shift).astype(np.int64))
        if positions:
            all_kinds.append(np.full(len(starts), _KIND_INDEX[kind], dtype=np.uint8))
            if original_index is not None:  # back to uncollapsed positions; an end covers a collapsed run
                starts, ends = original_index[starts], original_index[ends]
            all_starts.append(starts - doc_start[docs])
            all_lengths.append(ends - starts)

    # -- character n-grams ----------------------------------------------------------------------------
    segments = [((classes == LATIN) | (codes == _SPACE), "lat", (3, 4, 5))]  # framing: always a space
    if in_class[CJK]:
        segments.append((classes == CJK, "cjk", (1, 2, 3)))
    if deva is not None:
        segments.append((deva, "deva", (1, 2, 3)))
    for mask, prefix, sizes in segments:
        # ``run`` holds where ``size`` consecutive positions are in the mask (one AND per extra character)
        run = mask
        for size in range(1, sizes[-1] + 1):
            if size > 1:
                run = run[:-1] & mask[size - 1 :]
            if size < sizes[0]:
                continue
            starts = run.nonzero()[0]
            ends = starts + size
            kind = f"{prefix}{size}"
            emit(kind, _seeded(substring_hashes(table, powers, starts, ends), kind), starts, ends)

    # -- words and bigrams ----------------------------------------------------------------------------
    if in_class[LATIN] or in_class[DEVA] or in_class[SYMBOL]:
        symbol = classes == SYMBOL
        is_token = (classes == LATIN) | (classes == DEVA) | symbol
        previous = np.empty_like(classes)
        previous[0] = OTHER
        previous[1:] = classes[:-1]
        following = np.empty_like(classes)
        following[-1] = OTHER
        following[:-1] = classes[1:]
        token_starts = (is_token & ((classes != previous) | symbol)).nonzero()[0]
        token_ends = (is_token & ((classes != following) | symbol)).nonzero()[0] + 1
        raw = substring_hashes(table, powers, token_starts, token_ends)
        emit("word", _seeded(raw, "word"), token_starts, token_ends)
        token_docs = doc_of[token_starts]
        same_doc = (token_docs[1:] == token_docs[:-1]).nonzero()[0]
        if len(same_doc):
            combined = raw[same_doc] * np.uint64(Q) + raw[same_doc + 1]
            emit("bigram", _seeded(combined, "bigram"), token_starts[same_doc], token_ends[same_doc + 1])

    if not all_docs:
        empty = np.zeros(0, dtype=np.int64)
        return Features(
            n_docs,
            empty,
            empty,
            np.zeros(0, np.uint8) if positions else None,
            empty,
            empty,
            han_counts=han_counts,
            deva_counts=deva_counts,
        )
    offsets = [0]
    for part in all_docs:
        offsets.append(offsets[-1] + len(part))
    return Features(
        n_docs=n_docs,
        blocks=tuple(offsets),
        block_kinds=tuple(kinds_emitted),
        han_counts=han_counts,
        deva_counts=deva_counts,
        docs=np.concatenate(all_docs),
        buckets=np.concatenate(all_buckets),
        kinds=np.concatenate(all_kinds) if positions else None,
        starts=np.concatenate(all_starts) if positions else None,
        lengths=np.concatenate(all_lengths) if positions else None,
    )


@dataclass(frozen=True, slots=True)
class Rows:
    """Deduplicated, weighted features: ``values`` is log-scaled count, L2-normalised per text."""

    n_docs: int
    docs: np.ndarray  # sorted, int64
    buckets: np.ndarray  # int64
    values: np.ndarray  # float32


def weigh(features: Features, config: FeatureConfig) -> Rows:
    """Count each bucket once per text, scale counts as 1 + log(count), and L2-normalise each text
    (``tf="log"``); or keep every occurrence with value 1 / sqrt(occurrences in its text) (``tf="raw"``)."""
    if config.tf == "raw":
        scale = raw_scale(features)
        order = np.argsort(features.docs, kind="stable")
        docs = features.docs[order]
        return Rows(features.n_docs, docs, features.buckets[order], scale[docs].astype(np.float32))
    if len(features.docs) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Rows(features.n_docs, empty, empty, np.zeros(0, dtype=np.float32))
    keys = np.sort((features.docs << config.bits) | features.buckets)  # np.unique, minus its overhead
    boundary = np.empty(len(keys), dtype=bool)
    boundary[0] = True
    np.not_equal(keys[1:], keys[:-1], out=boundary[1:])
    starts = boundary.nonzero()[0]
    unique = keys[starts]
    counts = np.diff(np.append(starts, len(keys)))
    docs = unique >> config.bits
    buckets = unique & (config.buckets - 1)
    values = (1.0 + np.log(counts)).astype(np.float32)
    norms = np.sqrt(np.bincount(docs, weights=values * values, minlength=features.n_docs)).astype(np.float32)
    values /= norms[docs]
    return Rows(features.n_docs, docs, buckets, values)


def summed_by_block(features: Features, table: np.ndarray) -> np.ndarray:
    """Per text, the sum of ``table``'s entries (rows of a 2-D table) at the buckets of its n-gram occurrences, shape
    (n_docs, *table.shape[1:]), unscaled. No sort at all: inside each feature-kind block the texts come in order, so a
    block is summed per text with one reduceat."""
    sums = np.zeros((features.n_docs, *table.shape[1:]), dtype=np.float64)
    for begin, end in zip(features.blocks[:-1], features.blocks[1:], strict=True):
        docs = features.docs[begin:end]
        if not len(docs):
            continue
        firsts = np.concatenate(([True], docs[1:] != docs[:-1])).nonzero()[0]
        # np.take: ten times faster than fancy indexing for gathering rows of a 2-D array
        sums[docs[firsts]] += np.add.reduceat(np.take(table, features.buckets[begin:end], axis=0), firsts, axis=0)
    return sums


def summed_by_row(rows: Rows, contributions: np.ndarray) -> np.ndarray:
    """Per text, the sum of the ``contributions`` of its rows (one per row of ``rows``, which are sorted by text)."""
    out = np.zeros((rows.n_docs, *contributions.shape[1:]), dtype=np.float64)
    if len(rows.docs):
        starts = np.concatenate(([True], rows.docs[1:] != rows.docs[:-1])).nonzero()[0]
        out[rows.docs[starts]] = np.add.reduceat(contributions, starts, axis=0)
    return out


def raw_scale(features: Features) -> np.ndarray:
    """1 / sqrt(number of n-gram occurrences) per text (0 for a text without any)."""
    totals = np.bincount(features.docs, minlength=features.n_docs).astype(np.float64)
    return np.divide(1.0, np.sqrt(totals), out=np.zeros_like(totals), where=totals > 0)
