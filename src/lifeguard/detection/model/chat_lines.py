"""Labelled chat lines for the heads that learn chat (``short_chat_train``, ``second_stage_chat_train``).

They come from the repository, not from ``shared/data``: the phrasebook (``tests/detection/phrasebook.yaml``), the
written-apart files already read to write rules (``tests/detection/written_apart``, its README says which) and the
seed phrases (``seeds.py``). The ``*_lines`` readers return the texts and their labels: 1 for the writer's own risk at
ideation or above, 0 for the rest (lookalikes, distress, idioms, reports about someone else); the ``*_levels`` readers
the texts and the writer's own level (the behavior head tells behavior from ideation with them).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from lifeguard.detection.levels import Level
from lifeguard.detection.model.seeds import SEEDS

Labelled = tuple[list[str], list[int]]
Levelled = tuple[list[str], list[Level]]


def _everything(text: str) -> bool:
    return True


def _add(into: Labelled, texts: list[str], label: int) -> None:
    into[0].extend(texts)
    into[1].extend([label] * len(texts))


def at_least(lines: Levelled, level: Level) -> Labelled:
    """1 for the lines at ``level`` or above, 0 for the rest."""
    return lines[0], [int(own >= level) for own in lines[1]]


def written_apart_levels(
    folder: Path, risk_files: tuple[str, ...], keep: Callable[[str], bool] = _everything
) -> Levelled:
    """The risk lines (``LEVEL<TAB>TEXT``) of the named written-apart files that ``keep`` keeps, with their levels."""
    out: Levelled = ([], [])
    for name in risk_files:
        for row in (folder / name).read_text(encoding="utf-8").splitlines():
            level, tab, text = row.partition("\t")
            if tab and keep(text):
                out[0].append(text)
                out[1].append(Level(level))
    return out


def written_apart_lines(
    folder: Path,
    risk_files: tuple[str, ...],
    lookalike_files: tuple[str, ...],
    keep: Callable[[str], bool] = _everything,
) -> Labelled:
    """The lines of the named written-apart files that ``keep`` keeps: risk (``LEVEL<TAB>TEXT``) as 1, lookalikes
    (one message a line) as 0."""
    risk = written_apart_levels(folder, risk_files, keep)[0]
    out: Labelled = (list(risk), [1] * len(risk))
    for name in lookalike_files:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        _add(out, [line for line in lines if line.strip() and keep(line)], 0)
    return out


def phrasebook_levels(path: Path, keep: Callable[[str], bool] = _everything) -> Levelled:
    """The phrasebook's messages that ``keep`` keeps (reports, ``kind: report``, are left out) with the writer's own
    level (a message about someone else, ``third``, is the writer's none)."""
    out: Levelled = ([], [])
    for group in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        for item in group.get("phrases", []):
            text = str(item.get("text", ""))
            if item.get("kind", "message") != "message" or not keep(text):
                continue
            out[0].append(text)
            out[1].append(Level.NONE if "third" in item else Level(item["level"]))
    return out


def phrasebook_lines(path: Path, keep: Callable[[str], bool] = _everything) -> Labelled:
    """The phrasebook's messages that ``keep`` keeps: the writer's own level ideation or above as 1, the rest as 0."""
    return at_least(phrasebook_levels(path, keep), Level.IDEATION)


def seed_levels(languages: tuple[str, ...]) -> Levelled:
    """The seed phrases of ``languages`` (keys of ``SEEDS``) with their levels."""
    out: Levelled = ([], [])
    for language in languages:
        for level, phrases in SEEDS[language].items():
            out[0].extend(phrases)
            out[1].extend([level] * len(phrases))
    return out


def seed_lines(languages: tuple[str, ...]) -> Labelled:
    """The seed phrases of ``languages`` (keys of ``SEEDS``): ideation or above as 1, the rest as 0."""
    return at_least(seed_levels(languages), Level.IDEATION)
