"""The production detector: the model's calibrated level, corrected by the rules that are precise.

The model reads a bag of n-grams: it cannot tell "I want to die" from "I don't want to die", "my friend
wants to die" or "笑死我了". The rule-and-lexicon detector can, but it only knows the phrases in its
lexicons. The combination, for one text:

1. Start from the model's level (highest rung whose calibrated probability reaches its threshold).
2. If the rules say the risk words are about or to someone else (third person, support, addressee) and
   the rules' own level for the writer is lower, the writer's level is the rules' level and the model's
   reading becomes the ``third_party_level``. In a text over 280 characters only when the rules read someone
   else's risk at least as high as the model reads the text (a friend's long, worried message): a longer post
   is mostly the writer's own story, and "my dad is suicidal" or "I just want to talk to someone" inside it
   does not make the model's reading of the whole post someone else's. The negation and idiom caps of step 3,
   and the past and distress caps of step 4, apply up to 280 characters only: in a long post they set aside
   their own words, and the model, which learnt from posts, reads the whole.
3. If the rules found the risk words negated ("I don't want to die"), the model may say at most
   ``indicator``; if they found an idiom or hyperbole ("笑死", "killing me"), the model may say at most
   ``indicator``, and only when it is confident of distress (P(>= indicator) >= 0.9), else ``none``. Both
   only when what was set aside was all the rules found: "烧炭和跳海哪个容易点……烦死了" keeps the model's
   reading, because the idiom explains 烦死了, not the method question beside it.
4. If the rules read the risk words as past ("five years ago I attempted", "几年前我自杀过") and found nothing
   current, the model may say at most what the rules say: a recovery story is not a present plan. If the rules
   read them as distress only (indicator: "I feel hopeless"), the model must be confident
   (P(>= ideation) >= 0.9) to read ideation: hopelessness is a risk factor, not a wish to die.
   If the rules found only a means word ("木炭", "pills") and the model reads behavior without confidence
   (P(>= behavior) < 0.9), or reads it in a search too short to carry a thought ("木炭 10斤"), the model may
   say at most indicator: method words alone are not a plan, and a barbecue is not a suicide. When the model is
   sure of a wish (P(>= ideation) >= 0.9: "I took the rest of my sleeping pills … I'm finally ending it"), at most
   ideation. Up to 280 characters, like the caps above: in a longer post ("…ate a handful of sleeping pills. A
   half-hearted attempt…") the means word is one of the writer's words, and the model reads the whole. In a chat
   line (up to 40 characters) both confidences are the lower of the model's reading with and without the means
   words: "我失眠，想买点安眠药" is sure of behavior only because of "安眠药". Order lines
   (product titles) are read by the rules and the product catalogue only: the model learnt from posts, not
   from shop listings. A text too short to carry a thought ("tonight", "pills": under three words and twelve
   characters) in which the rules found nothing is at most indicator: one word is context for fusion, not a
   level of its own. So is a flood of a few characters ("了了了了…", "die die die…"), which the model, counting
   every occurrence, read as attempt. Likewise shop service talk in which the rules
   found no risk words (``context:commerce``: "要是我走了那我就拒收可以吗亲", "if I'm gone can I refuse the
   parcel"; or only a product with everyday uses, in a chat line: "刀片能发顺丰吗 急用 今晚就要"): the model,
   which learnt "走了" and "今晚就" from farewell posts, may say at most indicator there, in a text up to 280
   characters: one shop word in a longer post ("my order came today and I didn't even open it") does not make the
   post shop talk. The same for a short chat line about ordinary plans (``context:everyday``, under 40
   characters: "一切都准备好了，明天就出发去旅行", "i won't be home tonight, don't wait up"): the model learnt
   "准备好了" and "明天就" from a suicide "tree hole", where every text is distress; the rules must find a risk
   word first.
   A text mostly in Devanagari in which the rules found no risk word is none, whatever the model reads: the
   model knows Devanagari risk only from its seed phrases, and read everyday chat ("मैं खाना खा रहा हूं", "I'm
   eating") as behavior (``hybrid:devanagari_needs_rules``; in any length of text, as no long Devanagari post
   trained it either). A chat line that the short-chat head alone raised to ideation keeps ideation, and behavior
   where its behavior head raised it further: the heads learnt Devanagari risk and everyday chat from lines written
   for them (session 24).
5. If the rules' level is higher (a wish with a method, a time or a place: escalations; a past attempt;
   Hindi and Hinglish phrases the model barely knows), the rules' level wins.
6. A report about someone else that opened no case (up to 280 characters, in which the model reads some distress) is
   read a second time in its subject's own words (``their_words``: "my friend keeps saying nobody would notice if he
   was gone" as "i keep saying nobody would notice if i was gone"): what that reading finds at ideation or above, by
   the rules or with the model sure, is the third party's level (``hybrid:report_read_in_their_words``); the writer's
   own level is never changed by it (session 27: on never-read reports, 43 -> 53 of 240 read as someone else's risk).

Reasons carry ``model:<version>``, the top level probabilities, the rule reasons and a ``hybrid:`` reason
for every correction; spans come from the rules, or else from the model's heaviest n-grams.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, cast, runtime_checkable

from lifeguard.detection.assessment import Assessment, Detector, DetectorInfo, Span, TextInput
from lifeguard.detection.language import mostly_devanagari
from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.model.model import _HAN, RiskModel, Scored, _coerce_text, probability_reasons_many
from lifeguard.detection.model.textnorm import MAX_CHARS
from lifeguard.detection.normalize import unspaced
from lifeguard.detection.reasons import (
    ADDRESSEE,
    DISTRESS_ONLY,
    EVERYDAY,
    IDIOM,
    MEANS,
    NEGATED,
    NGRAM,
    OTHER_DIRECTED,
    PAST,
    SHORT_CHAT_REASON,
    TERM,
    THIRD_PARTY,
    context_only,
    means_only,
)
from lifeguard.detection.their_words import in_their_words
from lifeguard.detection.traditional import simplified

log = logging.getLogger(__name__)

READ_IN_THEIR_WORDS = "hybrid:report_read_in_their_words"
# A report is retold only where the model reads some distress in it as written (P(>= indicator)): on the reports read
# to build the retelling (session 27) every one it found was at 0.066 or above; on shop and service text 84% is below,
# and is not retold at all.
RETELL_FLOOR = 0.05

CONFIDENT_DISTRESS = 0.9
CONFIDENT_IDEATION = 0.9
# P(>= ideation) of a retold report that the model alone may give its subject (the rules finding nothing in it). 0.9
# until session 29; 0.6 was chosen on the read reports (36 -> 39 English, 26 -> 28 Chinese, 16 -> 17 Hindi read as
# someone else's of 80 each; read lookalikes with someone else at risk 3 -> 5 of 5,192; benign training texts 2 -> 2
# of 40,000) and judged by a rule written first on never-read ones: 10 more of 400 reports read as someone else's,
# the writer's own levels unchanged everywhere (docs/model.md).
RETOLD_IDEATION = 0.6
CONFIDENT_BEHAVIOR = 0.9
RULES_ONLY_KINDS = frozenset({"order"})
SHORT_WORDS, SHORT_CHARS = 3, 12
FLOOD_CHARS, FLOOD_DISTINCT, FLOOD_REPEATS = 12, 6, 4
# Beyond a tweet's length a post is mostly the writer's own story: a friend's risk read lower than the post, a
# support phrase, an insult quoted, a negated phrase, an idiom, a past told, words of distress or a shop word in it
# set aside those words, not the model's reading of the whole post.
LONG_POST_CHARS = 280
# A chat line: where the model must find a wish in words other than the means the rules found.
SHORT_CHAT_CHARS = 40
_OTHER = (ADDRESSEE, OTHER_DIRECTED, THIRD_PARTY)


def _too_short(folded: str) -> bool:
    """Under twelve characters and under three words. A Chinese text under twelve characters counts as short
    whatever its words: the model, which learnt short Chinese texts from a suicide "tree hole", reads
    "我走了 明天见" or "我今晚不回来了" as a plan; counting two Han characters as a word (tried in session 9)
    let such chat open cases."""
    return len(folded) < SHORT_CHARS and len(folded.split()) < SHORT_WORDS


SENTENCE_HAN = 4  # Han characters that make a short line a sentence ("药都吞了", "swallowed all the pills")


def _says_little(folded: str) -> bool:
    """Too short (``_too_short``) and not a Chinese sentence of four characters or more: a word or two ("tonight",
    "rope", "pills now") is too little for any head to open a case on, the short-chat heads included; "药都吞了"
    ("swallowed all the pills") is a whole message."""
    return _too_short(folded) and len(_HAN.findall(folded)) < SENTENCE_HAN


def _words_only(reasons: tuple[str, ...]) -> bool:
    """The rules found nothing but, at most, words they weigh at nothing alone ("pills": ``means:medication``)."""
    return all(reason.startswith((MEANS, TERM)) for reason in reasons)


def _flood(folded: str) -> bool:
    """A few characters repeated ("了了了了了了了了了了了了", "了酒了酒了酒…", "die die die die"): at most six
    different characters besides spaces, each used four times on average, at least twelve in all ("hopeless
    help" uses six, twice each: two words, not a flood). The model counts every occurrence of an n-gram, so a
    flood of a character it weighs a little ("了" of "我走了") adds up to attempt; it carries no thought."""
    chars = folded.replace(" ", "")
    distinct = len(set(chars))
    return distinct <= FLOOD_DISTINCT and len(chars) >= max(FLOOD_CHARS, FLOOD_REPEATS * distinct)


def _as_their_own(kind: str) -> str:
    return "message" if kind == "report" else kind


def _has(reasons: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    return any(reason.startswith(prefixes) for reason in reasons)


def _set_aside_cap(rule: Assessment, model_level: Level, at_or_above: Sequence[float]) -> tuple[Level, str] | None:
    """The caps for words the rules set aside (negated, an idiom, a past told, distress only), in this order; in a
    text up to ``LONG_POST_CHARS`` only: in a longer post they set aside their own words, not the whole post."""
    if _has(rule.reasons, (NEGATED,)) and rule.level is Level.NONE:
        return min(model_level, Level.INDICATOR), "hybrid:negation_caps_model"
    if _has(rule.reasons, (IDIOM,)) and rule.level is Level.NONE:
        cap = Level.INDICATOR if at_or_above[0] >= CONFIDENT_DISTRESS else Level.NONE
        return min(model_level, cap), "hybrid:idiom_caps_model"
    if _has(rule.reasons, (PAST,)) and rule.level <= Level.INDICATOR:
        return rule.level, "hybrid:past_caps_model"
    if (
        rule.level is Level.INDICATOR
        and DISTRESS_ONLY in rule.reasons
        and model_level is Level.IDEATION
        and at_or_above[1] < CONFIDENT_IDEATION
    ):
        return Level.INDICATOR, "hybrid:distress_needs_confident_model"
    return None


@runtime_checkable
class Screening(Protocol):
    """Rules that can tell cheaply that they would find nothing in a text (``LexiconDetector.screen``)."""

    def screen(self, item: TextInput) -> Assessment | None: ...


class HybridDetector:
    """Model + rules. Implements the ``Detector`` protocol; thread-safe when both parts are."""

    def __init__(self, model: RiskModel, rules: Detector, explain: bool = True) -> None:
        self.model = model
        self.rules = rules
        self.explain = explain
        languages = tuple(dict.fromkeys((*model.info.languages, *rules.info.languages)))
        self.info = DetectorInfo(name="hybrid", version=f"{model.version}+{rules.info.label}", languages=languages)
        self._label = self.info.label

    def assess(self, item: TextInput) -> Assessment:
        return self.assess_many([item])[0]

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        texts = [_coerce_text(item.text) for item in items]
        results, scored, _ = self._assess(items, texts, self.explain)
        if scored is not None:
            try:
                self._read_reports(items, texts, scored, results)
            except Exception:  # noqa: BLE001 - a second reading must never lose the first
                log.exception("reading reports in their subjects' words failed; kept the first reading")
        return results

    def _read_reports(
        self, items: list[TextInput], texts: list[str], scored: Scored, results: list[Assessment]
    ) -> None:
        """A report about someone else, read again in that person's own words (``their_words``): where the retelling
        reads at ideation or above, that is the third party's level (the writer's own stays as it was), if the rules
        read it so or the model does with P(>= ideation) >= ``RETOLD_IDEATION``: the model alone, below that, read
        retold everyday sentences ("i took the spoon out of my hand") and the writer's own unsaid subject ("swallowed
        the bleach after he walked out", retold "after i walked out") as the third person's risk. Only texts with no
        case yet, up to ``LONG_POST_CHARS``: a longer post is mostly the writer's own story."""
        todo: list[tuple[int, str]] = []
        for index, (item, result) in enumerate(zip(items, results, strict=True)):
            if (
                item.kind in RULES_ONLY_KINDS
                or float(scored.at_or_above[index][0]) < RETELL_FLOOR
                or result.level >= Level.IDEATION
                or result.third_party_level >= Level.IDEATION
                or len(texts[index]) > LONG_POST_CHARS
            ):
                continue
            told = in_their_words(texts[index], scored.langs[index] if scored.langs else None)
            if told is not None:
                todo.append((index, told))
        if not todo:
            return
        # retold, the words are their subject's own: a report's "no one named is someone else" no longer holds
        told_items = [TextInput(told, _as_their_own(items[index].kind), items[index].lang) for index, told in todo]
        # Most retellings hold no risk word the rules could find, and the model reads them below RETOLD_IDEATION: they
        # are read no further (the rules' screen and the model's batch reading are cheap; the full reading is not).
        sure = (self.model.score_texts([told for _, told in todo]).at_or_above[:, 1] >= RETOLD_IDEATION).tolist()
        screen = self.rules.screen if isinstance(self.rules, Screening) else None
        wanted = [n for n, item in enumerate(told_items) if sure[n] or screen is None or screen(item) is None]
        if not wanted:
            return
        retold, _, ruled = self._assess([told_items[n] for n in wanted], None, False)
        for number, theirs, rule in zip(wanted, retold, ruled, strict=True):
            index = todo[number][0]
            if theirs.level < Level.IDEATION or not (rule.level >= Level.IDEATION or sure[number]):
                continue
            result = results[index]
            found = [f"{THIRD_PARTY}{reason}" for reason in theirs.reasons if reason.startswith(("rule:", "term:"))]
            results[index] = replace(
                result,
                support=True,
                third_party_level=max(result.third_party_level, theirs.level, key=lambda value: value.rank),
                reasons=tuple(dict.fromkeys([*result.reasons, READ_IN_THEIR_WORDS, *found])),
            )

    def _assess(
        self, items: list[TextInput], texts: list[str] | None, explain: bool
    ) -> tuple[list[Assessment], Scored | None, list[Assessment]]:
        """Each item's assessment, the model's reading of the batch and the rules' assessments, without the second
        reading of reports."""
        if texts is None:
            texts = [_coerce_text(item.text) for item in items]
        # the model reads a word spaced out ("p i l l s", "自.杀") as the writer meant it, and traditional Chinese
        # as the simplified it learnt ("我想自殺"; one character for one); the rules' normalising does the same
        spaced = [unspaced(text) if len(text) <= MAX_CHARS else None for text in texts]
        read = [
            simplified(text[:MAX_CHARS]) + text[MAX_CHARS:] if joined is None else simplified(joined[0])
            for text, joined in zip(texts, spaced, strict=True)
        ]
        try:
            scored: Scored | None = self.model.score_texts(read)
        except Exception:  # noqa: BLE001 - the contract: never raise; the rules still run
            log.exception("risk model failed on a batch; using the rules alone")
            scored = None
        try:
            safe_items = [TextInput(text, item.kind, item.lang) for text, item in zip(texts, items, strict=True)]
            ruled = self._read_by_rules(safe_items, scored)
        except Exception:  # noqa: BLE001
            log.exception("rule detector failed on a batch")
            ruled = [Assessment(level=Level.NONE, score=0.0, reasons=("error:rules_failed",)) for _ in items]
        probability_reasons = probability_reasons_many(scored.at_or_above) if scored is not None else []
        results: list[Assessment] = []
        to_explain: list[int] = []  # the model's own level stands and the rules marked nothing to show
        for index, item in enumerate(items):
            try:
                combined = self._combine(item, scored, index, ruled[index], probability_reasons)
            except Exception:  # noqa: BLE001
                log.exception("hybrid combination failed on one input; returning the rules' assessment")
                combined = ruled[index]
            if (
                explain
                and combined.level > Level.NONE
                and combined.detector == self._label
                and not combined.spans
                and scored is not None
                and combined.level.rank == int(scored.ranks[index])
            ):
                to_explain.append(index)
            results.append(combined)
        if to_explain and scored is not None:
            self._add_model_evidence(results, read, scored, to_explain, spaced)
        return results, scored, ruled

    def _read_by_rules(self, items: list[TextInput], scored: Scored | None) -> list[Assessment]:
        """The rules' assessment of each item. Where the model reads no risk (and the item is not an order), rules
        that can screen a text first say whether they could find anything in it: most traffic holds no risk word,
        and there a full reading would only add notes (shop talk, an idiom set aside) that explain a cap on the
        model's reading, of which there is none. The level, score, spans, support and third party are the same; the
        language is then the model's guess."""
        if scored is None or not isinstance(self.rules, Screening):
            return self.rules.assess_many(items)
        ranks = scored.ranks.tolist()
        ruled = [
            self.rules.screen(item) if ranks[index] == 0 and item.kind not in RULES_ONLY_KINDS else None
            for index, item in enumerate(items)
        ]
        unread = [index for index, assessment in enumerate(ruled) if assessment is None]
        if unread:
            for index, assessment in zip(unread, self.rules.assess_many([items[i] for i in unread]), strict=True):
                ruled[index] = assessment
        return cast(list[Assessment], ruled)

    def _beside_the_means(self, item: TextInput, rule: Assessment, at_or_above: Sequence[float]) -> Sequence[float]:
        """The model's confidence, for a text in which the rules found only means words. In a chat line (up to
        ``SHORT_CHAT_CHARS``) it must come from the other words: "我失眠，想买点安眠药" ("I can't sleep, I'd like
        to buy some sleeping pills") is read as behavior with P 0.96 because the model learnt "安眠药" and "想买"
        from a suicide "tree hole", where every text is distress; without "安眠药" it reads no wish (P 0.39).
        So the lower of the two readings counts there. A longer post keeps the model's reading of the whole: it
        holds the writer's other words ("…my sleeping pills. can't wait for it all to end")."""
        text = _coerce_text(item.text)  # the text the rules read, whose characters the spans count
        if len(text) > SHORT_CHAT_CHARS or not rule.spans:
            return at_or_above
        blanked = list(text)
        for span in rule.spans:
            blanked[span.start : span.end] = " " * (span.end - span.start)
        without = self.model.score_texts([simplified("".join(blanked))]).at_or_above[0]  # read as in ``_assess``
        return [min(float(a), float(b)) for a, b in zip(at_or_above, without, strict=True)]

    def _add_model_evidence(
        self,
        results: list[Assessment],
        texts: list[str],
        scored: Scored,
        indices: list[int],
        spaced: Sequence[tuple[str, list[int]] | None],
    ) -> None:
        """Spans and ``ngram:`` reasons from the model's heaviest n-grams, for all ``indices`` in one pass; a span in
        a text read without the spacers of its letters (``spaced``) is put back on the letters as written."""
        try:
            found = self.model.explain_many(
                [texts[i] for i in indices],
                [scored.folded[i] for i in indices],
                [self.model.explaining_head(scored, i, results[i].level) for i in indices],
            )
        except Exception:  # noqa: BLE001 - evidence is an aid to the reader; the levels stand without it
            log.exception("model explanations failed; assessments kept without model spans")
            return
        for index, evidence in zip(indices, found, strict=True):
            if not evidence:
                continue
            result = results[index]
            reasons = [*result.reasons, *(f"{NGRAM}{item.ngram}" for item in evidence)]
            joined = spaced[index]
            spans = tuple(
                Span(item.start, item.end, f"model:{NGRAM}{item.ngram}")
                if joined is None
                else Span(joined[1][item.start], joined[1][item.end - 1] + 1, f"model:{NGRAM}{item.ngram}")
                for item in evidence
            )
            results[index] = replace(result, reasons=tuple(dict.fromkeys(reasons)), spans=spans)

    def _combine(
        self, item: TextInput, scored: Scored | None, index: int, rule: Assessment, probability_reasons: list[list[str]]
    ) -> Assessment:
        if scored is None or item.kind in RULES_ONLY_KINDS:
            return rule
        at_or_above = scored.at_or_above[index]
        model_level = LEVELS[int(scored.ranks[index])]
        level = model_level
        third_party = rule.third_party_level
        notes: list[str] = []
        long_post = len(item.text) > LONG_POST_CHARS
        about_other = (rule.support or rule.third_party_level > Level.NONE or _has(rule.reasons, _OTHER)) and (
            not long_post or rule.third_party_level >= model_level
        )
        short_search = item.kind == "search" and _too_short(scored.folded[index])  # "木炭 10斤"
        # what the short-chat heads alone raised a line to: behavior where the act head raised it, or the head and
        # its behavior head did; ideation where the head alone did
        wished, behaved, acted = (raised is not None and bool(raised[index]) for raised in scored.short_raised())
        planned = acted or behaved
        short_read = wished or planned
        head_level = Level.NONE
        if acted or wished:
            head_level = Level.BEHAVIOR if planned else Level.IDEATION
        # the behavior and act heads speak of how far: the caps for words set aside judge the reading of a wish
        wish_level = Level.IDEATION if planned else model_level
        # what the short-chat head itself raised (not its act head alone): what a Devanagari line needs
        deva_level = head_level if wished else Level.NONE
        # the heads' own reading stands against the means-alone and too-short caps, unless the line says too little
        heads_read = Level.IDEATION <= model_level <= head_level and not _says_little(scored.folded[index])
        if model_level > rule.level:
            if about_other:
                level = rule.level
                third_party = max(third_party, model_level, key=lambda value: value.rank)
                notes.append("hybrid:model_risk_read_as_about_someone_else")
            elif not long_post and (capped := _set_aside_cap(rule, wish_level, at_or_above)) is not None:
                level, note = capped
                notes.append(note)
            elif (
                rule.level is Level.INDICATOR
                and not long_post
                and means_only(rule.reasons)
                and not heads_read
                # A short search is capped whatever the model reads: no second reading for it.
                and (
                    short_search or (reading := self._beside_the_means(item, rule, at_or_above))[2] < CONFIDENT_BEHAVIOR
                )
            ):
                sure_of_a_wish = not short_search and reading[1] >= CONFIDENT_IDEATION
                level = min(model_level, Level.IDEATION) if sure_of_a_wish else Level.INDICATOR
                if level < model_level:  # a model sure of ideation alone keeps it: nothing was capped
                    notes.append("hybrid:means_words_alone_cap_model")
            # A line under twelve characters the four heads alone read as risk stays at indicator; a Chinese one of
            # four characters or more that the short-chat heads raised keeps what they read (session 25: on Chinese
            # lines nobody had read, 11 more of 710 risk messages, none more of 860 lookalikes and everyday lines):
            # they learnt short chat beside everyday chat.
            elif (
                rule.level is Level.NONE
                and _words_only(rule.reasons)
                and _too_short(scored.folded[index])
                and not heads_read
            ):
                level = Level.INDICATOR
                notes.append("hybrid:too_short_for_model_alone")
            elif rule.level is Level.NONE and not rule.reasons and _flood(scored.folded[index]):
                level = Level.INDICATOR
                notes.append("hybrid:flood_for_model_alone")
            elif rule.level is Level.NONE and not long_post and context_only(rule.reasons):
                level = Level.INDICATOR
                everyday = EVERYDAY in rule.reasons
                notes.append("hybrid:everyday_talk_caps_model" if everyday else "hybrid:shop_talk_caps_model")
            # The model knows Devanagari risk only from its 49 seed phrases and Devanagari at all only from those and
            # Facebook comments: on everyday chat written for Lifeguard in session 21 ("मैं खाना खा रहा हूं", "I'm
            # eating") it read 12 of 150 lines as ideation or above and 52 at indicator, on risk statements written
            # apart from the rules 2 of 150 as ideation where the rules found nothing, and indicator as often as on
            # the everyday lines. Its reading of Devanagari carries no signal the rules lack. The short-chat head's
            # does since session 24 (it learnt from 600 Devanagari risk lines and 250 everyday ones): a line it alone
            # raised to ideation keeps it (on Devanagari lines nobody had read, 67 more of 290 risk messages; one more
            # of 590 lookalikes and everyday lines, and one of 4,290 Facebook comments), and behavior where its
            # behavior head raised it further. Not the act head alone (session 25): it reads "मैंने X खरीद लिया है" ("I
            # have bought X") as an act whatever X is, vegetables or poison; it learnt few everyday Devanagari lines.
            if (
                rule.level is Level.NONE
                and level > Level.NONE
                and (not rule.reasons or context_only(rule.reasons))
                and mostly_devanagari(scored.folded[index])
                and not (Level.IDEATION <= level <= deva_level)
            ):
                level = Level.NONE
                notes.append("hybrid:devanagari_needs_rules")
        if rule.level > level:
            level = rule.level
            notes.append("hybrid:rules_raise")

        model_score = float(at_or_above[0] if level is Level.NONE else at_or_above[level.rank - 1])
        if level is rule.level and (notes or level is not model_level):
            score = max(rule.score, model_score) if level > Level.NONE else min(rule.score, model_score)
        else:
            score = model_score
        reasons: list[str] = [f"model:{self.model.version}", *([SHORT_CHAT_REASON] if short_read else [])]
        reasons.extend(probability_reasons[index])
        reasons.extend(rule.reasons)
        reasons.extend(notes)
        guessed = scored.langs[index] if scored.langs else None
        lang = rule.lang or self.model.language(item, scored.folded[index], guessed)
        return Assessment(
            level=level,
            score=round(score, 4),
            reasons=tuple(dict.fromkeys(reasons)),
            spans=rule.spans,
            detector=self._label,
            support=rule.support or third_party > Level.NONE,
            third_party_level=third_party,
            lang=lang,
        )
