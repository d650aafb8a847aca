"""One signal, read for fusion: whose words, what level, what means, what time and place, what look-alike context.

``observe`` turns an event payload and its text assessment into an ``Observation``: small, plain, JSON-safe,
and independent of the person's history, so that the same observation always folds the same way. It never
raises on an odd payload: the API validates events, but fusion must cope with whatever reaches it (a missing
field is just absent, an absurd quantity is clamped, an unknown product is not matched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from lifeguard.detection.assessment import Assessment
from lifeguard.detection.fusion.cues import PlaceCue, TimeCue, find_contexts, find_place, find_time
from lifeguard.detection.fusion.seeking import find_seeking
from lifeguard.detection.levels import Level
from lifeguard.detection.products.catalogue import Catalogue, Strength, fold
from lifeguard.detection.reasons import IDIOM, MEANS, means_only
from lifeguard.detection.scripts import HAN_CLASS

WORD_KINDS = frozenset({"message", "post", "comment", "search"})
MEDICINES = frozenset({"sedative", "paracetamol", "prescription_drug", "antiemetic"})
MAX_TEXT = 5000  # cues and names are looked for in the first characters only: bounded cost per signal
MAX_ITEMS = 200
# The text detector's names for means kinds, where they differ from the catalogue's.
_DETECTOR_MEANS = {"rope": "ligature"}
_UNMATCHED_BULK = 20  # an everyday product bought this many at once is worth noting, for a link to words
# Platforms sometimes send UTC for local events; a locale then tells the clock people live by.
_LOCALE_OFFSET_MIN = {"zh": 480, "zh-cn": 480, "zh-hans": 480, "hi": 330, "hi-in": 330, "en-in": 330, "hi-latn": 330}
_TOKEN_LATIN = re.compile(r"[a-z]{4,}")
_TOKEN_DEVANAGARI = re.compile(r"[\u0900-\u097f]{2,}")
_HAN_RUN = re.compile(f"[{HAN_CLASS}]{{2,}}")
# Bigrams that chat and product titles share without meaning the same thing.
_STOP_BIGRAMS = frozenset(
    "一个 我们 自己 什么 没有 这个 那个 可以 知道 现在 今天 明天 时候 真的 就是 不是 还是 已经 一下 东西 一起 "
    "包邮 正品 "
    "新款 官方 旗舰 家用 特价 大号 小号 加厚 组合 套装 一件 一箱 一袋 我的 你的 他们 我要 想要 不想 活着 不了 了吧 "
    "好累 觉得 感觉 为什么 怎么 如果 因为 所以 但是 然后".split()
)
_STOP_WORDS = frozenset(
    "this that with from have want will just them they their there what when your about would could really "
    "going gonna after before pack size free ship shipping pieces pcs large small extra best sale original "
    "new value family kids home life dont cant im".split()
)


@dataclass(frozen=True, slots=True)
class MeansSeen:
    """A lethal means in this signal: bought, sought (asked where to buy) or only named."""

    means: str
    entry: str
    strength: Strength  # this signal alone: bulk counted, not yet pairs, repeats or context
    how: str  # order, seeking (asked where to get it), named (mentioned in words)
    order_key: str = ""  # distinct orders (platform, merchant, order id) for "repeated attempts"
    multiple: float = 0.0  # households' worth (1.0 at the household threshold)
    pairs: tuple[tuple[str, int, float], ...] = ()  # (partner kind or cue:<kind>, strength, window hours)

    @property
    def acquired(self) -> bool:
        return self.how in ("order", "seeking")


@dataclass(frozen=True, slots=True)
class Observation:
    signal_id: str
    kind: str
    at: int  # occurred_at, seconds since the epoch (UTC)
    words_level: Level = Level.NONE  # the subject's own words (or their self-report); NONE when not theirs
    words_score: float = 0.0
    method_seeking: bool = False  # the level comes (at least partly) from asking how to die
    reasons: tuple[str, ...] = ()
    means: tuple[MeansSeen, ...] = ()
    time_cue: TimeCue | None = None  # relative to ``at``
    place_cue: PlaceCue | None = None
    contexts: tuple[str, ...] = ()  # writing, joke, ordinary:<means>
    reporter_kind: str = ""  # for reports by someone else
    reporter_id: str = ""
    reported_level: Level = Level.NONE
    tokens: tuple[str, ...] = ()  # content words, to link a product named in words to an order
    catalogue_version: int = 0

    @property
    def occurred_at(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)

    @property
    def is_report(self) -> bool:
        return bool(self.reporter_kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.signal_id,
            "kind": self.kind,
            "at": self.at,
            "wl": self.words_level.value,
            "ws": self.words_score,
            "ms": self.method_seeking,
            "r": list(self.reasons),
            "m": [
                [m.means, m.entry, int(m.strength), m.how, m.order_key, m.multiple, [list(p) for p in m.pairs]]
                for m in self.means
            ],
            "t": [self.time_cue.phrase, self.time_cue.start_min, self.time_cue.end_min] if self.time_cue else None,
            "p": [self.place_cue.phrase, self.place_cue.kind] if self.place_cue else None,
            "c": list(self.contexts),
            "rk": self.reporter_kind,
            "ri": self.reporter_id,
            "rl": self.reported_level.value,
            "tk": list(self.tokens),
            "cv": self.catalogue_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        time = data.get("t")
        place = data.get("p")
        return cls(
            signal_id=str(data["id"]),
            kind=str(data["kind"]),
            at=int(data["at"]),
            words_level=Level(data.get("wl", "none")),
            words_score=float(data.get("ws", 0.0)),
            method_seeking=bool(data.get("ms", False)),
            reasons=tuple(data.get("r", ())),
            means=tuple(
                MeansSeen(
                    str(m[0]),
                    str(m[1]),
                    Strength(int(m[2])),
                    str(m[3]),
                    str(m[4]),
                    float(m[5]),
                    tuple((str(p[0]), int(p[1]), float(p[2])) for p in (m[6] if len(m) > 6 else ())),
                )
                for m in data.get("m", ())
            ),
            time_cue=TimeCue(str(time[0]), int(time[1]), int(time[2])) if time else None,
            place_cue=PlaceCue(str(place[0]), str(place[1])) if place else None,
            contexts=tuple(data.get("c", ())),
            reporter_kind=str(data.get("rk", "")),
            reporter_id=str(data.get("ri", "")),
            reported_level=Level(data.get("rl", "none")),
            tokens=tuple(data.get("tk", ())),
            catalogue_version=int(data.get("cv", 0)),
        )


def observe(
    *,
    signal_id: str,
    kind: str,
    occurred_at: datetime,
    payload: dict[str, Any] | None,
    assessment: Assessment,
    catalogue: Catalogue,
    platform: str | None = None,
    max_tokens: int = 40,
) -> Observation:
    """Read one signal for fusion. ``occurred_at`` must be aware; its offset is the writer's local clock."""
    if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
        raise ValueError("occurred_at must be timezone-aware")
    data = payload if isinstance(payload, dict) else {}
    kind = kind.strip().lower() if isinstance(kind, str) else ""
    local = _local_time(occurred_at, data.get("locale"))
    base = Observation(
        signal_id=str(signal_id),
        kind=kind,
        at=int(occurred_at.timestamp()),
        catalogue_version=catalogue.version,
    )
    if kind == "order":
        return _observe_order(base, data, catalogue, platform, max_tokens)
    if kind == "report":
        return _observe_report(base, data, assessment, catalogue, local, max_tokens)
    if kind in WORD_KINDS:
        if kind == "message" and str(data.get("speaker_role", "user")) != "user":
            # An agent's or merchant's words are context for the interventionist, not the person's risk.
            return replace(base, reasons=("words:not_the_subject",))
        text = data.get("query") if kind == "search" else data.get("text")
        return _observe_words(base, _text(text), assessment, catalogue, local, max_tokens, own=True)
    return replace(base, reasons=(f"observe:unknown_kind:{kind[:32]}",))


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _local_time(occurred_at: datetime, locale: Any) -> datetime:
    offset = occurred_at.utcoffset()
    if offset == timedelta(0) and isinstance(locale, str):
        minutes = _LOCALE_OFFSET_MIN.get(locale.strip().lower().replace("_", "-"))
        if minutes is None:
            minutes = _LOCALE_OFFSET_MIN.get(locale.strip().lower().split("-")[0].split("_")[0])
        if minutes is not None:
            return occurred_at.astimezone(timezone(timedelta(minutes=minutes)))
    return occurred_at


