"""Folding one observation into a person's state, and reading the state at a moment as a level and a priority.

Two steps, kept apart on purpose:

- ``fold`` changes the state. It depends only on the state and the observation (times are the observations'
  own), never on the wall clock, so replaying the same observations in the same order gives the same state.
  Rules that combine signals fire here and leave *derived evidence* ("fusion:ideation+means" at the time the
  second signal arrived), which then decays like any other evidence.
- ``evaluate`` reads the state at ``now``: which evidence is still active after decay, the means-only level,
  the priority from the level, the clock and the evidence. It does not change the state, so a scheduler can
  call it again later to let a near time raise, or stale evidence lower, the priority.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lifeguard.detection.fusion.observe import Observation
from lifeguard.detection.fusion.policy import Policy
from lifeguard.detection.fusion.priority import decide_priority
from lifeguard.detection.fusion.state import (
    RISK_LEVELS,
    Cue,
    Evidence,
    MeansHeld,
    ReporterMark,
    SubjectRisk,
    effective_strength,
)
from lifeguard.detection.levels import Level
from lifeguard.detection.products.catalogue import Strength

SCORE_BANDS: dict[Level, tuple[float, float]] = {
    Level.NONE: (0.0, 0.0),
    Level.INDICATOR: (0.25, 0.45),
    Level.IDEATION: (0.5, 0.7),
    Level.BEHAVIOR: (0.72, 0.88),
    Level.ATTEMPT: (0.9, 0.99),
}
_METHOD_PLACES = frozenset({"height", "water", "rail"})
_HOUR = 3600


@dataclass(frozen=True, slots=True)
class FusedRisk:
    """A person's risk at one moment: what the case queue and the interventionist see."""

    level: Level
    priority: int  # 0 = P0, act now
    score: float
    reasons: tuple[str, ...]  # rules and evidence, most important first
    signal_ids: tuple[str, ...]  # the signals behind the level
    recheck_at: datetime | None = None  # when the clock alone may next change level or priority
    policy_version: int = 0

    @property
    def priority_label(self) -> str:
        return f"P{self.priority}"

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "priority": self.priority,
            "score": self.score,
            "reasons": list(self.reasons),
            "signal_ids": list(self.signal_ids),
            "recheck_at": self.recheck_at.isoformat() if self.recheck_at else None,
            "policy_version": self.policy_version,
        }


# -- public API ---------------------------------------------------------------------------------------------


def fuse(
    state: SubjectRisk | None, obs: Observation, *, now: datetime, policy: Policy
) -> tuple[SubjectRisk, FusedRisk]:
    """Fold ``obs`` into ``state`` (a new state is made when None; the given one is updated in place and
    returned) and read the result at ``now``."""
    state = state if state is not None else SubjectRisk()
    fold(state, obs, policy)
    return state, evaluate(state, now=now, policy=policy)


def replay(
    observations: Iterable[Observation], policy: Policy, *, now: datetime | None = None
) -> tuple[SubjectRisk, FusedRisk]:
    """Fold observations in order from an empty state; read at ``now`` (default: the newest observation)."""
    state = SubjectRisk()
    for obs in observations:
        fold(state, obs, policy)
    moment = now if now is not None else datetime.fromtimestamp(state.latest, UTC)
    return state, evaluate(state, now=moment, policy=policy)


def signal_level(obs: Observation, policy: Policy) -> Level:
    """What one signal says about its subject on its own, in this policy (no history, no other signal)."""
    levels = [Level.NONE]
    words = obs.words_level
    if obs.kind == "search" and obs.method_seeking and "writing" in obs.contexts and words <= Level.BEHAVIOR:
        words = min(words, policy.writing_context_max_level)
    if "joke" in obs.contexts and words is Level.IDEATION:
        words = min(words, policy.joke_context_max_level)
    levels.append(words)
    if obs.is_report:
        levels.append(_single_report_level(obs.reported_level, _weight(obs.reporter_kind, policy), policy))
    for seen in obs.means:
        if seen.acquired:
            strength = Strength(seen.strength)
            if f"ordinary:{seen.means}" in obs.contexts:
                strength = strength.step(-1)
            levels.append(policy.means_level_alone[strength])
    return max(levels)


