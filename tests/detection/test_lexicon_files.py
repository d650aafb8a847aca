"""The shipped lexicons are well formed, self-contained and compile."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from lifeguard.detection.lexicon import (
    CATEGORY_LEVEL,
    LEXICON_FILES,
    compile_lexicon,
    load_lexicon_data,
)

MEANS_KINDS = {
    "sedative",
    "pesticide",
    "poison",
    "poison_word",
    "charcoal",
    "sealing",
    "brazier",
    "rope",
    "blade",
    "medication",
    "firearm",
}


@pytest.mark.parametrize("name", LEXICON_FILES)
def test_lexicon_is_well_formed(name: str) -> None:
    data = load_lexicon_data(name)
    assert data["lang"] in {"zh", "en", "hi", "hi-Latn"}
    assert data["script"] in {"han", "latin", "devanagari"}
    ids: list[str] = []
    for section in ("terms", "means", "masks", "support"):
        for entry in data.get(section, []):
            assert {"id", "term", "pattern"} <= entry.keys(), entry
            assert entry["id"].startswith(data["lang"] + "."), entry["id"]
            ids.append(entry["id"])
    assert len(ids) == len(set(ids)), "lexicon entry ids must be unique"
    for entry in data["terms"]:
        assert entry["category"] in CATEGORY_LEVEL, entry
        assert entry.get("person", "infer") in {"infer", "self", "third", "second"}
        assert entry.get("tense", "present") in {"present", "past"}
    for entry in data["means"]:
        assert entry["means"] in MEANS_KINDS, entry
        assert entry["strength"] in (0, 1, 2)
    for entry in data["masks"]:
        assert entry.get("category", "idiom") in {"idiom", "negated", "other_directed", "use"}
    compiled = compile_lexicon(data)
    assert compiled.entry_count == len(ids)


def test_every_json_file_in_the_folder_is_loaded() -> None:
    folder = resources.files("lifeguard.detection").joinpath("lexicons")
    names = sorted(item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json"))
    assert names == sorted(LEXICON_FILES)
    for item in folder.iterdir():
        if item.name.endswith(".json"):
            text = item.read_text(encoding="utf-8")
            json.loads(text)
            assert "/work/" not in text and "shared/data" not in text, "lexicons must not point at dev data"


def test_unknown_macro_and_bad_category_fail_loudly() -> None:
    with pytest.raises(ValueError, match="macro"):
        compile_lexicon(
            {
                "lang": "en",
                "script": "latin",
                "terms": [{"id": "en.x", "term": "x", "category": "ideation", "pattern": "%NOPE%"}],
            }
        )
    with pytest.raises(ValueError, match="category"):
        compile_lexicon(
            {
                "lang": "en",
                "script": "latin",
                "terms": [{"id": "en.x", "term": "x", "category": "doom", "pattern": "x"}],
            }
        )


def test_a_macro_name_may_hold_digits() -> None:
    # "%FUT1%" (the future endings of Hindi verbs) once stayed in the pattern as plain text, so the entries that
    # used it never matched "zeher kha lunga" (I will drink poison).
    compiled = compile_lexicon(
        {
            "lang": "hi-Latn",
            "script": "latin",
            "macros": {"FUT1": "(lunga|lungi)"},
            "terms": [{"id": "hi-Latn.x", "term": "x", "category": "method_plan", "pattern": "zeher kha %FUT1%"}],
        }
    )
    assert [hit.entry.id for hit in compiled.terms.finditer("zeher kha lunga")] == ["hi-Latn.x"]


def test_a_macro_nested_too_deep_fails_loudly() -> None:
    macros = {"A": "%B%", "B": "%C%", "C": "%D%", "D": "%E%", "E": "x"}
    with pytest.raises(ValueError, match="nested too deep"):
        compile_lexicon(
            {
                "lang": "en",
                "script": "latin",
                "macros": macros,
                "terms": [{"id": "en.x", "term": "x", "category": "ideation", "pattern": "%A%"}],
            }
        )


@pytest.mark.parametrize("name", LEXICON_FILES)
def test_no_shipped_pattern_keeps_a_macro_name(name: str) -> None:
    compiled = compile_lexicon(load_lexicon_data(name))
    for matcher in (compiled.terms, compiled.means, compiled.masks, compiled.support):
        if matcher.pattern is not None:
            assert not re.search(r"%[a-z][a-z0-9_]*%", matcher.pattern.pattern, re.IGNORECASE)


def _next_word_guards(pattern: str) -> list[tuple[str, str]]:
    """Each ``(?! (a|b|c)…`` of a pattern: the word list and the few characters after it."""
    found = []
    for match in re.finditer(r"\(\?! \(", pattern):
        index, depth = match.end(), 1
        while index < len(pattern) and depth:
            if pattern[index] == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(pattern[index], 0)
            index += 1
        found.append((pattern[match.end() : index - 1], pattern[index : index + 12]))
    return found


# a word edge as the lexicons write it (Devanagari: the characters themselves, or their escapes)
_WORD_END = {
    "latin": ("\\b", "(?![a-z0-9])"),
    "devanagari": ("(?![\u0900-\u0963\u0966-\u097f])", "(?![\\u0900-\\u0963\\u0966-\\u097f])"),
}


@pytest.mark.parametrize("name", [name for name in LEXICON_FILES if load_lexicon_data(name)["script"] in _WORD_END])
def test_a_terms_next_word_guard_ends_at_a_word_edge(name: str) -> None:
    # "(?! (to|with|back))" after "took a whole bottle" read "tonight" as "to", and "(?! (my|…|an?|all))" after "self
    # delete" read "myself" and "asap" as the words it guards against: the term was not found (session 28). In
    # Devanagari "(?! (घर|यहां|…))" after "मैं शायद अब नहीं रहूँगा" read "घरवालों" (the family) as "घर" (home) (session 29).
    data = load_lexicon_data(name)
    for entry in data["terms"]:
        for words, after in _next_word_guards(entry["pattern"]):
            if after.startswith(")"):
                assert words.endswith(_WORD_END[data["script"]]), (entry["id"], words[:60])


@pytest.mark.parametrize("name", [name for name in LEXICON_FILES if load_lexicon_data(name)["script"] == "latin"])
def test_a_terms_guard_within_a_reach_starts_at_a_word_edge(name: str) -> None:
    # "(?![^\\n]{0,60}(…|car|own|…))" read "scared" and "known" as "car" and "own" (session 28)
    for entry in load_lexicon_data(name)["terms"]:
        for match in re.finditer(r"\(\?!\[\^[^\]]*\]\{0,\d+\}", entry["pattern"]):
            after = entry["pattern"][match.end() : match.end() + 14].replace("%WORD_START%", "(?<![a-z0-9])")
            # %WORD_START%: a word's first letter, or a guard that starts with no letter (" for the", "...", an emoji)
            assert not after.startswith("(") or after.startswith("(?<![a-z0-9])"), (entry["id"], after)