def _tokens(folded: str, limit: int) -> tuple[str, ...]:
    if limit <= 0:
        return ()
    found: dict[str, None] = {}
    for run in _HAN_RUN.findall(folded):
        for index in range(len(run) - 1):
            bigram = run[index : index + 2]
            if bigram not in _STOP_BIGRAMS:
                found[bigram] = None
    for word in _TOKEN_LATIN.findall(folded):
        if word not in _STOP_WORDS:
            found[word.rstrip("s") if len(word) > 4 else word] = None
    for word in _TOKEN_DEVANAGARI.findall(folded):
        found[word] = None
    return tuple(list(found)[:limit])


def _set_aside(phrase: str, reasons: list[str]) -> bool:
    """The question lies inside words the detector set aside as an idiom or an accident, which its reason quotes:
    "农药喝了会死吗，我家狗误食了" asks about the dog that swallowed the pesticide."""
    return bool(phrase) and any(reason.startswith(IDIOM) and phrase in reason.split(":", 2)[-1] for reason in reasons)


def _observe_words(
    base: Observation,
    text: str,
    assessment: Assessment,
    catalogue: Catalogue,
    local: datetime,
    max_tokens: int,
    *,
    own: bool,
    level: Level | None = None,
) -> Observation:
    folded = fold(text) if text else ""
    reasons: list[str] = [reason for reason in _safe_reasons(assessment)]
    words_level = _safe_level(assessment.level) if level is None else level
    named = catalogue.match_text(text)
    seeking = find_seeking(folded, bool(named), any(entry.means not in MEDICINES for entry in named))
    contexts = set(find_contexts(folded))
    # A question shape in a joke that names no product ("how many energy drinks would kill me lol") is left to the
    # detector, which reads the words; with a product named ("how many sleeping pills would kill me lol") it counts.
    joking = "joke" in contexts and not named
    method = seeking.method is not None and not _set_aside(seeking.phrase, reasons) and not joking
    if method and words_level < Level.BEHAVIOR:
        # The detector may not know this question shape; asking how to die is behavior on the C-SSRS ladder.
        words_level = Level.BEHAVIOR
    if method:
        reasons.append(f"{seeking.method}:{seeking.phrase[:40]}")
    elif base.kind == "search" and words_level is Level.INDICATOR and means_only(reasons):
        # On a shopping platform a query that only names a product ("灭鼠药 家用") is a product search: the
        # product is kept as named, and counts only with the person's words.
        words_level = Level.NONE
        reasons.append("search:product_only")
    means: list[MeansSeen] = []
    for entry in named:
        if seeking.acquire:
            means.append(
                MeansSeen(
                    entry.means,
                    entry.id,
                    max(entry.alone, Strength.WEAK),
                    "seeking",
                    pairs=_pairs(catalogue, entry.means),
                )
            )
        else:
            means.append(MeansSeen(entry.means, entry.id, entry.alone, "named"))
    known = {m.means for m in means}
    for reason in assessment.reasons if isinstance(assessment.reasons, tuple | list) else ():
        # The detector's own means words ("means:pesticide") name a kind even where the catalogue has no name.
        if isinstance(reason, str) and reason.startswith(MEANS):
            kind = reason[len(MEANS) :].split(":", 1)[0]
            kind = _DETECTOR_MEANS.get(kind, kind)
            if kind in catalogue.means_kinds and kind not in known:
                means.append(MeansSeen(kind, "", Strength.NONE, "named"))
                known.add(kind)
    if seeking.acquire and named:
        reasons.append(f"seeking.means:{'+'.join(sorted({e.means for e in named}))}")
    contexts.update(f"ordinary:{means_kind}" for means_kind in catalogue.ordinary_uses(text))
    time_cue = find_time(folded, local) if "joke" not in contexts else None
    score = float(assessment.score) if isinstance(assessment.score, int | float) else 0.0
    if method:
        score = max(score, 0.72)
    risky = words_level >= Level.IDEATION
    return replace(
        base,
        words_level=words_level if own else Level.NONE,
        words_score=min(1.0, max(0.0, score)) if own else 0.0,
        method_seeking=method,
        reasons=tuple(dict.fromkeys(reasons)),
        means=tuple(means),
        time_cue=time_cue,
        place_cue=find_place(folded),
        contexts=tuple(sorted(contexts)),
        tokens=_tokens(folded, max_tokens) if risky else (),
    )