# -- folding ------------------------------------------------------------------------------------------------


def fold(state: SubjectRisk, obs: Observation, policy: Policy) -> None:
    t = obs.at
    state.latest = max(state.latest, t)
    state.count += 1
    for context in obs.contexts:
        _mark(state.contexts, context, t, obs.signal_id)
    _fold_words(state, obs, policy)
    for seen in obs.means:
        if seen.how == "named":
            _mark(state.named, seen.means, t, obs.signal_id)
    for seen in obs.means:
        if seen.acquired:
            _fold_means(state, obs, seen, policy)
    if obs.tokens and obs.kind == "order":
        _push(state.order_tokens, (t, obs.signal_id, obs.tokens), policy.max_token_sets)
    if obs.place_cue is not None and (state.place is None or t >= state.place.at):
        state.place = Cue(t, obs.signal_id, obs.place_cue.phrase, obs.place_cue.kind)
        _pair_with_cue(state, f"cue:{obs.place_cue.kind}", t, obs.signal_id)
    if obs.time_cue is not None and (state.time is None or t >= state.time.at):
        cue = obs.time_cue
        # A time in words that carry risk themselves belongs to a plan; a bare one only if it follows closely.
        risky = obs.words_level > Level.NONE or obs.reported_level > Level.NONE
        kind = "time:risky" if risky else "time"
        state.time = Cue(t, obs.signal_id, cue.phrase, kind, t + cue.start_min * 60, t + cue.end_min * 60)
    if obs.is_report:
        _fold_report(state, obs, policy)
    _derive(state, t, policy)
    _prune(state, policy)


def _fold_words(state: SubjectRisk, obs: Observation, policy: Policy) -> None:
    level = obs.words_level
    if level is Level.NONE:
        return
    reasons = [f"{obs.kind}:{obs.signal_id}", *obs.reasons]
    if obs.kind == "search" and obs.method_seeking and level <= Level.BEHAVIOR:
        writing = _recent(state.contexts.get("writing"), obs.at, policy.window("writing_context"))
        if writing is not None and level > policy.writing_context_max_level:
            level = policy.writing_context_max_level
            reasons.insert(0, f"context:writing@{writing[1]}")
    if "joke" in obs.contexts and level is Level.IDEATION and level > policy.joke_context_max_level:
        level = policy.joke_context_max_level
        reasons.insert(0, "context:joke")
    if level is Level.NONE:
        return
    _record(state, level, obs.at, (obs.signal_id,), reasons, obs.words_score, policy)
    if level >= Level.IDEATION and obs.tokens:
        _push(state.word_tokens, (obs.at, obs.signal_id, obs.tokens), policy.max_token_sets)


