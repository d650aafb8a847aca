"""Reading a gettext ``.po`` catalogue into a plain dict: one reader for the console and the public pages."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po


def read_catalogue(directory: Path, language: str) -> dict[str, str]:
    """The translated, non-fuzzy messages of ``directory/{language}.po`` (empty when there is no such file)."""
    path = directory / f"{language}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}
