"""Properties of fusion over generated timelines.

- incremental == replay: folding one observation at a time, with the state stored as JSON and read back between
  signals (as the worker will), gives the same result as replaying all observations from an empty state;
- the fused level is never below the level any single signal shows on its own while that level is active;
- observing never raises on odd payloads, and fusing what it returns never raises either;
- the state stays small however many signals arrive.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import T0
from lifeguard.detection.assessment import Assessment
from lifeguard.detection.fusion import (
    Observation,
    Policy,
    SubjectRisk,
    evaluate,
    fold,
    load_policy,
    replay,
    signal_level,
)
from lifeguard.detection.fusion.cues import PlaceCue, TimeCue
from lifeguard.detection.fusion.observe import MeansSeen, observe
from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.products import Catalogue, Strength, load_catalogue

POLICY = load_policy()
CATALOGUE = load_catalogue()
MEANS_KINDS = sorted(CATALOGUE.means_kinds)
START = int(T0.timestamp())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def means_seen(draw: st.DrawFn) -> MeansSeen:
    kind = draw(st.sampled_from(MEANS_KINDS))
    pairs = tuple((p.with_, int(p.strength), p.window_hours) for p in CATALOGUE.pairs_for(kind))
    return MeansSeen(
        means=kind,
        entry=kind,
        strength=draw(st.sampled_from(list(Strength))),
        how=draw(st.sampled_from(["order", "seeking", "named"])),
        order_key=draw(st.sampled_from(["", "a/1", "b/2", "c/3"])),
        multiple=draw(st.sampled_from([0.0, 1.0, 2.5, 10.0])),
        pairs=pairs,
    )


@st.composite
def observations(draw: st.DrawFn, *, look_alike_contexts: bool = True) -> Observation:
    index = draw(st.integers(0, 10**6))
    kind = draw(st.sampled_from(["message", "post", "search", "order", "report"]))
    contexts = ["joke"] + (["writing", "ordinary:charcoal", "ordinary:pesticide"] if look_alike_contexts else [])
    report = kind == "report" and draw(st.booleans())
    time_cue = None
    if draw(st.booleans()):
        start = draw(st.integers(0, 3 * 24 * 60))
        time_cue = TimeCue("t", start, start + draw(st.integers(30, 600)))
    place = draw(st.none() | st.sampled_from([PlaceCue("p", k) for k in ("height", "water", "rail", "closed_room")]))
    return Observation(
        signal_id=f"s{index}",
        kind=kind,
        at=START + draw(st.integers(0, 14 * 24 * 3600)),
        words_level=Level.NONE if report or kind == "order" else draw(st.sampled_from(LEVELS)),
        words_score=draw(st.floats(0, 1)),
        method_seeking=kind == "search" and draw(st.booleans()),
        reasons=("r",),
        means=tuple(draw(st.lists(means_seen(), max_size=3))),
        time_cue=time_cue,
        place_cue=place,
        contexts=tuple(sorted(set(draw(st.lists(st.sampled_from(contexts), max_size=2))))),
        reporter_kind=draw(st.sampled_from(["user", "family", "agent", "merchant", "police", "odd"])) if report else "",
        reporter_id=f"rep-{draw(st.integers(0, 12))}" if report else "",
        reported_level=draw(st.sampled_from(LEVELS)) if report else Level.NONE,
        tokens=tuple(draw(st.lists(st.sampled_from(["辣椒", "rope", "chili", "x"]), max_size=3))),
    )


@SETTINGS
@given(st.lists(observations(), min_size=1, max_size=25), st.integers(0, 10 * 24 * 3600))
def test_incremental_through_json_equals_replay(timeline: list[Observation], later: int) -> None:
    stored: dict[str, Any] | None = None
    for obs in timeline:
        state = SubjectRisk.from_json(json.loads(json.dumps(stored))) if stored is not None else SubjectRisk()
        fold(state, Observation.from_json(json.loads(json.dumps(obs.to_json()))), POLICY)
        stored = state.to_json()
    assert stored is not None
    final = SubjectRisk.from_json(stored)
    replayed_state, _ = replay(timeline, POLICY)
    assert replayed_state == final
    now = T0 + timedelta(seconds=14 * 24 * 3600 + later)
    assert evaluate(final, now=now, policy=POLICY) == replay(timeline, POLICY, now=now)[1]


@SETTINGS
@given(st.lists(observations(look_alike_contexts=False), min_size=1, max_size=25), st.integers(0, 12 * 24 * 3600))
def test_level_never_below_any_active_single_signal(timeline: list[Observation], after_last: int) -> None:
    state = SubjectRisk()
    for obs in timeline:
        fold(state, obs, POLICY)
    now_ts = max(obs.at for obs in timeline) + after_last
    fused = evaluate(state, now=T0 + timedelta(seconds=now_ts - START), policy=POLICY)
    for obs in timeline:
        alone = signal_level(obs, POLICY)
        window = POLICY.active_seconds(alone)
        if alone > Level.NONE and now_ts - obs.at <= window:
            assert fused.level >= alone, (obs, alone, fused)


def test_a_strong_signal_is_not_forgotten_among_many_weak_ones(policy: Policy) -> None:
    attempt = Observation(signal_id="a", kind="message", at=START, words_level=Level.ATTEMPT, words_score=0.95)
    noise = [Observation(signal_id=f"n{i}", kind="message", at=START + 60 * i, words_level=Level.INDICATOR)
             for i in range(1, 500)]  # fmt: skip
    state = SubjectRisk()
    for obs in [attempt, *noise]:
        fold(state, obs, policy)
    fused = evaluate(state, now=T0 + timedelta(hours=9), policy=policy)
    assert fused.level == Level.ATTEMPT and "a" in fused.signal_ids
    assert len(json.dumps(state.to_json())) < 3000


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_KEYS = ["text", "query", "items", "reporter", "subject", "speaker_role", "order_id", "merchant_id", "locale",
         "title", "quantity", "category", "product_id", "price", "kind", "id"]  # fmt: skip
_SAMPLES = ["我不想活了", "百草枯 喝多少", "今晚", "木炭", "I want to die tonight from the roof", "sulfas kahan milegi"]
_TEXTS = st.sampled_from([*_SAMPLES, "", "x" * 6000, "\u200b\u202e", "🙂"]) | st.text(max_size=80)


@st.composite
def odd_payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = draw(st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=6))
    if draw(st.booleans()):
        payload["text"] = draw(_TEXTS)
    if draw(st.booleans()):
        payload["items"] = draw(st.lists(
            st.dictionaries(st.sampled_from(_KEYS), _JSON | _TEXTS, max_size=5)
            | st.fixed_dictionaries({"title": _TEXTS, "quantity": _JSON, "category": _JSON | _TEXTS}),
            max_size=4,
        ))  # fmt: skip
    return payload


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["message", "post", "comment", "search", "order", "report", "", "weird"]),
    odd_payloads(),
    st.sampled_from(LEVELS),
    st.lists(st.text(max_size=20) | st.sampled_from(["means:charcoal", "means:rope", "means:", "rule:x"]), max_size=4),
)
def test_observe_and_fuse_never_raise_on_odd_payloads(
    kind: str, payload: dict[str, Any], level: Level, reasons: list[str]
) -> None:
    assessment = Assessment(level=level, score=0.5, reasons=tuple(reasons), third_party_level=level)
    obs = observe(signal_id="s", kind=kind, occurred_at=T0, payload=payload, assessment=assessment,
                  catalogue=CATALOGUE)  # fmt: skip
    state = SubjectRisk()
    fold(state, obs, POLICY)
    fused = evaluate(state, now=T0, policy=POLICY)
    assert fused.level in LEVELS and 0 <= fused.priority <= 3 and 0.0 <= fused.score <= 1.0
    assert Observation.from_json(json.loads(json.dumps(obs.to_json()))) == obs


def test_catalogue_fixture_is_the_shipped_one(catalogue: Catalogue) -> None:
    assert catalogue.version == CATALOGUE.version