def _fold_means(state: SubjectRisk, obs: Observation, seen: Any, policy: Policy) -> None:
    t = obs.at
    held = state.means.get(seen.means)
    window = policy.window("means_active")
    if held is not None and held.at - t > window:
        return  # a purchase older than the means window, arriving late, cannot change what is at hand now
    reasons: list[str] = [f"means:{seen.means}:{seen.entry or seen.how}@{obs.signal_id}"]
    strength = Strength(seen.strength)
    if seen.multiple >= policy.extreme_multiple:
        strength = strength.step(1)
        reasons.append(f"means:{seen.means}.extreme_quantity(x{seen.multiple:g})")
    orders = [o for o in (held.orders if held else []) if abs(t - o[0]) <= policy.window("repeat_orders")]
    if seen.order_key and all(key != seen.order_key for _, key in orders):
        orders.append((t, seen.order_key))
    orders = sorted(orders)[-8:]
    if (
        seen.how == "order"
        and len({key for _, key in orders}) >= policy.repeat_orders_min
        and strength >= Strength.WEAK
    ):
        strength = strength.step(1)
        reasons.append(f"means:{seen.means}.repeated_orders({len(orders)})")
    if held is not None and abs(t - held.at) <= window:
        if held.strength > strength:
            strength = Strength(held.strength)
            reasons.extend(r for r in held.reasons if r not in reasons)
    new = MeansHeld(
        at=max(t, held.at) if held is not None and abs(t - held.at) <= window else t,
        sid=obs.signal_id,
        entry=seen.entry,
        strength=int(strength),
        orders=orders,
        pairs=seen.pairs or (held.pairs if held else ()),
        reasons=tuple(reasons[: policy.max_reasons]),
    )
    state.means[seen.means] = new
    for partner, pair_strength, hours in new.pairs:
        if partner.startswith("cue:"):
            place = state.place
            if place is not None and f"cue:{place.kind}" == partner and abs(t - place.at) <= hours * _HOUR:
                _strengthen(new, pair_strength, f"means:pair:{seen.means}+{partner}@{place.sid}", policy)
            continue
        other = state.means.get(partner)
        if other is not None and other is not new and abs(t - other.at) <= hours * _HOUR:
            reason = f"means:pair:{'+'.join(sorted((seen.means, partner)))}"
            _strengthen(new, pair_strength, f"{reason}@{other.sid}", policy)
            _strengthen(other, pair_strength, f"{reason}@{obs.signal_id}", policy)


def _pair_with_cue(state: SubjectRisk, cue: str, t: int, sid: str) -> None:
    for kind, held in state.means.items():
        for partner, pair_strength, hours in held.pairs:
            if partner == cue and abs(t - held.at) <= hours * _HOUR:
                held.strength = max(held.strength, pair_strength)
                reason = f"means:pair:{kind}+{cue}@{sid}"
                if reason not in held.reasons:
                    held.reasons = (*held.reasons, reason)


def _strengthen(held: MeansHeld, strength: int, reason: str, policy: Policy) -> None:
    held.strength = max(held.strength, strength)
    if reason not in held.reasons:
        held.reasons = (*held.reasons, reason)[-policy.max_reasons :]


def _fold_report(state: SubjectRisk, obs: Observation, policy: Policy) -> None:
    t = obs.at
    weight = _weight(obs.reporter_kind, policy)
    claimed = obs.reported_level
    # Floods: beyond flood_per_hour reports in an hour, a new reporter still counts as one report on its own but
    # does not add to the independent confirmation (one case, not a hundred).
    recent = [at for at in state.report_times if t - _HOUR < at <= t]
    flood = len(recent) >= policy.flood_per_hour
    state.report_times = sorted([*recent, t])[-(policy.flood_per_hour + 1) :]
    known = state.reporters.get(obs.reporter_id)
    if known is not None and abs(t - known.at) <= policy.window("reports"):
        known.level = max(known.level, claimed)
        known.at = max(known.at, t)
        known.sid = obs.signal_id if t >= known.at else known.sid
    else:
        state.reporters[obs.reporter_id] = ReporterMark(obs.reporter_kind, claimed, weight, t, obs.signal_id, not flood)
        if len(state.reporters) > policy.max_reporters:
            # Forget flood reporters first, then the oldest: the independent ones are what confirm.
            oldest = min(state.reporters, key=lambda key: (state.reporters[key].counted, state.reporters[key].at, key))
            del state.reporters[oldest]
    if claimed is Level.NONE:
        return
    single = _single_report_level(claimed, weight, policy)
    reasons = [f"report:{obs.reporter_kind}@{obs.signal_id}", *(["report:flood"] if flood else []), *obs.reasons]
    if single is not Level.NONE:
        _record(state, single, t, (obs.signal_id,), reasons, weight, policy)
    # Independent reporters: the claimed level holds when distinct reporters together are confident enough.
    window = policy.window("reports")
    active = [mark for mark in state.reporters.values() if mark.counted and abs(t - mark.at) <= window]
    for level in reversed(RISK_LEVELS):
        backing = [mark for mark in active if mark.level >= level]
        if len(backing) < 2:
            continue
        doubt = 1.0
        for mark in backing:
            doubt *= 1.0 - mark.weight
        if 1.0 - doubt >= policy.report_confidence and level > single:
            ids = tuple(sorted(mark.sid for mark in backing))
            _record(state, level, max(m.at for m in backing), ids, [f"fusion:independent_reporters({len(backing)})"],
                    round(1.0 - doubt, 4), policy)  # fmt: skip
            break


