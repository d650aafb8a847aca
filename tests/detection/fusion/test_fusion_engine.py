"""The fusion rules, one by one: combinations, windows, decay, reports, priority and the clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from conftest import T0, Observe
from lifeguard.detection.fusion import Observation, Policy, SubjectRisk, evaluate, fold, fuse, replay
from lifeguard.detection.fusion.observe import MeansSeen
from lifeguard.detection.levels import Level
from lifeguard.detection.products import Strength

HOUR = 60  # minutes


def _run(
    policy: Policy, observations: list[Observation], *, at_minutes: float | None = None
) -> tuple[SubjectRisk, object]:
    now = T0 + timedelta(minutes=at_minutes) if at_minutes is not None else max(o.occurred_at for o in observations)
    state = SubjectRisk()
    for obs in observations:
        fold(state, obs, policy)
    return state, evaluate(state, now=now, policy=policy)


def test_ideation_plus_lethal_order_is_behavior_in_either_order(make_obs: Observe, policy: Policy) -> None:
    words = make_obs("message", 0, text="我不想活了", sid="m1")
    order = make_obs("order", 30, sid="o1", items=[{"product_id": "x", "title": "百草枯 200ml", "quantity": 1}])
    _, before = _run(policy, [words])
    assert before.level == Level.IDEATION and before.priority == 2
    for sequence in ([words, order], [order, words]):
        _, fused = _run(policy, sequence)
        assert fused.level == Level.BEHAVIOR and fused.priority == 1
        assert "fusion:ideation+means" in fused.reasons
        assert {"m1", "o1"} <= set(fused.signal_ids)


def test_ideation_and_means_too_far_apart_do_not_combine(make_obs: Observe, policy: Policy) -> None:
    words = make_obs("message", 0, text="我不想活了", sid="m1")
    order = make_obs("order", 8 * 24 * HOUR, sid="o1", items=[{"product_id": "x", "title": "百草枯", "quantity": 1}])
    _, fused = _run(policy, [words, order])
    assert "fusion:ideation+means" not in fused.reasons
    assert fused.level == Level.INDICATOR  # the order alone, and the old ideation's history


def test_a_common_product_counts_only_right_after_risky_words(make_obs: Observe, policy: Policy) -> None:
    words = make_obs("message", 0, text="I want to die", sid="m1")
    soon = make_obs("order", 2 * HOUR, sid="o1", items=[{"product_id": "k", "title": "Kitchen knife", "quantity": 1}])
    late = make_obs("order", 30 * HOUR, sid="o2", items=[{"product_id": "k", "title": "Kitchen knife", "quantity": 1}])
    before = make_obs(
        "order", -2 * HOUR, sid="o0", items=[{"product_id": "k", "title": "Kitchen knife", "quantity": 1}]
    )
    assert _run(policy, [words, soon])[1].level == Level.BEHAVIOR  # type: ignore[attr-defined]
    assert _run(policy, [words, late])[1].level == Level.IDEATION  # type: ignore[attr-defined]
    assert _run(policy, [before, words])[1].level == Level.IDEATION  # type: ignore[attr-defined]


def test_charcoal_and_tape_pair_within_72_hours_across_orders(make_obs: Observe, policy: Policy) -> None:
    charcoal = make_obs("order", 0, sid="o1", items=[{"product_id": "c", "title": "木炭 5斤", "quantity": 1}])
    tape = make_obs("order", 60 * HOUR, sid="o2", items=[{"product_id": "t", "title": "门窗密封条", "quantity": 1}])
    tape_late = make_obs(
        "order", 80 * HOUR, sid="o3", items=[{"product_id": "t", "title": "门窗密封条", "quantity": 1}]
    )
    state, fused = _run(policy, [charcoal, tape])
    assert state.means["charcoal"].strength == Strength.STRONG
    assert fused.level == Level.INDICATOR and fused.priority == 2
    assert any(r.startswith("means:pair:charcoal+sealing") for r in fused.reasons)
    state, fused = _run(policy, [charcoal, tape_late])
    assert state.means["charcoal"].strength == Strength.WEAK
    assert fused.level == Level.NONE


def test_barbecue_basket_is_ordinary(make_obs: Observe, policy: Policy) -> None:
    bbq = make_obs("order", 0, items=[
        {"product_id": "c", "title": "烧烤炭 3kg", "quantity": 1},
        {"product_id": "m", "title": "羊肉串 50串", "quantity": 2},
        {"product_id": "s", "title": "烧烤竹签", "quantity": 1},
    ])  # fmt: skip
    assert "ordinary:charcoal" in bbq.contexts
    words = make_obs("message", 30, text="我不想活了")
    _, fused = _run(policy, [bbq])
    assert fused.level == Level.NONE
    # An ordinary basket does not explain away a person who says they want to die and buys charcoal right after.
    charcoal = make_obs("order", 60, items=[{"product_id": "c", "title": "木炭", "quantity": 1}])
    _, fused = _run(policy, [words, charcoal])
    assert fused.level == Level.BEHAVIOR


def test_repeated_orders_at_different_shops_raise_strength(make_obs: Observe, policy: Policy) -> None:
    def order(minutes: float, shop: str) -> Observation:
        return make_obs("order", minutes, sid=f"o-{shop}", merchant_id=shop, order_id=f"ord-{shop}",
                        items=[{"product_id": "z", "title": "佐匹克隆片 7.5mg*12片", "quantity": 1}])  # fmt: skip

    state, fused = _run(policy, [order(0, "a")])
    assert state.means["sedative"].strength == Strength.MODERATE and fused.priority == 3
    state, fused = _run(policy, [order(0, "a"), order(20 * HOUR, "b")])
    assert state.means["sedative"].strength == Strength.STRONG
    assert fused.priority == 2 and any("repeated_orders(2)" in r for r in fused.reasons)
    # The same order sent twice is not a repeat.
    state, _ = _run(policy, [order(0, "a"), order(1, "a")])
    assert state.means["sedative"].strength == Strength.MODERATE


def test_extreme_quantity_is_one_step_stronger(make_obs: Observe, policy: Policy) -> None:
    bulk = make_obs("order", 0, items=[{"product_id": "p", "title": "Paracetamol 500mg 16 tablets", "quantity": 3}])
    huge = make_obs("order", 0, items=[{"product_id": "p", "title": "Paracetamol 500mg 100 tablets", "quantity": 5}])
    assert _run(policy, [bulk])[0].means["paracetamol"].strength == Strength.MODERATE
    assert _run(policy, [huge])[0].means["paracetamol"].strength == Strength.STRONG


def test_behavior_plus_time_is_attempt_and_priority_follows_the_clock(make_obs: Observe, policy: Policy) -> None:
    # At 09:00 local: "tonight" is eleven hours away.
    morning = -11 * HOUR
    plan = make_obs("message", morning, sid="m1", text="I want to die. I have been saving up pills.")
    when = make_obs("message", morning + 2, sid="m2", text="doing it tonight")
    state, fused = _run(policy, [plan, when])
    assert fused.level == Level.ATTEMPT and fused.priority == 1
    assert fused.recheck_at is not None
    # Read again when the evening comes: P0, nothing new needed.
    later = evaluate(state, now=fused.recheck_at + timedelta(minutes=1), policy=policy)
    assert later.level == Level.ATTEMPT and later.priority == 0
    assert any(r.startswith("priority:imminent") for r in later.reasons)


def test_a_time_that_has_passed_does_not_make_an_attempt(make_obs: Observe, policy: Policy) -> None:
    when = make_obs("message", 0, sid="m1", text="tonight")
    plan = make_obs("message", 30 * HOUR, sid="m2", text="I have been saving up pills")
    _, fused = _run(policy, [when, plan])
    assert fused.level == Level.BEHAVIOR


def test_ideation_plus_a_method_place_then_now(make_obs: Observe, policy: Policy) -> None:
    words = make_obs("message", 0, sid="m1", text="分手了，我不想活了")
    roof = make_obs("message", 20, sid="m2", text="我在天台上")
    _, fused = _run(policy, [words, roof])
    assert fused.level == Level.BEHAVIOR  # the place alone does not double as the time
    now = make_obs("message", 25, sid="m3", text="现在就去")
    _, fused = _run(policy, [words, roof, now])
    assert fused.level == Level.ATTEMPT and fused.priority == 0


def test_indicator_history_decays_away(make_obs: Observe, policy: Policy) -> None:
    tired = make_obs("message", 0, text="I feel so hopeless, everything is pointless")
    state, fused = _run(policy, [tired])
    assert fused.level == Level.INDICATOR
    assert evaluate(state, now=T0 + timedelta(hours=47), policy=policy).level == Level.INDICATOR
    assert evaluate(state, now=T0 + timedelta(hours=49), policy=policy).level == Level.NONE


def test_ideation_decays_to_history_then_nothing(make_obs: Observe, policy: Policy) -> None:
    state, _ = _run(policy, [make_obs("message", 0, text="I want to die")])
    assert evaluate(state, now=T0 + timedelta(hours=140), policy=policy).level == Level.IDEATION
    stale = evaluate(state, now=T0 + timedelta(hours=100), policy=policy)
    assert stale.priority == 3 and any(r.startswith("priority:stale") for r in stale.reasons)
    history = evaluate(state, now=T0 + timedelta(hours=150), policy=policy)
    assert history.level == Level.INDICATOR and "fusion:history(ideation)" in history.reasons
    assert evaluate(state, now=T0 + timedelta(hours=300), policy=policy).level == Level.NONE


def test_agent_words_are_not_the_persons_risk(make_obs: Observe, policy: Policy) -> None:
    agent = make_obs("message", 0, speaker_role="agent", text="如果你有自杀的念头，请拨打热线")
    assert agent.words_level == Level.NONE and agent.reasons == ("words:not_the_subject",)
    assert _run(policy, [agent])[1].level == Level.NONE  # type: ignore[attr-defined]


def test_method_search_is_behavior_and_links_to_a_later_order(make_obs: Observe, policy: Policy) -> None:
    search = make_obs("search", 0, sid="q1", query="百草枯 喝多少")
    assert search.words_level == Level.BEHAVIOR
    order = make_obs("order", 30, sid="o1", items=[{"product_id": "x", "title": "百草枯 200ml", "quantity": 1}])
    _, fused = _run(policy, [search, order])
    assert fused.level == Level.BEHAVIOR and {"q1", "o1"} <= set(fused.signal_ids)
    assert "fusion:search->order" in fused.reasons


def test_product_only_search_is_not_a_signal(make_obs: Observe, policy: Policy) -> None:
    search = make_obs("search", 0, query="灭鼠药 家用")
    assert search.words_level == Level.NONE and "search:product_only" in search.reasons


def test_writing_context_caps_method_searches(make_obs: Observe, policy: Policy) -> None:
    novel = make_obs("post", 0, sid="p1", text="Chapter 12 of my mystery novel is coming together")
    search = make_obs("search", 30, sid="q1", query="lethal dose of digoxin")
    _, alone = _run(policy, [search])
    assert alone.level == Level.BEHAVIOR
    _, fused = _run(policy, [novel, search])
    assert fused.level == Level.INDICATOR and any(r.startswith("context:writing") for r in fused.reasons)


# -- reports ------------------------------------------------------------------------------------------------


def _report(make_obs: Observe, minutes: float, reporter_id: str | None, kind: str = "user",
            text: str = "he says he wants to die") -> Observation:  # fmt: skip
    reporter = {"kind": kind} if reporter_id is None else {"kind": kind, "id": reporter_id}
    return make_obs("report", minutes, sid=f"r-{reporter_id}-{minutes:g}", reporter=reporter, text=text)


def test_report_weights_by_reporter_kind(make_obs: Observe, policy: Policy) -> None:
    assert _run(policy, [_report(make_obs, 0, "u1", "user")])[1].level == Level.INDICATOR  # type: ignore[attr-defined]
    assert _run(policy, [_report(make_obs, 0, "f1", "family")])[1].level == Level.IDEATION  # type: ignore[attr-defined]
    assert _run(policy, [_report(make_obs, 0, "a1", "agent")])[1].level == Level.IDEATION  # type: ignore[attr-defined]
    odd = _report(make_obs, 0, "x1", "astrologer")
    assert odd.reporter_kind == "astrologer"
    assert _run(policy, [odd])[1].level == Level.INDICATOR  # type: ignore[attr-defined]  # unknown kinds weigh least


def test_independent_reporters_raise_confidence(make_obs: Observe, policy: Policy) -> None:
    _, fused = _run(policy, [_report(make_obs, 0, "u1"), _report(make_obs, 10, "u2")])
    assert fused.level == Level.IDEATION and fused.priority == 1
    assert "fusion:independent_reporters(2)" in fused.reasons


def test_one_reporter_many_times_is_one_reporter(make_obs: Observe, policy: Policy) -> None:
    reports = [_report(make_obs, minute, "u1") for minute in range(50)]
    _, fused = _run(policy, reports)
    assert fused.level == Level.INDICATOR
    anonymous = [_report(make_obs, minute, None) for minute in range(10)]
    assert _run(policy, anonymous)[1].level == Level.INDICATOR  # type: ignore[attr-defined]


def test_a_flood_of_distinct_reporters_counts_as_far_as_the_rate_limit(make_obs: Observe, policy: Policy) -> None:
    few = [_report(make_obs, minute, f"u{minute}") for minute in range(policy.flood_per_hour)]
    many = [_report(make_obs, minute / 2, f"u{minute}") for minute in range(100)]
    state_few, fused_few = _run(policy, few)
    state_many, fused_many = _run(policy, many)
    assert (fused_many.level, fused_many.priority) == (fused_few.level, fused_few.priority)
    counted = [mark for mark in state_many.reporters.values() if mark.counted]
    assert len(state_many.reporters) <= policy.max_reporters
    assert len(counted) <= policy.flood_per_hour
    assert len(json.dumps(state_many.to_json())) < 4000


def test_self_report_is_the_subjects_own_words(make_obs: Observe, policy: Policy) -> None:
    obs = make_obs("report", 0, subject="u-7", reporter={"kind": "user", "id": "u-7"}, text="I want to die")
    assert obs.words_level == Level.IDEATION and not obs.is_report
    assert "report:self_report" in obs.reasons


def test_report_about_a_subject_never_seen_creates_state(make_obs: Observe, policy: Policy) -> None:
    obs = _report(make_obs, 0, "u1", "family", text="my sister says she will kill herself tonight")
    state, fused = fuse(None, obs, now=obs.occurred_at, policy=policy)
    assert state.count == 1 and fused.level >= Level.BEHAVIOR


# -- state --------------------------------------------------------------------------------------------------


def test_state_round_trips_through_json(make_obs: Observe, policy: Policy) -> None:
    observations = [
        make_obs("message", 0, text="我不想活了"),
        make_obs("order", 10, items=[{"product_id": "c", "title": "木炭", "quantity": 1}]),
        make_obs("order", 20, items=[{"product_id": "t", "title": "胶带", "quantity": 1}]),
        make_obs("message", 30, text="今晚把门窗都关好"),
        _report(make_obs, 40, "u1"),
    ]
    state, fused = _run(policy, observations)
    again = SubjectRisk.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state
    assert evaluate(again, now=max(o.occurred_at for o in observations), policy=policy) == fused
    for obs in observations:
        assert Observation.from_json(json.loads(json.dumps(obs.to_json()))) == obs


def test_state_refuses_an_unknown_version() -> None:
    with pytest.raises(ValueError, match="version"):
        SubjectRisk.from_json({"v": 99})


def test_replay_equals_incremental(make_obs: Observe, policy: Policy) -> None:
    observations = [
        make_obs("search", 0, query="吃多少安眠药会死"),
        make_obs("order", 30, items=[{"product_id": "e", "title": "艾司唑仑片 1mg*20片", "quantity": 3}]),
        make_obs("message", 60, text="等我爸妈睡了就吃"),
    ]
    now = T0 + timedelta(minutes=90)
    state: SubjectRisk | None = None
    for obs in observations:
        state, fused = fuse(state, obs, now=now, policy=policy)
    _, replayed = replay(observations, policy, now=now)
    assert replayed == fused


def test_evaluate_needs_an_aware_clock(policy: Policy) -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate(SubjectRisk(), now=datetime(2026, 1, 1), policy=policy)  # noqa: DTZ001 - the point of the test
    assert evaluate(SubjectRisk(), now=datetime(2026, 1, 1, tzinfo=UTC), policy=policy).level == Level.NONE


def test_means_only_is_capped_by_policy(policy: Policy) -> None:
    strong = Observation(signal_id="o", kind="order", at=int(T0.timestamp()),
                         means=(MeansSeen("cyanide", "cyanide", Strength.STRONG, "order", "k"),))  # fmt: skip
    _, fused = fuse(None, strong, now=T0, policy=policy)
    assert fused.level == Level.INDICATOR and fused.priority == policy.strong_means_only_priority
