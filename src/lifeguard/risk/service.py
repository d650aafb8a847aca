"""Fuse each new signal into its person's risk, keep the state only while it holds risk, and replay it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lifeguard.detection.assessment import Assessment
from lifeguard.detection.fusion import FusedRisk, Observation, Policy, SubjectRisk, evaluate, fold, observe
from lifeguard.detection.products.catalogue import Catalogue
from lifeguard.risk.models import RiskObservation, SubjectRiskRow

# What makes a state worth keeping: a level, means, a time or place, a report. Not the look-alike contexts
# ("a joke", "ordinary kitchen knife") or word tokens that ordinary chat and shopping leave behind: those only
# ever soften or link real risk, and a person who has shown none is not remembered.
_RISK_KEYS = ("lv", "mn", "nm", "tc", "pc", "rp")


def worth_keeping(state: SubjectRisk) -> bool:
    data = state.to_json()
    return any(key in data for key in _RISK_KEYS)


def signal_key(platform: str, event_id: str) -> str:
    return f"{platform}:{event_id}"


@dataclass
class RiskEngine:
    """The catalogue and policy a process fuses with, and the states of one batch (written back at the end)."""

    catalogue: Catalogue
    policy: Policy
    _states: dict[tuple[str, str], SubjectRisk | None] = field(default_factory=dict)

    def fuse(
        self,
        session: Session,
        *,
        platform: str,
        subject: str,
        event_id: str,
        kind: str,
        occurred_at: datetime,
        payload: dict[str, Any],
        assessment: Assessment,
        now: datetime,
    ) -> FusedRisk:
        key = (platform, subject)
        if key not in self._states:
            row = session.get(SubjectRiskRow, key)
            self._states[key] = SubjectRisk.from_json(row.state) if row is not None else None
        obs = observe(
            signal_id=signal_key(platform, event_id),
            kind=kind,
            occurred_at=occurred_at,
            payload=payload,
            assessment=assessment,
            catalogue=self.catalogue,
            platform=platform,
        )
        had_state = self._states[key] is not None
        state = self._states[key] or SubjectRisk()
        fold(state, obs, self.policy)
        fused = evaluate(state, now=now, policy=self.policy)
        if worth_keeping(state):
            self._states[key] = state
            session.add(
                RiskObservation(platform=platform, subject=subject, signal_id=obs.signal_id, observation=obs.to_json())
            )
            _save(session, platform=platform, subject=subject, state=state, fused=fused, now=now)
        else:
            # Nothing risky to remember: forget the person, tokens and all (and any log of them).
            self._states[key] = None
            if had_state:
                _forget(session, platform=platform, subject=subject)
        return fused

    def reset_batch(self) -> None:
        self._states.clear()

    def recheck(self, session: Session, *, platform: str, subject: str, now: datetime) -> FusedRisk | None:
        """Read a kept state again at ``now``: the clock alone can raise a priority ("tonight" draws near)."""
        row = session.get(SubjectRiskRow, (platform, subject))
        if row is None:
            return None
        fused = evaluate(SubjectRisk.from_json(row.state), now=now, policy=self.policy)
        row.level, row.priority, row.recheck_at = fused.level.value, fused.priority, fused.recheck_at
        return fused

    def replay(self, session: Session, *, platform: str, subject: str, now: datetime) -> FusedRisk:
        """Fold the logged observations from nothing, in the order they were folded."""
        state = SubjectRisk()
        for data in session.scalars(
            select(RiskObservation.observation)
            .where(RiskObservation.platform == platform, RiskObservation.subject == subject)
            .order_by(RiskObservation.id)
        ):
            fold(state, Observation.from_json(data), self.policy)
        return evaluate(state, now=now, policy=self.policy)


def _save(
    session: Session, *, platform: str, subject: str, state: SubjectRisk, fused: FusedRisk, now: datetime
) -> None:
    row = session.get(SubjectRiskRow, (platform, subject))
    if row is None:
        row = SubjectRiskRow(platform=platform, subject=subject)
        session.add(row)
    row.state = state.to_json()
    row.level = fused.level.value
    row.priority = fused.priority
    row.updated_at = now
    row.recheck_at = fused.recheck_at


def _forget(session: Session, *, platform: str, subject: str) -> None:
    row = session.get(SubjectRiskRow, (platform, subject))
    if row is not None:
        session.delete(row)
    session.execute(
        delete(RiskObservation).where(RiskObservation.platform == platform, RiskObservation.subject == subject)
    )


def current(session: Session, *, platform: str, subject: str) -> SubjectRiskRow | None:
    return session.get(SubjectRiskRow, (platform, subject))
