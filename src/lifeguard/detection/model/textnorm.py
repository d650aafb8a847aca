"""Fast text folding for the model's features, with an optional map back to original offsets.

The folding follows the same rules as ``lifeguard.detection.normalize`` (NFKC per character, case folding,
Cyrillic/Greek homoglyphs, typographic punctuation, leet digits inside Latin words, invisible characters
dropped, repeated Latin letters and whitespace collapsed) so that "k1ll mys3lf", "ｋｉｌｌ" and "kіll" (Cyrillic і)
all reach the same features. It is implemented differently: ``fold`` runs a cached ``str.translate`` table and
regular expressions (all C loops): 7.8 µs per bench message against 28 µs for ``normalize`` (measured on
the machine of that session); the scoring path uses ``fold_light_many`` (a batch's ASCII texts through
``str.lower``, the others through one numpy lookup of the same table: 2.2 µs per bench message against 3.6 µs
for ``fold_light`` one by one, session 8's slower machine) and collapses runs in numpy for the whole batch
(``features.extract(collapse=True)``), which also gives each n-gram's place in the ``fold_light`` text.
``light_offsets`` maps those places back to the original characters (the identity unless a character folds
to none or to several), so flagged texts are explained on the original text; property tests keep the batch
path, ``fold`` and the offsets in agreement.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence

import numpy as np

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
# Cheap pre-check, the rules' own: a leet character beside a letter. Every run that ``_leet_word`` changes holds
# one (it has letters and leet characters and nothing else), and most messages hold none ("order 12345").
_LEET_BESIDE_LETTER = normalize._LEET_BESIDE_LETTER
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
# No ASCII character folds to none or to several (controls become one space), so an ASCII text keeps its
# offsets; computed, not assumed, in case the tables change.
_ASCII_RESHAPES = any(chr(code) in _TABLE.reshaping for code in range(128))


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


def _unleet(folded: str) -> str:
    return _LEET_RUN.sub(_leet_sub, folded) if _LEET_BESIDE_LETTER.search(folded) else folded


def fold_light(text: str) -> str:
    """``fold`` without collapsing repeated letters and spaces or stripping: ``features.extract`` with
    ``collapse=True`` does that part in numpy for a whole batch, which is where most of the time went."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if text.isascii() and text.isprintable():  # the table's ASCII part: lower case (controls become spaces)
        return _unleet(text.lower())
    return _unleet(text.translate(_TABLE))


_UNKNOWN = 0  # no character folds to NUL (controls become spaces), so 0 marks a code point not yet looked up
_RESHAPED = 0xFFFFFFFF  # not a code point: the character folds to none or to several characters


class _CodeTable:
    """``_TABLE`` as an array of code points, for folding a whole batch with one lookup. The array is
    allocated zeroed (calloc), so only the pages of the code points a process meets take memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.table = np.zeros(0x110000, dtype=np.uint32)

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        mapped = self.table[codes]
        unknown = mapped == _UNKNOWN
        if unknown.any():
            with self._lock:
                for code in np.unique(codes[unknown]).tolist():
                    value = _TABLE[code]
                    self.table[code] = ord(value) if len(value) == 1 else _RESHAPED
            mapped = self.table[codes]
        return mapped


_CODES = _CodeTable()


def fold_light_many(texts: list[str]) -> list[str]:
    """``[fold_light(text) for text in texts]``, with the character table applied to all the non-ASCII texts
    at once in numpy (``str.translate`` costs about 0.1 us per non-ASCII character, most of a Chinese
    message's folding time). A text holding a character that folds to none or several goes through
    ``fold_light``."""
    cut = [text[:MAX_CHARS] for text in texts]
    folded: list[str] = []
    pending: list[int] = []
    for index, text in enumerate(cut):
        if text.isascii() and text.isprintable():
            folded.append(_unleet(text.lower()))
        else:
            folded.append("")
            pending.append(index)
    if not pending:
        return folded
    lengths = [len(cut[index]) for index in pending]
    codes = np.frombuffer("".join([cut[index] for index in pending]).encode("utf-32-le", "surrogatepass"), np.uint32)
    mapped = _CODES.lookup(codes)
    reshaped = mapped == _RESHAPED
    again: set[int] = set()  # positions in ``pending`` of texts with a character that folds to none or several
    if reshaped.any():
        again = set(np.searchsorted(np.cumsum(lengths), np.flatnonzero(reshaped), side="right").tolist())
        mapped = np.where(reshaped, np.uint32(32), mapped)  # a placeholder: those texts are folded again
    joined = mapped.tobytes().decode("utf-32-le", "surrogatepass")
    offset = 0
    for position, (index, length) in enumerate(zip(pending, lengths, strict=True)):
        if position in again:
            folded[index] = fold_light(cut[index])
        else:
            folded[index] = _unleet(joined[offset : offset + length])
        offset += length
    return folded


def fold(text: str) -> str:
    """The canonical form the model reads. Never raises on a ``str``."""
    return finish_fold(fold_light(text))


def finish_fold(light: str) -> str:
    """``fold`` of a text from its ``fold_light``: collapse repeated letters and spaces, strip."""
    if _COLLAPSE.search(light) is None:  # most short texts: nothing to collapse
        return light.strip(" ")
    return _SPACES.sub(" ", _REPEATED_LETTER.sub(r"\1", light)).strip(" ")


def light_offsets(text: str) -> tuple[Sequence[int], Sequence[int]]:
    """For each character of ``fold_light(text)``, the original characters it came from (starts, ends)."""
    text = text[:MAX_CHARS]
    if (text.isascii() and not _ASCII_RESHAPES) or _TABLE.reshaping.isdisjoint(text):
        return range(len(text)), range(1, len(text) + 1)
    starts: list[int] = []
    ends: list[int] = []
    for position, char in enumerate(text):
        width = len(_TABLE[ord(char)])
        starts.extend([position] * width)
        ends.extend([position + 1] * width)
    return starts, ends
