"""Fast text folding for the model's features, with an optional map back to original offsets.

The folding follows the same rules as ``lifeguard.detection.normalize`` (NFKC per character, case folding,
Cyrillic/Greek homoglyphs, typographic punctuation, leet digits inside Latin words, invisible characters
dropped, repeated Latin letters and whitespace collapsed) so that "k1ll mys3lf", "ｋｉｌｌ" and "kіll" (Cyrillic і)
all reach the same features. It is implemented differently: ``fold`` runs a cached ``str.translate`` table and
regular expressions (all C loops): 7.8 µs per bench message against 28 µs for ``normalize`` (measured on
this machine); the scoring path uses ``fold_light`` (2.6 µs) and collapses runs in numpy for the whole batch
(``features.extract(collapse=True)``). ``fold_with_map`` is the slow, exact twin that also returns, for each
folded character, the original characters it came from; it is only used to explain flagged texts, and
property tests keep all three in agreement.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from lifeguard.detection import normalize

MAX_CHARS = 5_000  # the model reads the first MAX_CHARS characters of a text

# The same folding tables as the rules (one source): a change there changes the model's features, so retrain
# (`lifeguard model train`) after editing them, or the shipped weights no longer match the features they see.
_HOMOGLYPHS = normalize._HOMOGLYPHS
_PUNCTUATION = normalize._PUNCTUATION
_LEET = normalize._LEET
_INVISIBLE_EXTRA = frozenset(normalize._INVISIBLE_EXTRA)

# A run of Latin letters and leet characters that holds at least one leet character.
_LEET_RUN = re.compile(r"(?<![a-z0-9@$!|])[a-z0-9@$!|]*[0-9@$!|][a-z0-9@$!|]*(?![a-z0-9@$!|])")
_LEET_CHAR = re.compile(r"[0-9@$!|]")  # cheap pre-check: most messages have none
_REPEATED_LETTER = re.compile(r"(?=([a-z]))\1{2,}")  # same as ([a-z])\1+, measured 30% faster
_SPACES = re.compile(r" {2,}")
_COLLAPSE = re.compile(r"(?=([a-z]))\1{2,}| {2,}")


def _fold_one(char: str) -> str:
    if char in _INVISIBLE_EXTRA:
        return ""
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return ""
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category == "Cc" or category.startswith("Z") or category == "Cs":
        return " "
    if char.isascii():
        return char.lower()
    folded = unicodedata.normalize("NFKC", char).casefold()
    out = "".join(_HOMOGLYPHS.get(part, _PUNCTUATION.get(part, part)) for part in folded)
    # NFKC can produce spaces or controls (e.g. U+00A0, U+2474); keep them as plain spaces.
    return "".join(" " if (part.isspace() or unicodedata.category(part) == "Cc") else part for part in out)


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each code point (read-mostly, thread-safe enough:
    a racing fill writes the same value). ``reshaping`` holds the characters that do not fold to exactly one
    character (dropped, or expanded like "ß" -> "ss"): a text without any keeps its offsets."""

    def __init__(self) -> None:
        super().__init__()
        self.reshaping: set[str] = set()

    def __missing__(self, code: int) -> str:
        value = _fold_one(chr(code))
        if len(value) != 1:
            self.reshaping.add(chr(code))
        self[code] = value
        return value


_TABLE = _FoldTable()
for _code in range(128):
    _TABLE[_code]  # noqa: B018 - fills the entry (and ``reshaping``) through __missing__


def _leet_word(word: str) -> str:
    letters = sum(1 for char in word if "a" <= char <= "z")
    if letters < 2 or letters == len(word):
        return word
    leading = 0
    while leading < len(word) and not ("a" <= word[leading] <= "z"):
        leading += 1
    if leading > 0 and all("a" <= char <= "z" for char in word[leading:]):
        return word  # a quantity with a unit: "50mg", "3am"
    last = len(word) - 1
    out = []
    for offset, char in enumerate(word):
        at_edge = offset == 0 or offset == last
        if char in _LEET and not (at_edge and not char.isdigit()):
            out.append(_LEET[char])
        else:
            out.append(char)
    return "".join(out)


def _leet_sub(match: re.Match[str]) -> str:
    return _leet_word(match.group(0))


def fold_light(text: str) -> str:
    """``fold`` without collapsing repeated letters and spaces or stripping: ``features.extract`` with
    ``collapse=True`` does that part in numpy for a whole batch, which is where most of the time went."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    folded = text.translate(_TABLE)
    if _LEET_CHAR.search(folded):
        folded = _LEET_RUN.sub(_leet_sub, folded)
    return folded


def fold(text: str) -> str:
    """The canonical form the model reads. Never raises on a ``str``."""
    return finish_fold(fold_light(text))


def finish_fold(light: str) -> str:
    """``fold`` of a text from its ``fold_light``: collapse repeated letters and spaces, strip."""
    if _COLLAPSE.search(light) is None:  # most short texts: nothing to collapse
        return light.strip(" ")
    return _SPACES.sub(" ", _REPEATED_LETTER.sub(r"\1", light)).strip(" ")


@dataclass(frozen=True, slots=True)
class FoldedText:
    """``text`` is ``fold(original)``; ``starts[i]``/``ends[i]`` bound the original characters of ``text[i]``."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if not self.text or end <= start:
            return (0, 0)
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return self.starts[start], self.ends[end - 1]