def _derive(state: SubjectRisk, t: int, policy: Policy) -> None:
    """Rules that combine signals. Each leaves derived evidence at the time its last ingredient arrived."""
    ideation = _latest_at_least(state, Level.IDEATION, t, policy.window("ideation_means"))
    if ideation is not None:
        found = _means_for(state, ideation, t, policy)
        if found is not None:
            means_at, means_ids, means_reasons = found
            ids = (*ideation.ids[:2], *means_ids)
            if any(reason.startswith("search:") for reason in ideation.reasons) and means_at >= ideation.at:
                means_reasons = ["fusion:search->order", *means_reasons]
            _record(state, Level.BEHAVIOR, max(ideation.at, means_at), ids,
                    ["fusion:ideation+means", *means_reasons], 0.8, policy)  # fmt: skip
    ideation = _latest_at_least(state, Level.IDEATION, t, policy.window("ideation_place"))
    place = state.place
    if ideation is not None and place is not None and place.kind in _METHOD_PLACES:
        if abs(place.at - ideation.at) <= policy.window("ideation_place"):
            _record(state, Level.BEHAVIOR, max(ideation.at, place.at), (*ideation.ids[:2], place.sid),
                    [f"fusion:ideation+place({place.kind}:{place.phrase})"], 0.8, policy)  # fmt: skip
    behavior = _latest_at_least(state, Level.BEHAVIOR, t, policy.window("behavior_time"))
    cue = state.time
    reach = policy.window("behavior_time" if cue is not None and cue.kind == "time:risky" else "bare_time")
    if behavior is not None and cue is not None and abs(cue.at - behavior.at) <= reach:
        if cue.end >= behavior.at:  # the time named has not passed when the behavior is seen
            _record(state, Level.ATTEMPT, max(behavior.at, cue.at), (*behavior.ids[:3], cue.sid),
                    [f"fusion:behavior+time({cue.phrase})", *behavior.reasons[:2]], 0.92, policy)  # fmt: skip
    behavior = _latest_at_least(state, Level.BEHAVIOR, t, policy.window("behavior_place"))
    if behavior is not None and place is not None and place.sid not in behavior.ids:
        if abs(place.at - behavior.at) <= policy.window("behavior_place"):
            _record(state, Level.ATTEMPT, max(behavior.at, place.at), (*behavior.ids[:3], place.sid),
                    [f"fusion:behavior+place({place.kind}:{place.phrase})", *behavior.reasons[:2]], 0.92,
                    policy)  # fmt: skip


def _means_for(
    state: SubjectRisk, ideation: Evidence, t: int, policy: Policy
) -> tuple[int, tuple[str, ...], list[str]] | None:
    """Means acquired close to the ideation: strong enough alone, bought right after the words, or named in them."""
    window = policy.window("ideation_means")
    link = policy.window("words_link")
    for kind, held in sorted(state.means.items(), key=lambda item: -item[1].at):
        if abs(held.at - ideation.at) > window:
            continue
        strength = effective_strength(state, kind, held, policy)
        if strength >= policy.min_strength_for_acquisition:
            return held.at, (held.sid,), [f"means:{kind}({Strength(strength).name.lower()})@{held.sid}"]
        if strength >= Strength.WEAK:
            if 0 <= held.at - ideation.at <= policy.window("order_after_words"):
                return held.at, (held.sid,), [f"fusion:order_after_risky_words({kind})@{held.sid}"]
            named = state.named.get(kind)
            if named is not None and abs(named[0] - held.at) <= link:
                return held.at, (held.sid, named[1]), [f"fusion:means_named_in_words({kind})@{named[1]}"]
    # Everyday products named in risky words: the chili peppers the person said they would die by eating.
    for order_at, order_sid, order_tokens in state.order_tokens:
        for word_at, word_sid, word_tokens in state.word_tokens:
            if abs(order_at - word_at) > link or abs(order_at - ideation.at) > window:
                continue
            shared = sorted(set(order_tokens) & set(word_tokens))
            if shared:
                return order_at, (order_sid, word_sid), [f"fusion:product_named_in_words({','.join(shared[:3])})"]
    return None


