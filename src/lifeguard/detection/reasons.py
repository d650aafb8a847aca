"""The reason strings the rules write and the hybrid and the fusion read.

A detector explains each level with reasons such as ``rule:behavior.method_plan``, ``negated:zh:想死`` or
``context:commerce``. The rule-and-lexicon detector writes them from the prefixes below; the hybrid (its caps
on the model) and the fusion (its means cues) read them with the same names. One place, so that a prefix
renamed on one side cannot silently stop a cap or a cue on the other.
"""

from __future__ import annotations

from collections.abc import Iterable

RULE = "rule:"  # + a rule id: "rule:behavior.method_plan"
NEGATED = "negated:"  # + lang:term, a risk word set aside as negated ("I don't want to die")
ADDRESSEE = "addressee:"  # + lang:term, said to someone ("you want to die?")
PAST = "past:"  # + lang:term, the person's own risk, told as past
THIRD_PARTY = "third_party:"  # + what was read as someone else's risk
IDIOM = "idiom:"  # + lang:words, a masked idiom or hyperbole ("笑死我了")
OTHER_DIRECTED = "other_directed:"  # + lang:words, a curse or threat at someone else ("kill yourself")
COMMERCE = "context:commerce"  # the text reads as shop talk
EVERYDAY = "context:everyday"  # a short text about ordinary plans: work, school, a trip, a move, a meal
MEANS = "means:"  # + a means ("means:blade"): a product named that can be a means
TERM = "term:"  # + lang:term, a lexicon entry found
NGRAM = "ngram:"  # + an n-gram of the text, one the model weighed most
SHORT_CHAT_REASON = "model:short_chat"  # the model's short-chat head raised this chat line's P(level >= ideation)
# Reasons that quote the person's own words rather than name a rule or a lexicon entry: the model's n-grams and
# the idioms, curses and negations a mask set aside. They go with the words when a case is anonymised.
QUOTING = (NGRAM, IDIOM, OTHER_DIRECTED, NEGATED)

MEANS_RULE_ID = "indicator.means."  # + a means ("indicator.means.pesticide"): a means word, no intent
DISTRESS_RULE_ID = "indicator.distress"  # distress words, no wish to die
DISTRESS_ONLY = f"{RULE}{DISTRESS_RULE_ID}"


def rule(rule_id: str) -> str:
    return f"{RULE}{rule_id}"


def means_only(reasons: Iterable[str]) -> bool:
    """True when every rule behind a level is a means word alone (a product name without intent)."""
    rules = [reason for reason in reasons if reason.startswith(RULE)]
    return bool(rules) and all(reason.startswith(f"{RULE}{MEANS_RULE_ID}") for reason in rules)


def context_only(reasons: Iterable[str]) -> bool:
    """True when the reasons say shop talk or everyday chat, with nothing beside them but products named (a level
    of none: "刀片能发顺丰吗 急用 今晚就要")."""
    listed = set(reasons)
    return bool(listed & {COMMERCE, EVERYDAY}) and all(
        reason in (COMMERCE, EVERYDAY) or reason.startswith((MEANS, TERM)) for reason in listed
    )


def without_quotes(reasons: Iterable[str]) -> list[str]:
    """The reasons that name rules, lexicon entries, means and corrections, without those that quote the text
    (also when told of someone else: ``third_party:idiom:...``)."""
    return [reason for reason in reasons if not reason.removeprefix(THIRD_PARTY).startswith(QUOTING)]
