from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifeguard.cases.models import Case
from lifeguard.cases.transitions import OPEN_STATUSES
from lifeguard.signals.models import InboxEntry, SignalCount


@dataclass(frozen=True)
class Snapshot:
    signals: list[tuple[str, str, str, int]]  # platform, kind, outcome, count (all days)
    open_cases: list[tuple[int, int]]  # priority, count
    inbox_pending: int


def snapshot(session: Session) -> Snapshot:
    signals = session.execute(
        select(SignalCount.platform, SignalCount.kind, SignalCount.outcome, func.sum(SignalCount.count))
        .group_by(SignalCount.platform, SignalCount.kind, SignalCount.outcome)
        .order_by(SignalCount.platform, SignalCount.kind, SignalCount.outcome)
    ).all()
    open_cases = session.execute(
        select(Case.priority, func.count())
        .where(Case.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Case.priority)
        .order_by(Case.priority)
    ).all()
    pending = session.scalar(select(func.count()).select_from(InboxEntry).where(InboxEntry.processed_at.is_(None))) or 0
    return Snapshot(
        signals=[(p, k, o, int(c)) for p, k, o, c in signals],
        open_cases=[(int(p), int(c)) for p, c in open_cases],
        inbox_pending=int(pending),
    )


def prometheus_text(snap: Snapshot) -> str:
    lines = [
        "# HELP lifeguard_signals_total Signals by platform, kind and outcome "
        "(stored, below_floor, duplicate, rejected).",
        "# TYPE lifeguard_signals_total counter",
    ]
    lines += [f'lifeguard_signals_total{{platform="{p}",kind="{k}",outcome="{o}"}} {c}' for p, k, o, c in snap.signals]
    lines += ["# HELP lifeguard_open_cases Open cases by priority.", "# TYPE lifeguard_open_cases gauge"]
    lines += [f'lifeguard_open_cases{{priority="P{p}"}} {c}' for p, c in snap.open_cases]
    lines += [
        "# HELP lifeguard_inbox_pending Accepted signals not yet processed.",
        "# TYPE lifeguard_inbox_pending gauge",
        f"lifeguard_inbox_pending {snap.inbox_pending}",
    ]
    return "\n".join(lines) + "\n"
