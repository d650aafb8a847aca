"""A cheap, exact "can any lexicon pattern match here?" test, so benign text skips the regular expressions.

Most traffic holds no risk word at all, yet every lexicon alternation is tried at every word start of every
message. For each compiled pattern we derive a set of *required literals*: strings such that every match
of the pattern contains at least one of them (the prefilter idea of Google Code Search and RE2, worked out
on Python's own parse tree). A text that contains none of a lexicon's required literals cannot match any
of its patterns, so the list's regex is skipped with the same result it would have given. The test is one
search with a trie-shaped regex of the literals: a character test per trie level at each position, about
a microsecond for a chat message, against tens of microseconds for a long alternation tried everywhere.
Where a pattern offers several required sets, the one whose literals are rarest in ordinary text is kept.

The derivation is conservative by construction: where it cannot bound a pattern (a lone character class,
``.``, a back-reference, an inline flag) it says so (``None``) and the lexicon is never skipped.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from re import _constants as sre  # noqa: PLC2701 - the parse tree of the stdlib's own engine
from re import _parser as sre_parse  # noqa: PLC2701
from typing import Any

try:
    import ahocorasick
except ImportError:  # pragma: no cover - the regex search below stands in
    ahocorasick = None

KEY_CHARS = 4  # a literal is as rare as its rarest substring of (up to) four characters
_MAX_EXACT = 256  # an exact set grows by cross products; beyond this many strings it is dropped
_MAX_CLASS = 12  # a character class of up to this many characters is read as alternatives
# A prefilter's automaton looks for each literal's first characters only: a text that holds a literal holds its
# start, and "want to be dead", "want to be gone"... share one node path instead of one each (a quarter of the
# memory). The clause automata keep whole literals: there, selectivity is the point.
_AUTOMATON_CHARS = 12

# A rough share of each character in running text, to prefer the rarest substring of a literal as its key
# ("kil" over "so "). Only selectivity depends on these numbers, never correctness.
_LATIN_SHARE = dict(
    zip(
        " etaoinshrdlcumwfgypbvkjxqz",
        (0.18, 0.1, 0.075, 0.067, 0.062, 0.057, 0.055, 0.052, 0.05, 0.049, 0.035, 0.033, 0.023, 0.023, 0.02,
         0.02, 0.018, 0.016, 0.016, 0.016, 0.012, 0.008, 0.006, 0.0012, 0.0012, 0.0008, 0.0006),
        strict=True,
    )
)  # fmt: skip
_COMMON_HAN = frozenset("不我了的是想要一就你他她在有人个这那也都再好还没说会去")
_DEVANAGARI_SIGNS = frozenset("ािीुूृेैोौंँ्")

Literals = frozenset[str]


@dataclass(frozen=True, slots=True)
class _Info:
    exact: frozenset[str] | None  # every string the node can match, when few and known
    required: Literals | None  # every match contains one of these; None: no such set known
    prefixes: frozenset[str] = frozenset({""})  # every match starts with one of these ("": nothing known)


_UNKNOWN = _Info(None, None)
_EMPTY = _Info(frozenset({""}), None)


def _literal(strings: frozenset[str]) -> _Info:
    return _Info(strings, strings, strings)


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MAX_EXACT:
        return None
    return frozenset(first + second for first in left for second in right)


def required_literals(pattern: str | re.Pattern[str]) -> Literals | None:
    """Strings of which every match of ``pattern`` contains at least one; ``None`` when none can be given."""
    if isinstance(pattern, re.Pattern):
        return _required_literals(pattern.pattern, pattern.flags)
    return _required_literals(pattern, 0)


@functools.lru_cache(maxsize=256)  # detectors are built many times per process from the same lexicons
def _required_literals(source: str, flags: int) -> Literals | None:
    tree = sre_parse.parse(source, flags)
    if tree.state.flags & re.IGNORECASE:  # also set by a leading "(?i)"; literals would need every case
        return None
    return _as_required(_sequence(tree))


def _as_required(info: _Info) -> Literals | None:
    if info.required is not None:
        return info.required
    if info.exact is not None and "" not in info.exact:
        return info.exact
    return None


@functools.cache
def _log_share(char: str) -> float:
    if char in _LATIN_SHARE:
        share = _LATIN_SHARE[char]
    elif char in _COMMON_HAN or char in _DEVANAGARI_SIGNS:
        share = 0.05
    elif char.isascii():
        share = 0.01  # digits, punctuation
    else:
        share = 0.01 if "\u0900" <= char <= "\u097f" else 0.002
    return math.log(share)


@functools.cache
def _rarity(literal: str) -> float:
    """log of the rough chance of meeting the rarest ``KEY_CHARS``-character piece of ``literal`` at a given
    place in text: lower is rarer, so a text is less likely to hold the literal."""
    shares = [_log_share(char) for char in literal]
    size = min(KEY_CHARS, len(literal))
    return min(sum(shares[start : start + size]) for start in range(len(literal) - size + 1))


def _cost(literals: Literals) -> tuple[float, int]:
    return max(map(_rarity, literals)), len(literals)


def _best(candidates: Iterable[Literals | None]) -> Literals | None:
    usable = [candidate for candidate in candidates if candidate and "" not in candidate]
    return min(usable, key=_cost) if usable else None


def _sequence(items: Iterable[tuple[object, object]]) -> _Info:
    candidates, info = _sequence_candidates(items)
    return _Info(info.exact, _best(candidates), info.prefixes)


def _sequence_candidates(items: Iterable[tuple[object, object]]) -> tuple[list[Literals | None], _Info]:
    """Every match of the sequence holds a string of *each* usable candidate (one per element, or per run of
    exactly known elements); ``_sequence`` keeps the rarest, ``required_clauses`` all of them."""
    candidates: list[Literals | None] = []
    run: frozenset[str] = frozenset({""})  # what the elements since the last unknown one match, exactly
    prefixes: frozenset[str] | None = None  # what every match starts with, once known
    exact_all = True
    for op, argument in items:
        info = _node(op, argument)
        joined = _product(run, info.exact) if info.exact is not None else None
        if joined is not None:
            run = joined
            continue
        # The run ends here. Every match holds a run string followed at once by one of this element's
        # prefixes: the longer strings filter better than the run alone.
        extended = _product(run, info.prefixes) or run
        candidates.append(extended)
        candidates.append(_as_required(info))
        if exact_all:
            prefixes = extended
        exact_all = False
        run = info.exact if info.exact is not None else frozenset({""})
    candidates.append(run)
    if exact_all:
        return candidates, _Info(run, None, run)
    return candidates, _Info(None, None, prefixes if prefixes is not None else frozenset({""}))


Clause = tuple[Literals, ...]  # every match holds a string of each of these sets


def required_clauses(pattern: str | re.Pattern[str]) -> list[Clause] | None:
    """Clauses of which every match of ``pattern`` satisfies at least one: a text that holds a string of each
    set of some clause. Stricter than ``required_literals``, which keeps one set of one element: "want to die"
    needs "want to " *and* "die". ``None`` when some alternative cannot be bounded."""
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, 0)
    tree = sre_parse.parse(source, flags)
    if tree.state.flags & re.IGNORECASE:
        return None
    return _clauses(list(tree))


def _clauses(items: list[tuple[object, object]]) -> list[Clause] | None:
    # Zero-width assertions only narrow what matches; a lone group or alternation is split into its parts.
    items = [item for item in items if item[0] not in (sre.AT, sre.ASSERT, sre.ASSERT_NOT)]
    if len(items) == 1:
        op, argument = items[0]
        if op is sre.SUBPATTERN and not (argument[1] or argument[2]):  # type: ignore[index]
            return _clauses(list(argument[3]))  # type: ignore[index]
        if op is sre.BRANCH:
            clauses: list[Clause] = []
            for alternative in argument[1]:  # type: ignore[index]
                found = _clauses(list(alternative))
                if found is None:
                    return None
                clauses.extend(found)
            return clauses
    candidates, _info = _sequence_candidates(items)
    usable = tuple(dict.fromkeys(c for c in candidates if c and "" not in c))
    return [usable] if usable else None


def _branch(alternatives: list[list[tuple[object, object]]]) -> _Info:
    infos = [_sequence(alternative) for alternative in alternatives]
    exact: frozenset[str] | None = None
    if all(info.exact is not None for info in infos):
        union = frozenset().union(*(info.exact for info in infos if info.exact is not None))
        exact = union if len(union) <= _MAX_EXACT else None
    required_each = [_as_required(info) for info in infos]
    required = None if any(r is None for r in required_each) else frozenset().union(*required_each)
    prefixes = frozenset().union(*(info.prefixes for info in infos))
    if len(prefixes) > _MAX_EXACT:
        prefixes = frozenset({""})
    return _Info(exact, required, prefixes)


def _char_class(items: list[tuple[object, object]]) -> _Info:
    chars: set[str] = set()
    for op, argument in items:
        if op is sre.LITERAL:
            chars.add(chr(argument))  # type: ignore[arg-type]
        elif op is sre.RANGE:
            low, high = argument  # type: ignore[misc]
            if high - low >= _MAX_CLASS:
                return _UNKNOWN
            chars.update(chr(code) for code in range(low, high + 1))
        else:  # NEGATE, CATEGORY (\s, \d, \w...): too many characters to list
            return _UNKNOWN
    if not chars or len(chars) > _MAX_CLASS:
        return _UNKNOWN
    return _literal(frozenset(chars))


def _repeat(argument: tuple[int, int, list[tuple[object, object]]]) -> _Info:
    low, high, body = argument
    inner = _sequence(body)
    if low == 0:
        if high == 1 and inner.exact is not None:
            return _Info(inner.exact | {""}, None)
        return _EMPTY if high == 0 else _UNKNOWN
    if low == high == 1:
        return inner
    # At least once: whatever the body requires or starts with, so does the repeat.
    return _Info(None, _as_required(inner), inner.prefixes)


def _node(op: object, argument: object) -> _Info:
    if op is sre.LITERAL:
        return _literal(frozenset({chr(argument)}))  # type: ignore[arg-type]
    if op is sre.IN:
        return _char_class(argument)  # type: ignore[arg-type]
    if op is sre.BRANCH:
        return _branch(argument[1])  # type: ignore[index]
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, body = argument  # type: ignore[misc]
        if add_flags or del_flags:
            return _UNKNOWN
        return _sequence(body)
    if op is sre.ATOMIC_GROUP:
        return _sequence(argument)  # type: ignore[arg-type]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return _repeat(argument)  # type: ignore[arg-type]
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY  # zero width: contributes nothing to what the match itself contains
    return _UNKNOWN  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, CATEGORY...


def _trie(literals: Iterable[str]) -> str:
    """One regular expression that finds any of ``literals``, shaped as a trie so that each position costs
    a character test per level instead of one attempt per literal. A literal that another one starts with
    is enough on its own: the longer ones add nothing to "does any occur"."""
    root: dict[str, dict] = {}
    for literal in sorted(literals, key=len):
        node = root
        for char in literal:
            if "" in node:
                break  # a shorter literal already ends here
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[""] = {}

    def build(node: dict[str, dict]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(root)


def _automaton(literals: Iterable[str]) -> Any:
    """An Aho-Corasick automaton of ``literals`` (one pass over a text, whatever their number), or ``None``
    where the optional ``pyahocorasick`` is not installed."""
    if ahocorasick is None:
        return None
    automaton = ahocorasick.Automaton()
    for literal in {literal[:_AUTOMATON_CHARS] for literal in literals}:
        automaton.add_word(literal, None)
    automaton.make_automaton()
    return automaton


class Prefilter:
    """Does a text hold any of the required literals of some patterns? One Aho-Corasick pass where
    ``pyahocorasick`` is installed (a fifth of the time), else one trie-shaped regex search. The two give the
    same answer, except that the automaton also says yes where only a long literal's first characters occur."""

    __slots__ = ("_automaton", "_regex", "always")

    def __init__(self, patterns: Iterable[str | re.Pattern[str] | None], use_automaton: bool = True) -> None:
        self.always = False  # some pattern could not be bounded: never skip
        literals: set[str] = set()
        for pattern in patterns:
            if pattern is None:
                continue
            required = required_literals(pattern)
            if required is None:
                self.always = True
                continue
            literals.update(required)
        self._automaton = _automaton(literals) if literals and use_automaton else None
        self._regex = re.compile(_trie(literals)) if literals and self._automaton is None else None

    def may_match(self, text: str) -> bool:
        """False only when no pattern behind this prefilter can match anywhere in ``text``."""
        if self.always:
            return True
        if self._automaton is not None:
            return next(self._automaton.iter(text), None) is not None
        return self._regex is not None and self._regex.search(text) is not None


