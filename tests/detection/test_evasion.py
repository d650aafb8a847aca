"""The tricks people use to slip a word past a filter do not hide it from the default hybrid: zero-width spaces,
full-width letters, Cyrillic look-alikes, digits for letters, stretched vowels, a star for a vowel, letters spaced out
or dotted, capitals. ``bench/evasion.py`` measures the same tricks on every written-apart risk message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import HybridDetector

_LOOK_ALIKES = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і"}

TRICKS: dict[str, Callable[[str], str]] = {
    "zero_width": lambda word: "\u200b".join(word),
    "full_width": lambda word: "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in word),
    "look_alikes": lambda word: "".join(_LOOK_ALIKES.get(char, char) for char in word),
    "digits": lambda word: word[0] + word[1:-1].replace("i", "1").replace("e", "3").replace("o", "0") + word[-1],
    "stretched": lambda word: "".join(char * 3 if char in "aeiou" else char for char in word),
    "spaced_out": " ".join,
    "dotted": ".".join,
    "hyphens": "-".join,
    "capitals": str.upper,
}
# a message and the word in it a writer would disguise
MESSAGES = [
    ("i want to die tonight", "die"),
    ("thinking about suicide again", "suicide"),
    ("i took all the pills, bye", "pills"),
    ("i'm going to kill myself", "kill"),
    ("我想自杀", "自杀"),
    ("我想跳楼", "跳楼"),
    ("main marna chahta hu", "marna"),
]


_HAN_TRICKS = ("zero_width", "spaced_out", "dotted", "hyphens")  # the others change Latin letters only


@pytest.mark.parametrize(
    ("trick", "text", "word"),
    [
        (trick, text, word)
        for text, word in MESSAGES
        for trick in sorted(TRICKS)
        if word.isascii() or trick in _HAN_TRICKS
    ],
)
def test_a_disguised_word_is_still_read(production: HybridDetector, trick: str, text: str, word: str) -> None:
    plain, disguised = production.assess_many([TextInput(text), TextInput(text.replace(word, TRICKS[trick](word)))])
    assert plain.level >= Level.IDEATION
    assert disguised.level >= Level.IDEATION, (trick, text.replace(word, TRICKS[trick](word)))


@pytest.mark.parametrize(
    "text",
    ["u r a star", "i m a mess lol", "a.k.a. the best", "t-shirt and x-ray", "加厚/加大 红/蓝两色可选", "A.S.A.P pls"],
)
def test_single_letters_that_are_words_open_no_case(production: HybridDetector, text: str) -> None:
    assert production.assess(TextInput(text)).level < Level.IDEATION
