"""Turn a raw request body into validated events and precise per-item errors. No storage here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from lifeguard.errors import BadRequest, PayloadTooLarge
from lifeguard.signals.schemas import EVENT_KINDS, Event, FieldError

_EVENT = TypeAdapter(Event)


@dataclass(frozen=True)
class ParsedItem:
    index: int
    event_id: str | None
    event: Any | None  # one of the Event models when valid
    errors: list[FieldError]


def parse_body(body: bytes, *, max_events: int) -> list[Any]:
    """Whole-batch checks: a body that fails these is rejected whole, nothing is stored."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(
            "the body is not valid JSON", details=[{"path": "", "code": "invalid_json", "message": str(exc)}]
        ) from None
    if not isinstance(document, dict):
        raise BadRequest(
            'the body must be a JSON object {"events": [...]}',
            details=[{"path": "", "code": "not_an_object", "message": "expected an object"}],
        )
    unknown = sorted(set(document) - {"events"})
    if unknown:
        raise BadRequest(
            f"unknown top-level fields: {', '.join(unknown)}",
            details=[{"path": key, "code": "extra_forbidden", "message": "not allowed"} for key in unknown],
        )
    events = document.get("events")
    if not isinstance(events, list):
        raise BadRequest(
            '"events" must be a list',
            details=[{"path": "events", "code": "not_a_list", "message": "expected a list of events"}],
        )
    if not events:
        raise BadRequest(
            "a batch needs at least one event", details=[{"path": "events", "code": "too_short", "message": "0 events"}]
        )
    if len(events) > max_events:
        raise PayloadTooLarge(
            f"a batch holds at most {max_events} events; this one has {len(events)}",
            details=[{"path": "events", "code": "too_long", "message": f"{len(events)} > {max_events}"}],
        )
    return events


def parse_event(index: int, raw: Any, *, max_text_chars: int, now: datetime | None = None) -> ParsedItem:
    """One event of a batch, or the errors that reject it. With ``now`` (the server's time), an ``occurred_at``
    more than ``MAX_FUTURE_SKEW`` ahead of it is refused: fusion reads time windows ("tonight", "after my
    parents sleep") from it, and a clock set years ahead would keep a person's risk "fresh" for ever."""
    event_id = raw.get("event_id") if isinstance(raw, dict) and isinstance(raw.get("event_id"), str) else None
    prefix = f"events[{index}]"
    if not isinstance(raw, dict):
        return ParsedItem(
            index, None, None, [FieldError(path=prefix, code="not_an_object", message="an event is a JSON object")]
        )
    kind = raw.get("kind")
    if kind not in EVENT_KINDS:
        message = f"kind must be one of {', '.join(EVENT_KINDS)}" if kind is not None else "kind is required"
        return ParsedItem(
            index,
            event_id,
            None,
            [
                FieldError(
                    path=f"{prefix}.kind", code="unknown_kind" if kind is not None else "missing", message=message
                )
            ],
        )
    try:
        event = _EVENT.validate_python(raw, context={"max_text_chars": max_text_chars, "now": now})
    except ValidationError as exc:
        return ParsedItem(index, event_id, None, [_field_error(prefix, err) for err in exc.errors(include_url=False)])
    return ParsedItem(index, event.event_id, event, [])


def _field_error(prefix: str, err: Any) -> FieldError:
    # pydantic puts the discriminator value first in the location of a tagged union; drop it from the path.
    loc = list(err["loc"])
    if loc and loc[0] in EVENT_KINDS:
        loc = loc[1:]
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return FieldError(path=path, code=str(err["type"]), message=message)