def _observe_report(
    base: Observation,
    data: dict[str, Any],
    assessment: Assessment,
    catalogue: Catalogue,
    local: datetime,
    max_tokens: int,
) -> Observation:
    raw_reporter = data.get("reporter")
    reporter: dict[str, Any] = raw_reporter if isinstance(raw_reporter, dict) else {}
    reporter_kind = str(reporter.get("kind") or "unknown").strip().lower()[:32]
    reporter_id = reporter.get("id")
    subject = data.get("subject")
    claimed = max(_safe_level(assessment.level), _safe_level(assessment.third_party_level))
    text = _text(data.get("text"))
    if isinstance(reporter_id, str) and reporter_id and reporter_id == subject:
        # Someone reporting themself is speaking about their own risk: their words, not a bystander's claim.
        seen = _observe_words(base, text, assessment, catalogue, local, max_tokens, own=True, level=claimed)
        return replace(seen, reasons=("report:self_report", *seen.reasons))
    seen = _observe_words(base, text, assessment, catalogue, local, max_tokens, own=False)
    if seen.method_seeking:
        claimed = max(claimed, Level.BEHAVIOR)
    key = (
        f"{reporter_kind}:{reporter_id}"
        if isinstance(reporter_id, str) and reporter_id
        else f"anonymous:{reporter_kind}"
    )
    return replace(
        seen,
        reporter_kind=reporter_kind,
        reporter_id=key[:160],
        reported_level=claimed,
        reasons=(f"report:{reporter_kind}", *seen.reasons),
        # Means a reporter names ("she bought pills") are the subject's means, but not acquired by this signal.
        means=tuple(MeansSeen(m.means, m.entry, m.strength, "named") for m in seen.means),
    )


