"""The rule-and-lexicon detector for Chinese, English, Hindi (Devanagari) and Hinglish.

Pipeline for one text: normalise (keeping the map to original offsets) -> pick lexicons by script ->
mask idioms, hyperbole and explicitly negated phrases -> find risk terms and means -> read each hit in
context (negation, person, tense) -> fuse the writer's hits and, separately, the hits about someone else
-> apply the signal kind's limits (an order alone never goes above indicator) -> score, reasons, spans.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from lifeguard.detection.assessment import Assessment, DetectorInfo, Span, TextInput
from lifeguard.detection.context import TextContext
from lifeguard.detection.language import detect_scripts, guess_language
from lifeguard.detection.levels import Level
from lifeguard.detection.lexicon import CompiledLexicon, Hit, load_lexicons
from lifeguard.detection.normalize import NormalizedText, normalize
from lifeguard.detection.prefilter import ClausePrefilter
from lifeguard.detection.reasons import (
    ADDRESSEE,
    COMMERCE,
    EVERYDAY,
    IDIOM,
    MEANS,
    NEGATED,
    OTHER_DIRECTED,
    PAST,
    TERM,
    THIRD_PARTY,
    rule,
)
from lifeguard.detection.rules import METHOD_BESIDE_A_WISH, Fused, fuse, score

log = logging.getLogger(__name__)

MAX_CHARS = 20_000  # longer texts are assessed on their first MAX_CHARS characters
# a product with everyday uses named in shop talk is shop talk, in a chat line; a long post naming pills is a story
SHOP_LINE_MAX_CHARS = 160
EVERYDAY_MAX_CHARS = 40  # "context:everyday" is for chat lines; a long post that mentions work is not small talk
MAX_SPANS = 64
_OTHER_DIRECTED = "other_directed"
_MASK_PREFIX = {"negated": NEGATED, _OTHER_DIRECTED: OTHER_DIRECTED}  # lexicon category -> note; else IDIOM
# A mask of category "use" sets aside a product named with its everyday use ("木炭 烧烤"): in words and searches. An
# order's line names the product ("烧烤木炭 5kg") and is still read as the means it is; fusion weighs it.
_EVERYDAY_USE = "use"
_INNER_VOICE_REACH = 64  # characters before an order to die where the mind that gives it is named
_MASK_CHAR = "\ufffc"  # stands in for masked words: neither a letter nor a space, so nothing matches across it
_SCRIPT_OF_LANG = {"zh": "han", "hi": "devanagari", "en": "latin", "hi-Latn": "latin"}


@dataclass(slots=True)
class _Collected:
    """Hits sorted by whose they are, plus the reasons that explain what was set aside."""

    own_current: list[Hit] = field(default_factory=list)
    own_past: list[Hit] = field(default_factory=list)
    third_current: list[Hit] = field(default_factory=list)
    third_past: list[Hit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    addressed: bool = False  # risk words said to "you": a question or a plea, not the writer's own risk


def _any_cue(name: str, text: str, lexicons: list[CompiledLexicon]) -> bool:
    """Whether the cue ``name`` of any of these lexicons occurs in ``text``."""
    return any((regex := lexicon.cues[name]) is not None and regex.search(text) is not None for lexicon in lexicons)


def _context_notes(text: str, lexicons: list[CompiledLexicon]) -> list[str]:
    """``context:commerce`` for shop talk and ``context:everyday`` for a short chat line about ordinary plans: they
    tell a model combined with these rules that its reading of risk there needs a risk word the rules know."""
    notes = [COMMERCE] if _any_cue("commerce", text, lexicons) else []
    if len(text) <= EVERYDAY_MAX_CHARS and _any_cue("everyday", text, lexicons):
        notes.append(EVERYDAY)
    return notes


def _bounded_text(item: TextInput) -> tuple[str, list[str]]:
    """The text the rules read (its first ``MAX_CHARS`` characters) and the note that says when it was cut."""
    text = item.text if isinstance(item.text, str) else str(item.text)
    if len(text) <= MAX_CHARS:
        return text, []
    return text[:MAX_CHARS], [f"input:truncated_to_first_{MAX_CHARS}_chars"]


def _other_means(text: str, use: Hit, lexicons: list[CompiledLexicon]) -> bool:
    """Whether ``text`` names a means outside the words of ``use`` (a product with its everyday use): "买了木炭和胶带
    周末烧烤" names tape beside the barbecue's charcoal, and charcoal with tape stays a sign whatever it is for."""
    kinds: set[str] = set()
    for lexicon in lexicons:
        for hit in lexicon.means.finditer(text):
            if hit.start < use.start or hit.end > use.end:
                return True
            kinds.add(hit.entry.means)
    return len(kinds) > 1


