"""The console speaks the user's language: English, Chinese or Hindi. Catalogues are gettext .po files read
with Babel at start-up (no compiled files to keep in step); a missing translation falls back to English."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from lifeguard.po_catalogue import read_catalogue

LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文", "hi": "हिन्दी"}
DEFAULT = "en"
HERE = Path(__file__).parent / "translations"

_current: ContextVar[str] = ContextVar("console_language", default=DEFAULT)


@cache
def catalogue(language: str) -> dict[str, str]:
    return read_catalogue(HERE, language)


def gettext(message: str) -> str:
    return catalogue(_current.get()).get(message, message)


def use(language: str | None) -> str:
    chosen = language if language in LANGUAGES else DEFAULT
    _current.set(chosen)
    return chosen


def current() -> str:
    return _current.get()


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for a browser's Accept-Language header (used before anyone logs in)."""
    wanted = [
        part.split(";")[0].strip().replace("-", "_") for part in (accept_language or "").split(",") if part.strip()
    ]
    try:
        return str(Locale.negotiate(wanted, list(LANGUAGES), sep="_") or DEFAULT)
    except (UnknownLocaleError, ValueError):
        return DEFAULT
