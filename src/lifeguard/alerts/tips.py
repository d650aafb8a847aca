"""Tips from the public: cleaned, limited, de-duplicated, grouped by place and time, ordered for the officer.

Anyone can send a tip, so everything here treats the input as hostile: markup is reduced to text, links are kept
as visible text but made unclickable (an officer should not land on a phishing page from a "sighting"), and one
source cannot flood an alert (token bucket per source).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Final

from lifeguard.alerts.errors import InvalidAlertInput, RateLimited
from lifeguard.alerts.geo import haversine_km, validate_point
from lifeguard.alerts.model import LastSeen, require_aware, require_safe_id
from lifeguard.clock import Clock

MAX_RAW_CHARS: Final = 20_000  # refuse before parsing: nobody types a sighting this long
MAX_TEXT_CHARS: Final = 2_000  # after cleaning
MAX_PLACE_CHARS: Final = 200
# Clock skew between a phone and us; a sighting further in the future is a typo (wrong day or AM/PM).
FUTURE_TOLERANCE: Final = timedelta(minutes=10)

# --- cleaning -------------------------------------------------------------------------------------------------

_SKIPPED_TAGS: Final = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "head", "title"}
)
_BREAK_TAGS: Final = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
_URL: Final = re.compile(r"(?i)\b(?:(https?|ftp)://|(www\.)|(javascript|data|vbscript):)([^\s<>\"']*)")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.had_links = False
        self.had_markup = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.had_markup = True
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag == "a" and any(name == "href" and value for name, value in attrs):
            self.had_links = True  # the anchor's text stays; its target is dropped with the tag
        elif tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.had_markup = True
        if tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.had_markup = True
        if tag in _SKIPPED_TAGS and self.skip_depth:
            self.skip_depth -= 1
        elif tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.had_markup = True

    def handle_decl(self, decl: str) -> None:
        self.had_markup = True

    def handle_pi(self, data: str) -> None:
        self.had_markup = True


def _defang(match: re.Match[str]) -> str:
    """``https://evil.example/x`` -> ``hxxps[://]evil[.]example/x``: readable, but no client will link it."""
    scheme, www, script_scheme, rest = match.groups()
    if script_scheme:
        return f"{script_scheme}[:]{rest}"
    host, slash, path = rest.partition("/")
    host = host.replace(".", "[.]")
    if scheme:
        return f"{scheme.lower().replace('t', 'x', 2)}[://]{host}{slash}{path}"
    return f"www[.]{host}{slash}{path}"


def _strip_invisible(text: str) -> str:
    # Control and format characters (zero-width, right-to-left overrides) can hide or reorder text on the
    # officer's screen; newlines and tabs are the only ones a tip needs.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))


@dataclass(frozen=True)
class CleanText:
    text: str
    had_links: bool
    had_markup: bool


def sanitise_text(raw: str, *, max_chars: int = MAX_TEXT_CHARS) -> CleanText:
    if not isinstance(raw, str):
        raise InvalidAlertInput("tip text must be text")
    if len(raw) > MAX_RAW_CHARS:
        raise InvalidAlertInput(f"tip is {len(raw)} characters; at most {MAX_RAW_CHARS} are read")
    parser = _TextExtractor()
    parser.feed(raw)
    parser.close()
    text = unicodedata.normalize("NFC", _strip_invisible("".join(parser.parts)))
    text, bare_links = _URL.subn(_defang, text)
    text = re.sub(r"[ \t\u00a0\u3000]+", " ", text)
    text = re.sub(r" *\n[ \n]*\n *", "\n\n", re.sub(r" *\n *", "\n", text)).strip()
    if len(text) > max_chars:
        raise InvalidAlertInput(f"tip is {len(text)} characters after cleaning; the limit is {max_chars}")
    return CleanText(text=text, had_links=parser.had_links or bare_links > 0, had_markup=parser.had_markup)


# --- tips -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TipSubmission:
    """What a member of the public sent, as received."""

    alert_id: str
    source_id: str  # pseudonymous: a hashed account, device or network id; never shown to the public
    text: str
    received_at: datetime
    photo_ref: str | None = None  # storage key of a photo that passed check_photo
    lat: float | None = None
    lon: float | None = None
    place_text: str | None = None
    seen_at: datetime | None = None


@dataclass(frozen=True)
class Tip:
    tip_id: str
    alert_id: str
    source_id: str
    text: str
    had_links: bool
    received_at: datetime
    photo_ref: str | None = None
    lat: float | None = None
    lon: float | None = None
    place_text: str | None = None
    seen_at: datetime | None = None

    @property
    def place(self) -> tuple[float, float] | None:
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None

    @property
    def has_place(self) -> bool:
        return self.place is not None

    @property
    def when(self) -> datetime:
        """When the sighting happened; a tip without a time is taken as 'just now' (when it was sent)."""
        return self.seen_at or self.received_at


