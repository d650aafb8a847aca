"""Text normalisation for rule matching, with a map back to the original characters.

People who want a filter to miss them write "k1ll mys3lf", put zero-width spaces inside words, type
full-width letters or Cyrillic look-alikes, and stretch words ("dieeee"). We fold all of that into one
canonical string so that each lexicon entry is written once. Every character of the canonical string
remembers which original characters it came from, so a match can be reported as ``text[start:end]`` of
the text the platform sent, which is what an interventionist must see highlighted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Cyrillic and Greek letters that render like Latin ones. Folded so "kіll" (Cyrillic і) matches "kill".
_HOMOGLYPHS: dict[str, str] = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w",
}  # fmt: skip

# Typographic quotes and dashes seen in pasted text, folded to the ASCII forms the lexicons use.
_PUNCTUATION: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
}  # fmt: skip

# Digits and symbols that stand in for letters inside a Latin word ("su1c1de", "k!ll", "$uicide").
_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l",
}  # fmt: skip

_LEET_CHARS = frozenset(_LEET)

# Characters that are invisible or only steer rendering; dropped so they cannot split a word.
_INVISIBLE_EXTRA = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0"}


def _is_invisible(char: str) -> bool:
    if char in _INVISIBLE_EXTRA:
        return True
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return True
    return unicodedata.category(char) == "Cf"  # zero-width space/joiners, bidi marks, soft hyphen, BOM


def _is_latin_letter(char: str) -> bool:
    return "a" <= char <= "z"


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """``text`` is the canonical form; ``starts[i]``/``ends[i]`` bound the original characters of ``text[i]``."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open range of the canonical text back to a half-open range of the original text."""
        if not self.text or end <= start:
            anchor = self.starts[start] if start < len(self.starts) else self.original_length
            return anchor, anchor
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return self.starts[start], self.ends[end - 1]


def _fold_char(char: str) -> str:
    """NFKC (full-width, ligatures), case folding, homoglyphs and typographic punctuation for one char."""
    if char.isascii():
        return char.lower()
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(_HOMOGLYPHS.get(part, _PUNCTUATION.get(part, part)) for part in folded)


# ASCII control characters become spaces (line breaks stay line breaks); "`" is an apostrophe.
_ASCII_TABLE: dict[int, str] = {code: " " for code in (*range(0, 32), 127)}
_ASCII_TABLE.update({ord("\n"): "\n", ord("\r"): "\n", ord("`"): "'"})

# A Latin word mixing letters with look-alike digits or symbols: the only places leet folding looks at.
_LEET_CANDIDATE = re.compile(r"[a-z0-9@$!|]*(?:[a-z][0-9@$!|]|[0-9@$!|][a-z])[a-z0-9@$!|]*")
# Runs to collapse: a repeated Latin letter, or whitespace (kept as one space, or one line break). Spaces
# between Han characters are dropped when a single character stands on either side ("我 想 自 杀", "想 自杀":
# spacing out the characters dodges word filters); between words of two or more characters ("木炭 胶带", a
# search query's keywords) they stay.
# The second pattern runs only on texts with a space between Han characters (most texts have none).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_COLLAPSIBLE = re.compile(r"([a-z])\1+|[ \n]{2,}")
_SPACED_HAN = re.compile(rf"[{_HAN}] +[{_HAN}]")
_COLLAPSIBLE_OR_HAN_GAP = re.compile(
    rf"(?P<han_gap>(?<=(?<![{_HAN}])[{_HAN}]) +(?=[{_HAN}])|(?<=[{_HAN}]) +(?=[{_HAN}](?![{_HAN}])))"
    r"|([a-z])\2+|[ \n]{2,}"
)


def _fold_leet_word(word: str) -> str:
    """Replace look-alike digits/symbols by letters in one Latin word (same length).

    Not in a number followed by a unit ("50mg", "3am", "10pm"), and a symbol at the edge of a word is
    punctuation ("why!", "$5"), not a letter.
    """
    letters = sum(1 for char in word if _is_latin_letter(char))
    if letters < 2:
        return word
    leading = 0
    while leading < len(word) and not _is_latin_letter(word[leading]):
        leading += 1
    if leading and all(_is_latin_letter(char) for char in word[leading:]):
        return word
    last = len(word) - 1
    return "".join(
        _LEET[char] if char in _LEET and (char.isdigit() or 0 < offset < last) else char
        for offset, char in enumerate(word)
    )


def _fold_leet(text: str) -> str:
    if _LEET_CHARS.isdisjoint(text):
        return text
    return _LEET_CANDIDATE.sub(lambda match: _fold_leet_word(match.group()), text)