def _told_by_own_mind(text: str, told: Hit, lexicons: list[CompiledLexicon]) -> bool:
    """Whether the one who tells in ``told`` (words that order someone to die) is the writer's own mind: "my brain
    keeps telling me to kill myself", "the voices told me to": not a curse from someone else but the writer's own
    thoughts, read as the writer's risk. The cue ``inner_voice`` must end right before the words that tell."""
    before = text[max(0, told.start - _INNER_VOICE_REACH) : told.start].rstrip()
    return any(
        (regex := lexicon.cues["inner_voice"]) is not None
        and any(found.end() == len(before) for found in regex.finditer(before))
        for lexicon in lexicons
    )


# "I need to talk to someone", "how do I get help", "where can I reach out to": a person seeking help for
# themselves, in the words that offer it to others ("talk to someone", "get help"). Read as an offer of support,
# they set the writer's own risk aside as someone else's ("I may need to talk to someone before I jump off my
# balcony": none). English, where the support list holds such words.
_HELP_SEEKING_START = ("talk to", "get ", "seek", "reach out")
_WRITER = re.compile(r"\b(i|i'm|im|i've|ive|i'd|me|my|myself)\b")
_SOMEONE_HELPED = re.compile(r"\b(you|your|u|ur|he|she|they|him|her|them|his|their|friend|friends)\b")
_CLAUSE_BREAK = re.compile(r"[.!?,;:\n]")


def _help_sought(text: str, hit: Hit) -> bool:
    """A support phrase whose clause has the writer, and nobody else, as the one to be helped."""
    if hit.entry.lang != "en" or not text.startswith(_HELP_SEEKING_START, hit.start):
        return False
    breaks = [match.end() for match in _CLAUSE_BREAK.finditer(text, 0, hit.start)]
    before = text[breaks[-1] if breaks else 0 : hit.start]
    return _WRITER.search(before) is not None and _SOMEONE_HELPED.search(before) is None


def _only_kept_means(hits: list[Hit], context: TextContext) -> bool:
    """Someone else's hits are all means, none of them swallowed or drunk in its own clause."""
    return bool(hits) and all(
        hit.entry.kind == "means" and context.cue_in("ingestion", *context.clause(hit.start)) is None for hit in hits
    )


def _only_weak_means(collected: _Collected) -> bool:
    """Everything found is the writer's own mention of a product too ordinary to raise a level by itself (a
    blade, a rope): nothing negated, asked of someone, past or about another person."""
    hits = collected.own_current + collected.own_past
    return (
        bool(hits)
        and all(hit.entry.kind == "means" for hit in hits)
        and not (collected.notes or collected.third_current or collected.third_past or collected.addressed)
    )


