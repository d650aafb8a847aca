"""The crisis hotline directory: which lines a person can call, text or chat with, where they are.

Every outreach message carries the hotlines of the person's own region (the news reports end with them, and the
Philippine edition lists its own). ``hotlines_for`` is therefore never empty: a subdivision falls back to its
country, and a region we know nothing of to an international directory of helplines.

The data lives in ``hotlines.yaml`` (see the comments at its top for how to edit it) and is validated on load;
every error names the file, the entry and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lifeguard.actions.datafile import DataFileError, Fields, read_yaml

CHANNELS: tuple[str, ...] = ("call", "text", "chat")
REGION_RE = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")  # ISO 3166-1 alpha-2, optionally "-" ISO 3166-2 part
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_PHONE_RE = re.compile(r"^\+?[0-9(][0-9 ()\-]*[0-9]$")
_KEYWORD_RE = re.compile(r"^[A-Za-z0-9]{1,20}$")
_ENTRY_FIELDS = (
    "id", "region", "name", "local_lang", "aliases", "contacts", "hours", "languages", "source", "verified",
    "last_checked", "notes", "replaces",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Contact:
    channel: str  # call, text or chat
    value: str  # a phone number as people write it, or an https URL for chat
    keyword: str | None = None  # what to send to a text line ("HOME" to 741741)

    @property
    def digits(self) -> str:
        """The number as dialled (digits and a leading +), or "" for a chat URL."""
        if self.channel == "chat":
            return ""
        return ("+" if self.value.startswith("+") else "") + re.sub(r"\D", "", self.value)


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    organisation: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Hotline:
    id: str
    region: str | None  # None for the international fallback entries
    name_local: str
    name_en: str
    local_lang: str
    contacts: tuple[Contact, ...]
    hours: str  # "24/7" or a short English text
    languages: tuple[str, ...]
    source: Source
    verified: bool
    last_checked: dt.date
    aliases: tuple[str, ...] = ()  # other names people and messages use for the service
    notes: str | None = None
    replaces: tuple[str, ...] = ()  # country entries this subdivision entry stands in for

    @property
    def numbers(self) -> tuple[str, ...]:
        """Phone numbers (call and text), as written, without repeats."""
        return tuple(dict.fromkeys(c.value for c in self.contacts if c.channel != "chat"))

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.channel for c in self.contacts))

    @property
    def always_open(self) -> bool:
        return self.hours == "24/7"

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the service is known by: what a message may name it with."""
        return tuple(dict.fromkeys((self.name_local, self.name_en, *self.aliases)))

    def speaks(self, lang: str | None) -> bool:
        return lang is not None and any(_base(known) == _base(lang) for known in self.languages)

    def name_for(self, lang: str | None) -> str:
        """The local name for readers of the local language, the English name for everyone else.

        A reader of Hindi in Latin script ("hi-Latn") gets the English name: it is written in the script they read.
        """
        if lang is None or _base(lang) != _base(self.local_lang):
            return self.name_en
        return self.name_en if _is_latin_script(lang) and not _is_latin_script(self.local_lang) else self.name_local


def _is_latin_script(lang: str) -> bool:
    return "latn" in lang.lower().split("-")


def _base(lang: str) -> str:
    return lang.strip().replace("_", "-").split("-", 1)[0].lower()


def normalize_region(region: str | None) -> str | None:
    """``"cn_bj"`` -> ``"CN-BJ"``; None for anything that is not an ISO 3166 code (treated as unknown)."""
    if not isinstance(region, str):
        return None
    code = region.strip().upper().replace("_", "-")
    return code if REGION_RE.match(code) else None


class HotlineDirectory:
    """All hotlines of one validated file. Read-only after construction, so threads may share it."""

    def __init__(
        self, hotlines: list[Hotline], international: list[Hotline], aliases: dict[str, str], *, version: int
    ) -> None:
        self.version = version
        self.hotlines: tuple[Hotline, ...] = tuple(hotlines)
        self.international: tuple[Hotline, ...] = tuple(international)
        self.aliases = dict(aliases)
        self._by_region: dict[str, list[Hotline]] = {}
        for hotline in hotlines:
            assert hotline.region is not None  # guaranteed by the parser
            self._by_region.setdefault(hotline.region, []).append(hotline)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_region))

    def get(self, hotline_id: str) -> Hotline:
        for hotline in (*self.hotlines, *self.international):
            if hotline.id == hotline_id:
                return hotline
        raise KeyError(hotline_id)

    def for_region(self, region: str | None, language: str | None = None) -> list[Hotline]:
        """The lines for ``region``: its subdivision's first, then its country's; the international ones if none.

        Lines that answer in ``language`` come first; the others stay (an English-only line still saves a life
        when it is the only one in the country). Never empty.
        """
        code = normalize_region(region)
        if code is not None:
            code = normalize_region(self.aliases.get(code, code))
        found: list[Hotline] = []
        if code is not None:
            country = code.split("-", 1)[0]
            local = self._by_region.get(code, []) if code != country else []
            replaced = {hotline_id for hotline in local for hotline_id in hotline.replaces}
            found = local + [h for h in self._by_region.get(country, []) if h.id not in replaced]
        if not found:
            found = list(self.international)
        return sorted(found, key=lambda hotline: not hotline.speaks(language))


def default_path() -> Path:
    return Path(str(resources.files("lifeguard.actions").joinpath("hotlines.yaml")))


def load_directory(path: Path | str | None = None) -> HotlineDirectory:
    """Read and validate a hotline file (the shipped one when ``path`` is None)."""
    source = Path(path) if path is not None else default_path()
    return parse_directory(read_yaml(source), file=source.name)


@lru_cache(maxsize=1)
def default_directory() -> HotlineDirectory:
    return load_directory()