def accept_tip(submission: TipSubmission, *, tip_id: str) -> Tip:
    """Clean and check one submission; raise ``InvalidAlertInput`` naming what is wrong."""
    require_safe_id(submission.alert_id, "alert id")
    require_aware(submission.received_at, "received_at")
    clean = sanitise_text(submission.text)
    if not clean.text:
        raise InvalidAlertInput("the tip has no text (after removing markup)")
    if (submission.lat is None) != (submission.lon is None):
        raise InvalidAlertInput("a tip's place needs both latitude and longitude, or neither")
    if submission.lat is not None and submission.lon is not None:
        validate_point(submission.lat, submission.lon)
    place_text = None
    if submission.place_text:
        place_text = sanitise_text(submission.place_text, max_chars=MAX_PLACE_CHARS).text or None
    if submission.seen_at is not None:
        require_aware(submission.seen_at, "seen_at")
        if submission.seen_at > submission.received_at + FUTURE_TOLERANCE:
            raise InvalidAlertInput("the sighting time is in the future; check the date and AM/PM")
    if submission.photo_ref is not None:
        require_safe_id(submission.photo_ref, "photo reference")
    return Tip(
        tip_id=tip_id,
        alert_id=submission.alert_id,
        source_id=submission.source_id,
        text=clean.text,
        had_links=clean.had_links,
        received_at=submission.received_at,
        photo_ref=submission.photo_ref,
        lat=submission.lat,
        lon=submission.lon,
        place_text=place_text,
        seen_at=submission.seen_at,
    )


# --- duplicates -----------------------------------------------------------------------------------------------

DUPLICATE_KM: Final = 1.0
DUPLICATE_WINDOW: Final = timedelta(hours=2)


