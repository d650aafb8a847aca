"""The curated term lists shipped in ``lexicons/*.json`` and their compiled, ready-to-match form.

One JSON file per language. Each holds:

- ``terms``: risk expressions, each with the ``category`` that says what it signals (see ``CATEGORY_LEVEL``);
- ``means``: lethal-means products and substances (what an order or a search can name);
- ``masks``: idioms and hyperbole ("笑死", "killer deal") and explicitly negated phrases ("我不想死") whose
  words must not count as risk;
- ``support``: offers of help and hotlines;
- ``markers``: who a sentence is about (self, second person, third person, generic "someone");
- ``cues``: negation, past, recovery, time, place, report verbs, dose questions and closed spaces.

Patterns are regular expressions over the normalised text (see ``normalize.py``); ``%NAME%`` expands a
macro from the file's ``macros``. Everything is compiled once, into one alternation per list, so that a
message is scanned a handful of times whatever the number of entries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from lifeguard.detection.levels import Level
from lifeguard.detection.normalize import normalize_pattern
from lifeguard.detection.prefilter import EntryFilter, Prefilter
from lifeguard.detection.reasons import DISTRESS_RULE_ID

# What each category of term signals on its own, before context rules combine them.
CATEGORY_LEVEL: dict[str, Level] = {
    "distress": Level.INDICATOR,  # hopelessness, exhaustion with life
    "method": Level.INDICATOR,  # a suicide method named without a wish or plan
    "ideation": Level.IDEATION,  # wish to be dead, suicidal thoughts
    "intent": Level.IDEATION,  # stated intention to act ("I will end it"); with a time it is imminent
    "method_plan": Level.BEHAVIOR,  # a wish or intention tied to a method ("想跳楼")
    "method_seeking": Level.BEHAVIOR,  # asking how, how much, which is painless
    "preparation": Level.BEHAVIOR,  # pills saved, note written, things given away
    "self_harm": Level.BEHAVIOR,
    "goodbye": Level.BEHAVIOR,  # a final farewell
    "attempt_past": Level.ATTEMPT,  # a past attempt disclosed
    "in_progress": Level.ATTEMPT,  # an attempt under way
}

DEFAULT_RULE: dict[str, str] = {
    "distress": DISTRESS_RULE_ID,
    "method": "indicator.method_mentioned",
    "ideation": "ideation.want_to_die",
    "intent": "ideation.intent_to_act",
    "method_plan": "behavior.method_plan",
    "method_seeking": "behavior.method_seeking",
    "preparation": "behavior.preparation",
    "self_harm": "behavior.self_harm",
    "goodbye": "behavior.final_goodbye",
    "attempt_past": "attempt.past_attempt_disclosed",
    "in_progress": "attempt.in_progress",
}

PERSONS = ("self", "second", "third", "generic")
CUE_NAMES = (
    "past", "recovery", "time", "place", "report_verbs", "dose_question", "lethal_question",
    "ledge",  # the writer at a place to die from ("我在楼顶", "i'm on the bridge", "chhat pe khada hoon"), not a floor
    "commerce",  # the register of shop service chat ("亲", "refund", "parcel"): context, never risk
    "helpline_directive",  # "call 988", "请拨打", "helpline pe call karein": the text tells its reader where to turn
    "everyday",  # ordinary plans ("下班", "出发去旅行", "new job", "see you tomorrow"): context, never risk
    "enclosed",  # a closed space used or sealed ("do it in the car", "封好门窗"): with charcoal, preparation
    "shut_in",  # doors and windows shut or sealed ("我想关上门窗", "windows taped"): with charcoal alone, preparation
    "asks_seller",  # "do you sell", "你们有…吗": the "you" before a means is a shop, the means the writer's
    "not_a_dose",  # "per acre", "兑水", "how much is", "kitne ka": a quantity for a field, a tank or a price
    "ingestion",  # "drink", "喝", "pi": someone is to swallow it (a dose question even beside field words)
    "holder_after",  # "(a suicidal) friend", "(想自杀)的朋友", "(आत्महत्या के विचार) वाले दोस्त": whose the risk is
    "self_description",  # "i'm a", "我是", "main ek": the writer describes themself ("I'm a suicidal mom")
    "ongoing",  # "ever since i was 13", "从初中开始", "बचपन से": a past time made a span up to now; its past cue is void
    "other_reflexive",  # "himself", "herself" inside the risk words: someone else's ("posting about killing himself")
    "perfect",  # "i've (always)": right before words past in form ("wanted to die"), they still hold now
    "owner_second",  # "your", "aapki", "आपकी": before words of a means taken, whose it is, not who took it
    "inner_voice",  # "my brain keeps", "the voices": the one who tells the writer to die is the writer's own mind
)  # fmt: skip
# Word edges per script. Han has no word gaps, so Chinese entries are written as whole phrases instead.
# Devanagari vowel signs are not "word" characters to ``re``, so \b would split words: use the block.
_EDGES: dict[str, tuple[str, str]] = {
    "latin": (r"(?<![a-z0-9'])", r"(?![a-z0-9])"),
    "devanagari": (r"(?<![\u0900-\u0963\u0966-\u097f])", r"(?![\u0900-\u0963\u0966-\u097f])"),
}


def _with_edges(body: str, script: str) -> str:
    edges = _EDGES.get(script)
    return f"{edges[0]}(?:{body}){edges[1]}" if edges else body


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry: a risk term, a means, a mask or a support phrase."""

    id: str
    term: str  # the canonical words shown in reasons, e.g. "不想活了"
    lang: str
    kind: str  # term, means, mask, support
    category: str = ""  # for terms: a key of CATEGORY_LEVEL; for masks: idiom, negated, other_directed or use
    rule: str = ""
    person: str = "infer"  # infer from context, or fixed by the words themselves: self, third, second
    tense: str = "present"  # past when the words themselves are past ("wanted to die", "想过死")
    means: str = ""  # for means: pesticide, sedative, charcoal, ...
    strength: int = 1  # for means: 1 common product with other uses, 2 a classic lethal means

    @property
    def level(self) -> Level:
        return CATEGORY_LEVEL.get(self.category, Level.NONE)

    @property
    def label(self) -> str:
        """``lang:term``, as reasons and spans name the entry ("zh:不想活了")."""
        return f"{self.lang}:{self.term}"


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    start: int  # in the normalised text
    end: int


