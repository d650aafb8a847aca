"""The lexicon prefilter may only ever skip a regex that could not have matched.

Soundness is what matters (a skipped match is a missed person at risk), so it is tested three ways: on
hand-written patterns, on random patterns against random texts, and on strings generated to match every
shipped lexicon list.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeguard.detection.lexicon import Entry, Matcher, load_lexicons
from lifeguard.detection.prefilter import (
    ClausePrefilter,
    EntryFilter,
    Prefilter,
    _trie,
    required_clauses,
    required_literals,
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("kill myself", {"kill myself"}),
        ("想(跳楼|割腕)", {"想跳楼", "想割腕"}),
        ("(want|wish) to die", {"want to die", "wish to die"}),
        ("pills?", {"pill", "pills"}),
        ("(?<![a-z])end it(?![a-z])", {"end it"}),
        ("[ab]c", {"ac", "bc"}),
    ],
)
def test_required_literals_of_simple_patterns(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern) == expected


def test_an_unknown_piece_splits_the_pattern_and_the_rarer_side_is_kept() -> None:
    # \s? could be any of many spaces: "mar" and "jana" are each required; "jana" has the rarer letters.
    literals = required_literals(r"mar\s?jana")
    assert literals is not None
    assert all(re.search(r"mar\s?jana", f"x {literal} y") is None or literal in ("mar", "jana") for literal in literals)
    assert literals in ({"mar"}, {"jana"})


def test_a_factored_prefix_is_joined_back_to_what_follows() -> None:
    # re's parser turns "marna|marjana" into "mar" + (na|jana): the literals must still be the long ones.
    literals = required_literals(r"x?(marna|marjana) hai")
    assert literals is not None and min(map(len, literals)) >= 5


def test_a_repeat_requires_what_its_body_requires() -> None:
    assert required_literals("(ab)+x") in ({"ab"}, {"x"})
    assert required_literals("[a-z]+ing") == {"ing"}


@pytest.mark.parametrize(
    "pattern", [r".+", r"\w+", r"a*", r"(?i)kill", r"(?i:kill)x?", r"(a|.)b?", r"\d{3}", r"(a|b)?\1?"]
)
def test_patterns_without_a_required_literal_are_never_skipped(pattern: str) -> None:
    assert required_literals(pattern) is None
    prefilter = Prefilter([pattern])
    assert prefilter.always and prefilter.may_match("anything at all")


def test_a_prefilter_says_no_only_without_its_literals() -> None:
    prefilter = Prefilter(["(want|wish) to die", "农药"])
    assert prefilter.may_match("i really want to die now")
    assert prefilter.may_match("买了农药")
    assert not prefilter.may_match("i want to dine out")
    assert not prefilter.may_match("买了农具")
    assert not Prefilter([]).may_match("anything")


@given(st.sets(st.text(alphabet="abc死", min_size=1, max_size=4), min_size=1, max_size=8), st.text(alphabet="abc死 "))
def test_the_trie_finds_a_literal_exactly_when_one_occurs(literals: set[str], text: str) -> None:
    found = re.search(_trie(literals), text) is not None
    assert found == any(literal in text for literal in literals)


@given(
    st.lists(st.sampled_from(["(want|wish) to die", "农药", "想死", "a[bc]d", "😀x", "k.ll", "(?<!a)b"]), max_size=4),
    st.lists(st.sampled_from([*"abcdx 死想农药😀", "\ud800", "wish to die", "kill"]), max_size=10).map("".join),
)
def test_the_automaton_and_the_regex_search_give_the_same_answer(patterns: list[str], text: str) -> None:
    assert Prefilter(patterns).may_match(text) == Prefilter(patterns, use_automaton=False).may_match(text)


def test_the_automaton_says_yes_where_a_long_literal_starts() -> None:
    pytest.importorskip("ahocorasick")
    pattern = "i have been thinking about ending it"  # longer than the automaton's keys
    assert Prefilter([pattern]).may_match("i have been thinking about lunch")  # its first characters: yes
    assert not Prefilter([pattern], use_automaton=False).may_match("i have been thinking about lunch")
    assert not Prefilter([pattern]).may_match("i have not been thinking")


def test_the_automaton_is_used_where_pyahocorasick_is_installed() -> None:
    pytest.importorskip("ahocorasick")
    assert Prefilter(["想死"])._automaton is not None
    assert Prefilter(["想死"], use_automaton=False)._automaton is None


# Random patterns from a small grammar: literals, classes, alternation, optional, repeats, lookarounds.
_ATOMS = st.one_of(
    st.sampled_from(["a", "b", "c", "ab", "ba", "死", "想死", " "]),
    st.sampled_from(["[ab]", "[a-c]", r"\s", ".", r"\w", "(?<!a)", "(?!b)", "(?=c)", r"\b"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, min_size=1, max_size=4).map("".join),
        st.lists(children, min_size=2, max_size=3).map(lambda parts: "(" + "|".join(parts) + ")"),
        children.map(lambda part: f"(?:{part})?"),
        children.map(lambda part: f"(?:{part})+"),
        children.map(lambda part: f"(?:{part})*"),
        children.map(lambda part: f"(?:{part}){{1,2}}"),
    )


_PATTERNS = st.recursive(_ATOMS, _combine, max_leaves=8)
# Without lookarounds and \b: st.from_regex builds strings for these directly. With them it has to filter, and
# a pattern no string can match ("(?=c)a") keeps it drawing for minutes.
_GENERATABLE = st.recursive(
    st.sampled_from(["a", "b", "c", "ab", "ba", "死", "想死", " ", "[ab]", "[a-c]", r"\s", ".", r"\w"]),
    _combine,
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(_PATTERNS, st.text(alphabet="abc死想 x", max_size=12))
def test_random_patterns_never_match_a_text_their_prefilter_rejects(pattern: str, text: str) -> None:
    if re.search(pattern, text):
        assert Prefilter([pattern]).may_match(text), (pattern, text)
        assert ClausePrefilter([pattern]).may_match(text), (pattern, text)


@settings(max_examples=200, deadline=None)
@given(_GENERATABLE.flatmap(lambda pattern: st.tuples(st.just(pattern), st.from_regex(pattern, fullmatch=True))))
def test_random_patterns_pass_the_strings_they_match(case: tuple[str, str]) -> None:
    pattern, text = case
    assert Prefilter([pattern]).may_match(text), case
    assert ClausePrefilter([pattern]).may_match(text), case


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(want|wish) to (die|be dead)", [{"want to die", "wish to die", "want to be dead", "wish to be dead"}]),
        (r"想死|(吃|喝)\d+片", [{"想死"}, {"吃", "喝"}, {"片"}]),
        (r"(?<!a)kill.{0,9}myself", [{"kill"}, {"myself"}]),
        ("a|.", None),
    ],
)
def test_required_clauses_keep_every_piece_of_each_alternative(pattern: str, expected: object) -> None:
    clauses = required_clauses(pattern)
    flat = None if clauses is None else [set(literals) for clause in clauses for literals in clause]
    assert flat == expected


def test_a_clause_needs_all_its_pieces() -> None:
    pattern = "(want|need) to .{0,20}(die|kill myself)"
    assert Prefilter([pattern]).may_match("i want to return my order")  # "want to " alone passes the one-set test
    assert not ClausePrefilter([pattern]).may_match("i want to return my order")
    assert ClausePrefilter([pattern]).may_match("i want to just die")
    assert ClausePrefilter([pattern]).may_match("die? i want to know")  # the order of the pieces is not checked
    assert ClausePrefilter([pattern], use_automaton=False).may_match("i want to return my order")  # fallback


def test_a_literal_met_again_and_again_still_completes_its_clauses() -> None:
    # The walk reads each literal once however often it occurs: the clause must still need all its sets, and a
    # literal that stands for two sets of one clause completes both.
    pytest.importorskip("ahocorasick")
    patterns = ["我.{0,3}死", "想.{0,3}想", "吃.{0,3}药"]
    assert not ClausePrefilter(patterns).may_match("我我我我我我好累")
    assert ClausePrefilter(patterns).may_match("我我我我我我死")
    assert ClausePrefilter(patterns).may_match("想")  # conservative: one literal holds both sets
    assert EntryFilter(patterns).candidates("我吃我吃药我死") == {0, 2}
    assert EntryFilter(patterns).candidates("吃吃吃吃") == frozenset()


_LEXICONS = {lexicon.lang: lexicon for lexicon in load_lexicons()}


def _shipped_lists() -> list[tuple[str, re.Pattern[str]]]:
    lists = []
    for lexicon in _LEXICONS.values():
        for name in ("terms", "means", "masks", "support"):
            pattern = getattr(lexicon, name).pattern
            if pattern is not None:
                lists.append((f"{lexicon.lang}.{name}", pattern))
    return lists


@pytest.mark.parametrize(("name", "pattern"), _shipped_lists(), ids=[name for name, _ in _shipped_lists()])
def test_every_shipped_list_has_a_prefilter(name: str, pattern: re.Pattern[str]) -> None:
    # A list that cannot be bounded would be scanned in full on every message: say so when it happens.
    assert required_literals(pattern) is not None, f"{name}: no required literals; the prefilter never skips it"


@pytest.mark.parametrize(("name", "pattern"), _shipped_lists(), ids=[name for name, _ in _shipped_lists()])
def test_strings_matching_a_shipped_list_pass_its_prefilter(name: str, pattern: re.Pattern[str]) -> None:
    # ... and the lexicon's own test for all four of its lists, which lets the detector skip the lexicon
    prefilter = Prefilter([pattern])
    clauses = ClausePrefilter([pattern])
    lexicon = _LEXICONS[name.rsplit(".", 1)[0]]

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(pattern), st.text(max_size=5), st.text(max_size=5))
    def check(text: str, before: str, after: str) -> None:
        for candidate in (text, before + text + after):
            if pattern.search(candidate):
                assert prefilter.may_match(candidate), (name, candidate)
                assert clauses.may_match(candidate), (name, candidate)
                assert lexicon.may_match(candidate), (name, candidate)

    check()


def test_masking_cannot_make_a_lexicon_word_appear() -> None:
    # The detector tests a lexicon on the text before masking and reads its lists on the masked text: that is
    # sound because masking only replaces characters by the mask character, which no required literal holds.
    from lifeguard.detection.lexicon_detector import _MASK_CHAR

    for name, pattern in _shipped_lists():
        literals = required_literals(pattern)
        assert literals is not None
        assert not any(_MASK_CHAR in literal for literal in literals), name


def test_a_lexicon_without_any_of_its_words_in_a_text_finds_nothing_there() -> None:
    english = _LEXICONS["en"]
    assert english.may_match("i want to kill myself")
    assert english.may_match("my friend said she wants to end it")  # a support or third-person text too
    ordinary = "where is my parcel, it was due on monday"
    assert not english.may_match(ordinary)
    for matcher in (english.terms, english.means, english.masks, english.support):
        assert list(matcher.finditer(ordinary)) == []


# -- which entries of a list may match: the list is read with those alone ----------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(_PATTERNS, min_size=1, max_size=4), st.text(alphabet="abc死想 x", max_size=12))
def test_an_entry_left_out_cannot_match(patterns: list[str], text: str) -> None:
    candidates = EntryFilter(patterns).candidates(text)
    if candidates is None:  # without pyahocorasick every entry is read
        return
    for index, pattern in enumerate(patterns):
        if re.search(pattern, text):
            assert index in candidates, (pattern, text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_PATTERNS, min_size=2, max_size=5),
    st.text(alphabet="abc死想 x", max_size=14),
    st.sampled_from(["latin", "han"]),
)
def test_a_list_read_with_its_possible_entries_finds_what_the_whole_list_finds(
    patterns: list[str], text: str, script: str
) -> None:
    entries = [Entry(id=f"t.{index}", term=f"t{index}", lang="xx", kind="term") for index in range(len(patterns))]
    matcher = Matcher(entries, patterns, script)
    assert matcher.pattern is not None
    whole = [
        (match.lastgroup, match.start(), match.end())
        for match in matcher.pattern.finditer(text)
        if match.lastgroup is not None and match.end() > match.start()
    ]
    found = [(f"e{int(hit.entry.id[2:])}", hit.start, hit.end) for hit in matcher.finditer(text)]
    assert found == whole, (patterns, text)


def test_a_list_is_read_with_fewer_entries_where_few_can_match() -> None:
    pytest.importorskip("ahocorasick")
    entries = [Entry(id=f"t.{index}", term=str(index), lang="en", kind="term") for index in range(3)]
    matcher = Matcher(entries, ["want to die", "kill myself", "(no|nothing) to live for"], "latin")
    assert [hit.entry.id for hit in matcher.finditer("i want to die")] == ["t.0"]
    assert matcher._subsets  # a shorter alternation was compiled and kept
    assert list(matcher.finditer("i want to dine")) == []


def test_without_pyahocorasick_the_rules_read_every_phrase_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    # The automaton is an optional speed-up: with the regex prefilters alone the rules must say the same.
    from lifeguard.detection import prefilter
    from lifeguard.detection.assessment import TextInput
    from lifeguard.detection.lexicon_detector import LexiconDetector
    from tests.detection.test_phrasebook import PHRASES

    items = [TextInput(phrase.text, kind=phrase.kind) for phrase in PHRASES]
    with_automaton = LexiconDetector()
    monkeypatch.setattr(prefilter, "ahocorasick", None)
    without = LexiconDetector(load_lexicons())
    assert without.screen(TextInput("where is my parcel")) is not None
    assert [a.to_json() for a in without.assess_many(items)] == [a.to_json() for a in with_automaton.assess_many(items)]
    screened = [without.screen(item) is None for item in items]
    assert all(screened[i] for i, a in enumerate(with_automaton.assess_many(items)) if a.level.rank > 0)
