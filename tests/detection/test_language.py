"""Language guess from script and Hinglish markers; hints win when they name a supported language."""

from __future__ import annotations

import pytest

from lifeguard.detection.language import canonical_hint, detect_scripts, guess_language, mostly_devanagari
from lifeguard.detection.normalize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我不想活了", "zh"),
        ("मुझे मरना है", "hi"),
        ("yaar mujhe kuch samajh nahi aa raha", "hi-Latn"),
        ("main marna chahta hoon", "hi-Latn"),
        ("I want to go to the main station", "en"),
        ("", "en"),
        ("订单 order 12345", "zh"),
    ],
)
def test_guess_from_script(text: str, expected: str) -> None:
    assert guess_language(normalize(text).text) == expected


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("zh-CN", "zh"), ("hi_IN", "hi"), ("hi-Latn", "hi-Latn"), ("EN-gb", "en"), ("fr", None), (None, None)],
)
def test_hints(hint: str | None, expected: str | None) -> None:
    assert canonical_hint(hint) == expected


def test_hint_wins_over_script() -> None:
    assert guess_language("main marna chahta hoon", "hi") == "hi"


def test_scripts() -> None:
    scripts = detect_scripts(normalize("abc 中文 हिंदी").text)
    assert scripts.han and scripts.devanagari and scripts.latin
    assert not detect_scripts("123 !!").latin


@pytest.mark.parametrize(
    ("folded", "mostly"),
    [
        ("मैं खाना खा रहा हूं", True),
        ("मैं office में हूं", True),
        ("main office mein hoon, मैं", False),
        ("i want to die", False),
        ("我想死", False),
        ("", False),
    ],
)
def test_mostly_devanagari_counts_letters_of_the_two_scripts(folded: str, mostly: bool) -> None:
    assert mostly_devanagari(folded) is mostly
