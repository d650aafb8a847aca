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
