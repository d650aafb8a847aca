"""Reading a lexicon hit in its sentence: who it is about, whether it is negated, past, near a time or place.

A bag of words cannot tell "I want to die" from "I don't want to die", "my friend wants to die" or
"I used to want to die, I'm better now". These helpers look at the clause and sentence around each hit,
using the cue lists of the lexicons that read the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lifeguard.detection.lexicon import CUE_NAMES, CompiledLexicon, Hit
from lifeguard.detection.scripts import HAN_CLASS

# Sentence ends. A full stop between two digits ("2.5") or inside "e.g." is not one, so "." is handled below.
_SENTENCE_END = re.compile(r"[。！？!?…।॥\n]+|(?<![0-9a-z])\.(?![0-9a-z])|(?<=[a-z])\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[,，;；:：、()（）\"“”「」『』~～]+|\s[-–—]+\s")
# Chinese writers often use a space where a comma belongs ("好累 不想活了"); between two Han characters a
# space ends a clause. Between Devanagari or Latin words it is just a word gap.
_HAN_SPACE = re.compile(f"(?<=[{HAN_CLASS}])\\s+(?=[{HAN_CLASS}])")

# Method-seeking questions disguise themselves as about "someone" ("如果有人喝了会很快吗"): for these a
# generic person marker does not move the question off the asker.
_GENERIC_IS_SELF = frozenset({"method_seeking"})
# How far from its words a past cue still dates them, inside their clause.
_PAST_REACH = 80
# After the words, a past cue must be near them: in a run-on post ("真的不想活了家人…以前想跳楼是因为没勇气")
# a past told later is another thought's, not the tense of the wish.
_PAST_REACH_AFTER = 20
# What a writer asks of a shop is the writer's own: a means ("你们有安眠药吗"), a means made ready or a way sought
# ("你们有没有卖炭的，要能在屋里烧的": the "you" is the seller).
_ASKED_OF_A_SHOP = frozenset({"preparation", "method_seeking"})
# Words a means is taken or swallowed in, where "your" names whose pills or shop, not who took them ("maine aapki
# saari goliyan kha li", "आपकी दुकान की सारी नींद की गोलियां खा लीं", "i took all your sleeping pills"); before a
# life or a body ("teri zindagi khatam kar dunga") or a means merely named ("your pills are in the drawer") it stays
# the other's.
_TAKEN_FROM_AN_OWNER = frozenset({"in_progress"})
# Characters a fronted time clause may hold beyond its past cue: "的时候" in "去年的时候", "so" in "years ago so".
_HEAD_SLACK = 3
# A pact is the writer's own whoever it is sought with: "求一起自杀的朋友" recruits; it is not a friend's risk.
_JOINT_RULES = frozenset({"ideation.suicide_pact"})
# Words in quotation marks: double or typographic quotes, corner brackets, and single quotes that no letter touches
# from outside ("'i don't want to be here anymore'", not the apostrophe of "don't").
_QUOTED = re.compile(r'"[^"\n]+"|“[^”\n]+”|「[^」\n]+」|『[^』\n]+』|‘[^’\n]+’|(?<![a-z0-9])\'[^\n]+?\'(?![a-z0-9])')
# The speaker's "I" in quoted words (searched apart: a marker right after a quotation mark is not found as one).
_FIRST_PERSON = re.compile(
    r"(?<![a-z'])(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself|main|mai|maine|mujhe|mera|meri|mere)(?![a-z])"
    r"|我|俺|मैं|मैंने|मुझे|मेरा|मेरी|मेरे"
)
# How far before a quotation its verb of saying may stand ("my twin texted me at 3am 'i don't want to be here'").
_QUOTE_VERB_REACH = 30
# How far after a quotation its verb of saying may start, its speaker between ("'i want to die' my sister texted me").
_QUOTE_VERB_AFTER = 24


@dataclass(frozen=True, slots=True)
class Marker:
    person: str  # self, second, third, generic
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reading:
    """What the context says about one hit."""

    person: str  # self, third, second
    negated: bool
    past: bool


class TextContext:
    """Boundaries, person markers and cue positions of one (masked, normalised) text, computed once."""

    def __init__(self, text: str, lexicons: list[CompiledLexicon], default_person: str) -> None:
        self.text = text
        self.default_person = default_person
        self._lexicons = {lexicon.lang: lexicon for lexicon in lexicons}
        self._by_script: dict[str, list[CompiledLexicon]] = {}
        for lexicon in lexicons:
            self._by_script.setdefault(lexicon.script, []).append(lexicon)
        self._sentence_ends = sorted({m.start() for m in _SENTENCE_END.finditer(text)})
        clause_ends = {m.start() for m in _CLAUSE_END.finditer(text)}
        clause_ends.update(m.start() for m in _HAN_SPACE.finditer(text))
        self._clause_ends = sorted(clause_ends | set(self._sentence_ends))
        self.markers = self._find_markers(lexicons)
        self._quotes: list[tuple[int, int]] | None = None  # found on first use: few hits are quoted
        self._marker_ends = [marker.end for marker in self.markers]
        self._cue_spans: dict[str, list[tuple[int, int]]] = {}  # found on first use: most texts need few cues

    def _find_markers(self, lexicons: list[CompiledLexicon]) -> list[Marker]:
        found: list[Marker] = []
        for lexicon in lexicons:
            if lexicon.markers is None:
                continue
            for match in lexicon.markers.finditer(self.text):
                person = match.lastgroup
                if person is not None and match.end() > match.start():
                    found.append(Marker(person, match.start(), match.end()))
        found.sort(key=lambda marker: (marker.end, marker.start))
        return found

    # -- boundaries ---------------------------------------------------------------------------------

    @staticmethod
    def _bounds(ends: list[int], position: int, length: int) -> tuple[int, int]:
        index = bisect.bisect_right(ends, position - 1)
        start = ends[index - 1] + 1 if index > 0 else 0
        end = ends[index] if index < len(ends) else length
        return start, end

    def clause(self, position: int) -> tuple[int, int]:
        return self._bounds(self._clause_ends, position, len(self.text))

    def sentence(self, position: int) -> tuple[int, int]:
        return self._bounds(self._sentence_ends, position, len(self.text))

    # -- cues ---------------------------------------------------------------------------------------

    def cue_in(
        self, name: str, start: int, end: int, exclude: tuple[int, int] | None = None, void: str | None = None
    ) -> tuple[int, int] | None:
        """The first cue of ``name`` lying inside [start, end), ignoring one inside ``exclude`` and one inside a cue
        of ``void`` (looked for only once a candidate is found: most texts have none)."""
        for cue_start, cue_end in self.cue_spans(name):
            if cue_start >= end:
                break
            if cue_start < start or cue_end > end:
                continue
            if exclude is not None and cue_start >= exclude[0] and cue_end <= exclude[1]:
                continue
            if void is not None and any(s <= cue_start and cue_end <= e for s, e in self.cue_spans(void)):
                continue
            return cue_start, cue_end
        return None

    def has_cue(self, name: str) -> bool:
        return bool(self.cue_spans(name))

    def cue_spans(self, name: str) -> list[tuple[int, int]]:
        """Where the cue ``name`` of any of the text's lexicons matches, in order (KeyError for an unknown name)."""
        spans = self._cue_spans.get(name)
        if spans is None:
            if name not in CUE_NAMES:
                raise KeyError(name)
            spans = sorted(
                (m.start(), m.end())
                for lexicon in self._lexicons.values()
                if (regex := lexicon.cues.get(name)) is not None
                for m in regex.finditer(self.text)
                if m.end() > m.start()
            )
            self._cue_spans[name] = spans
        return spans

    def near(self, name: str, hit: Hit, reach: int = 30, inside: bool = False) -> tuple[int, int] | None:
        """A cue in the hit's sentence, or within ``reach`` characters of it (chat often has no punctuation).

        Cues inside the hit's own words do not count unless ``inside``: "从楼上跳下去" names a place but is
        not, by itself, someone standing on a roof; "it ends tonight" does carry its own time.
        """
        exclude = None if inside else (hit.start, hit.end)
        sentence_start, sentence_end = self.sentence(hit.start)
        found = self.cue_in(name, sentence_start, sentence_end, exclude=exclude)
        if found is not None:
            return found
        return self.cue_in(name, max(0, hit.start - reach), min(len(self.text), hit.end + reach), exclude)

    # -- reading one hit ----------------------------------------------------------------------------

    def read(self, hit: Hit, floor: int = 0) -> Reading:
        """``floor``: where the previous risk expression ended; its words cannot negate this one
        ("jeena nahi chahta, sleeping pills": the "nahi" belongs to the first expression)."""
        return Reading(person=self._person(hit), negated=self._negated(hit, floor), past=self._past(hit))

    def _negated(self, hit: Hit, floor: int) -> bool:
        return self.negated_span(hit.start, hit.end, self._same_script(hit), floor)

    def cue_negated(self, span: tuple[int, int], hit: Hit) -> bool:
        """Whether the words of a cue found for ``hit`` are negated: the "drink" of "I won't drink the
        pesticide", the "喝" of "我不会喝农药的"."""
        return self.negated_span(span[0], span[1], self._same_script(hit))

    def negated_span(self, start: int, end: int, lexicons: list[CompiledLexicon], floor: int = 0) -> bool:
        clause_start, clause_end = self.clause(start)
        before = self.text[max(clause_start, start - 40, floor) : start]
        after = self.text[end : min(clause_end, end + 16)]
        for lexicon in lexicons:
            if lexicon.negator_suffix is not None and lexicon.negator_suffix.search(before):
                question = lexicon.negation_question
                if question is None or question.search(before) is None:
                    return True
            negator_after = lexicon.negator_after
            if negator_after is not None and negator_after.match(after):
                return True
        return False

    def _past(self, hit: Hit) -> bool:
        if hit.entry.tense == "past":
            # "i've wanted to die", "i have always wanted to kill myself": a wish that began in the past and holds
            # now. An attempt told in the perfect ("i've tried to kill myself") is still a past attempt.
            return hit.entry.category == "attempt_past" or not self._perfect_before(hit)
        clause_start, clause_end = self.clause(hit.start)
        # Within reach of the words: a tweet without punctuation is one clause ("…things i used to love … the
        # only thing keeping me alive…"), and a past 300 characters away is another thought's.
        start, end = max(clause_start, hit.start - _PAST_REACH), min(clause_end, hit.end + _PAST_REACH_AFTER)
        if self._past_cue_in(start, end, exclude=(hit.start, hit.end)) is not None:
            return True
        # A time set apart at the head of the sentence reaches the clause right after it:
        # "初中的时候，我用刀子划了手腕", "last year, i cut myself". Not a past clause with words of its own
        # ("以前我也想过，现在又想死了").
        sentence_start, _ = self.sentence(hit.start)
        if sentence_start >= clause_start:
            return False
        head_start, head_end = self.clause(sentence_start)
        if clause_start != head_end + 1:
            return False
        cue = self._past_cue_in(head_start, head_end)
        return cue is not None and len(self.text[head_start:head_end].strip()) <= cue[1] - cue[0] + _HEAD_SLACK

    def _past_cue_in(self, start: int, end: int, exclude: tuple[int, int] | None = None) -> tuple[int, int] | None:
        """A past cue in [start, end) that no ``ongoing`` cue turns into a span up to now: "in high school" dates
        its clause, "since i was in high school" and "बचपन से" (since childhood) do not."""
        return self.cue_in("past", start, end, exclude, void="ongoing")

    def _perfect_before(self, hit: Hit) -> bool:
        """A perfect auxiliary ends right before the hit, a space apart: "i've (always) |wanted to die"."""
        return any(
            end < hit.start and hit.start - end <= 2 and self.text[end : hit.start].isspace()
            for _, end in self.cue_spans("perfect")
        )

    def _person(self, hit: Hit) -> str:
        fixed = hit.entry.person
        speaker = self._speaker_of_the_quotation(hit) if fixed != "third" else None
        if speaker is not None:
            # "my roommate said 'if i died nobody would care'": the "i" in the quotation is the roommate's; in "i told
            # my mom 'i want to die'" it is the writer's
            return speaker
        if fixed in ("self", "third", "second"):
            return fixed
        # "anyone want to end it together?": whoever is asked to a pact, the one asking is in it
        generic_as = (
            "self"
            if hit.entry.category in _GENERIC_IS_SELF or hit.entry.kind == "means" or hit.entry.rule in _JOINT_RULES
            else "third"
        )
        clause_start, _ = self.clause(hit.start)
        if self._named_right_after(hit, clause_start):
            return "third"
        if self._writer_acts_after_a_break(hit):
            return "self"
        if self._third_at_start(hit) and self._self_in(hit) is None:
            # The words open with their subject ("she cut her wrists"): hers, whoever was named before ("she told me").
            return "third"
        if self.cue_in("other_reflexive", hit.start, hit.end) is not None and self._self_in(hit) is None:
            # "a user in our group is posting about killing himself": the risk is the one the reflexive names, however
            # near "our" stands.
            return "third"
        # Words that start with the writer as their subject ("我就去死", "i'm a suicidal mom") are the writer's,
        # whoever was named before them ("你要是走了我就去死": the "you" is the one leaving). Only "I": other
        # markers open risk phrases as plain words ("koi umeed nahi", "no hope").
        nearest = self._self_in(hit, at_start=True) or self._nearest_marker(clause_start, hit.start)
        while nearest is not None and nearest.person == "second" and self._names_an_owner(nearest, hit):
            nearest = self._nearest_marker(clause_start, nearest.start)
        if nearest is not None and nearest.person == "second" and self._self_in(hit) is not None:
            # Words asked of someone that name the writer inside them: "can you take care of my dog when i'm
            # gone" (the one leaving is the writer). Not a third person's wish about the writer ("they wish i was
            # never born").
            return "self"
        if nearest is not None:
            if (
                nearest.person == "second"
                and (hit.entry.kind == "means" or hit.entry.category in _ASKED_OF_A_SHOP)
                and self.cue_in("asks_seller", clause_start, hit.start) is not None
            ):
                # A means asked of a shop is the writer's ("do you sell charcoal?", "你们有安眠药吗"): the "you"
                # is the seller, not someone at risk ("did you take the pills?" stays about the listener).
                return "self"
            return generic_as if nearest.person == "generic" else nearest.person
        # Reported speech over a clause break: "我闺蜜最近很不对劲，说不想活了", "my friend texted me, says ..."
        sentence_start, _ = self.sentence(hit.start)
        if sentence_start < clause_start and self.cue_in("report_verbs", sentence_start, hit.start) is not None:
            earlier = self._nearest_marker(sentence_start, clause_start)
            if earlier is not None and earlier.person in ("third", "generic"):
                return "third"
        if self.default_person == "self" and self.has_cue("helpline_directive"):
            # No one is named, and the text tells its reader whom to call ("Thinking about suicide? Call 988.",
            # "有自杀念头请拨打热线"): a helpline message, about the reader. "I want to die, should I call 988?"
            # names the writer ("I") and stays the writer's.
            return "second"
        return self.default_person

    def _quotations(self) -> list[tuple[int, int]]:
        if self._quotes is None:
            quoting = any(mark in self.text for mark in "\"“「『‘'")
            self._quotes = [(m.start(), m.end()) for m in _QUOTED.finditer(self.text)] if quoting else []
        return self._quotes

    def _speaker_of_the_quotation(self, hit: Hit) -> str | None:
        """Whose words a hit in quotation marks is, where a verb of saying stands right before the quotation: the first
        one named before that verb in its sentence, a third person ("my twin texted me 'i don't want to be here
        anymore'", "她说:“我不想活了”", "a girl in my class wrote 'i want to die'", not the nearer "my") or the writer
        ("i told my mom 'i want to die'"); or, with no verb before it, the one named by the verb that follows it
        (``_speaker_after``: "'i want to die' she said"). Only where the quotation holds its speaker's "I". None
        elsewhere: a quotation with no "I" ("i told my mom 'you want to die?'"), none beside a verb of saying, or words
        not quoted."""
        for start, end in self._quotations():
            if not (start < hit.start and hit.end <= end):
                continue
            verb = None
            for verb_start, verb_end in self.cue_spans("report_verbs"):
                if verb_end <= start and start - verb_end <= _QUOTE_VERB_REACH:
                    verb = (verb_start, verb_end)
            if verb is None:
                speaker = self._speaker_after(end)
            else:
                sentence_start, _ = self.sentence(verb[0])
                speaker = next(self._markers_ending_in(sentence_start, verb[0]), None)
                if speaker is not None and speaker.start < sentence_start:
                    speaker = None
            if speaker is None:
                return None
            if speaker.person not in ("third", "self") or _FIRST_PERSON.search(self.text[start + 1 : end - 1]) is None:
                return None  # no "I" in the quotation: words said to or of someone ("he told me 'you'd be better off
                # dead'"), read as usual
            return speaker.person
        return None

    def _speaker_after(self, end: int) -> Marker | None:
        """The speaker named after a quotation that ends at ``end``, by the verb of saying that follows it in the same
        sentence: "'i want to die' she said", "'i can't do this anymore' my sister texted me", "“我不想活了”她说";
        or right after that verb ("'i'm done,' said my brother")."""
        verb = next(
            (span for span in self.cue_spans("report_verbs") if end <= span[0] <= end + _QUOTE_VERB_AFTER), None
        )
        if verb is None or _SENTENCE_END.search(self.text, end, verb[0]) is not None:
            return None
        before = next((marker for marker in self._markers_ending_in(end, verb[0]) if marker.start >= end), None)
        if before is not None:
            return before
        after = next(self._markers_ending_in(verb[1], verb[1] + 20), None)
        return after if after is not None and after.start - verb[1] <= 1 else None

    def _names_an_owner(self, marker: Marker, hit: Hit) -> bool:
        """A possessive "your" before words of a means taken: it names whose the means (or the shop) is; who took it
        is the marker before it, or no one named (the writer, in chat). Before a means merely named ("your sleeping
        pills are in the drawer") it stays the listener's: there the seller's "your" is ``asks_seller``'s."""
        if hit.entry.category not in _TAKEN_FROM_AN_OWNER:
            return False
        return any(start == marker.start and end == marker.end for start, end in self.cue_spans("owner_second"))

    def _named_right_after(self, hit: Hit, clause_start: int) -> bool:
        """The risk words describe a person named right after them: "how to help a suicidal friend",
        "如何帮助有自杀念头的朋友", "आत्महत्या के विचार वाले दोस्त". Not when the writer describes themself so
        ("I'm a suicidal mom", "我是一个想自杀的人"), whatever comes before ("how do I help my suicidal friend")."""
        if hit.entry.rule in _JOINT_RULES:
            return False
        named = any(
            hit.start < start and end > hit.end and not self.text[hit.end : start].strip()
            for start, end in self.cue_spans("holder_after")
        )
        return named and self.cue_in("self_description", clause_start, hit.end) is None

    def _writer_acts_after_a_break(self, hit: Hit) -> bool:
        """The hit runs over a sentence end and the writer is the first person named after it: "my mom has a lot
        of sleeping pills. i could take them all tonight" (whoever holds the means, the act is the writer's)."""
        index = bisect.bisect_right(self._sentence_ends, hit.end - 1) - 1
        if index < 0 or self._sentence_ends[index] < hit.start:
            return False
        last_break = self._sentence_ends[index]
        after = next(
            (marker for marker in self._markers_ending_in(last_break, hit.end) if marker.start > last_break), None
        )
        return after is not None and after.person == "self"

    def _third_at_start(self, hit: Hit) -> bool:
        """A third-person marker is the hit's first word: "she cut her wrists", "her guns"."""
        first = next(
            (marker for marker in self._markers_ending_in(hit.start, hit.end) if marker.start == hit.start), None
        )
        return first is not None and first.person == "third"

    def _self_in(self, hit: Hit, at_start: bool = False) -> Marker | None:
        """A first-person marker inside the hit (at its first character when ``at_start``)."""
        for marker in self._markers_ending_in(hit.start, hit.end):
            if marker.person == "self" and (marker.start == hit.start if at_start else marker.start >= hit.start):
                return marker
        return None

    def _markers_ending_in(self, start: int, end: int) -> Iterator[Marker]:
        """The markers that end after ``start`` and by ``end``, in the order of their ends."""
        index = bisect.bisect_right(self._marker_ends, start)
        while index < len(self.markers) and self.markers[index].end <= end:
            yield self.markers[index]
            index += 1

    def _nearest_marker(self, start: int, end: int) -> Marker | None:
        index = bisect.bisect_right(self._marker_ends, end) - 1
        while index >= 0:
            marker = self.markers[index]
            if marker.end <= end and marker.start >= start:
                return marker
            if marker.end < start:
                return None
            index -= 1
        return None

    def _same_script(self, hit: Hit) -> list[CompiledLexicon]:
        own = self._lexicons.get(hit.entry.lang)
        if own is None:
            return []
        return self._by_script.get(own.script, [own])
