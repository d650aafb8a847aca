from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from lifeguard.cases.models import Case


class CaseSummary(BaseModel):
    id: int
    platform: str
    subject: str
    status: str
    priority: str
    level: str
    opened_at: datetime
    last_signal_at: datetime
    signal_count: int
    outcome: str | None

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(
            id=case.id,
            platform=case.platform,
            subject=case.subject,
            status=case.status,
            priority=f"P{case.priority}",
            level=case.level,
            opened_at=case.opened_at,
            last_signal_at=case.last_signal_at,
            signal_count=case.signal_count,
            outcome=case.outcome,
        )


class CaseQueue(BaseModel):
    total: int
    cases: list[CaseSummary]
