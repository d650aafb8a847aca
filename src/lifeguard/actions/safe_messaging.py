"""The safe-messaging checker, run on every template and every free-text message before it is sent.

A message to a person at risk can harm: a named method or dose teaches, "committed"/"successful" frames death as a
deed or an achievement, blame deepens shame, sensational words normalise, a promise of secrecy can stop the help
that saves a life. And a message without a way to get help wastes the moment. ``check`` finds all of these and
returns a report; the caller refuses to send when ``ok`` is false (``report.raise_if_unsafe()``).

What counts as a method or a means is not repeated here: the detector's own lexicons (the method phrases and
means lists of zh, en, hi, hi-Latn) and the product catalogue (lethal-means names in four languages) are reused,
so a name added there is refused in outbound messages too. ``messaging_rules`` adds doses, heights, "you"-forms
and the other rules. The text is folded the detector's way first, so "c0mmitted su1cide" is caught as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from lifeguard.actions import messaging_rules
from lifeguard.actions.hotlines import Hotline, HotlineDirectory, hotlines_for
from lifeguard.detection.language import canonical_hint, detect_scripts
from lifeguard.detection.lexicon import CompiledLexicon, load_lexicons
from lifeguard.detection.normalize import NormalizedText, normalize, normalize_pattern
from lifeguard.detection.products.catalogue import Catalogue, fold, load_catalogue

# Detector term categories that name or seek a method (ideation words are fine: asking directly about suicide
# is recommended practice and does not raise risk).
METHOD_CATEGORIES = frozenset({"method", "method_plan", "method_seeking", "preparation", "in_progress"})
# Everyday medicines: naming them is only a method detail together with a quantity ("20 paracetamol").
QUANTITY_ONLY_MEANS = frozenset({"medication", "paracetamol", "antiemetic"})
_QUANTITY = re.compile(
    normalize_pattern(
        r"\d|[一二两三四五六七八九十几百千整满]|(?<![a-z])(a|one|two|three|few|many|all|whole|bottle|box|pack|packs"
        r"|strip|handful|dozen|kitni|kitne|saari|sari|ek)(?![a-z])|सारी|कितनी|कितने|एक"
    )
)
_CLAUSE_BREAK = re.compile(r"[.?!,;:\n。？！，；：、।]")
_QUANTITY_REACH = 16  # characters either side of a medicine name where a quantity makes it a dose
_EDGES: dict[str, tuple[str, str]] = {
    "latin": (r"(?<![a-z0-9'])", r"(?![a-z0-9])"),
    "han": ("", ""),
    "devanagari": (r"(?<![\u0900-\u0963\u0966-\u097f])", r"(?![\u0900-\u0963\u0966-\u097f])"),
}
_EXCERPT = 40


@dataclass(frozen=True, slots=True)
class Violation:
    code: str  # method_detail, suicide_framing, blame, sensational, secrecy, missing_help, empty
    message: str  # for the agent: what is wrong and what to say instead
    span: tuple[int, int] | None = None  # text[start:end] of the original text; None for what is missing


@dataclass(frozen=True, slots=True)
class SafetyReport:
    ok: bool
    violations: list[Violation] = field(default_factory=list)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(violation.code for violation in self.violations))

    @property
    def reason(self) -> str:
        return "; ".join(violation.message for violation in self.violations) if self.violations else "ok"

    def raise_if_unsafe(self) -> None:
        if not self.ok:
            raise UnsafeMessageError(self)


class UnsafeMessageError(ValueError):
    """Raised by the sender when a message failed the check; the message says why, for the agent to fix."""

    def __init__(self, report: SafetyReport) -> None:
        self.report = report
        super().__init__(f"message blocked by the safe-messaging check: {report.reason}")


@dataclass(frozen=True, slots=True)
class _Found:
    code: str
    start: int  # in the normalised text
    end: int


class _Rules:
    """Everything compiled once: rule phrases, detector lexicons and catalogue names. Read-only afterwards."""

    def __init__(self, lexicons: list[CompiledLexicon], catalogue: Catalogue) -> None:
        self.lexicons = lexicons
        self.rules = {
            code: {script: _compile(patterns, script) for script, patterns in by_script.items()}
            for code, by_script in messaging_rules.RULES.items()
        }
        self.offers = {script: _compile(p, script) for script, p in messaging_rules.OFFER_TO_CONNECT.items()}
        latin: dict[str, str] = {}
        other: dict[str, str] = {}
        for entry in catalogue.entries.values():
            quantity_only = entry.means in QUANTITY_ONLY_MEANS
            for name in (name for group in entry.names.values() for name in group):
                folded = fold(name)
                (latin if folded.isascii() else other)[folded] = "quantity" if quantity_only else "always"
        self.catalogue_kind = {**latin, **other}
        self.catalogue_latin = _names_regex(latin, plural=True)
        self.catalogue_other = _names_regex(other, plural=False)


def _compile(patterns: tuple[str, ...], script: str) -> re.Pattern[str]:
    before, after = _EDGES[script]
    body = "|".join(f"(?:{normalize_pattern(pattern)})" for pattern in patterns)
    return re.compile(f"{before}(?:{body}){after}")


def _names_regex(names: dict[str, str], *, plural: bool) -> re.Pattern[str] | None:
    if not names:
        return None
    body = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    if plural:
        return re.compile(rf"(?<![a-z0-9])({body})(?:e?s)?(?![a-z0-9])")
    return re.compile(f"({body})")


@lru_cache(maxsize=1)
def _default_rules() -> _Rules:
    return _Rules(load_lexicons(), load_catalogue())


def check(
    text: str,
    *,
    lang: str | None,
    region: str | None,
    require_help: bool = True,
    directory: HotlineDirectory | None = None,
) -> SafetyReport:
    """Check one outbound message for a person in ``region`` who reads ``lang``.

    ``require_help`` asks for a way to get help: a number or a named service of the region's hotlines (the
    directory's fallback when the region is unknown), or an explicit offer to connect the person with help. A
    reply inside an ongoing chat may be checked with ``require_help=False``.
    """
    language = canonical_hint(lang) or "en"
    if not isinstance(text, str) or not text.strip():
        return SafetyReport(ok=False, violations=[Violation("empty", "the message is empty")])
    rules = _default_rules()
    normalized = normalize(text)
    scripts = detect_scripts(normalized.text)
    present = {"latin": scripts.latin, "han": scripts.han, "devanagari": scripts.devanagari}

    found: list[_Found] = []
    for code, by_script in rules.rules.items():
        for script, regex in by_script.items():
            if present[script]:
                found.extend(
                    _Found(code, m.start(), m.end()) for m in regex.finditer(normalized.text) if m.end() > m.start()
                )
    found.extend(_method_hits(normalized.text, rules, present))

    violations = [_violation(item, text, normalized, language) for item in _merge(found)]
    if require_help:
        hotlines = hotlines_for(region, language, directory=directory)
        if not _offers_help(text, normalized.text, hotlines, rules, present):
            violations.append(_missing_help(hotlines, language))
    return SafetyReport(ok=not violations, violations=violations)


def _method_hits(folded: str, rules: _Rules, present: dict[str, bool]) -> list[_Found]:
    """Method phrases and means from the detector's lexicons and the product catalogue."""
    hits: list[_Found] = []
    for lexicon in rules.lexicons:
        if not present.get(lexicon.script, False):
            continue
        masked = [(hit.start, hit.end) for hit in lexicon.masks.finditer(folded)]
        for hit in lexicon.terms.finditer(folded):
            inside_mask = any(start <= hit.start and hit.end <= end for start, end in masked)
            if hit.entry.category in METHOD_CATEGORIES and not inside_mask:
                hits.append(_Found("method_detail", hit.start, hit.end))
        for hit in lexicon.means.finditer(folded):
            if hit.entry.means not in QUANTITY_ONLY_MEANS or _has_quantity(folded, hit.start, hit.end):
                hits.append(_Found("method_detail", hit.start, hit.end))
    for regex in (rules.catalogue_latin, rules.catalogue_other):
        if regex is None:
            continue
        for match in regex.finditer(folded):
            kind = rules.catalogue_kind.get(match.group(1), "always")
            if kind == "always" or _has_quantity(folded, match.start(), match.end()):
                hits.append(_Found("method_detail", match.start(), match.end()))
    return hits


