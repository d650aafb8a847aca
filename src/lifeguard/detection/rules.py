"""Combining the hits of one person (the writer, or someone the writer talks about) into a level.

The lexicon says what each expression signals on its own; these rules say what they mean together,
following the C-SSRS ladder: a method named by someone who wishes to die is behavior, a plan or intention
tied to a time or place is an imminent attempt, a past wish is lower than a present one, and a past
attempt stays an attempt unless the writer says they have recovered and nothing current is said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lifeguard.detection.context import TextContext
from lifeguard.detection.levels import Level
from lifeguard.detection.lexicon import Hit
from lifeguard.detection.reasons import MEANS_RULE_ID

# Categories that state an intention or a step towards acting: a time or place next to them is imminence.
_ACTIONABLE = frozenset({"intent", "method_plan", "preparation", "goodbye", "method_seeking", "in_progress"})
_WISH = frozenset({"ideation", "intent"})
# Substances nobody swallows for a good reason: asking how much to drink is already a lethality question.
# For medicines, "how many per night" is ordinary pharmacy talk; only words of death make it one.
_POISONS = frozenset({"pesticide", "poison"})
# Means too often named in a story, a hobby or a game to raise a level alone (strength 0), that are a method
# beside a wish to die: "i have a gun and i want to die".
METHOD_BESIDE_A_WISH = frozenset({"firearm"})
# What makes charcoal a kit for burning it in a closed room: tape or foam to seal it, a basin or brazier to burn
# it in, sleeping pills to sleep through it. The first of them alphabetically names the sign.
_CHARCOAL_KIT = frozenset({"sealing", "brazier", "sedative"})
# How near the charcoal a closed space or a sealed door or window must be named.
_KIT_REACH = 40
# Score bands per level: higher levels always score higher; more evidence moves a score up inside its band.
SCORE_BANDS: dict[Level, tuple[float, float]] = {
    Level.NONE: (0.0, 0.0),
    Level.INDICATOR: (0.25, 0.45),
    Level.IDEATION: (0.5, 0.7),
    Level.BEHAVIOR: (0.72, 0.88),
    Level.ATTEMPT: (0.9, 0.99),
}


@dataclass(slots=True)
class Fused:
    level: Level = Level.NONE
    rules: list[str] = field(default_factory=list)
    evidence: int = 0  # distinct pieces of evidence behind the level
    cue_spans: list[tuple[int, int, str]] = field(default_factory=list)  # time/place cues that raised it


def _raise(fused: Fused, level: Level, rule: str) -> None:
    if rule not in fused.rules:
        fused.rules.append(rule)
        fused.evidence += 1
    if level > fused.level:
        fused.level = level


def fuse(current: list[Hit], past: list[Hit], context: TextContext, recovered: bool) -> Fused:
    """Level of one person from the hits that are theirs: ``current`` (present tense) and ``past``."""
    fused = Fused()
    for hit in current:
        entry = hit.entry
        if entry.kind == "means":
            if entry.strength > 0:
                _raise(fused, Level.INDICATOR, f"{MEANS_RULE_ID}{entry.means}")
            continue
        _raise(fused, entry.level, entry.rule)
    means_kinds = {hit.entry.means for hit in current if hit.entry.kind == "means"}
    wishes = [hit for hit in current if hit.entry.category in _WISH]
    sealed_charcoal: list[Hit] = []
    kit = sorted(means_kinds & _CHARCOAL_KIT) if "charcoal" in means_kinds else []
    charcoal = [hit for hit in current if hit.entry.means == "charcoal"]
    # Doors and windows shut or sealed beside the charcoal ("我想关上门窗", "the windows are taped").
    shut_in = [hit for hit in charcoal if context.near("shut_in", hit, reach=_KIT_REACH) is not None]
    if kit:
        # Charcoal with tape or foam to seal a room, or with the basin to burn it in, is the classic
        # preparation for 烧炭. Bought together it is a sign (a barbecue, a parcel to tape up, a brazier for the
        # winter are possible); with a closed space to be sealed or used ("do it in the car", "门窗也封好了",
        # "木炭拿到宾馆了") or a wish to die, it is preparation. Charcoal beside sleeping pills has no everyday
        # reading: it is preparation as it stands ("订购了木炭…安眠药也开好了").
        _raise(fused, Level.INDICATOR, f"{MEANS_RULE_ID}charcoal_with_{kit[0]}")
        if (
            wishes
            or "sedative" in kit
            or shut_in
            or any(context.near("enclosed", hit, reach=_KIT_REACH) is not None for hit in charcoal)
        ):
            _raise(fused, Level.BEHAVIOR, "behavior.charcoal_preparation")
            sealed_charcoal = charcoal
    elif shut_in:
        # Without the rest of a kit, doors and windows shut or sealed are the rest of it ("木炭能在室内烧吗，我想关上门
        # 窗"). Not a room or a car only named ("木炭买好了 今晚在车里睡" reads as car camping too): that needs a kit.
        _raise(fused, Level.BEHAVIOR, "behavior.charcoal_preparation")
        sealed_charcoal = shut_in

    for hit in past:
        if hit.entry.category == "attempt_past" and not (recovered and not current):
            # A past attempt disclosed is an attempt on the C-SSRS, unless it is told as a recovery story.
            _raise(fused, Level.ATTEMPT, hit.entry.rule)
        elif hit.entry.category == "attempt_past":
            _raise(fused, Level.INDICATOR, "indicator.past_attempt_recovered")
        elif hit.entry.kind == "term" and hit.entry.level > Level.INDICATOR:
            _raise(fused, Level.INDICATOR, "indicator.past_ideation")
        elif hit.entry.kind == "term":
            _raise(fused, Level.INDICATOR, hit.entry.rule)

    methods = [
        hit
        for hit in current
        if hit.entry.category == "method"
        or (hit.entry.kind == "means" and (hit.entry.strength >= 1 or hit.entry.means in METHOD_BESIDE_A_WISH))
    ]
    if wishes and methods:
        _raise(fused, Level.BEHAVIOR, "behavior.method_with_ideation")

    lethal_questions = [
        hit
        for hit in current
        if (hit.entry.kind == "means" or hit.entry.category == "method")
        and hit.entry.means not in METHOD_BESIDE_A_WISH  # "a loaded gun can kill a person": what guns do, not a dose
        and _asks_lethality(hit, context)
    ]
    # A method with a time in the same clause is a plan ("明天晚上跳楼", "tonight ... overdose").
    timed_methods = [hit for hit in methods if hit.entry.kind == "term" and _time_in_clause(hit, context)]
    if timed_methods:
        _raise(fused, Level.BEHAVIOR, "behavior.method_with_time")
    if lethal_questions:
        _raise(fused, Level.BEHAVIOR, "behavior.lethality_question")
    # A wish to die said by someone at a place to die from ("我在楼顶，不想活了", "i'm on the bridge and i want to
    # die", "main chhat pe khada hoon, ab nahi jeena"), or with such a place in its own clause ("…i've gone down to
    # the bridge once already…"): the place is the plan. Not a place named in another clause ("我在5楼上班，累得不想活
    # 了", "at the lake this weekend, this heat makes me want to die"). Behavior, not attempt: only a method or an
    # act said there makes it imminent.
    for hit in wishes:
        span = context.near("ledge", hit) or context.cue_in(
            "place", *context.clause(hit.start), exclude=(hit.start, hit.end)
        )
        if span is not None:
            _raise(fused, Level.BEHAVIOR, "behavior.wish_at_a_place")
            fused.cue_spans.append((span[0], span[1], "rule:behavior.wish_at_a_place"))
            break

    actionable = [hit for hit in current if hit.entry.category in _ACTIONABLE]
    if fused.level >= Level.BEHAVIOR or wishes:
        actionable += methods + lethal_questions
    actionable += timed_methods + sealed_charcoal
    for hit in actionable:
        for cue, rule in (("time", "attempt.imminent_time"), ("place", "attempt.imminent_place")):
            span = context.near(cue, hit, inside=cue == "time")
            if span is not None:
                _raise(fused, Level.ATTEMPT, rule)
                fused.cue_spans.append((span[0], span[1], f"rule:{rule}"))
    return fused


def _asks_lethality(hit: Hit, context: TextContext) -> bool:
    """Talk of how lethal ("would it kill me", "吃这么多不会死吧", "it won't kill me": negated or not), or, for a
    poison, of drinking or swallowing it; a negated act ("我不会喝农药的", "I won't drink the pesticide") is
    a refusal, not a question."""
    if context.near("lethal_question", hit, reach=12) is not None:
        return True
    if hit.entry.means not in _POISONS:
        return False
    found = context.near("dose_question", hit, reach=12)
    if found is None or context.cue_negated(found, hit):
        return False
    # "how much pesticide per acre", "ek acre mein kitna keetnashak dalna hai", "how much is the rat poison",
    # "rat poison kitne ka hai": a quantity for a field, a pest or a tank, or a price, unless someone is to drink
    # or swallow it.
    return context.near("not_a_dose", hit) is None or context.near("ingestion", hit, reach=12) is not None


def _time_in_clause(hit: Hit, context: TextContext) -> bool:
    clause_start, clause_end = context.clause(hit.start)
    return context.cue_in("time", clause_start, clause_end, exclude=(hit.start, hit.end)) is not None


def score(level: Level, evidence: int) -> float:
    """Monotone in evidence: the band's floor for one piece, approaching its ceiling with more."""
    low, high = SCORE_BANDS[level]
    if level is Level.NONE:
        return 0.0
    extra = max(0, evidence - 1)
    return round(low + (high - low) * (1.0 - 0.6**extra), 4)
