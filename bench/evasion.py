"""How many of the hybrid's cases survive the tricks people use to slip past a filter; the last line printed is one
JSON object.

    .venv/bin/python bench/evasion.py [--files 'written_apart glob'] [--show]

For every risk message of the written-apart sets (``tests/detection/written_apart/*_risk_*.tsv`` by default) that the
default hybrid reads at ideation or above, the word that drove the reading (the longest word in the first spans the
assessment shows: the rules' where they found something, else the model's evidence) is rewritten the way people
write a word they expect a filter to catch: zero-width spaces between its letters, full-width letters, Cyrillic
look-alikes, digits for letters ("d13"), stretched vowels, a star for its first vowel ("k*ll"), its letters spaced out
("k i l l", "自 杀") or dotted ("s.u.i.c.i.d.e", "自.杀"); or the whole message in capitals, or in traditional
Chinese characters ("我想自殺"). ``retention`` is the share of those messages still read at ideation or above; a trick
that does not change a message (a star in a Han word, Devanagari letters spaced out, capitals in Chinese) does not
count it. Only counts are printed (``--show`` prints the messages lost by the word tricks).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITTEN_APART = ROOT / "tests" / "detection" / "written_apart"

_LOOK_ALIKES = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і", "x": "х", "y": "у"}  # Cyrillic
_DIGITS = {"e": "3", "i": "1", "o": "0", "a": "4", "s": "5"}
_WORD = re.compile(r"[A-Za-z]+|[\u4e00-\u9fff]+|[\u0900-\u097f]+")


def _latin(word: str) -> bool:
    return word.isascii()


def _inside(word: str, table: dict[str, str]) -> str:
    return word[0] + "".join(table.get(char, char) for char in word[1:-1]) + word[-1] if len(word) > 2 else word


def _first_vowel_starred(word: str) -> str:
    for position, char in enumerate(word):
        if char in "aeiou" and 0 < position:
            return word[:position] + "*" + word[position + 1 :]
    return word


TRICKS: dict[str, Callable[[str], str]] = {
    "zero_width": lambda word: "\u200b".join(word),
    "full_width": lambda word: "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in word),
    "look_alikes": lambda word: "".join(_LOOK_ALIKES.get(char, char) for char in word),
    "digits_for_letters": lambda word: _inside(word, _DIGITS) if _latin(word) else word,
    "stretched": lambda word: "".join(char * 3 if char in "aeiou" else char for char in word),
    "starred": lambda word: _first_vowel_starred(word) if _latin(word) else word,
    "spaced_out": lambda word: word if "\u0900" <= word[0] <= "\u097f" else " ".join(word),
    "dotted": lambda word: word if "\u0900" <= word[0] <= "\u097f" else ".".join(word),
}


def _trigger(text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The longest word inside the first two spans (the whole text when none)."""
    words = [
        (match.start() + start, match.end() + start)
        for start, end in (spans[:2] or [(0, len(text))])
        for match in _WORD.finditer(text[start:end])
    ]
    return max(words, key=lambda span: span[1] - span[0], default=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", default="*_risk_*.tsv", help="a glob in tests/detection/written_apart")
    parser.add_argument(
        "--show",
        action="store_true",
        help="print the messages a trick hid; name read sets with --files (the *_fresh*, *_unread and hi_risk_5 sets "
        "are never read, only counted: tests/detection/written_apart/README.md)",
    )
    args = parser.parse_args()

    from lifeguard.detection.assessment import Assessment, TextInput
    from lifeguard.detection.levels import Level
    from lifeguard.detection.model import hybrid_detector

    detector = hybrid_detector("none")
    texts = [
        line.split("\t", 1)[1]
        for path in sorted(WRITTEN_APART.glob(args.files))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    found: list[tuple[str, Assessment]] = [
        (text, result)
        for text, result in zip(texts, detector.assess_many([TextInput(text) for text in texts]), strict=True)
        if result.level >= Level.IDEATION
    ]
    figures: dict[str, dict[str, float | int]] = {}
    for name, trick in TRICKS.items():
        rewritten: list[str] = []
        for text, result in found:
            rules = [(span.start, span.end) for span in result.spans if not span.reason.startswith("model:")]
            word = _trigger(text, rules or [(span.start, span.end) for span in result.spans])
            if word is not None:
                new = text[: word[0]] + trick(text[word[0] : word[1]]) + text[word[1] :]
                if new != text:
                    rewritten.append(new)
        kept = [result.level >= Level.IDEATION for result in detector.assess_many([TextInput(t) for t in rewritten])]
        figures[name] = {
            "cases": len(rewritten),
            "kept": sum(kept),
            "retention": round(sum(kept) / max(len(kept), 1), 3),
        }
        if args.show:
            for text, held in zip(rewritten, kept, strict=True):
                if not held:
                    print(f"{name}\t{text}")
    # the whole message in traditional Chinese characters (the inverse of the table the normaliser folds with)
    table = ROOT / "src" / "lifeguard" / "detection" / "han" / "traditional_to_simplified.tsv"
    to_traditional: dict[str, str] = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            to_traditional.setdefault(simplified, traditional)
    converted = [text.translate(str.maketrans(to_traditional)) for text, _ in found]
    converted = [new for new, (text, _) in zip(converted, found, strict=True) if new != text]
    held = sum(result.level >= Level.IDEATION for result in detector.assess_many([TextInput(t) for t in converted]))
    figures["traditional_chinese"] = {
        "cases": len(converted),
        "kept": held,
        "retention": round(held / max(len(converted), 1), 3),
    }
    upper = [text.upper() for text, _ in found if text.upper() != text]
    held = sum(result.level >= Level.IDEATION for result in detector.assess_many([TextInput(t) for t in upper]))
    figures["capitals"] = {"cases": len(upper), "kept": held, "retention": round(held / max(len(upper), 1), 3)}
    summary = {
        "files": args.files,
        "messages": len(texts),
        "cases": len(found),
        "tricks": figures,
        "min_retention": min(figure["retention"] for figure in figures.values()),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