def _observe_order(
    base: Observation, data: dict[str, Any], catalogue: Catalogue, platform: str | None, max_tokens: int
) -> Observation:
    raw_items = data.get("items")
    items = [item for item in raw_items[:MAX_ITEMS] if isinstance(item, dict)] if isinstance(raw_items, list) else []
    reasons: list[str] = []
    if not items:
        reasons.append("order:no_items")
    order_id = data.get("order_id") if isinstance(data.get("order_id"), str) else base.signal_id
    merchant = data.get("merchant_id") or data.get("shop_id") or ""
    means: dict[str, MeansSeen] = {}
    unmatched_titles: list[str] = []
    ordinary: dict[str, str] = {}
    for item in items:
        title = _text(item.get("title"))
        category = item.get("category") if isinstance(item.get("category"), str) else None
        product_id = item.get("product_id") if isinstance(item.get("product_id"), str) else None
        item_merchant = item.get("merchant_id") or item.get("shop_id") or merchant
        key = f"{platform or ''}/{item_merchant}/{order_id}"
        quantity = item.get("quantity", 1)
        hits = catalogue.match_item(title, category, product_id, quantity if isinstance(quantity, int) else 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 100_000:
            reasons.append("order:odd_quantity")
        # What else is in the basket says what a risky item is for (meat and skewers with the charcoal); a
        # listing's own words ("果园专用") are the seller's marketing, not the buyer's purpose.
        own_kinds = {hit.means for hit in hits}
        for means_kind, word in catalogue.ordinary_uses(f"{title} {category or ''}").items():
            if means_kind not in own_kinds:
                ordinary.setdefault(means_kind, word)
        if not hits:
            unmatched_titles.append(title)
            if isinstance(quantity, int) and quantity >= _UNMATCHED_BULK:
                reasons.append("order:unusual_quantity")
            continue
        for hit in hits:
            seen = MeansSeen(
                hit.means,
                hit.entry,
                hit.strength,
                "order",
                key,
                round(catalogue.household_multiple(hit), 2),
                _pairs(catalogue, hit.means),
            )
            current = means.get(hit.means)
            if current is None or (seen.strength, seen.multiple) > (current.strength, current.multiple):
                means[hit.means] = seen
            reasons.append(hit.reason)
    contexts = tuple(sorted(f"ordinary:{kind}" for kind in ordinary))
    tokens = _tokens(fold("\n".join(unmatched_titles)), max_tokens) if unmatched_titles else ()
    return replace(
        base,
        reasons=tuple(dict.fromkeys(reasons)),
        means=tuple(sorted(means.values(), key=lambda m: m.means)),
        contexts=contexts,
        tokens=tokens,
    )


def _pairs(catalogue: Catalogue, means: str) -> tuple[tuple[str, int, float], ...]:
    return tuple((pair.with_, int(pair.strength), pair.window_hours) for pair in catalogue.pairs_for(means))


def _safe_level(value: Any) -> Level:
    if isinstance(value, Level):
        return value
    try:
        return Level.parse(str(value))
    except ValueError:
        return Level.NONE


def _safe_reasons(assessment: Assessment) -> list[str]:
    reasons = assessment.reasons if isinstance(assessment.reasons, tuple | list) else ()
    return [str(reason)[:120] for reason in reasons[:16]]
