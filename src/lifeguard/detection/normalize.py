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
from collections.abc import Iterable

from lifeguard.detection.prefilter import Prefilter
from lifeguard.detection.scripts import HAN_CLASS
from lifeguard.detection.traditional import SIMPLIFIED, particle

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


# Words censored with stars ("k*ll", "s*icide", "su**ide", "self-h*rm"): a star stands for one letter. A starred
# word that fits exactly one of these, letter for letter, is read as it; one that fits none, or several, stays.
# "d*e" is "die": people star the words they expect a filter to catch, never "dye" or "due".
_STARRABLE: tuple[str, ...] = (
    "die", "dies", "died", "kill", "kills", "killing", "killed", "suicide", "suicidal", "myself", "overdose",
    "unalive", "dead", "death", "dying", "hang", "hanging", "harm", "cutting", "poison",
    # the means and the words around them (session 31); not "pill" ("p*ll": poll, pull) nor "rope" ("r*pe")
    "pills", "alive", "noose", "razor", "blade", "bleach", "overdosed", "jump", "jumping", "hanged", "wrists",
    "painless", "funeral",
)  # fmt: skip
_STAR_IN_WORD = re.compile(r"[a-z]\*|\*[a-z]")
_STARRED_WORD = re.compile(r"[a-z*]*\*[a-z*]*")


def _unstar_word(match: re.Match[str]) -> str:
    word = match.group()
    fits = [
        candidate
        for candidate in _STARRABLE
        if len(candidate) == len(word) and all(c == "*" or c == w for c, w in zip(word, candidate, strict=True))
    ]
    return fits[0] if len(fits) == 1 and word.count("*") < len(word) - 1 else word


def _unstar(text: str) -> str:
    """Same length in and out, so the offsets are untouched."""
    if "*" not in text or _STAR_IN_WORD.search(text) is None:
        return text
    return _STARRED_WORD.sub(_unstar_word, text)


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


