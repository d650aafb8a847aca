"""Normalisation folds evasions and keeps the way back to the original characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lifeguard.detection.normalize as normalize_module
from lifeguard.detection.normalize import normalize, normalize_pattern


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ＫＩＬＬ ＭＥ", "kil me"),  # full-width, case, doubled letters
        ("k1ll mys3lf", "kil myself"),
        ("su1c1de", "suicide"),
        ("$uicide", "$uicide"),  # a symbol at the edge of a word is punctuation
        ("kіll", "kil"),  # Cyrillic і
        ("dieeee", "die"),
        ("k\u200bi\u200cl\u200dl", "kil"),  # zero-width space / non-joiner / joiner
        ("I\u00a0\u00a0want\t\tto", "i want to"),
        ("line\r\n\r\nbreak", "line\nbreak"),
        ("50mg 3am 10pm 2", "50mg 3am 10pm 2"),  # quantities and times keep their digits
        ("攒了50片安眠药", "攒了50片安眠药"),
        ("我不想活了！", "我不想活了!"),  # NFKC: full-width punctuation
        ("don’t", "don't"),
        ("k*ll mys*lf", "kil myself"),  # a censoring star stands for one letter
        ("s*icide", "suicide"),
        ("su**ide", "suicide"),
        ("self-h*rm", "self-harm"),
        ("d*e", "die"),  # people star the words they expect a filter to catch: "die", never "dye" or "due"
        ("d**", "d**"),  # a star for every letter but one: too little left to read
        ("p*ll", "p*l"),  # no risk word fits
        ("5*3 = 15", "5*3 = 15"),
        ("****", "****"),
    ],
)
def test_canonical_forms(text: str, canonical: str) -> None:
    assert normalize(text).text == canonical


def test_offsets_map_back_to_original_characters() -> None:
    text = "Ok\u200b so I waaant to  K\u200bI\u200bL\u200bL myself"
    normalized = normalize(text)
    start = normalized.text.index("want")
    assert text[slice(*normalized.original_span(start, start + len("want")))] == "waaant"
    start = normalized.text.index("kil myself")
    original = text[slice(*normalized.original_span(start, start + len("kil myself")))]
    assert original == "K\u200bI\u200bL\u200bL myself"


def test_offsets_for_expanding_characters() -> None:
    text = "ﬁnd ﬁre"  # the ligature ﬁ expands to two characters under NFKC
    normalized = normalize(text)
    assert normalized.text == "find fire"
    start = normalized.text.index("fire")
    assert text[slice(*normalized.original_span(start, start + 4))] == "ﬁre"


def test_empty_and_degenerate_ranges() -> None:
    assert normalize("").text == ""
    assert normalize("").original_span(0, 0) == (0, 0)
    normalized = normalize("abc")
    assert normalized.original_span(1, 1) == (1, 1)


def test_every_canonical_character_maps_inside_the_original() -> None:
    text = "Ｈｅｌｌｏ\u200b wörld ﬁ 👋🏽 नमस्ते 你好 \x00 end"
    normalized = normalize(text)
    assert len(normalized.starts) == len(normalized.ends) == len(normalized.text)
    for start, end in zip(normalized.starts, normalized.ends, strict=True):
        assert 0 <= start < end <= len(text)


def test_patterns_are_folded_like_text() -> None:
    assert normalize_pattern("Kill(ing)? MYSELF") == "kil(ing)? myself"
    assert normalize_pattern(r"\bjaana\b") == r"\bjana\b"  # escapes untouched, doubled letters folded
    assert normalize_pattern("不想活") == "不想活"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_the_learnt_fold_table_gives_what_folding_each_character_gives(text: str) -> None:
    # Characters seen before fold through one translate table; a flood of new ones past the cache limit is
    # folded one by one. Both must equal folding every character afresh.
    cached = normalize(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(normalize_module, "_FOLDED", {})
        patch.setattr(normalize_module, "_ONE_TO_ONE", set())
        patch.setattr(normalize_module, "_CACHE_LIMIT", 0)
        fresh = normalize(text)
    assert cached == fresh
    assert normalize(text) == cached  # and again, now that every character is known


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("我 想 自 杀", "我想自杀"),  # every character on its own: the spacing is a filter dodge
        ("想 自杀", "想自杀"),  # one side a single character
        ("木炭 胶带", "木炭 胶带"),  # two words: a search query's keywords keep their space
        ("我  想", "我想"),  # a longer run of spaces too
        ("我\n想", "我\n想"),  # a line break is a break
    ],
)
def test_spaces_between_single_han_characters_are_dropped(text: str, canonical: str) -> None:
    normalized = normalize(text)
    assert normalized.text == canonical
    assert normalized.original_span(0, len(canonical)) == (0, len(text))
    last = len(canonical) - 1
    assert text[slice(*normalized.original_span(last, last + 1))] == canonical[-1]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("i want to d i e", "i want to die"),  # letters spaced out to slip past a filter
        ("i want to d-i-e!", "i want to die!"),
        ("s.u.i.c.i.d.e", "suicide"),
        ("k_i_l_l myself", "kil myself"),  # joined, then the doubled letter collapses like "kill"
        ("我想自.杀", "我想自杀"),  # a separator between Han characters, one standing alone
        ("我不.想.活.了", "我不想活了"),
        ("我 想 自 . 杀", "我想自杀"),
        ("跳-楼", "跳楼"),
        ("木炭/胶带", "木炭/胶带"),  # two words keep their slash
        ("is a big deal", "is a big deal"),  # words keep their spaces: single letters only, three or more
        ("a.m. to p.m.", "a.m. to p.m."),
        ("d-i e", "d-i e"),  # the same separator throughout
        ("2 b c", "2 b c"),
        ("x-ray and t-shirt", "x-ray and t-shirt"),
        ("i m a mess", "i m a mes"),  # "i" before fewer than three letters: words whose apostrophe was lost
        ("i w a n t to d i e", "i want to die"),  # before three or more: the word "i"
        ("not a l i v e", "not alive"),  # a leading "a" is joined (the article before a word spaced out is rarer)
    ],
)
def test_letters_spaced_out_are_joined(text: str, canonical: str) -> None:
    normalized = normalize(text)
    assert normalized.text == canonical
    assert normalized.original_span(0, len(canonical)) == (0, len(text))
    assert len(normalized.starts) == len(canonical)


def test_a_word_spaced_out_maps_back_to_all_its_letters() -> None:
    text = "so i want to d - i - e tonight"
    normalized = normalize(text)
    assert normalized.text == "so i want to d - i - e tonight"  # spaces around the dash: not one separator
    text = "so i want to d.i.e tonight"
    normalized = normalize(text)
    start = normalized.text.index("die")
    assert text[slice(*normalized.original_span(start, start + 3))] == "d.i.e"
    text = "今晚就跳.楼"
    normalized = normalize(text)
    start = normalized.text.index("跳楼")
    assert text[slice(*normalized.original_span(start, start + 2))] == "跳.楼"
    # between two characters that both have Han neighbours the separator may end a sentence typed with half-width
    # punctuation ("我到了.你呢"): kept, as a space is there
    assert normalize("我真的想跳.楼了").text == "我真的想跳.楼了"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("doing it 2nite", "doing it tonight"),  # chat spellings of the time words that make a plan imminent
        ("DOING IT TONITE!", "doing it tonight!"),
        ("see u tmrw", "se u tomorow"),
        ("want 2 die", "want to die"),  # "2" for "to" after a wish or a plan
        ("going 2 end it", "going to end it"),
        ("2day delivery, 2 pcs", "2day delivery, 2 pcs"),  # not "2day" ("2day delivery"), not a count
        ("i have 2 kids", "i have 2 kids"),
        ("a 2nite stand", "a tonight stand"),
        ("thinking about sewer slide", "thinking about suicide"),  # euphemisms for a word that is filtered
        ("i wanna kermit sudoku", "i wana comit suicide"),
        ("i love sudoku", "i love sudoku"),
        ("commit to the gym", "comit to the gym"),
        ("took all my 💊💊💊 bye", "tok al my pils bye"),  # the means drawn as emoji, a word apart wherever they stand
        ("going to 🪢 myself", "going to rope myself"),
    ],
)
def test_chat_spellings_are_written_out(text: str, canonical: str) -> None:
    normalized = normalize(text)
    assert normalized.text == canonical
    assert normalized.original_span(0, len(canonical)) == (0, len(text))


def test_a_chat_spelling_maps_back_to_itself() -> None:
    text = "ill do it 2nite ok"
    normalized = normalize(text)
    start = normalized.text.index("tonight")
    assert text[slice(*normalized.original_span(start, start + len("tonight")))] == "2nite"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aib.-_* x2", max_size=16))
def test_the_shape_test_never_says_no_where_letters_are_spaced_out(text: str) -> None:
    # ASCII texts are tested by their shape (a bytes translate) before the regexes: it may say yes more often, never no
    if normalize_module._SPACED_LETTERS.search(text) is not None:
        assert normalize_module._maybe_spaced_letters(text, normalize_module._SPACER_HINT)
    found = normalize_module._spacers(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(normalize_module, "_maybe_spaced_letters", lambda text, hint: True)
        assert normalize_module._spacers(text) == found
