"""A bus inside one process. Handlers run in the publisher's thread and must be quick (hand work to a queue);
a failing handler is logged and does not stop the others. Durability lives in the tables, not here: every
message only says "look again", so a lost one is caught by the next poll."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from lifeguard.bus.base import Handler

log = logging.getLogger(__name__)


class InProcessBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        with self._lock:
            handlers = list(self._handlers.get(topic, ()))
        for handler in handlers:
            try:
                handler(topic, message)
            except Exception:  # noqa: BLE001 - one bad subscriber must not break delivery to the rest
                log.exception("bus handler for %s failed", topic)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        with self._lock:
            self._handlers[topic].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers[topic]:
                    self._handlers[topic].remove(handler)

        return unsubscribe