class NormalizedText:
    """``text`` is the canonical form; ``starts[i]``/``ends[i]`` bound the original characters of ``text[i]``.

    The offsets are built on first use: most texts match nothing, and building them cost half of
    ``normalize`` (per character, in Python). What they are built from is kept: the length of the folded text,
    the runs collapsed or dropped in it, and, when folding changed the length, each folded character's origin.
    """

    __slots__ = ("text", "original_length", "_folded_length", "_runs", "_origins", "_offsets")

    def __init__(
        self,
        text: str,
        original_length: int,
        folded_length: int,
        runs: list[tuple[int, int, bool]],
        origins: list[int] | None,
    ) -> None:
        self.text = text
        self.original_length = original_length
        self._folded_length = folded_length
        self._runs = runs  # (start, end, dropped) in the folded text, in order
        self._origins = origins
        self._offsets: tuple[tuple[int, ...], tuple[int, ...]] | None = None

    @property
    def starts(self) -> tuple[int, ...]:
        return self._built()[0]

    @property
    def ends(self) -> tuple[int, ...]:
        return self._built()[1]

    def _built(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self._offsets is None:
            self._offsets = _offsets(self._folded_length, self._runs, self._origins)
        return self._offsets

    def __eq__(self, other: object) -> bool:  # a value, like the dataclass it was
        if not isinstance(other, NormalizedText):
            return NotImplemented
        return (self.text, self.original_length, self._built()) == (other.text, other.original_length, other._built())

    def __hash__(self) -> int:
        return hash((self.text, self.original_length, self._built()))

    def __repr__(self) -> str:
        starts, ends = self._built()
        length = self.original_length
        return f"NormalizedText(text={self.text!r}, starts={starts!r}, ends={ends!r}, original_length={length})"

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open range of the canonical text back to a half-open range of the original text."""
        starts, ends = self._built()
        if not self.text or end <= start:
            anchor = starts[start] if start < len(starts) else self.original_length
            return anchor, anchor
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return starts[start], ends[end - 1]


def _fold_char(char: str) -> str:
    """NFKC (full-width, ligatures), case folding, homoglyphs, typographic punctuation and traditional Chinese
    characters (``traditional``) for one char."""
    if char.isascii():
        return char.lower()
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(_HOMOGLYPHS.get(part, _PUNCTUATION.get(part, SIMPLIFIED.get(part, part))) for part in folded)


# ASCII control characters become spaces (line breaks stay line breaks); "`" is an apostrophe.
_ASCII_TABLE: dict[int, str] = {code: " " for code in (*range(0, 32), 127)}
_ASCII_TABLE.update({ord("\n"): "\n", ord("\r"): "\n", ord("`"): "'"})

# A Latin word mixing letters with look-alike digits or symbols: the only places leet folding looks at.
_LEET_CANDIDATE = re.compile(r"[a-z0-9@$!|]*(?:[a-z][0-9@$!|]|[0-9@$!|][a-z])[a-z0-9@$!|]*")
# The test before it: a look-alike beside a letter, written to start with the look-alike so re skips ahead.
_LEET_BESIDE_LETTER = re.compile(r"[0-9@$!|](?:(?<=[a-z].)|(?=[a-z]))")
# Runs to collapse: a repeated Latin letter, or whitespace (kept as one space, or one line break). Spaces
# between Han characters are dropped when a single character stands on either side ("我 想 自 杀", "想 自杀":
# spacing out the characters dodges word filters); between words of two or more characters ("木炭 胶带", a
# search query's keywords) they stay.
# The second pattern runs only on texts with a space between Han characters (most texts have none).
_HAN = HAN_CLASS
_COLLAPSIBLE = re.compile(r"([a-z])\1+|[ \n]{2,}")
_SPACED_HAN = re.compile(rf"[{_HAN}] +[{_HAN}]")
_COLLAPSIBLE_OR_HAN_GAP = re.compile(
    rf"(?P<han_gap>(?<=(?<![{_HAN}])[{_HAN}]) +(?=[{_HAN}])|(?<=[{_HAN}]) +(?=[{_HAN}](?![{_HAN}])))"
    r"|([a-z])\2+|[ \n]{2,}"
)

# Letters spaced out to slip past a filter: "k i l l", "d-i-e", "s.u.i.c.i.d.e", "自.杀", "跳-楼". The separators
# are dropped between three or more single Latin letters spaced by the same character, and between two Han
# characters when one of them stands alone (as spaces are above: "木炭/胶带", two words, keeps its slash). Words
# keep their spaces ("a b c" becomes "abc", "is a big" stays); "|" and "!" are look-alike letters, read before this.
_SPACERS = " ._*~/+-"
_SPACER_HINT = re.compile(rf"[a-z][{_SPACERS}][a-z][{_SPACERS}][a-z]|[{_HAN}] *[._*~/+·-] *[{_HAN}]")
# An ASCII text's shape, one byte per character: a letter is "a", a spacer "_", the rest "x". Three letters spaced
# show as "a_a_a": one bytes.translate and one substring test, a tenth of the regex above (most texts are ASCII).
_SHAPE = bytes(
    ord("a") if chr(code).isalpha() else ord("_") if chr(code) in _SPACERS else ord("x") for code in range(256)
)
_SHAPE_SPACED = re.compile(rb"(?<!a)a_a_a(?!a)")  # single letters: "is a big" shows "aa_a_aaa", no match


def _maybe_spaced_letters(text: str, hint: re.Pattern[str]) -> bool:
    """Could ``text`` hold letters spaced out? Never no where ``hint`` says yes."""
    if text.isascii():
        shape = text.encode("ascii").translate(_SHAPE)
        return b"a_a_a" in shape and _SHAPE_SPACED.search(shape) is not None
    return hint.search(text) is not None


_SPACED_LETTERS = re.compile(rf"(?<![a-z0-9])[a-z](?P<separator>[{_SPACERS}])[a-z](?:(?P=separator)[a-z])+(?![a-z0-9])")
_HAN_SPACERS = re.compile(
    rf"(?<=(?<![{_HAN}])[{_HAN}]) *[._*~/+·-] *(?=[{_HAN}])|(?<=[{_HAN}]) *[._*~/+·-] *(?=[{_HAN}](?![{_HAN}]))"
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
    if _LEET_BESIDE_LETTER.search(text) is None:  # every candidate holds one; most texts none ("order 12345")
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


def _spacers(folded: str) -> set[int]:
    """The places in ``folded`` of the spacers of letters spaced out (none in most texts)."""
    dropped: set[int] = set()
    if not _maybe_spaced_letters(folded, _SPACER_HINT):
        return dropped
    for match in _SPACED_LETTERS.finditer(folded):
        # every other character is a separator; a leading "i" spaced from three letters or more is the word "i" ("i w a
        # n t to d i e"), and one before fewer spaces out no word ("i m a mess", where an apostrophe was lost). A
        # leading "a" is joined: "a l i v e", "a f t e r" are met more often than an article before a word spaced out
        # ("a r o p e" reads "arope"; bench/evasion.py: 0.969 of the messages kept against 0.958 with "a" set apart)
        start, end = match.span()
        if folded[start] == "i" and folded[start + 1] == " ":
            if end - start < 7:
                continue
            start += 2
        dropped.update(range(start + 1, end, 2))
    for match in _HAN_SPACERS.finditer(folded):
        dropped.update(range(*match.span()))
    return dropped


# Chat spellings, read as the words the lexicons write: the time words that make a plan imminent ("doing it 2nite",
# "tmrw"; not "2day", as in "2day delivery", nor "rn", a nurse); "2" for "to" after a wish or a plan ("want 2 die",
# "going 2 end it"; "need 2 pills" becomes "need to pills", which no rule reads); and the euphemisms people write for
# suicide where the word itself is filtered ("sewer slide", "commit neck rope", "kermit sudoku"), and its common
# misspellings ("suiside", "sucidal", romanized Hindi "khudkhushi"). Read before the doubled letters and spaces
# collapse, so a spelling is written as it is typed.
_CHAT_WORDS = {
    "tonight": ("2nite", "2night", "2nyt", "tonite", "tonyt", "tnite"),
    "tomorrow": ("2moro", "2morro", "2morrow", "2morow", "2mrw", "2mro", "tmrw", "tmr", "tmrow", "tomoro"),
    "suicide": ("sewerslide", "sewer slide", "sewer-slide", "suicde", "sucide", "suicid", "suiside", "suside"),
    "suicidal": ("suicidle", "suisidal", "sucidal", "suicdal", "suicidel"),
    "khudkushi": ("khudkhushi", "khudkhusi", "khudkusi", "khudkhushee"),
    "commit suicide": tuple(
        f"{verb} {euphemism}"
        for verb in ("commit", "comit", "kermit")
        for euphemism in (
            "neck rope",
            "toaster bath",
            "sudoku",
            "die",
            "unalive",
            "sewerslide",
            "sewer slide",
            "suicide",
        )
    ),
}
_CHAT_WORD = {spelling: word for word, spellings in _CHAT_WORDS.items() for spelling in spellings if spelling != word}


def _by_first_letter(words: Iterable[str]) -> str:
    """An alternation of ``words`` grouped by their first character, longest first in each group: a text position is
    tested against a few first characters instead of every word (4.7 µs a message for the flat alternation)."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items()))


_WISH_VERBS = ("want", "wanted", "wanna", "need", "needed", "going", "gonna", "ready", "about", "trying", "wish")
_WISH_VERBS += ("plan", "planning", "decided", "hope", "hoping")
# The means drawn as emoji ("took all my 💊💊💊", "going to 🪢 myself"): read as the noun, a word apart, wherever
# they stand.
_EMOJI_MEANS = {"💊": " pills ", "🪢": " rope ", "🔪": " knife ", "🔫": " gun "}
_CHAT_SPELLING = re.compile(
    rf"(?<![a-z0-9])(?:(?P<word>{_by_first_letter(_CHAT_WORD)})(?![a-z0-9])"
    rf"|(?:{_by_first_letter(_WISH_VERBS)}) (?P<to>2)(?= [a-z]))"
    rf"|(?P<emoji>💊+|{'|'.join(emoji for emoji in _EMOJI_MEANS if emoji != '💊')})"
)

# One automaton pass for the literals every match must hold (``prefilter``): a fifth of the regex's own search.
_CHAT_FILTER = Prefilter([_CHAT_SPELLING])


def _written_out(match: re.Match[str]) -> tuple[str, tuple[int, int]]:
    """What a chat spelling found by ``_CHAT_SPELLING`` stands for, and where it stands."""
    if (spelling := match.group("word")) is not None:
        return _CHAT_WORD[spelling], match.span("word")
    if match.group("to") is not None:
        return "to", match.span("to")
    return _EMOJI_MEANS[match.group("emoji")[0]], match.span("emoji")


def _respelled(folded: str, origins: list[int] | None) -> tuple[str, list[int] | None]:
    """``folded`` with chat spellings written out, and each character's origin: the word's letters spread over the
    spelling's, first onto first and last onto last."""
    if not _CHAT_FILTER.may_match(folded) or _CHAT_SPELLING.search(folded) is None:  # most texts
        return folded, origins
    pieces: list[str] = []
    kept: list[int] = []
    position = 0
    for match in _CHAT_SPELLING.finditer(folded):
        word, (start, end) = _written_out(match)
        pieces.append(folded[position:start])
        kept.extend(range(position, start))
        pieces.append(word)
        last = max(len(word) - 1, 1)
        kept.extend(start + offset * (end - 1 - start) // last for offset in range(len(word)))
        position = end
    pieces.append(folded[position:])
    kept.extend(range(position, len(folded)))
    return "".join(pieces), [origins[place] for place in kept] if origins else kept


def _without_spacers(folded: str, origins: list[int] | None) -> tuple[str, list[int] | None]:
    """``folded`` without the spacers of letters spaced out, and each kept character's origin."""
    dropped = _spacers(folded)
    if not dropped:
        return folded, origins
    kept = [position for position in range(len(folded)) if position not in dropped]
    return "".join(map(folded.__getitem__, kept)), [origins[position] for position in kept] if origins else kept


# Before folding: could the text hold letters or Han characters spaced out? (Full-width letters are left out.)
_MAYBE_SPACED = re.compile(
    rf"[a-zA-Z][{_SPACERS}][a-zA-Z][{_SPACERS}][a-zA-Z]|[{_HAN}] *[._*~/+·-]|[{_HAN}] [{_HAN}] [{_HAN}]"
)
# Han characters spaced out one by one ("好 想 就 这么走了", "活下 去 了"): three or more, each one between two
# spaces but the first and the last. A single space between words is punctuation in Chinese chat ("好 马上",
# "饭 我好累").
_SPACED_HAN_RUN = re.compile(rf"[{_HAN}](?: [{_HAN}](?= [{_HAN}]))+ [{_HAN}]")


def unspaced(text: str) -> tuple[str, list[int]] | None:
    """``text`` as written, without the spacers of letters spaced out ("i want to d-i-e", "我想自.杀") that
    ``normalize`` drops and the spaces of Han characters spaced out one by one, with each kept character's place in
    ``text``; ``None`` when there are none (most texts). The model reads its own folding of a text, which keeps them,
    so a word spaced out loses its n-grams there. Other spaces between Han characters stay (``_SPACED_HAN_RUN``)."""
    if not _maybe_spaced_letters(text, _MAYBE_SPACED):
        return None
    folded, origins = _fold_chars(text)
    folded = _unstar(_fold_leet(folded))
    dropped = _spacers(folded)
    for match in _SPACED_HAN_RUN.finditer(folded):
        dropped.update(range(match.start() + 1, match.end(), 2))
    if not dropped:
        return None
    out = {origins[position] for position in dropped} if origins else dropped
    kept = [position for position in range(len(text)) if position not in out]
    return "".join(map(text.__getitem__, kept)), kept


def normalize(text: str) -> NormalizedText:
    """Canonical form of ``text`` for matching, with the map back to original offsets."""
    folded, origins = _fold_chars(text)
    folded, origins = _without_spacers(*_respelled(_unstar(_fold_leet(particle(folded))), origins))

    # Collapse repeated Latin letters ("dieeee" -> "die", "killll" -> "kil") and whitespace runs; lexicon
    # patterns are collapsed the same way by ``normalize_pattern``, so "kill" in a pattern means "kil".
    pieces: list[str] = []
    runs_seen: list[tuple[int, int, bool]] = []
    position = 0
    runs = _COLLAPSIBLE_OR_HAN_GAP if _SPACED_HAN.search(folded) else _COLLAPSIBLE
    for match in runs.finditer(folded):
        run_start, run_end = match.span()
        if run_start > position:
            pieces.append(folded[position:run_start])
        position = run_end
        dropped = match.lastgroup == "han_gap"  # dropped, like an invisible character
        runs_seen.append((run_start, run_end, dropped))
        if not dropped:
            run = match.group()
            pieces.append(run[0] if run[0] not in " \n" else ("\n" if "\n" in run else " "))
    if not runs_seen:
        return NormalizedText(folded, len(text), len(folded), runs_seen, origins)
    if position < len(folded):
        pieces.append(folded[position:])
    return NormalizedText("".join(pieces), len(text), len(folded), runs_seen, origins)


def _offsets(
    folded_length: int, runs: list[tuple[int, int, bool]], origins: list[int] | None
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Each canonical character's first and (one past the) last original character, from the runs that
    ``normalize`` collapsed or dropped in the folded text and the folded characters' origins."""
    starts: list[int] = []  # first folded position behind each canonical character
    lasts: list[int] = []  # last folded position behind it (a collapsed run stands for all of its letters)
    position = 0
    for run_start, run_end, dropped in runs:
        if run_start > position:
            starts.extend(range(position, run_start))
            lasts.extend(range(position, run_start))
        position = run_end
        if not dropped:  # a span across a dropped gap still covers it
            starts.append(run_start)
            lasts.append(run_end - 1)
    if position < folded_length:
        starts.extend(range(position, folded_length))
        lasts.extend(range(position, folded_length))
    if origins is not None:
        # Dropped invisible characters sit between origins, so a span still covers them when inside it.
        return tuple(map(origins.__getitem__, starts)), tuple(map(_one_more, map(origins.__getitem__, lasts)))
    return tuple(starts), tuple(map(_one_more, lasts))


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