def hotlines_for(
    region: str | None, language: str | None = None, *, directory: HotlineDirectory | None = None
) -> list[Hotline]:
    """Hotlines for a person in ``region`` (ISO 3166-1/-2) who reads ``language``; never empty."""
    return (directory or default_directory()).for_region(region, language)


# -- parsing ----------------------------------------------------------------------------------------------------


def parse_directory(data: Any, *, file: str = "hotlines.yaml") -> HotlineDirectory:
    top = Fields(data, file=file, entry=None)
    top.reject_unknown(("version", "updated", "aliases", "international", "hotlines"))
    version = top.integer("version", minimum=1, maximum=1_000_000)
    seen: set[str] = set()
    hotlines = [_parse_entry(raw, i, file, seen, international=False) for i, raw in enumerate(top.items("hotlines"))]
    international = [
        _parse_entry(raw, i, file, seen, international=True) for i, raw in enumerate(top.items("international"))
    ]
    aliases = _parse_aliases(top.raw.get("aliases") or {}, file)
    by_id = {hotline.id: hotline for hotline in hotlines}
    for hotline in hotlines:
        assert hotline.region is not None
        for index, other in enumerate(hotline.replaces):
            target = by_id.get(other)
            if target is None or target.region != hotline.region.split("-", 1)[0] or "-" not in hotline.region:
                raise DataFileError(
                    f"{other!r} is not an entry of the country of this subdivision entry",
                    file=file,
                    entry=hotline.id,
                    field=f"replaces[{index}]",
                )
    return HotlineDirectory(hotlines, international, aliases, version=version)


def _parse_aliases(raw: Any, file: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise DataFileError("must be a mapping of region code to region code", file=file, field="aliases")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not REGION_RE.match(key) or not isinstance(value, str):
            raise DataFileError(f"{key!r}: {value!r} is not a region code pair", file=file, field="aliases")
        if not REGION_RE.match(value):
            raise DataFileError(f"{value!r} is not a region code", file=file, field=f"aliases.{key}")
        out[key] = value
    return out


def _parse_entry(raw: Any, index: int, file: str, seen: set[str], *, international: bool) -> Hotline:
    section = "international" if international else "hotlines"
    label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"{section}[{index}]"
    fields = Fields(raw, file=file, entry=label)
    fields.reject_unknown(_ENTRY_FIELDS)
    hotline_id = fields.text("id", max_length=80)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", hotline_id):
        raise fields.error("id", "must be lower-case letters, digits and hyphens")
    if hotline_id in seen:
        raise fields.error("id", "is used by another entry")
    seen.add(hotline_id)

    region: str | None = None
    if international:
        if fields.has("region"):
            raise fields.error("region", "international entries have no region")
    else:
        region = fields.text("region", max_length=6)
        if not REGION_RE.match(region):
            raise fields.error("region", f"{region!r} is not an ISO 3166-1 alpha-2 code or ISO 3166-2 code")

    name = fields.nested("name")
    name.reject_unknown(("local", "en"))
    local_lang = fields.text("local_lang", max_length=20)
    languages = fields.texts("languages")
    for position, tag in enumerate((local_lang, *languages)):
        if not _LANG_RE.match(tag):
            raise fields.error(
                "local_lang" if position == 0 else f"languages[{position - 1}]", f"{tag!r} is not BCP 47"
            )

    contacts = tuple(_parse_contact(fields, i, raw_contact) for i, raw_contact in enumerate(fields.items("contacts")))
    if not international and not any(contact.channel in ("call", "text") for contact in contacts):
        raise fields.error("contacts", "a regional hotline needs at least one phone number to call or text")

    source = fields.nested("source")
    source.reject_unknown(("title", "organisation", "url"))
    url = source.optional_text("url", max_length=300)
    if url is not None and not re.match(r"^https?://[^\s]+$", url):
        raise source.error("url", f"{url!r} is not an http(s) URL")

    hours = fields.text("hours", max_length=80)
    return Hotline(
        id=hotline_id,
        region=region,
        name_local=name.text("local", max_length=120),
        name_en=name.text("en", max_length=120),
        local_lang=local_lang,
        contacts=contacts,
        hours=hours,
        languages=languages,
        source=Source(
            title=source.text("title", max_length=200),
            organisation=source.text("organisation", max_length=200),
            url=url,
        ),
        verified=fields.flag("verified"),
        last_checked=fields.date("last_checked"),
        aliases=fields.texts("aliases", required=False),
        notes=fields.optional_text("notes", max_length=500),
        replaces=fields.texts("replaces", required=False),
    )


def _parse_contact(fields: Fields, index: int, raw: Any) -> Contact:
    contact = fields.nested_at("contacts", index, raw)
    contact.reject_unknown(("channel", "value", "keyword"))
    channel = contact.text("channel")
    if channel not in CHANNELS:
        raise contact.error("channel", f"{channel!r} is not one of {', '.join(CHANNELS)}")
    value = contact.text("value", max_length=300)
    keyword = contact.optional_text("keyword", max_length=20)
    if channel == "chat":
        if not re.match(r"^https://[^\s]+$", value):
            raise contact.error("value", f"a chat contact must be an https URL, got {value!r}")
        if keyword is not None:
            raise contact.error("keyword", "only text lines take a keyword")
    else:
        digits = re.sub(r"\D", "", value)
        if not _PHONE_RE.match(value) or not 3 <= len(digits) <= 15:
            raise contact.error("value", f"{value!r} is not a phone number (3 to 15 digits, spaces, +, -, parentheses)")
        if keyword is not None and (channel != "text" or not _KEYWORD_RE.match(keyword)):
            raise contact.error("keyword", "only text lines take a keyword, of letters and digits")
    return Contact(channel=channel, value=value, keyword=keyword)
