"""Shared fixtures for the fusion tests: the shipped catalogue and policy, the real detector, and a small
helper that turns an API-shaped event into an observation the way the worker will."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from lifeguard.detection.assessment import NO_RISK, Detector, TextInput
from lifeguard.detection.fusion import Observation, Policy, load_policy, observe
from lifeguard.detection.fusion.scenarios import text_of
from lifeguard.detection.products import Catalogue, load_catalogue

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 12, 5, 20, 0, tzinfo=CST)

Observe = Callable[..., Observation]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def make_obs(catalogue: Catalogue, detector: Detector) -> Observe:
    """make_obs(kind, minutes, sid=..., detect=True, **payload) -> Observation at T0 + minutes."""

    def make(kind: str, minutes: float, *, sid: str | None = None, detect: bool = True, **payload: Any) -> Observation:
        occurred = T0 + timedelta(minutes=minutes)
        if kind == "message":
            payload.setdefault("speaker_role", "user")
        payload.setdefault("subject", "s-1")
        assessment = detector.assess(TextInput(text_of(kind, payload), kind=kind)) if detect else NO_RISK
        return observe(
            signal_id=sid or f"{kind}-{minutes:g}",
            kind=kind,
            occurred_at=occurred,
            payload=payload,
            assessment=assessment,
            catalogue=catalogue,
        )

    return make
