"""Labelled chat lines for the heads that learn chat (``short_chat_train``, ``second_stage_chat_train``).

They come from the repository, not from ``shared/data``: the phrasebook (``tests/detection/phrasebook.yaml``), the
written-apart files already read to write rules (``tests/detection/written_apart``, its README says which) and the
seed phrases (``seeds.py``). Each reader returns the texts and their labels: 1 for the writer's own risk at ideation
or above, 0 for the rest (lookalikes, distress, idioms, reports about someone else).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from lifeguard.detection.levels import Level
from lifeguard.detection.model.seeds import SEEDS

Labelled = tuple[list[str], list[int]]


def _everything(text: str) -> bool:
    return True


def _add(into: Labelled, texts: list[str], label: int) -> None:
    into[0].extend(texts)
    into[1].extend([label] * len(texts))


def written_apart_lines(
    folder: Path,
    risk_files: tuple[str, ...],
    lookalike_files: tuple[str, ...],
    keep: Callable[[str], bool] = _everything,
) -> Labelled:
    """The lines of the named written-apart files that ``keep`` keeps: risk (``LEVEL<TAB>TEXT``) as 1, lookalikes
    (one message a line) as 0."""
    out: Labelled = ([], [])
    for name in risk_files:
        rows = (folder / name).read_text(encoding="utf-8").splitlines()
        _add(out, [row.split("\t", 1)[1] for row in rows if "\t" in row and keep(row.split("\t", 1)[1])], 1)
    for name in lookalike_files:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        _add(out, [line for line in lines if line.strip() and keep(line)], 0)
    return out


def phrasebook_lines(path: Path, keep: Callable[[str], bool] = _everything) -> Labelled:
    """The phrasebook's messages that ``keep`` keeps (reports, ``kind: report``, are left out): the writer's own level
    ideation or above as 1, the rest as 0 (a message about someone else, ``third``, is the writer's none)."""
    out: Labelled = ([], [])
    for group in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        for item in group.get("phrases", []):
            text = str(item.get("text", ""))
            if item.get("kind", "message") != "message" or not keep(text):
                continue
            own = Level.NONE if "third" in item else Level(item["level"])
            _add(out, [text], int(own >= Level.IDEATION))
    return out


def seed_lines(languages: tuple[str, ...]) -> Labelled:
    """The seed phrases of ``languages`` (keys of ``SEEDS``): ideation or above as 1, the rest as 0."""
    out: Labelled = ([], [])
    for language in languages:
        for level, phrases in SEEDS[language].items():
            _add(out, list(phrases), int(level >= Level.IDEATION))
    return out
