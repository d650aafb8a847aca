from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Handler = Callable[[str, dict[str, Any]], None]

SIGNALS_ACCEPTED = "signals.accepted"
CASES_CHANGED = "cases.changed"


class Bus(Protocol):
    def publish(self, topic: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Register a handler; returns a function that unsubscribes it."""
        ...