def normalise_for_dedupe(text: str) -> str:
    """Case, width, punctuation and spacing do not make a tip new: "Saw him!!" equals "saw him"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in ("L", "N"))


def _near(a: Tip, b: Tip, km: float, window: timedelta) -> bool:
    pa, pb = a.place, b.place
    if (pa is None) != (pb is None):
        return False
    if pa is not None and pb is not None and haversine_km(*pa, *pb) > km:
        return False
    return abs(a.when - b.when) <= window


class DuplicateFinder:
    """Same words about the same place and time is the same tip, whoever sent it (shared posts are copied)."""

    def __init__(self, *, km: float = DUPLICATE_KM, window: timedelta = DUPLICATE_WINDOW) -> None:
        self._km = km
        self._window = window
        self._by_text: dict[str, list[Tip]] = {}

    def original_of(self, tip: Tip) -> Tip | None:
        for earlier in self._by_text.get(normalise_for_dedupe(tip.text), ()):
            if _near(earlier, tip, self._km, self._window):
                return earlier
        return None

    def add(self, tip: Tip) -> Tip | None:
        """Remember the tip; return the earlier tip it duplicates, if any (then it is not remembered)."""
        original = self.original_of(tip)
        if original is None:
            self._by_text.setdefault(normalise_for_dedupe(tip.text), []).append(tip)
        return original


@dataclass(frozen=True)
class DedupeResult:
    unique: list[Tip]
    duplicate_of: dict[str, str]  # duplicate tip id -> the original's id


def dedupe(tips: Iterable[Tip]) -> DedupeResult:
    finder = DuplicateFinder()
    unique: list[Tip] = []
    duplicate_of: dict[str, str] = {}
    for tip in sorted(tips, key=lambda t: (t.received_at, t.tip_id)):
        original = finder.add(tip)
        if original is None:
            unique.append(tip)
        else:
            duplicate_of[tip.tip_id] = original.tip_id
    return DedupeResult(unique=unique, duplicate_of=duplicate_of)


# --- clusters -------------------------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]  # path halving
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class TipCluster:
    tip_ids: tuple[str, ...]  # oldest sighting first
    lat: float | None  # the centre of the sightings; None for tips without a place
    lon: float | None
    first_seen: datetime
    last_seen: datetime

    @property
    def size(self) -> int:
        return len(self.tip_ids)


def _centre(tips: Sequence[Tip]) -> tuple[float, float]:
    # Average on the unit sphere, not of raw degrees: sightings either side of the antimeridian stay together.
    x = y = z = 0.0
    for t in tips:
        lat, lon = t.place or (0.0, 0.0)
        p, lam = math.radians(lat), math.radians(lon)
        x += math.cos(p) * math.cos(lam)
        y += math.cos(p) * math.sin(lam)
        z += math.sin(p)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def cluster_tips(
    tips: Sequence[Tip], *, max_km: float = 2.0, max_gap: timedelta = timedelta(hours=3)
) -> list[TipCluster]:
    """Sightings within ``max_km`` and ``max_gap`` of each other join; chains join too (single linkage).

    Pairs are compared in time order and only within the window, so a day of tips costs far less than all pairs.
    Tips without a place cannot be placed in a cluster and come back one per cluster. Largest clusters first.
    """
    placed = sorted((t for t in tips if t.has_place), key=lambda t: (t.when, t.tip_id))
    points = [t.place for t in placed]
    uf = _UnionFind(len(placed))
    for i, a in enumerate(placed):
        for j in range(i + 1, len(placed)):
            if placed[j].when - a.when > max_gap:
                break
            pa, pb = points[i], points[j]
            if pa is not None and pb is not None and haversine_km(*pa, *pb) <= max_km:
                uf.union(i, j)
    groups: dict[int, list[Tip]] = {}
    for i, tip in enumerate(placed):
        groups.setdefault(uf.find(i), []).append(tip)
    clusters = []
    for members in groups.values():
        lat, lon = _centre(members)
        clusters.append(
            TipCluster(
                tip_ids=tuple(t.tip_id for t in members),
                lat=lat,
                lon=lon,
                first_seen=members[0].when,
                last_seen=members[-1].when,
            )
        )
    for tip in sorted((t for t in tips if not t.has_place), key=lambda t: (t.when, t.tip_id)):
        clusters.append(TipCluster((tip.tip_id,), None, None, tip.when, tip.when))
    clusters.sort(key=lambda c: (-c.size, -c.last_seen.timestamp(), c.tip_ids))
    return clusters


# --- order for the officer ------------------------------------------------------------------------------------

RECENCY_HALF_LIFE_HOURS: Final = 6.0
DISTANCE_HALF_LIFE_KM: Final = 20.0
# A tip without a place may still matter ("he was on the 8:15 train"); it ranks like one about 35 km away.
UNPLACED_PROXIMITY: Final = 0.3


@dataclass(frozen=True)
class RankedTip:
    tip: Tip
    score: float
    distance_km: float | None
    age_hours: float


def rank_tips(tips: Iterable[Tip], *, last_seen: LastSeen, now: datetime) -> list[RankedTip]:
    """Newest sightings near the last known place first.

    score = 0.5 ** (age_hours / 6) * 0.5 ** (distance_km / 20)
    age_hours is from the sighting (or, without one, the submission) to now; distance_km from the last known place.
    A tip halves in weight every 6 hours and every 20 km; ties go to the later submission.
    """
    require_aware(now, "now")
    ranked = []
    for tip in tips:
        age_hours = max(0.0, (now - tip.when).total_seconds() / 3600)
        recency = 0.5 ** (age_hours / RECENCY_HALF_LIFE_HOURS)
        place = tip.place
        distance = None if place is None else haversine_km(last_seen.lat, last_seen.lon, *place)
        proximity = UNPLACED_PROXIMITY if distance is None else 0.5 ** (distance / DISTANCE_HALF_LIFE_KM)
        ranked.append(RankedTip(tip=tip, score=recency * proximity, distance_km=distance, age_hours=age_hours))
    ranked.sort(key=lambda r: (-r.score, -r.tip.received_at.timestamp(), r.tip.tip_id))
    return ranked


# --- rate limit -----------------------------------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float
    updated_at: datetime


@dataclass
class TipRateLimiter:
    """A token bucket per source: ``capacity`` tips at once, refilled at ``per_hour`` tips an hour.

    A real witness sends one tip, maybe three; a flood comes from a script. Memory is bounded by ``max_sources``;
    the least recently seen source is forgotten first, which at worst gives it a fresh bucket.
    """

    clock: Clock
    capacity: float = 5.0
    per_hour: float = 12.0
    max_sources: int = 100_000
    _buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.per_hour <= 0 or self.max_sources < 1:
            raise InvalidAlertInput("rate limit needs capacity >= 1, per_hour > 0, max_sources >= 1")

    def _bucket(self, source_id: str, now: datetime) -> _Bucket:
        bucket = self._buckets.get(source_id)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
            self._buckets[source_id] = bucket
            while len(self._buckets) > self.max_sources:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(source_id)
            # A clock that steps back (NTP) must not mint tokens or take them away.
            elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.per_hour / 3600)
            bucket.updated_at = max(now, bucket.updated_at)
        return bucket

    def try_acquire(self, source_id: str, cost: float = 1.0) -> bool:
        now = require_aware(self.clock.now(), "clock")
        bucket = self._bucket(source_id, now)
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return True
        return False

    def acquire(self, source_id: str, cost: float = 1.0) -> None:
        """Take a token or raise ``RateLimited`` saying how long to wait."""
        if self.try_acquire(source_id, cost):
            return
        bucket = self._buckets[source_id]
        wait = (cost - bucket.tokens) * 3600 / self.per_hour
        raise RateLimited(
            f"too many tips from this source; try again in {math.ceil(wait)} s",
            retry_after_seconds=wait,
        )
