"""A pass of work run again and again in a thread: at once when woken through the bus, otherwise every
``poll_seconds`` (so that what a crash left behind is found without anyone waking it). A pass that fails is
logged and the loop goes on: a database hiccup must not stop a worker for good."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from lifeguard.bus.base import Bus

log = logging.getLogger(__name__)


class BackgroundLoop:
    def __init__(
        self,
        *,
        name: str,
        work: Callable[[], object],
        poll_seconds: float,
        bus: Bus | None = None,
        topic: str | None = None,
    ) -> None:
        self._name = name
        self._work = work
        self._poll = poll_seconds
        self._bus = bus
        self._topic = topic
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self, _topic: str = "", _message: dict[str, Any] | None = None) -> None:
        self._wake.set()

    def start(self) -> None:
        self._subscribe()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def run_forever(self) -> None:
        """In the calling thread (``lifeguard worker``), until ``stop``."""
        self._subscribe()
        self._run()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _subscribe(self) -> None:
        if self._bus is not None and self._topic is not None:
            self._bus.subscribe(self._topic, self.wake)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._work()
            except Exception:  # noqa: BLE001 - log and go on; the next pass retries
                log.exception("%s pass failed", self._name)
            self._wake.wait(self._poll)
            self._wake.clear()