# Shorter alternations kept per list, each of at most two entries: a chat line holds the pieces of one or two; a
# long post that holds those of more is read with the whole list. Each alternation kept costs ~30 kB, and there are
# far more combinations of many entries than of few: over every text of the public sets, 483 were kept (+3 MB),
# for 36 s of reading against 47 s without; allowing four entries and 512 a list kept 1,157 (+19 MB) for no gain.
_MAX_SUBSETS = 128
_MAX_SUBSET_ENTRIES = 2


class Matcher:
    """A list of entries compiled into one regex alternation; reports which entry matched where.

    A text that passes the list's prefilter and holds the required pieces of at most two entries
    (``EntryFilter``) is read with the alternation of those alone: an entry left out cannot match anywhere in
    it, so the leftmost-first matches of the shorter alternation are those of the whole one. The shorter
    alternations are compiled on first use and kept (up to ``_MAX_SUBSETS`` per list; beyond that, and for texts
    that hold more entries' pieces, the whole alternation is used). Keeping one is a dict assignment of an equal
    value, safe across threads."""

    __slots__ = ("_regex", "_entries", "_prefilter", "_parts", "_script", "_which", "_subsets")

    def __init__(self, entries: list[Entry], patterns: list[str], script: str) -> None:
        self._entries: dict[str, Entry] = {}
        parts: list[str] = []
        for index, (entry, pattern) in enumerate(zip(entries, patterns, strict=True)):
            group = f"e{index}"
            self._entries[group] = entry
            parts.append(f"(?P<{group}>{_non_capturing(pattern)})")
        # One word-edge test in front of the whole alternation, not one per entry: inside a word it fails
        # at once, so the (long) alternation is only tried where a word starts.
        self._regex: re.Pattern[str] | None = re.compile(_with_edges("|".join(parts), script)) if parts else None
        self._prefilter = Prefilter([self._regex])
        self._parts = parts
        self._script = script
        self._which = EntryFilter([_non_capturing(pattern) for pattern in patterns]) if parts else None
        self._subsets: dict[tuple[int, ...], re.Pattern[str]] = {}

    def _regex_for(self, text: str) -> re.Pattern[str] | None:
        """The alternation of the entries that may match in ``text`` (``None``: none may)."""
        which = self._which.candidates(text) if self._which is not None else None
        if which is None or len(which) > _MAX_SUBSET_ENTRIES:
            return self._regex
        if not which:
            return None
        key = tuple(sorted(which))
        regex = self._subsets.get(key)
        if regex is None:
            if len(self._subsets) >= _MAX_SUBSETS:
                return self._regex
            regex = re.compile(_with_edges("|".join(self._parts[index] for index in key), self._script))
            self._subsets[key] = regex
        return regex

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return self._regex

    def finditer(self, text: str) -> Iterator[Hit]:
        # A text without any literal that every match needs cannot match: skip the long alternation.
        if self._regex is None or not self._prefilter.may_match(text):
            return
        regex = self._regex_for(text)
        if regex is None:
            return
        for match in regex.finditer(text):
            group = match.lastgroup
            if group is None or match.end() == match.start():
                continue
            yield Hit(self._entries[group], match.start(), match.end())


