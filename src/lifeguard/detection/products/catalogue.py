"""The product risk catalogue: lethal means, their names in zh/en/hi/Hinglish, and how strong buying them is.

The catalogue is data (``catalogue.yaml``) so that a platform can extend it with its own product ids and local
brand names without a code change. It is validated on load; every error names the entry and the field, because
the people who edit it are pharmacists and trust-and-safety staff, not programmers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lifeguard.detection.normalize import normalize

LANGS: tuple[str, ...] = ("zh", "en", "hi", "hi-Latn")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ATC = re.compile(r"^[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?$")
_ATC_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Z]\d\d[A-Z]{2}\d\d|[A-Z]\d\d[A-Z]{1,2})(?![A-Za-z0-9])")
# Pieces counted from a title: "100片", "24 tablets", "2 x 10 caps", "30粒装", "10 गोलियां".
_PIECES = re.compile(
    r"(\d{1,5})\s*(?:片|粒|颗|丸|支|瓶|袋|tablets?|tabs?|pills?|capsules?|caps?|pcs|pieces|गोलियां|गोली|goliyan|goli)",
    re.IGNORECASE,
)
_MULTIPACK = re.compile(r"(\d{1,3})\s*(?:x|×|\*)\s*(\d{1,5})", re.IGNORECASE)
_CATEGORY_SPLIT = re.compile(r"\s*(?:/|>|\||,|，|、|;|；)\s*")


class CatalogueError(ValueError):
    """The catalogue file is malformed. ``entry`` and ``field`` say where (``None`` for the file itself)."""

    def __init__(self, message: str, *, entry: str | None = None, field: str | None = None) -> None:
        self.entry = entry
        self.field = field
        where = " ".join(
            part for part in (f"entry {entry!r}" if entry else "", f"field {field!r}" if field else "") if part
        )
        super().__init__(f"catalogue: {where}: {message}" if where else f"catalogue: {message}")


class Strength(IntEnum):
    """How strong a signal buying a product is, on its own."""

    NONE = 0
    WEAK = 1  # a common product with other uses: a signal only with the person's words
    MODERATE = 2  # a classic lethal means
    STRONG = 3  # a classic lethal means in a dangerous quantity or combination

    @classmethod
    def parse(cls, value: object) -> Strength:
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        raise ValueError(f"expected one of {', '.join(m.name.lower() for m in cls)}, got {value!r}")

    def step(self, by: int) -> Strength:
        return Strength(max(0, min(3, int(self) + by)))


@dataclass(frozen=True, slots=True)
class Pair:
    """Bought within ``window_hours`` of a product of kind ``with_`` (or with a cue in words), it is ``strength``."""

    with_: str  # a means kind, or "cue:<kind>"
    strength: Strength
    window_hours: float


@dataclass(frozen=True, slots=True)
class MeansEntry:
    id: str
    means: str
    label: str
    names: dict[str, tuple[str, ...]]
    categories: tuple[str, ...]
    atc: tuple[str, ...]
    product_ids: tuple[str, ...]
    alone: Strength
    bulk: Strength
    household_packs: int | None
    household_pieces: int | None
    pairs: tuple[Pair, ...]
    ordinary_with: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MeansHit:
    """One order item (or query) matched to a catalogue entry."""

    entry: str
    means: str
    via: str  # product_id, atc, category, name
    term: str  # what matched, as written in the catalogue
    quantity: int  # item quantity as sent (clamped to 0..1e6)
    pieces: int | None  # tablets/pills counted from the title, times the quantity
    bulk: bool
    strength: Strength  # for this item alone, before pairs, repeats and the person's context

    @property
    def reason(self) -> str:
        size = "bulk" if self.bulk else "alone"
        return f"means:{self.means}:{self.entry}.{size}"


class _Matcher:
    """All names of all entries compiled into two alternations (Latin with word edges; Han/Devanagari without)."""

    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        # names: normalised name -> (entry id, name as written). Longest first: "sleeping pill" before "pill".
        self._names = names
        latin = sorted((n for n in names if n.isascii()), key=len, reverse=True)
        other = sorted((n for n in names if not n.isascii()), key=len, reverse=True)
        self._latin = (
            re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(n) for n in latin) + r")(?:e?s)?(?![a-z0-9])")
            if latin
            else None
        )
        self._other = re.compile("(" + "|".join(re.escape(n) for n in other) + ")") if other else None

    def find(self, folded: str) -> list[tuple[str, str]]:
        """(entry id, name) for every name in an already normalised text, in order, without repeats."""
        found: dict[tuple[str, str], None] = {}
        for regex in (self._other, self._latin):
            if regex is None:
                continue
            for match in regex.finditer(folded):
                found[self._names[match.group(1)]] = None
        return list(found)


def fold(text: str) -> str:
    """The one normal form that names, titles, queries and context words are compared in."""
    return normalize(text).text


class Catalogue:
    def __init__(self, entries: Iterable[MeansEntry], *, version: int, source: str) -> None:
        self.entries: dict[str, MeansEntry] = {entry.id: entry for entry in entries}
        self.version = version
        self.source = source
        self.means_kinds: frozenset[str] = frozenset(entry.means for entry in self.entries.values())
        names: dict[str, tuple[str, str]] = {}
        ordinary: dict[str, tuple[str, str]] = {}
        self._by_product: dict[str, str] = {}
        self._by_category: dict[str, list[str]] = {}
        for entry in self.entries.values():
            for written in (name for group in entry.names.values() for name in group):
                names[fold(written)] = (entry.id, written)
            for product_id in entry.product_ids:
                self._by_product[product_id] = entry.id
            for category in entry.categories:
                self._by_category.setdefault(fold(category), []).append(entry.id)
            for word in entry.ordinary_with:
                # One word may mark ordinary use of several means ("farm" for every pesticide): keyed per means.
                ordinary[f"{entry.means}\x00{fold(word)}"] = (entry.means, word)
        self._names = _Matcher(names)
        # One matcher per means kind: "clinic supply" must not hide "clinic" from another kind's list.
        by_means: dict[str, dict[str, tuple[str, str]]] = {}
        for key, (means, word) in ordinary.items():
            by_means.setdefault(means, {})[key.split("\x00", 1)[1]] = (word, word)
        self._ordinary = {means: _Matcher(words) for means, words in sorted(by_means.items())}
        self._atc = sorted(((code, entry.id) for entry in self.entries.values() for code in entry.atc), reverse=True)

    # -- matching ---------------------------------------------------------------------------------------

    def match_item(
        self, title: str, category: str | None = None, product_id: str | None = None, quantity: int = 1
    ) -> list[MeansHit]:
        """Catalogue entries one order item matches, strongest first; [] for ordinary products.

        Never raises on odd input: a non-integer or absurd quantity counts as 1 or is clamped (the API refuses
        quantity < 1 or > 100000 already; fusion must cope with whatever reaches it).
        """
        title = title if isinstance(title, str) else ""
        qty = _clamp_quantity(quantity)
        folded_title = fold(title)
        matched: dict[str, tuple[str, str]] = {}  # entry id -> (via, term)
        if isinstance(product_id, str) and product_id in self._by_product:
            matched[self._by_product[product_id]] = ("product_id", product_id)
        for text in (category, product_id, title):
            if isinstance(text, str):
                for code in _ATC_IN_TEXT.findall(text.upper()):
                    entry_id = self._entry_for_atc(code)
                    if entry_id is not None:
                        matched.setdefault(entry_id, ("atc", code))
        for entry_id, written in self._names.find(folded_title):
            matched.setdefault(entry_id, ("name", written))
        if isinstance(category, str) and not matched:
            # A category names a whole shelf ("农药"): used only when the title names nothing more precise.
            for part in _CATEGORY_SPLIT.split(fold(category)):
                for entry_id in self._by_category.get(part, ()):
                    matched.setdefault(entry_id, ("category", part))
        pieces = _pieces(title, qty)
        hits = [self._hit(self.entries[entry_id], via, term, qty, pieces) for entry_id, (via, term) in matched.items()]
        return _strongest_per_means(hits)

    def match_text(self, text: str) -> list[MeansEntry]:
        """Entries a free text (a query, a message) names."""
        if not isinstance(text, str) or not text:
            return []
        return [self.entries[entry_id] for entry_id, _ in self._names.find(fold(text))]

    def ordinary_uses(self, text: str) -> dict[str, str]:
        """Means kinds whose ordinary use the text mentions, with the word that says so."""
        if not isinstance(text, str) or not text:
            return {}
        folded = fold(text)
        found: dict[str, str] = {}
        for means, matcher in self._ordinary.items():
            words = matcher.find(folded)
            if words:
                found[means] = words[0][1]
        return found

    def pairs_for(self, means: str) -> list[Pair]:
        """Every pair that a product of kind ``means`` takes part in, seen from its side."""
        found: list[Pair] = []
        for entry in self.entries.values():
            for pair in entry.pairs:
                if entry.means == means:
                    found.append(pair)
                elif pair.with_ == means:
                    found.append(Pair(with_=entry.means, strength=pair.strength, window_hours=pair.window_hours))
        return found

    def _entry_for_atc(self, code: str) -> str | None:
        for prefix, entry_id in self._atc:  # reverse-sorted: the most specific code of a family comes first
            if code.startswith(prefix):
                return entry_id
        return None

    @staticmethod
    def _hit(entry: MeansEntry, via: str, term: str, quantity: int, pieces: int | None) -> MeansHit:
        bulk = (entry.household_packs is not None and quantity > entry.household_packs) or (
            entry.household_pieces is not None and pieces is not None and pieces > entry.household_pieces
        )
        return MeansHit(
            entry=entry.id,
            means=entry.means,
            via=via,
            term=term,
            quantity=quantity,
            pieces=pieces,
            bulk=bulk,
            strength=entry.bulk if bulk else entry.alone,
        )

    def household_multiple(self, hit: MeansHit) -> float:
        """How many households' worth the item is (1.0 at the threshold), for 'extreme quantity' rules."""
        entry = self.entries[hit.entry]
        ratios = [0.0]
        if entry.household_packs:
            ratios.append(hit.quantity / entry.household_packs)
        if entry.household_pieces and hit.pieces is not None:
            ratios.append(hit.pieces / entry.household_pieces)
        return max(ratios)


