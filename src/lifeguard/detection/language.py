"""Which scripts a text uses and which of the supported languages it most likely is.

Lexicons are chosen by script, not by the language guess: a Hinglish message that a platform tagged "en"
must still meet the Hinglish lexicon, and one Latin text is read with both the English and the Hinglish
lists. The guess is what the assessment reports as ``lang``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifeguard.detection.normalize import normalize_pattern
from lifeguard.detection.scripts import HAN_CLASS

SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh", "en", "hi", "hi-Latn")

_HAN = re.compile(f"[{HAN_CLASS}]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f\ua8e0-\ua8ff]")
_LATIN = re.compile(r"[a-z]")

# Frequent Hindi words in Latin script. Two distinct ones that are not English (or one next to an ambiguous
# one) make a Latin text Hinglish. The one list for the rules (here) and the model (``model.model``, which
# reads them as hashed word features).
HINGLISH_WORDS: frozenset[str] = frozenset(
    "hai hain nahi nahin nhi hoon hun mujhe mujhko mera meri mere tera teri kya kyun kyu yaar yar bhai raha rahi"
    " rha rhi kar karna karke kuch bahut bohot bohat sab aur lekin abhi bhi aaj kal jeena marna jana chahta"
    " chahti chahiye sakta sakti zindagi zindgi khatam khtm dost pyaar dil wala wali gaya gayi ho tha thi ke ki"
    " ka ko se main mai hum tum aap apna apni accha acha theek thik kaise kaisa kaun kab kahan nai mat bas toh"
    " to"
    # future and past verb forms, and everyday words, none of them English (each in at most 3 of 90,096 English
    # texts of the public sets): "zeher kha lunga", "main mar jaunga" were read as English
    " lunga lungi lega legi lenge dunga dungi dega degi denge jaunga jaungi jayega jayegi jaega jaegi karunga"
    " karungi karega karegi karenge hoga hogi honge rahunga rahungi marunga marungi kiya gaye hua hui gya gyi"
    " liya piya zeher jeene maut akela akeli pareshan dukhi dukh dard koi kuchh kyunki mein woh unko usko isko"
    " humko tumko mujhse apne sabko kisi rahe wale phir sirf bilkul kabhi agar matlab samajh pata chal chalo"
    " dekh dekho bata batao suno khana kha ghar paise logon ladki ladka bhaiya behen chhod thak"
    " khada khadi khade upar neeche"  # "main chhat pe khada hoon" was English (none in the English texts)
    # also English words, or frequent in English texts once folded ("log", "tab", "yeh", "mar")
    " wo jab tab fir bol rona log mar mara didi yeh".split()
)
# Markers that are also English words or names ("to", "main", "ho") only count beside a Hindi-only one.
HINGLISH_AMBIGUOUS: frozenset[str] = frozenset(
    {"to", "main", "mai", "ho", "hun", "jana", "kal", "bas", "mat", "dil", "sab", "kar", "hum", "nai"}
    | {"wo", "jab", "tab", "fir", "bol", "rona", "log", "mar", "mara", "didi", "yeh"}
    # Repeated letters are collapsed before matching, so "see" reads as "se", "app" as "aap" (ap), "hoon" as
    # "hon": as Hindi-only markers they made 2-17% of each English set's texts "Hinglish"
    | {"se", "aap", "mere", "hoon"}
)
# Compiled in normalised form ("hoon" is matched as "hon").
_HINGLISH_MARKERS = re.compile(normalize_pattern(r"\b(?:" + "|".join(sorted(HINGLISH_WORDS)) + r")\b"))
_AMBIGUOUS = frozenset(normalize_pattern(word) for word in HINGLISH_AMBIGUOUS)

_LANG_ALIASES: dict[str, str] = {
    "zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-hant": "zh", "zh-tw": "zh", "zh-hk": "zh", "cmn": "zh",
    "en": "en", "en-us": "en", "en-gb": "en", "en-in": "en",
    "hi": "hi", "hi-in": "hi", "hi-deva": "hi",
    "hi-latn": "hi-Latn", "hinglish": "hi-Latn", "hi-latn-in": "hi-Latn",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scripts:
    han: bool
    devanagari: bool
    latin: bool


def detect_scripts(normalized: str) -> Scripts:
    """Scripts present in an already normalised (case-folded) text."""
    return Scripts(
        han=_HAN.search(normalized) is not None,
        devanagari=_DEVANAGARI.search(normalized) is not None,
        latin=_LATIN.search(normalized) is not None,
    )


def mostly_devanagari(normalized: str) -> bool:
    """More Devanagari characters than Latin letters in an already normalised (case-folded) text."""
    devanagari = len(_DEVANAGARI.findall(normalized))
    return devanagari > 0 and devanagari > len(_LATIN.findall(normalized))


def looks_hinglish(normalized: str) -> bool:
    words = _HINGLISH_MARKERS.findall(normalized)
    distinct = set(words)
    hindi_only = distinct - _AMBIGUOUS
    return len(hindi_only) >= 2 or (len(hindi_only) >= 1 and len(distinct) >= 2)


def canonical_hint(hint: str | None) -> str | None:
    """Map a platform's BCP 47 tag onto a supported language, or None when it names none of them."""
    if not hint:
        return None
    key = hint.strip().replace("_", "-").lower()
    if key in _LANG_ALIASES:
        return _LANG_ALIASES[key]
    base = key.split("-", 1)[0]
    if base == "hi" and "latn" in key:
        return "hi-Latn"
    return _LANG_ALIASES.get(base)


def guess_language(normalized: str, hint: str | None = None) -> str:
    """The platform's hint when it names a supported language, otherwise a guess from the script."""
    hinted = canonical_hint(hint)
    if hinted is not None:
        return hinted
    han = len(_HAN.findall(normalized[:2000]))
    devanagari = len(_DEVANAGARI.findall(normalized[:2000]))
    if han and han >= devanagari:
        return "zh"
    if devanagari:
        return "hi"
    if looks_hinglish(normalized[:2000]):
        return "hi-Latn"
    return "en"
