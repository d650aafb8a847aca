"""A report about someone else, retold in that person's own words.

The detectors learnt risk from what people write about themselves: "I keep thinking nobody would notice if I was
gone" is ideation to them, "my friend keeps saying nobody would notice if he was gone" is nothing. A friend's, a
parent's or a teacher's report is how a platform most often hears of someone else at risk, so the hybrid reads such
a report a second time as the person it is about would have said it: the third person who is its subject becomes
the first ("my friend" and "he" become "I", "his" "my", "wants" "want"), the writer's own words become the second
person ("I" -> "you", so that the writer's risk is not retold as someone else's), and what the detectors find in that
retelling is that person's risk, never the writer's (``HybridDetector``).

Who counts as a third person is the lexicons' own ``third`` markers, so the retelling and the rules that find whose
risk a phrase is agree. Each language has its first-person forms and, where its verbs agree with their subject, the
few agreements risk words hang on ("is" -> "am", "hai" -> "hoon", "है" -> "हूं", a future "-ega" -> "-unga").
The retelling is for the detectors, not for anyone to read: "i told me i want to die" is good enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from lifeguard.detection.lexicon import load_lexicon_data

_LEXICON_OF = {"en": "en", "zh": "zh", "hi": "hi", "hi-Latn": "hi_latn"}

# English: a third person's pronoun as the first person's; any other third-person marker ("my friend", "a user") is
# the subject "i". The writer's own words move out of the way, to the second person ("i" -> "you", "my" -> "your"):
# "my friend took my pills away but i know where she hid them" retold is no one's risk, not the friend's. So does a
# third person as an object ("him", "them"; "use", "उसे"): "better off without him" and "use mar jaana chahiye" (an
# insult: "he should die") are about someone, not that someone's own words.
_EN_THIRD = {
    "he": "i", "she": "i", "they": "i", "his": "my", "their": "my", "her": "my", "him": "you", "them": "you",
    "he's": "i'm", "she's": "i'm", "hes": "im", "shes": "im", "they're": "i'm", "theyre": "im",
    "he'd": "i'd", "she'd": "i'd", "they'd": "i'd", "he'll": "i'll", "she'll": "i'll", "they'll": "i'll",
    "someone i know": "i", "somebody i know": "i",
}  # fmt: skip
# A contraction the markers split ("she" + "'s", "they" + "'re"; "my sister" + "'s locked in"): the contracted "is"
# more often than a possessive.
_EN_SPLIT_CONTRACTION = re.compile(r"\bi'(s|re)\b")
_EN_SELF = {
    "i": "you", "i'm": "you're", "im": "youre", "i've": "you've", "ive": "youve", "i'd": "you'd", "i'll": "you'll",
    "me": "you", "my": "your", "myself": "yourself", "mine": "yours", "we": "you", "us": "you", "our": "your",
}  # fmt: skip
_EN_REFLEXIVE = re.compile(r"\b(himself|herself|themselves|themself)\b")
# "i <verb>s" after the subject changed: the verb agrees again ("wants" -> "want", "wishes" -> "wish", "tries" -> "try")
_EN_AGREEMENT = {
    "is": "am", "isn't": "am not", "isnt": "am not", "has": "have", "hasn't": "haven't", "hasnt": "havent",
    "does": "do", "doesn't": "don't", "doesnt": "dont", "says": "say",
}  # fmt: skip
_EN_THIRD_VERB = re.compile(r"\b(i|i (?:just|really|always|still|never|even|also|now|keep|kept)) ([a-z']+)\b")
_EN_NOT_VERBS = frozenset({"this", "plus", "always"})  # shorter words and "-ss" are never taken for verbs
_HI_LATN_THIRD = {
    "usne": "maine", "unhone": "maine", "uska": "mera", "unka": "mera", "uski": "meri", "unki": "meri",
    "uske": "mere", "unke": "mere", "usko": "tumko", "use": "tumhe", "unko": "tumko",
    "wo": "main", "woh": "main", "vo": "main", "voh": "main",
}  # fmt: skip
_HI_LATN_SELF = {
    "main": "tum", "mai": "tum", "mujhe": "tumhe", "mujhko": "tumko", "mereko": "tumko", "maine": "tumne",
    "mene": "tumne", "mainne": "tumne", "humne": "tumne", "hamne": "tumne", "mera": "tumhara", "meri": "tumhari",
    "mere": "tumhare", "hum": "tum", "humko": "tumko", "hume": "tumhe",
}  # fmt: skip
_HI_THIRD = {
    "उसने": "मैंने", "उन्होंने": "मैंने", "उसका": "मेरा", "उनका": "मेरा", "उसकी": "मेरी", "उनकी": "मेरी", "उसके": "मेरे",
    "उसको": "तुमको", "उसे": "तुम्हें", "वह": "मैं", "वो": "मैं", "वे": "मैं",
}  # fmt: skip
_HI_SELF = {
    "मैं": "तुम", "मै": "तुम", "मुझे": "तुम्हें", "मुझको": "तुमको", "मैंने": "तुमने", "मैने": "तुमने", "हमने": "तुमने",
    "मेरा": "तुम्हारा", "मेरी": "तुम्हारी", "मेरे": "तुम्हारे", "हम": "तुम", "हमें": "तुम्हें",
}  # fmt: skip


_ZH_SELF = {"我们": "你们", "我": "你", "俺": "你", "本人": "你", "咱": "你"}


def _swap(markers: re.Pattern[str], text: str, third: dict[str, str], mine: dict[str, str], subject: str) -> str:
    """Every third-person marker as the first person (a pronoun by ``third``, any other, "my friend", by
    ``subject``), every first-person one as the second (by ``mine``; one it does not list stays as written)."""

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        if match.group("third") is not None:
            return third.get(found.casefold(), subject)
        return mine.get(found.casefold(), found)

    return markers.sub(swap, text)


@cache
def _person_markers(lang: str) -> re.Pattern[str]:
    """The lexicon's third-person markers (group ``third``), then its first-person ones (group ``self``): at "我朋友"
    or "my friend" the third person wins, as in the rules."""
    markers = load_lexicon_data(_LEXICON_OF[lang])["markers"]
    third = "|".join(f"(?:{pattern})" for pattern in markers["third"])
    mine = "|".join(f"(?:{pattern})" for pattern in markers["self"])
    if lang in ("en", "hi-Latn"):
        return re.compile(f"(?<![a-z'])(?:(?P<third>{third})|(?P<self>{mine}))(?![a-z])", re.IGNORECASE)
    return re.compile(f"(?P<third>{third})|(?P<self>{mine})")


def _english(text: str, markers: re.Pattern[str]) -> str:
    told = _EN_REFLEXIVE.sub("\x00", text.casefold().replace("’", "'"))  # "himself" once the writer's "myself" moved
    told = _swap(markers, told, _EN_THIRD, _EN_SELF, "i").replace("\x00", "myself")
    told = _EN_SPLIT_CONTRACTION.sub("i'm", told).replace("you'm", "you're")  # the writer's "i" + "'m" moved too

    def agree(match: re.Match[str]) -> str:
        subject, verb = match.group(1), match.group(2)
        if verb in _EN_AGREEMENT:
            return f"{subject} {_EN_AGREEMENT[verb]}"
        if verb in _EN_NOT_VERBS or len(verb) < 4 or not verb.endswith("s") or verb.endswith("ss"):
            return match.group(0)
        if verb.endswith("ies"):
            return f"{subject} {verb[:-3]}y"
        if verb.endswith(("shes", "ches", "xes", "zes", "oes")):
            return f"{subject} {verb[:-2]}"
        return f"{subject} {verb[:-1]}"

    return _EN_THIRD_VERB.sub(agree, told)


def _romanized_hindi(text: str, markers: re.Pattern[str]) -> str:
    told = _swap(markers, text.casefold(), _HI_LATN_THIRD, _HI_LATN_SELF, "main")
    told = re.sub(r"\bmain ne\b", "maine", told)
    told = re.sub(r"\b(hai|he|h)\b", "hoon", told)
    return re.sub(r"\b([a-z]+?)(?:ye|e)(ga|gi)\b", lambda m: f"{m.group(1)}un{m.group(2)}", told)


def _hindi(text: str, markers: re.Pattern[str]) -> str:
    told = _swap(markers, text, _HI_THIRD, _HI_SELF, "मैं").replace("मैं ने", "मैंने")
    told = re.sub("(?<![\u0900-\u097f])(है|हैं)(?![\u0900-\u097f])", "हूं", told)
    for ending, mine in (("ेगा", "ूंगा"), ("ेगी", "ूंगी"), ("एगा", "ऊंगा"), ("एगी", "ऊंगी")):
        told = re.sub(f"{ending}(?![\u0900-\u097f])", mine, told)
    return told


def _chinese(text: str, markers: re.Pattern[str]) -> str:
    return _swap(markers, text, {}, _ZH_SELF, "我")


_RETELL: dict[str, Callable[[str, re.Pattern[str]], str]] = {
    "en": _english,
    "hi-Latn": _romanized_hindi,
    "hi": _hindi,
    "zh": _chinese,
}


def in_their_words(text: str, lang: str | None) -> str | None:
    """``text`` retold with its third person as the first, or None when it names no third person (or its language
    has no retelling)."""
    retell = _RETELL.get(lang or "")
    if retell is None:
        return None
    markers = _person_markers(lang or "")
    if not any(match.group("third") is not None for match in markers.finditer(text)):
        return None
    told = retell(text, markers)
    return told if told != text else None