def _has_quantity(folded: str, start: int, end: int) -> bool:
    # Only within the same clause: "take your medicine? call 988" is not a dose of 988.
    before = _CLAUSE_BREAK.split(folded[max(0, start - _QUANTITY_REACH) : start])[-1]
    after = _CLAUSE_BREAK.split(folded[end : end + _QUANTITY_REACH])[0]
    return _QUANTITY.search(before) is not None or _QUANTITY.search(after) is not None


def _merge(found: list[_Found]) -> list[_Found]:
    """One finding per code and place: a span inside another of the same code adds nothing."""
    kept: list[_Found] = []
    for item in sorted(found, key=lambda f: (f.start, -f.end, f.code)):
        if any(k.code == item.code and k.start <= item.start and item.end <= k.end for k in kept):
            continue
        kept.append(item)
    return kept


def _violation(item: _Found, text: str, normalized: NormalizedText, language: str) -> Violation:
    start, end = normalized.original_span(item.start, item.end)
    excerpt = text[start:end][:_EXCERPT]
    suggestion = _suggestion(item.code, language)
    return Violation(item.code, f"{messaging_rules.DESCRIPTIONS[item.code]} ({excerpt!r}): {suggestion}", (start, end))


def _suggestion(code: str, language: str) -> str:
    by_lang = messaging_rules.SUGGESTIONS[code]
    return by_lang.get(language, by_lang["en"])