# Each character's folded form ("" when dropped), learnt the first time it is met, and the characters that
# fold to exactly one: a text made only of those folds with one ``str.translate`` and keeps its offsets.
_FOLDED: dict[int, str] = {}
_ONE_TO_ONE: set[str] = set()
_CACHE_LIMIT = 100_000  # distinct characters remembered; a flood of rare code points is folded uncached


def _folded_form(char: str) -> str:
    if _is_invisible(char):
        return ""
    category = unicodedata.category(char)
    if category == "Cc" or category.startswith("Z"):
        # Control characters and every kind of space become one plain space (collapsed later).
        return "\n" if char in "\n\r\u2028\u2029" else " "
    return _fold_char(char)


def _form_of(char: str) -> str:
    form = _FOLDED.get(ord(char))
    if form is None:
        form = _folded_form(char)
        if len(_FOLDED) < _CACHE_LIMIT:
            _FOLDED[ord(char)] = form
            if len(form) == 1:
                _ONE_TO_ONE.add(char)
    return form


def _fold_chars(text: str) -> tuple[str, list[int] | None]:
    """Per-character folding: the folded text and, unless it is 1:1 with the input, each char's origin."""
    if text.isascii():
        return text.lower().translate(_ASCII_TABLE), None  # same length: the identity map
    distinct = set(text)
    if not distinct <= _ONE_TO_ONE:
        forms = {char: _form_of(char) for char in distinct}
        if any(len(form) != 1 for form in forms.values()):
            chars: list[str] = []
            origins: list[int] = []
            for position, char in enumerate(text):
                for part in forms[char]:
                    chars.append(part)
                    origins.append(position)
            return "".join(chars), origins
        return "".join(map(forms.__getitem__, text)), None
    return text.translate(_FOLDED), None


_one_more = (1).__add__


def normalize(text: str) -> NormalizedText:
    """Canonical form of ``text`` for matching, with the map back to original offsets."""
    folded, origins = _fold_chars(text)
    folded = _fold_leet(folded)

    # Collapse repeated Latin letters ("dieeee" -> "die", "killll" -> "kil") and whitespace runs; lexicon
    # patterns are collapsed the same way by ``normalize_pattern``, so "kill" in a pattern means "kil".
    pieces: list[str] = []
    starts: list[int] = []  # first folded position behind each canonical character
    lasts: list[int] = []  # last folded position behind it (a collapsed run stands for all of its letters)
    position = 0
    runs = _COLLAPSIBLE_OR_HAN_GAP if _SPACED_HAN.search(folded) else _COLLAPSIBLE
    for match in runs.finditer(folded):
        run_start, run_end = match.span()
        if run_start > position:
            pieces.append(folded[position:run_start])
            starts.extend(range(position, run_start))
            lasts.extend(range(position, run_start))
        position = run_end
        if match.lastgroup == "han_gap":
            continue  # dropped, like an invisible character: a span across it still covers it
        run = match.group()
        pieces.append(run[0] if run[0] not in " \n" else ("\n" if "\n" in run else " "))
        starts.append(run_start)
        lasts.append(run_end - 1)
    if position < len(folded):
        pieces.append(folded[position:])
        starts.extend(range(position, len(folded)))
        lasts.extend(range(position, len(folded)))

    if origins is not None:
        # Dropped invisible characters sit between origins, so a span still covers them when inside it.
        return NormalizedText(
            text="".join(pieces),
            starts=tuple(map(origins.__getitem__, starts)),
            ends=tuple(map(_one_more, map(origins.__getitem__, lasts))),
            original_length=len(text),
        )
    return NormalizedText(
        text="".join(pieces),
        starts=tuple(starts),
        ends=tuple(map(_one_more, lasts)),
        original_length=len(text),
    )


def normalize_pattern(pattern: str) -> str:
    """Bring a hand-written regex into the canonical form of ``normalize``.

    Literal letters are folded like text (case, NFKC) and repeated Latin letters are collapsed, so lexicon
    authors write natural spellings ("kill", "jaana", "sleeping pills"). Escapes such as ``\\b`` and
    ``\\d`` are copied untouched.
    """
    out: list[str] = []
    index = 0
    previous_literal = ""
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            previous_literal = ""
            index += 2
            continue
        folded = _fold_char(char) if not char.isascii() else char.lower()
        for part in folded:
            if _is_latin_letter(part) and part == previous_literal:
                continue
            out.append(part)
            previous_literal = part if _is_latin_letter(part) else ""
        index += 1
    return "".join(out)
