"""Priority P0..P3 from the fused level, the clock and the evidence, each step with its reason.

The level says how grave; the priority says how soon a person must look. A plan for "tonight" said at 21:00 is
now; the same words at 09:00 leave hours. Evidence that has gone stale waits a step longer; a person with a plan B
(several kinds of means at hand), or confirmed by independent reporters, waits a step less. The numbers are the
policy's (``priority`` in policy.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lifeguard.detection.fusion.policy import Policy
from lifeguard.detection.fusion.state import Cue, Evidence, SubjectRisk, effective_strength
from lifeguard.detection.levels import Level
from lifeguard.detection.products.catalogue import Strength

_HOUR = 3600


@dataclass(slots=True)
class PriorityDecision:
    priority: int
    reasons: list[str] = field(default_factory=list)
    recheck: list[int] = field(default_factory=list)  # moments when the clock alone may change the answer


def decide_priority(
    state: SubjectRisk, *, level: Level, top: Evidence | None, moment: int, strong_means: bool, policy: Policy
) -> PriorityDecision:
    decision = PriorityDecision(policy.priority_by_level[level], [f"priority:base({level.value})"])
    cue = state.time
    time_based = (
        top is not None
        and cue is not None
        and (cue.sid in top.ids or any(reason.startswith("fusion:behavior+time") for reason in top.reasons))
    )
    if level >= Level.BEHAVIOR and cue is not None and cue.end >= moment:
        until = cue.start - moment
        soon = policy.imminent_hours * _HOUR
        if until <= soon and (time_based or _close(cue, top, policy)):
            decision.priority = 0
            decision.reasons.append(f"priority:imminent({cue.phrase})")
        elif level is Level.ATTEMPT and time_based and until > soon:
            decision.priority = min(3, decision.priority + policy.far_time_steps)
            decision.reasons.append(f"priority:time_not_yet_near({cue.phrase})")
            decision.recheck.append(int(cue.start - soon))
        if until > soon:
            decision.recheck.append(int(cue.start - soon))
    if level >= Level.BEHAVIOR:
        kinds = _means_at_hand(state, moment, policy)
        if len(kinds) >= policy.plan_b_min_means:
            decision.priority = max(0, decision.priority - 1)
            decision.reasons.append(f"priority:plan_b({'+'.join(kinds)})")
    if level >= Level.IDEATION:
        window = policy.window("reports")
        reporters = [m for m in state.reporters.values() if m.counted and 0 <= moment - m.at <= window]
        if len(reporters) >= policy.independent_reporters_min:
            decision.priority = max(0, decision.priority - 1)
            decision.reasons.append(f"priority:independent_reporters({len(reporters)})")
    if level <= Level.INDICATOR and strong_means and policy.strong_means_only_priority < decision.priority:
        decision.priority = policy.strong_means_only_priority
        decision.reasons.append("priority:strong_means_without_words")
    if top is not None and level is not Level.NONE:
        stale_at = top.at + int(policy.stale_after_hours.get(level, 24.0) * _HOUR)
        if moment > stale_at and decision.priority < 3:
            decision.priority += 1
            decision.reasons.append(f"priority:stale({(moment - top.at) // _HOUR}h)")
        elif moment <= stale_at:
            decision.recheck.append(stale_at)
    decision.reasons[0] = f"priority:P{decision.priority}"
    return decision


def _close(cue: Cue, top: Evidence | None, policy: Policy) -> bool:
    """A time named close to the grave evidence belongs to the same plan (a bare time only if very close)."""
    reach = policy.window("behavior_time" if cue.kind == "time:risky" else "bare_time")
    return top is not None and abs(cue.at - top.at) <= reach


def _means_at_hand(state: SubjectRisk, moment: int, policy: Policy) -> list[str]:
    """Distinct methods at hand: two halves of one combination (charcoal and tape) are one method."""
    kinds: list[str] = []
    for kind, held in sorted(state.means.items()):
        if 0 <= moment - held.at <= policy.window("means_active"):
            if effective_strength(state, kind, held, policy) >= Strength.WEAK:
                kinds.append(kind)
    halves = {max(kind, partner) for kind in kinds for partner, _, _ in state.means[kind].pairs if partner in kinds}
    return [kind for kind in kinds if kind not in halves]
