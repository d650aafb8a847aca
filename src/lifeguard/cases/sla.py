"""Service levels: how fast a human must acknowledge a case of each priority, and who is paged when not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

STEP_TYPES = ("on_call", "supervisors", "all_seniors")

DEFAULT_ACK_SECONDS = {0: 120, 1: 600, 2: 3600, 3: 86400}
DEFAULT_STEPS: tuple[dict[str, Any], ...] = (
    {"type": "on_call", "wait_seconds": 0},
    {"type": "supervisors", "wait_seconds": 120},
    {"type": "all_seniors", "wait_seconds": 300},
)


@dataclass(frozen=True)
class SlaPolicy:
    ack_seconds: dict[int, int] = field(default_factory=lambda: dict(DEFAULT_ACK_SECONDS))
    claim_idle_seconds: int = 900
    steps: tuple[dict[str, Any], ...] = DEFAULT_STEPS

    def __post_init__(self) -> None:
        missing = [p for p in range(4) if p not in self.ack_seconds]
        if missing:
            raise ValueError(f"SLA needs an acknowledgement time for every priority; missing P{missing}")
        for index, step in enumerate(self.steps):
            if step.get("type") not in STEP_TYPES:
                raise ValueError(f"escalation step {index}: type must be one of {STEP_TYPES}, got {step.get('type')!r}")
            if not isinstance(step.get("wait_seconds"), int) or step["wait_seconds"] < 0:
                raise ValueError(f"escalation step {index}: wait_seconds must be a whole number >= 0")

    def ack_within(self, priority: int) -> timedelta:
        return timedelta(seconds=self.ack_seconds[priority])

    @property
    def claim_idle(self) -> timedelta:
        return timedelta(seconds=self.claim_idle_seconds)

    def snapshot(self) -> dict[str, Any]:
        """What a running escalation keeps, so later edits of the policy do not change it midway."""
        return {"steps": [dict(step) for step in self.steps]}
