"""Event builders for tests: valid by default, overridable field by field."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

_ids = itertools.count(1)


def _base(kind: str, subject: str, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": f"e-{next(_ids)}",
        "kind": kind,
        "subject": subject,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    event.update(fields)
    return event


def message(text: str, subject: str = "u-1", **fields: Any) -> dict[str, Any]:
    fields.setdefault("conversation_id", "c-1")
    fields.setdefault("speaker_role", "user")
    return _base("message", subject, text=text, **fields)


def post(text: str, subject: str = "u-1", **fields: Any) -> dict[str, Any]:
    return _base("post", subject, text=text, **fields)


def search(query: str, subject: str = "u-1", **fields: Any) -> dict[str, Any]:
    return _base("search", subject, query=query, **fields)


def order(items: list[dict[str, Any]], subject: str = "u-1", **fields: Any) -> dict[str, Any]:
    fields.setdefault("order_id", f"o-{next(_ids)}")
    return _base("order", subject, items=items, **fields)


def report(text: str, subject: str = "u-1", reporter_kind: str = "user", **fields: Any) -> dict[str, Any]:
    return _base("report", subject, text=text, reporter={"kind": reporter_kind, "id": "r-9"}, **fields)


def item(title: str, quantity: int = 1, **fields: Any) -> dict[str, Any]:
    return {"product_id": f"p-{next(_ids)}", "title": title, "quantity": quantity, **fields}