class _RunOffsets(Sequence[int]):
    """Original offsets of a folded text made from a one-to-one translation by collapsing runs and stripping
    ``begin`` leading spaces: run k keeps its first character at collapsed position ``heads[k]``, which covers
    the originals up to ``run_ends[k]``; ``shifts[k]`` characters were removed before run k."""

    __slots__ = ("_length", "_begin", "_heads", "_shifts", "_run_ends", "_ends")

    def __init__(
        self, length: int, begin: int, heads: list[int], shifts: list[int], run_ends: list[int], ends: bool
    ) -> None:
        self._length, self._begin, self._ends = length, begin, ends
        self._heads, self._shifts, self._run_ends = heads, shifts, run_ends

    def __len__(self) -> int:
        return self._length

    def _at(self, index: int) -> int:
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        position = index + self._begin  # in the collapsed text
        k = bisect.bisect_right(self._heads, position) - 1
        if k >= 0 and self._heads[k] == position:
            return self._run_ends[k] if self._ends else position + self._shifts[k]
        removed = 0 if k < 0 else self._shifts[k + 1]
        return position + removed + (1 if self._ends else 0)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(self._length))]
        return self._at(index)


def _fold_one_to_one(joined: str) -> FoldedText:
    heads: list[int] = []
    shifts: list[int] = [0]
    run_ends: list[int] = []
    pieces: list[str] = []
    previous = 0
    for match in _COLLAPSE.finditer(joined):
        first, last = match.start(), match.end()
        heads.append(first - shifts[-1])
        run_ends.append(last)
        shifts.append(shifts[-1] + last - first - 1)
        pieces.append(joined[previous : first + 1])
        previous = last
    pieces.append(joined[previous:])
    collapsed = "".join(pieces) if heads else joined
    folded = collapsed.strip(" ")
    begin = len(collapsed) - len(collapsed.lstrip(" ")) if folded else 0
    n = len(folded)
    return FoldedText(
        text=folded,
        starts=_RunOffsets(n, begin, heads, shifts, run_ends, ends=False),
        ends=_RunOffsets(n, begin, heads, shifts, run_ends, ends=True),
    )


def light_offsets(text: str) -> tuple[Sequence[int], Sequence[int]]:
    """For each character of ``fold_light(text)``, the original characters it came from (starts, ends)."""
    text = text[:MAX_CHARS]
    if _TABLE.reshaping.isdisjoint(text):
        return range(len(text)), range(1, len(text) + 1)
    starts: list[int] = []
    ends: list[int] = []
    for position, char in enumerate(text):
        width = len(_TABLE[ord(char)])
        starts.extend([position] * width)
        ends.extend([position + 1] * width)
    return starts, ends


def fold_with_map(text: str) -> FoldedText:
    """``fold`` plus the offsets of every folded character in ``text`` (for explanations only)."""
    text = text[:MAX_CHARS]
    joined = text.translate(_TABLE)
    if len(joined) == len(text) and _TABLE.reshaping.isdisjoint(text):
        # the usual case: one folded character per original one; only collapsed runs and the stripped edges
        # move offsets, so they are computed on demand from the runs (explanations read a few of them)
        if _LEET_CHAR.search(joined):
            joined = _LEET_RUN.sub(_leet_sub, joined)  # same length: offsets unchanged
        return _fold_one_to_one(joined)
    return _fold_with_map_general(text)


def _fold_with_map_general(text: str) -> FoldedText:
    """Any text, one list entry per folded character (characters that fold to none or to several)."""
    text = text[:MAX_CHARS]
    parts = [_TABLE[ord(char)] for char in text]
    chars: list[str] = []
    starts, ends = [], []
    for position, part in enumerate(parts):
        for char in part:
            chars.append(char)
            starts.append(position)
            ends.append(position + 1)
    joined = "".join(chars)
    if _LEET_CHAR.search(joined):
        joined = _LEET_RUN.sub(_leet_sub, joined)  # same length: offsets unchanged
    # Collapse runs of one Latin letter and runs of spaces, keeping the first character of each run and
    # widening it to cover the whole run (exactly what ``fold``'s two substitutions do).
    out_chars: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    previous = 0
    for match in _COLLAPSE.finditer(joined):
        first, last = match.start(), match.end()
        ends[first] = ends[last - 1]
        out_chars.append(joined[previous : first + 1])
        out_starts.extend(starts[previous : first + 1])
        out_ends.extend(ends[previous : first + 1])
        previous = last
    out_chars.append(joined[previous:])
    out_starts.extend(starts[previous:])
    out_ends.extend(ends[previous:])
    folded = "".join(out_chars)
    begin, finish = 0, len(folded)
    while begin < finish and folded[begin] == " ":
        begin += 1
    while finish > begin and folded[finish - 1] == " ":
        finish -= 1
    return FoldedText(
        text=folded[begin:finish], starts=tuple(out_starts[begin:finish]), ends=tuple(out_ends[begin:finish])
    )
