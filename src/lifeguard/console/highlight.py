"""Split a text into plain and highlighted segments from detector spans (overlaps merged)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    text: str
    reasons: tuple[str, ...] = ()

    @property
    def marked(self) -> bool:
        return bool(self.reasons)


def segments(text: str, spans: list[dict[str, Any]]) -> list[Segment]:
    valid = sorted(
        (int(s["start"]), int(s["end"]), str(s.get("reason", "")))
        for s in spans
        if 0 <= int(s["start"]) < int(s["end"]) <= len(text)
    )
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, reason in valid:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), [*last[2], reason])
        else:
            merged.append((start, end, [reason]))
    out: list[Segment] = []
    cursor = 0
    for start, end, reasons in merged:
        if start > cursor:
            out.append(Segment(text[cursor:start]))
        out.append(Segment(text[start:end], tuple(dict.fromkeys(r for r in reasons if r))))
        cursor = end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out