def _clamp_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int | float | str):
        return 1
    try:
        value = int(float(quantity))
    except (ValueError, OverflowError):
        return 1
    return max(0, min(value, 1_000_000))


def _pieces(title: str, quantity: int) -> int | None:
    multi = _MULTIPACK.search(title)
    if multi is not None:
        per_pack = int(multi.group(1)) * int(multi.group(2))
    else:
        found = _PIECES.search(title)
        if found is None:
            return None
        per_pack = int(found.group(1))
    return min(per_pack * max(quantity, 1), 10**9)


def _strongest_per_means(hits: list[MeansHit]) -> list[MeansHit]:
    best: dict[str, MeansHit] = {}
    for hit in hits:
        current = best.get(hit.means)
        if current is None or hit.strength > current.strength:
            best[hit.means] = hit
    return sorted(best.values(), key=lambda hit: (-hit.strength, hit.means))


# -- loading and validation -----------------------------------------------------------------------------

_ENTRY_FIELDS = {
    "id", "means", "label", "names", "categories", "atc", "product_ids", "strength", "household", "pairs",
    "ordinary_with",
}  # fmt: skip


def default_catalogue_path() -> Path:
    return Path(str(resources.files("lifeguard.detection.products").joinpath("catalogue.yaml")))


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Read and validate a catalogue (the shipped one when ``path`` is None)."""
    source = Path(path) if path is not None else default_catalogue_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"cannot read {source}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{source} is not valid YAML: {exc}") from exc
    return parse_catalogue(data, source=str(source))


def parse_catalogue(data: Any, *, source: str = "<data>") -> Catalogue:
    if not isinstance(data, dict):
        raise CatalogueError("the file must be a mapping with 'version' and 'entries'")
    unknown = set(data) - {"version", "updated", "entries"}
    if unknown:
        raise CatalogueError(f"unknown top-level field(s): {', '.join(sorted(map(str, unknown)))}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CatalogueError("'version' must be a positive integer", field="version")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise CatalogueError("'entries' must be a non-empty list", field="entries")
    entries: list[MeansEntry] = []
    seen_ids: set[str] = set()
    seen_names: dict[str, str] = {}
    for index, raw in enumerate(raw_entries):
        entry = _parse_entry(raw, index)
        if entry.id in seen_ids:
            raise CatalogueError("duplicate id", entry=entry.id, field="id")
        seen_ids.add(entry.id)
        for lang, names in entry.names.items():
            for name in names:
                key = fold(name)
                owner = seen_names.get(key)
                if owner is not None and owner != entry.id:
                    raise CatalogueError(
                        f"name {name!r} is already used by entry {owner!r}", entry=entry.id, field=f"names.{lang}"
                    )
                seen_names[key] = entry.id
        entries.append(entry)
    kinds = {entry.means for entry in entries}
    for entry in entries:
        for index, pair in enumerate(entry.pairs):
            if not pair.with_.startswith("cue:") and pair.with_ not in kinds:
                raise CatalogueError(
                    f"pairs with unknown means kind {pair.with_!r}", entry=entry.id, field=f"pairs[{index}].with"
                )
    return Catalogue(entries, version=version, source=source)


def _parse_entry(raw: Any, index: int) -> MeansEntry:
    if not isinstance(raw, dict):
        raise CatalogueError("each entry must be a mapping", entry=f"#{index}")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID.match(entry_id):
        raise CatalogueError("'id' must be lower_snake_case text", entry=f"#{index}", field="id")
    unknown = set(raw) - _ENTRY_FIELDS
    if unknown:
        raise CatalogueError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}", entry=entry_id)
    means = raw.get("means")
    if not isinstance(means, str) or not _ID.match(means):
        raise CatalogueError("must be lower_snake_case text", entry=entry_id, field="means")
    label = raw.get("label", entry_id)
    if not isinstance(label, str) or not label.strip():
        raise CatalogueError("must be non-empty text", entry=entry_id, field="label")
    names = _names(raw.get("names"), entry_id)
    categories = _texts(raw.get("categories", []), entry_id, "categories")
    product_ids = _texts(raw.get("product_ids", []), entry_id, "product_ids")
    ordinary = _texts(raw.get("ordinary_with", []), entry_id, "ordinary_with")
    atc = _texts(raw.get("atc", []), entry_id, "atc")
    for position, code in enumerate(atc):
        if not _ATC.match(code):
            raise CatalogueError(
                f"{code!r} is not an ATC code or prefix (e.g. N05CF02, N05C)", entry=entry_id, field=f"atc[{position}]"
            )
    if not (names or categories or atc or product_ids):
        raise CatalogueError(
            "an entry needs names, categories, atc or product_ids to match anything", entry=entry_id, field="names"
        )
    alone, bulk = _strength(raw.get("strength"), entry_id)
    packs, pieces = _household(raw.get("household"), entry_id)
    pairs = _pairs(raw.get("pairs", []), entry_id)
    return MeansEntry(
        id=entry_id, means=means, label=label.strip(), names=names, categories=categories, atc=atc,
        product_ids=product_ids, alone=alone, bulk=bulk, household_packs=packs, household_pieces=pieces,
        pairs=pairs, ordinary_with=ordinary,
    )  # fmt: skip


def _texts(value: Any, entry_id: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CatalogueError("must be a list of texts", entry=entry_id, field=field)
    out: list[str] = []
    for position, item in enumerate(value):
        if isinstance(item, int | float) and not isinstance(item, bool):
            item = str(item)  # YAML reads a bare 650 as a number; a product name it is
        if not isinstance(item, str) or not item.strip():
            raise CatalogueError(
                f"item {position} must be non-empty text", entry=entry_id, field=f"{field}[{position}]"
            )
        out.append(item.strip())
    return tuple(out)


def _names(value: Any, entry_id: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CatalogueError(
            f"must map languages ({', '.join(LANGS)}) to lists of names", entry=entry_id, field="names"
        )
    names: dict[str, tuple[str, ...]] = {}
    for lang, group in value.items():
        if lang not in LANGS:
            raise CatalogueError(
                f"unknown language {lang!r}; expected one of {', '.join(LANGS)}", entry=entry_id, field=f"names.{lang}"
            )
        names[str(lang)] = _texts(group, entry_id, f"names.{lang}")
    return names


def _strength(value: Any, entry_id: str) -> tuple[Strength, Strength]:
    if not isinstance(value, dict) or set(value) - {"alone", "bulk"} or "alone" not in value:
        raise CatalogueError("must be a mapping with 'alone' and optionally 'bulk'", entry=entry_id, field="strength")
    try:
        alone = Strength.parse(value["alone"])
    except ValueError as exc:
        raise CatalogueError(str(exc), entry=entry_id, field="strength.alone") from None
    try:
        bulk = Strength.parse(value.get("bulk", value["alone"]))
    except ValueError as exc:
        raise CatalogueError(str(exc), entry=entry_id, field="strength.bulk") from None
    if bulk < alone:
        raise CatalogueError("bulk cannot be weaker than alone", entry=entry_id, field="strength.bulk")
    return alone, bulk


def _household(value: Any, entry_id: str) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict) or not value or set(value) - {"packs", "pieces"}:
        raise CatalogueError("must be a mapping with 'packs' and/or 'pieces'", entry=entry_id, field="household")
    out: list[int | None] = []
    for key in ("packs", "pieces"):
        number = value.get(key)
        if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 1):
            raise CatalogueError("must be a positive whole number", entry=entry_id, field=f"household.{key}")
        out.append(number)
    return out[0], out[1]


def _pairs(value: Any, entry_id: str) -> tuple[Pair, ...]:
    if not isinstance(value, list):
        raise CatalogueError("must be a list", entry=entry_id, field="pairs")
    pairs: list[Pair] = []
    for position, raw in enumerate(value):
        field = f"pairs[{position}]"
        if not isinstance(raw, dict) or set(raw) - {"with", "strength", "window_hours"}:
            raise CatalogueError(
                "must be a mapping with 'with', 'strength', 'window_hours'", entry=entry_id, field=field
            )
        partner = raw.get("with")
        if not isinstance(partner, str) or not partner:
            raise CatalogueError("must name a means kind or cue:<kind>", entry=entry_id, field=f"{field}.with")
        try:
            strength = Strength.parse(raw.get("strength"))
        except ValueError as exc:
            raise CatalogueError(str(exc), entry=entry_id, field=f"{field}.strength") from None
        window = raw.get("window_hours", 72)
        if not isinstance(window, int | float) or isinstance(window, bool) or not 0 < window <= 24 * 90:
            raise CatalogueError(
                "must be a number of hours in (0, 2160]", entry=entry_id, field=f"{field}.window_hours"
            )
        pairs.append(Pair(with_=partner, strength=strength, window_hours=float(window)))
    return tuple(pairs)