@dataclass(frozen=True, slots=True)
class CompiledLexicon:
    lang: str
    script: str
    terms: Matcher
    means: Matcher
    masks: Matcher
    support: Matcher
    markers: re.Pattern[str] | None
    negator_suffix: re.Pattern[str] | None  # searched in the text just before a hit
    negator_after: re.Pattern[str] | None  # matched at the text just after a hit (Hindi: "... नहीं करूंगा")
    # searched where ``negator_suffix`` matched: the negator asks for a reason instead of denying ("give me one
    # reason why I shouldn't kill myself", "a reason not to"); the hit is then not negated
    negation_question: re.Pattern[str] | None
    cues: dict[str, re.Pattern[str] | None]
    entry_count: int
    # may any entry of the four matchers occur in a text? One search, so that most messages, which hold no
    # word of a lexicon, skip its four matchers (each of which would search for its own literals)
    any_entry: Prefilter

    def may_match(self, text: str) -> bool:
        """False only when no term, means, mask or support entry can match anywhere in ``text``, nor in
        ``text`` with some characters masked (masking only replaces characters; no literal holds the mask)."""
        return self.any_entry.may_match(text)

    @property
    def risk_matchers(self) -> tuple[Matcher, Matcher, Matcher]:
        """The lists that find something (terms, means, support); masks only set words aside."""
        return (self.terms, self.means, self.support)


def _non_capturing(pattern: str) -> str:
    """Turn plain ``(`` groups into ``(?:`` so only the per-entry group captures (keeps lastgroup exact)."""
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "(" and not in_class and not pattern.startswith("?", index + 1):
            out.append("(?:")
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


# A macro name: capitals, digits and underscores, starting with a capital ("%METHOD%", "%FUT1%").
_MACRO = re.compile(r"%([A-Z][A-Z0-9_]*)%")


def _expand(pattern: str, macros: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"unknown lexicon macro %{name}%")
        return f"(?:{macros[name]})"

    # Macros may use other macros; two rounds are plenty for the hand-written files.
    for _ in range(3):
        expanded = _MACRO.sub(substitute, pattern)
        if expanded == pattern:
            break
        pattern = expanded
    left = _MACRO.search(pattern)
    if left is not None:  # a macro nested deeper than the rounds above: the entry would match its name literally
        raise ValueError(f"lexicon macro {left.group(0)} is nested too deep to expand")
    return pattern


def _prepare(pattern: str, macros: dict[str, str]) -> str:
    prepared = normalize_pattern(_expand(pattern, macros))
    re.compile(prepared)  # fail at load time, naming nothing vague, if a hand-written pattern is broken
    return prepared


def _alternation(patterns: list[str], macros: dict[str, str], script: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{_non_capturing(_prepare(pattern, macros))})" for pattern in patterns)
    return re.compile(_with_edges(body, script))