def _shortest(literals: Literals) -> list[str]:
    """The literals that hold no other one: a text that holds "吃几十" holds "吃" too."""
    kept: list[str] = []
    for literal in sorted(literals, key=len):
        if not any(shorter in literal for shorter in kept):
            kept.append(literal)
    return kept


def _clause_automaton(patterns: list[str | re.Pattern[str]]) -> tuple[Any, list[int], list[int], set[int]]:
    """An automaton of the clauses' literals, each literal's value the clauses it belongs to with the sets it stands
    for in each (a bit per set); each clause's bits when all its sets are held, and its pattern; the patterns that
    cannot be bounded (they may match anywhere)."""
    owners: dict[str, list[tuple[int, int]]] = {}  # lists, merged one at a time below: 71,000 dicts cost 20 MB
    full: list[int] = []
    pattern_of: list[int] = []
    unbounded: set[int] = set()
    for number, pattern in enumerate(patterns):
        clauses = required_clauses(pattern)
        if clauses is None:
            unbounded.add(number)
            continue
        for clause in clauses:
            clause_number = len(full)
            full.append((1 << len(clause)) - 1)
            pattern_of.append(number)
            for index, literals in enumerate(clause):
                for literal in _shortest(literals):
                    owners.setdefault(literal, []).append((clause_number, 1 << index))
    automaton = None
    if owners and ahocorasick is not None:
        automaton = ahocorasick.Automaton()
        for literal, owned in owners.items():
            bits: dict[int, int] = {}
            for clause, bit in owned:
                bits[clause] = bits.get(clause, 0) | bit
            automaton.add_word(literal, tuple(bits.items()))
        automaton.make_automaton()
    return automaton, full, pattern_of, unbounded


