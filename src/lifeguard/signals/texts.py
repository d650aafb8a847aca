"""What text of each kind of event the detector reads, and what is kept beside it."""

from __future__ import annotations

from typing import Any


def assessable_text(kind: str, payload: dict[str, Any]) -> str:
    if kind == "search":
        return str(payload["query"])
    if kind == "order":
        return "\n".join(str(item["title"]) for item in payload["items"])
    return str(payload["text"])


_COMMON = {"event_id", "subject", "occurred_at", "locale", "location", "kind", "text", "query"}


def details(payload: dict[str, Any]) -> dict[str, Any]:
    """Kind-specific fields worth keeping with a stored signal (conversation, speaker, items, reporter)."""
    return {key: value for key, value in payload.items() if key not in _COMMON}
