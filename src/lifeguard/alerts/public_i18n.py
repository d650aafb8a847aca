"""The words of the public side of alerts (the alert page, sign-up pages, tip confirmation, e-mails to people who
opted in) in Chinese, English and Hindi.

A small catalogue of its own (``alerts/translations/{zh,hi}.po``, read with Babel at first use, as the console
reads its own), so that the public side can be translated and reviewed apart from the console. The words of the
alert itself (event, headline, description, instruction) come from ``cap_texts`` through ``cap.alert_words``, so
the page and the e-mails say what the CAP message says. Police-entered text (name, clothing, place) stays as
entered. A message missing from a catalogue falls back to English; ``tests/alerts/test_public_i18n.py`` checks
that none is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lifeguard.po_catalogue import read_catalogue

LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English", "hi": "हिन्दी"}
DEFAULT = "en"
HERE = Path(__file__).parent / "translations"


@cache
def catalogue(language: str) -> dict[str, str]:
    return read_catalogue(HERE, language)


def primary(tag: str) -> str:
    """``zh-CN`` -> ``zh``; ``hi-IN`` -> ``hi``."""
    return tag.replace("_", "-").split("-", 1)[0].strip().lower()


@dataclass(frozen=True)
class Translator:
    language: str

    def __call__(self, message: str, **values: object) -> str:
        text = catalogue(self.language).get(message, message) if self.language != DEFAULT else message
        return text % values if values else text


def languages_of(tags: Iterable[str]) -> list[str]:
    """An alert's languages (CAP tags) as ours, in the alert's order, without repeats; unknown ones dropped."""
    seen: list[str] = []
    for tag in tags:
        lang = primary(tag)
        if lang in LANGUAGES and lang not in seen:
            seen.append(lang)
    return seen


def _accepted(accept_language: str | None) -> list[str]:
    """Accept-Language as primary subtags, best first (q-values honoured; q=0 means "not this one")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, primary(tag)))
    return [lang for _, _, lang in sorted(ranked)]


def choose(available: Sequence[str], query: str | None, accept_language: str | None) -> str:
    """``?lang=`` if it names one of ``available``, then the browser's Accept-Language, then the first."""
    options = [lang for lang in available if lang in LANGUAGES] or [DEFAULT]
    if query and primary(query) in options:
        return primary(query)
    for lang in _accepted(accept_language):
        if lang in options:
            return lang
    return options[0]