def _satisfied_clauses(automaton: Any, full: list[int], text: str) -> Iterator[int]:
    """Each clause of ``automaton`` (``_clause_automaton``) whose every set ``text`` holds, once, as soon as the
    pass over the text has found its last set. A literal met again adds nothing, so it is read once: common ones
    ("我", "die") occur many times in a text and belong to tens of clauses."""
    held: dict[int, int] = {}
    read: set[int] = set()  # the automaton hands back the object it stores for a literal: its id names the literal
    for _end, owned in automaton.iter(text):
        if id(owned) in read:
            continue
        read.add(id(owned))
        for clause, bits in owned:
            before = held.get(clause, 0)
            after = before | bits
            if after != before:
                held[clause] = after
                if after == full[clause]:
                    yield clause


class ClausePrefilter:
    """Does a text satisfy some clause of some pattern (``required_clauses``)? One Aho-Corasick pass that
    notes which sets of which clauses the text holds. Where ``pyahocorasick`` is not installed it answers as
    ``Prefilter`` does: yes more often, never no where a pattern could match."""

    __slots__ = ("_automaton", "_full", "_gate", "always")

    def __init__(self, patterns: Iterable[str | re.Pattern[str] | None], use_automaton: bool = True) -> None:
        patterns = [pattern for pattern in patterns if pattern is not None]
        # first the one-set test, which stops at the first literal found: most texts end there; only the few
        # that pass it are walked for every clause (that walk visits every literal found)
        self._gate = Prefilter(patterns, use_automaton=use_automaton)
        self._automaton: Any = None
        self._full: list[int] = []
        self.always = False
        if ahocorasick is None or not use_automaton:
            return
        self._automaton, self._full, _pattern_of, unbounded = _clause_automaton(patterns)
        self.always = bool(unbounded)

    def may_match(self, text: str) -> bool:
        """False only when no pattern behind this prefilter can match anywhere in ``text``."""
        if self.always:
            return True
        if not self._gate.may_match(text):
            return False
        if self._automaton is None:
            return True  # without pyahocorasick, or without clauses: the gate's answer
        return next(_satisfied_clauses(self._automaton, self._full, text), None) is not None


class EntryFilter:
    """Which of several patterns (a lexicon list's entries) may match somewhere in a text: those with a clause
    the text satisfies, and those that cannot be bounded. ``None`` without ``pyahocorasick``: any may."""

    __slots__ = ("_automaton", "_full", "_pattern_of", "_unbounded")

    def __init__(self, patterns: list[str | re.Pattern[str]]) -> None:
        self._automaton, self._full, self._pattern_of, unbounded = _clause_automaton(patterns)
        self._unbounded = frozenset(unbounded)

    def candidates(self, text: str) -> frozenset[int] | None:
        if self._automaton is None:
            return None if ahocorasick is None else self._unbounded
        pattern_of = self._pattern_of
        satisfied = _satisfied_clauses(self._automaton, self._full, text)
        return self._unbounded.union(pattern_of[clause] for clause in satisfied)