def _missing_help(hotlines: list[Hotline], language: str) -> Violation:
    names = ", ".join(
        f"{h.name_for(language)} {h.numbers[0]}" if h.numbers else h.name_for(language) for h in hotlines[:3]
    )
    message = f"{messaging_rules.DESCRIPTIONS['missing_help']}: {_suggestion('missing_help', language)}"
    return Violation("missing_help", message.replace("{hotlines}", names), None)


def _offers_help(text: str, folded: str, hotlines: list[Hotline], rules: _Rules, present: dict[str, bool]) -> bool:
    plain = unicodedata.normalize("NFKC", text).casefold()
    for hotline in hotlines:
        if any(regex.search(plain) for regex in _help_patterns(hotline)):
            return True
    return any(present[script] and regex.search(folded) for script, regex in rules.offers.items())


@lru_cache(maxsize=512)
def _help_patterns(hotline: Hotline) -> tuple[re.Pattern[str], ...]:
    """How a message may point at this line: any of its numbers (however spaced) or any of its names."""
    patterns: list[re.Pattern[str]] = []
    for contact in hotline.contacts:
        digits = contact.digits.lstrip("+")
        if digits:
            body = r"[ \-.()\u00a0]{0,3}".join(digits)
            patterns.append(re.compile(rf"(?<!\d){body}(?!\d)"))
        else:
            host = re.sub(r"^https://(www\.)?", "", contact.value).split("/", 1)[0].casefold()
            patterns.append(re.compile(re.escape(host)))
    for name in hotline.names:
        folded = unicodedata.normalize("NFKC", name).casefold()
        before = r"(?<![a-z0-9])" if folded[:1].isascii() and folded[:1].isalnum() else ""
        after = r"(?![a-z0-9])" if folded[-1:].isascii() and folded[-1:].isalnum() else ""
        patterns.append(re.compile(f"{before}{re.escape(folded)}{after}"))
    return tuple(patterns)