class LexiconDetector:
    """Rules and curated lexicons; no model. Thread-safe: all state is compiled once and read-only."""

    info = DetectorInfo(name="lexicon-rules", version="1", languages=("zh", "en", "hi", "hi-Latn"))

    def __init__(self, lexicons: list[CompiledLexicon] | None = None) -> None:
        self._lexicons = lexicons if lexicons is not None else load_lexicons()
        self._label = self.info.label
        # may any lexicon's term, means or support entry occur? (A text's lexicons are chosen by its scripts; one
        # search over all of them can only say yes more often, which costs a full reading, never a finding.) Each
        # entry's every required piece is looked for ("want to " and "die"), not only the rarest.
        self._risk_words = ClausePrefilter(m.pattern for lexicon in self._lexicons for m in lexicon.risk_matchers)

    # -- public API ---------------------------------------------------------------------------------

    def assess(self, item: TextInput) -> Assessment:
        try:
            return self._assess(item)
        except Exception:  # noqa: BLE001 - the contract: a detector never raises; the signal must still flow
            log.exception("lexicon detector failed on one input; returning no-risk with an error reason")
            return Assessment(level=Level.NONE, score=0.0, reasons=("error:detector_failed",), detector=self._label)

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        return [self.assess(item) for item in items]

    def screen(self, item: TextInput) -> Assessment | None:
        """``assess``'s level, score, support and third party for a text in which no risk term, means or support
        phrase can occur (most traffic), at a quarter of the cost; ``None`` when the text must be read in full.

        Left out are the language (``None``: guessing it costs as much again, and a caller with a model has its
        guess already) and the notes of what such a text was read as (shop talk, an idiom set aside): a detector
        combined with a model (the hybrid) screens only texts in which the model reads no risk either, where
        those notes change nothing."""
        try:
            text, notes = _bounded_text(item)
            if self._risk_words.may_match(normalize(text).text):
                return None
        except Exception:  # noqa: BLE001 - when in doubt, read the text in full (which never raises)
            log.exception("lexicon screen failed on one input; reading it in full")
            return None
        return Assessment(level=Level.NONE, score=0.0, reasons=tuple(notes), detector=self._label)

    # -- steps --------------------------------------------------------------------------------------

    def _assess(self, item: TextInput) -> Assessment:
        text, notes = _bounded_text(item)
        kind = (item.kind or "message").strip().lower()
        normalized = normalize(text)
        lang = guess_language(normalized.text, item.lang)
        lexicons = self._lexicons_for(normalized.text)
        # the lexicons with a word in this text (most messages: none); cues and context read all of them
        worded = [lexicon for lexicon in lexicons if lexicon.may_match(normalized.text)]

        masked, mask_notes = self._mask(normalized.text, worded, kind)
        notes.extend(mask_notes)
        hits = self._find(masked, worded)
        supports = [
            hit for lexicon in worded for hit in lexicon.support.finditer(masked) if not _help_sought(masked, hit)
        ]
        if not hits and not supports:
            notes.extend(_context_notes(masked, lexicons))
            return Assessment(level=Level.NONE, score=0.0, reasons=tuple(notes), detector=self._label, lang=lang)

        default_person = "third" if kind == "report" else "self"
        context = TextContext(masked, lexicons, default_person)
        collected = self._collect(hits, context)
        if kind != "report" and _only_kept_means(collected.third_current + collected.third_past, context):
            # "my mom has a lot of sleeping pills. i could take them all tonight": pills someone else keeps are
            # not that person's risk; read as theirs, they made the writer's own risk theirs too. Pills someone
            # swallows in the same clause ("wo neend ki goli kha ke so jayega"), and a report about someone
            # buying or holding means, stay theirs.
            collected.third_current, collected.third_past = [], []
        recovered = context.has_cue("recovery")
        own = fuse(collected.own_current, collected.own_past, context, recovered)
        third = fuse(collected.third_current, collected.third_past, context, recovered=False)

        level, capped = own.level, False
        if level is Level.NONE and len(masked) <= SHOP_LINE_MAX_CHARS and not supports and _only_weak_means(collected):
            # "刀片能发顺丰吗 急用 今晚就要": a product with everyday uses, named in shop talk, is shop talk too
            notes.extend(_context_notes(masked, lexicons))
        if kind == "order" and level > Level.INDICATOR:
            # An order alone is never a case: what it means is decided with the person's words (fusion).
            level, capped = Level.INDICATOR, True
        reasons = self._reasons(own, third, collected, supports, capped, notes)
        # A classic lethal means (strength 2) weighs more than a product with everyday uses.
        means_weight = sum(max(0, hit.entry.strength - 1) for hit in collected.own_current if hit.entry.kind == "means")
        evidence = own.evidence + means_weight
        spans = self._spans(normalized, own, third, collected, supports)
        support = bool(supports) or third.level > Level.NONE
        return Assessment(
            level=level,
            score=score(level, evidence),
            reasons=reasons,
            spans=spans,
            detector=self._label,
            support=support,
            third_party_level=third.level,
            lang=lang,
        )

    def _lexicons_for(self, normalized: str) -> list[CompiledLexicon]:
        scripts = detect_scripts(normalized)
        wanted = {"han": scripts.han, "devanagari": scripts.devanagari, "latin": scripts.latin}
        return [lexicon for lexicon in self._lexicons if wanted.get(lexicon.script, False)]

    @staticmethod
    def _mask(text: str, lexicons: list[CompiledLexicon], kind: str = "message") -> tuple[str, list[str]]:
        chars = list(text)
        notes: list[str] = []
        for lexicon in lexicons:
            for hit in lexicon.masks.finditer(text):
                if hit.entry.category == _EVERYDAY_USE and (kind == "order" or _other_means(text, hit, lexicons)):
                    continue
                if hit.entry.category == _OTHER_DIRECTED and _told_by_own_mind(text, hit, lexicons):
                    continue
                chars[hit.start : hit.end] = _MASK_CHAR * (hit.end - hit.start)
                prefix = _MASK_PREFIX.get(hit.entry.category, IDIOM)
                # The words themselves explain best what was set aside ("idiom:zh:秒杀").
                notes.append(f"{prefix}{hit.entry.lang}:{text[hit.start : hit.end][:40]}")
        return ("".join(chars) if notes else text), notes

    @staticmethod
    def _find(masked: str, lexicons: list[CompiledLexicon]) -> list[Hit]:
        hits: list[Hit] = []
        for lexicon in lexicons:
            hits.extend(lexicon.terms.finditer(masked))
            hits.extend(lexicon.means.finditer(masked))
        hits.sort(key=lambda hit: (hit.start, -hit.end))
        return hits

    @staticmethod
    def _collect(hits: list[Hit], context: TextContext) -> _Collected:
        collected = _Collected()
        floor = 0
        negated_until = -1  # the end of the last negated expression: what lies inside it is negated too
        for hit in hits:
            reading = context.read(hit, floor)
            floor = max(floor, hit.end)
            label = hit.entry.label
            if reading.negated or hit.end <= negated_until:  # "我不会喝农药": the 农药 of the refused act
                collected.notes.append(f"{NEGATED}{label}")
                negated_until = max(negated_until, hit.end)
                continue
            if reading.person == "second":
                if hit.entry.kind == "means" and hit.entry.means in METHOD_BESIDE_A_WISH:
                    # "…wanting to take a gun to your head": a gun said to "you" is an object, not risk words
                    # addressed to someone (which would make the writer's risk theirs); it is nobody's method.
                    continue
                collected.addressed = True
                collected.notes.append(f"{ADDRESSEE}{label}")
                continue
            if reading.person == "third":
                (collected.third_past if reading.past else collected.third_current).append(hit)
                continue
            if reading.past:
                collected.notes.append(f"{PAST}{label}")
            (collected.own_past if reading.past else collected.own_current).append(hit)
        return collected

    @staticmethod
    def _reasons(
        own: Fused, third: Fused, collected: _Collected, supports: list[Hit], capped: bool, notes: list[str]
    ) -> tuple[str, ...]:
        reasons: list[str] = [rule(rule_id) for rule_id in own.rules]
        if capped:
            reasons.append(rule("order.means_only_capped_at_indicator"))
        for hit in collected.own_current + collected.own_past:
            entry = hit.entry
            if entry.kind == "means":
                reasons.append(f"{MEANS}{entry.means}")
            reasons.append(f"{TERM}{entry.label}")
        if third.level > Level.NONE:
            reasons.append(rule("support.third_party_risk"))
            reasons.extend(f"{THIRD_PARTY}{rule(rule_id)}" for rule_id in third.rules)
            reasons.extend(
                f"{THIRD_PARTY}{TERM}{hit.entry.label}" for hit in collected.third_current + collected.third_past
            )
        if supports:
            reasons.append(rule("support.offer"))
            reasons.extend(f"support:{hit.entry.label}" for hit in supports)
        reasons.extend(collected.notes)
        reasons.extend(notes)
        return tuple(dict.fromkeys(reasons))  # drop repeats, keep first-seen order

    @staticmethod
    def _spans(
        normalized: NormalizedText, own: Fused, third: Fused, collected: _Collected, supports: list[Hit]
    ) -> tuple[Span, ...]:
        raw: list[tuple[int, int, str]] = []
        for hit in collected.own_current + collected.own_past:
            raw.append((hit.start, hit.end, f"{TERM}{hit.entry.label}"))
        for hit in collected.third_current + collected.third_past:
            raw.append((hit.start, hit.end, f"{THIRD_PARTY}{TERM}{hit.entry.label}"))
        raw.extend(own.cue_spans)
        raw.extend((start, end, f"{THIRD_PARTY}{reason}") for start, end, reason in third.cue_spans)
        for hit in supports:
            raw.append((hit.start, hit.end, f"support:{hit.entry.label}"))
        spans: dict[tuple[int, int, str], None] = {}
        for start, end, reason in sorted(raw):
            original_start, original_end = normalized.original_span(start, end)
            spans[(original_start, original_end, reason)] = None
            if len(spans) >= MAX_SPANS:
                break
        return tuple(Span(start, end, reason) for start, end, reason in spans)