def _entries(raw: list[dict[str, Any]], lang: str, kind: str, macros: dict[str, str]) -> tuple[list[Entry], list[str]]:
    entries: list[Entry] = []
    patterns: list[str] = []
    for item in raw:
        category = str(item.get("category", "idiom" if kind == "mask" else ""))
        if kind == "term" and category not in CATEGORY_LEVEL:
            raise ValueError(f"lexicon {lang}: entry {item.get('id')!r} has unknown category {category!r}")
        entry = Entry(
            id=str(item["id"]),
            term=str(item.get("term", item["id"])),
            lang=lang,
            kind=kind,
            category=category,
            rule=str(item.get("rule", DEFAULT_RULE.get(category, ""))),
            person=str(item.get("person", "infer")),
            tense=str(item.get("tense", "present")),
            means=str(item.get("means", "")),
            strength=int(item.get("strength", 1)),
        )
        entries.append(entry)
        patterns.append(_prepare(str(item["pattern"]), macros))
    if kind == "term":
        # At one position the regex engine takes the first alternative that matches: put the entries that
        # signal most first, so "sab khatam kar dunga" wins over "sab khatam".
        order = sorted(range(len(entries)), key=lambda i: -entries[i].level.rank)
        entries = [entries[i] for i in order]
        patterns = [patterns[i] for i in order]
    return entries, patterns


def compile_lexicon(data: dict[str, Any]) -> CompiledLexicon:
    lang = str(data["lang"])
    script = str(data["script"])
    macros = {key: str(value) for key, value in data.get("macros", {}).items()}
    term_entries, term_patterns = _entries(data.get("terms", []), lang, "term", macros)
    means_entries, means_patterns = _entries(data.get("means", []), lang, "means", macros)
    mask_entries, mask_patterns = _entries(data.get("masks", []), lang, "mask", macros)
    support_entries, support_patterns = _entries(data.get("support", []), lang, "support", macros)

    marker_parts: list[str] = []
    markers = data.get("markers", {})
    # Third person first: at "我朋友" the possessive phrase must win over the bare "我".
    for person in ("third", "generic", "second", "self"):
        patterns = markers.get(person, [])
        if patterns:
            body = "|".join(f"(?:{_non_capturing(_prepare(p, macros))})" for p in patterns)
            marker_parts.append(f"(?P<{person}>{body})")
    marker_regex = re.compile(_with_edges("|".join(marker_parts), script)) if marker_parts else None

    cues_raw = data.get("cues", {})
    negator = cues_raw.get("negator_suffix")
    negator_regex = re.compile(_prepare(str(negator), macros)) if negator else None
    after = cues_raw.get("negator_after")
    after_regex = re.compile(_prepare(str(after), macros)) if after else None
    question = cues_raw.get("negation_question")
    question_regex = re.compile(_prepare(str(question), macros)) if question else None
    cues = {name: _alternation(list(cues_raw.get(name, [])), macros, script) for name in CUE_NAMES}
    terms = Matcher(term_entries, term_patterns, script)
    means = Matcher(means_entries, means_patterns, script)
    masks = Matcher(mask_entries, mask_patterns, script)
    support = Matcher(support_entries, support_patterns, script)
    return CompiledLexicon(
        lang=lang,
        script=script,
        terms=terms,
        means=means,
        masks=masks,
        support=support,
        markers=marker_regex,
        negator_suffix=negator_regex,
        negator_after=after_regex,
        negation_question=question_regex,
        cues=cues,
        entry_count=len(term_entries) + len(means_entries) + len(mask_entries) + len(support_entries),
        any_entry=Prefilter(matcher.pattern for matcher in (terms, means, masks, support)),
    )


LEXICON_FILES: tuple[str, ...] = ("zh", "en", "hi", "hi_latn")


def load_lexicon_data(name: str) -> dict[str, Any]:
    """The raw JSON of one shipped lexicon (read from the installed package, never from a data folder)."""
    source = resources.files("lifeguard.detection").joinpath("lexicons", f"{name}.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def load_lexicons(names: tuple[str, ...] = LEXICON_FILES) -> list[CompiledLexicon]:
    return [compile_lexicon(load_lexicon_data(name)) for name in names]