# -- evaluation ---------------------------------------------------------------------------------------------


def evaluate(state: SubjectRisk, *, now: datetime, policy: Policy) -> FusedRisk:
    """The level and priority of ``state`` at ``now`` (aware). Pure: the state is not changed."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    moment = int(now.timestamp())
    level = Level.NONE
    top: Evidence | None = None
    reasons: list[str] = []
    extra_ids: list[str] = []
    recheck: list[int] = []
    for candidate in reversed(RISK_LEVELS):
        evidence = state.levels.get(candidate)
        if evidence is None:
            continue
        expires = evidence.at + int(policy.active_seconds(candidate))
        if moment <= expires:
            if candidate > level:
                level, top = candidate, evidence
            recheck.append(expires)
        elif candidate >= Level.IDEATION and moment <= evidence.at + int(policy.history_seconds(candidate)):
            if level < Level.INDICATOR:
                level, top = Level.INDICATOR, evidence
                reasons.append(f"fusion:history({candidate.value})")
            recheck.append(evidence.at + int(policy.history_seconds(candidate)))
    means_level, means_reasons, means_ids, strong_means = _means_alone(state, moment, policy)
    if means_level > level:
        level, top = means_level, None
    if top is not None:
        reasons.extend(top.reasons)
        # The combination rules that led up to the top level explain it too ("fusion:ideation+means" under an
        # attempt), with their signals.
        for lower in reversed(RISK_LEVELS):
            evidence = state.levels.get(lower)
            if evidence is None or evidence is top or lower > level or lower < Level.IDEATION:
                continue
            if moment <= evidence.at + int(policy.active_seconds(lower)):
                fused = [reason for reason in evidence.reasons if reason.startswith(("fusion:", "means:"))]
                if fused:
                    reasons.extend(fused)
                    extra_ids.extend(evidence.ids)
    reasons.extend(r for r in means_reasons if level <= Level.INDICATOR or r.startswith("means:pair"))
    ids = list(top.ids) if top is not None else []
    ids.extend(extra_ids)
    if level <= Level.INDICATOR:
        ids.extend(means_ids)
    weight = policy.weight(level, moment - top.at) if top is not None else 0.5
    low, high = SCORE_BANDS[level]
    score = 0.0 if level is Level.NONE else round(low + (high - low) * weight, 4)
    decision = decide_priority(state, level=level, top=top, moment=moment, strong_means=strong_means, policy=policy)
    reasons = decision.reasons + reasons
    recheck.extend(decision.recheck)
    future = [at for at in recheck if at > moment]
    return FusedRisk(
        level=level,
        priority=decision.priority,
        score=score,
        reasons=tuple(dict.fromkeys(reasons)),
        signal_ids=tuple(dict.fromkeys(ids)),
        recheck_at=datetime.fromtimestamp(min(future), UTC) if future else None,
        policy_version=policy.version,
    )


def _means_alone(state: SubjectRisk, moment: int, policy: Policy) -> tuple[Level, list[str], list[str], bool]:
    level = Level.NONE
    reasons: list[str] = []
    ids: list[str] = []
    strong = False
    for kind, held in sorted(state.means.items()):
        if not 0 <= moment - held.at <= policy.window("means_active"):
            continue
        strength = effective_strength(state, kind, held, policy)
        if strength < held.strength:
            reasons.append(f"context:ordinary:{kind}")
        alone = policy.means_level_alone[Strength(strength)]
        if alone > Level.NONE:
            reasons.extend(held.reasons)
            ids.append(held.sid)
        strong = strong or strength >= Strength.STRONG
        level = max(level, alone)
    return level, reasons, ids, strong


# -- helpers ------------------------------------------------------------------------------------------------


def _record(
    state: SubjectRisk,
    level: Level,
    at: int,
    ids: tuple[str, ...],
    reasons: list[str],
    score: float,
    policy: Policy,
) -> None:
    """Keep the newest evidence per level; for the same moment, the one with more signals behind it."""
    current = state.levels.get(level)
    if current is not None and (current.at, len(current.ids)) >= (at, len(ids)):
        return
    if current is not None and at - current.at <= policy.active_seconds(level):
        # The older evidence at this level still explains it: keep its signals and reasons after the new ones.
        ids = (*ids, *current.ids)
        reasons = [*reasons, *current.reasons]
        score = max(score, current.score)
    state.levels[level] = Evidence(
        at=at,
        ids=tuple(dict.fromkeys(ids))[: policy.max_signal_ids],
        reasons=tuple(dict.fromkeys(reasons))[: policy.max_reasons],
        score=round(float(score), 4),
    )


def _latest_at_least(state: SubjectRisk, level: Level, t: int, window: float) -> Evidence | None:
    best: Evidence | None = None
    for candidate in RISK_LEVELS:
        if candidate < level:
            continue
        evidence = state.levels.get(candidate)
        if evidence is not None and abs(t - evidence.at) <= window and (best is None or evidence.at > best.at):
            best = evidence
    return best


def _recent(mark: tuple[int, str] | None, t: int, window: float) -> tuple[int, str] | None:
    return mark if mark is not None and abs(t - mark[0]) <= window else None


def _mark(marks: dict[str, tuple[int, str]], key: str, t: int, sid: str) -> None:
    current = marks.get(key)
    if current is None or t >= current[0]:
        marks[key] = (t, sid)


def _push(items: list[tuple[int, str, tuple[str, ...]]], item: tuple[int, str, tuple[str, ...]], limit: int) -> None:
    if limit <= 0:
        return
    items.append(item)
    items.sort(key=lambda entry: entry[0])
    del items[:-limit]


def _weight(kind: str, policy: Policy) -> float:
    return policy.report_weights.get(kind, policy.report_weights["unknown"])


def _single_report_level(claimed: Level, weight: float, policy: Policy) -> Level:
    """One reporter alone: the claimed level if their kind is trusted enough, otherwise one level lower."""
    if claimed is Level.NONE or weight >= policy.report_confidence:
        return claimed
    return max(Level.INDICATOR, RISK_LEVELS[max(0, RISK_LEVELS.index(claimed) - 1)])


def _prune(state: SubjectRisk, policy: Policy) -> None:
    """Forget what can no longer change any result (relative to the newest observation, never the wall clock)."""
    horizon = state.latest - int(policy.longest_memory_seconds)
    for level in [level for level, evidence in state.levels.items() if evidence.at < horizon]:
        del state.levels[level]
    for kind in [kind for kind, held in state.means.items() if held.at < horizon]:
        del state.means[kind]
    for marks in (state.named, state.contexts):
        for key in [key for key, (at, _) in marks.items() if at < horizon]:
            del marks[key]
    for key in [key for key, mark in state.reporters.items() if mark.at < horizon]:
        del state.reporters[key]
    if state.time is not None and state.time.end < horizon:
        state.time = None
    if state.place is not None and state.place.at < horizon:
        state.place = None
    state.word_tokens[:] = [entry for entry in state.word_tokens if entry[0] >= horizon]
    state.order_tokens[:] = [entry for entry in state.order_tokens if entry[0] >= horizon]
