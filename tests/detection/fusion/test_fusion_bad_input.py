"""Bad input: fusion copes with whatever reaches it, with clear errors where a caller is at fault."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from conftest import T0, Observe
from lifeguard.detection.assessment import NO_RISK, Assessment
from lifeguard.detection.fusion import Policy, fuse, observe
from lifeguard.detection.levels import Level
from lifeguard.detection.products import Catalogue


def _order(catalogue: Catalogue, payload: dict[str, Any]) -> Any:
    return observe(
        signal_id="o", kind="order", occurred_at=T0, payload=payload, assessment=NO_RISK, catalogue=catalogue
    )


def test_unknown_products_are_just_not_matched(catalogue: Catalogue) -> None:
    obs = _order(
        catalogue, {"order_id": "o1", "items": [{"product_id": "zz", "title": "Bluetooth speaker", "quantity": 1}]}
    )
    assert obs.means == () and obs.words_level == Level.NONE


@pytest.mark.parametrize("quantity", [-5, 0, 10**9, "many", None, 3.5, [], {"n": 1}, True])
def test_odd_quantities(catalogue: Catalogue, policy: Policy, quantity: Any) -> None:
    obs = _order(catalogue, {"items": [{"product_id": "p", "title": "百草枯", "quantity": quantity}]})
    assert [m.means for m in obs.means] == ["pesticide"]
    assert "order:odd_quantity" in obs.reasons
    fuse(None, obs, now=T0, policy=policy)


def test_absurd_quantity_of_an_everyday_product_is_noted(catalogue: Catalogue) -> None:
    obs = _order(catalogue, {"items": [{"product_id": "c", "title": "干辣椒 5斤", "quantity": 500}]})
    assert "order:unusual_quantity" in obs.reasons and obs.tokens


def test_unknown_currency_and_odd_prices_are_ignored(catalogue: Catalogue) -> None:
    for price in ({"amount": "12.50", "currency": "XYZ"}, {"amount": -1}, "free", None):
        obs = _order(catalogue, {"items": [{"product_id": "p", "title": "木炭", "quantity": 1, "price": price}]})
        assert [m.means for m in obs.means] == ["charcoal"]


@pytest.mark.parametrize("items", [None, [], "木炭", [None, 3, "x"], [{}], [{"title": None}], {"title": "木炭"}])
def test_missing_or_malformed_items(catalogue: Catalogue, policy: Policy, items: Any) -> None:
    obs = _order(catalogue, {"items": items} if items is not None else {})
    assert obs.means == ()
    if not isinstance(items, list) or not [i for i in items if isinstance(i, dict)]:
        assert "order:no_items" in obs.reasons
    assert fuse(None, obs, now=T0, policy=policy)[1].level == Level.NONE


def test_items_in_unknown_languages(catalogue: Catalogue) -> None:
    for title in ("مبيد الآفات", "ยาฆ่าหญ้า", "Pflanzenschutzmittel", "🙂🙂🙂"):
        assert _order(catalogue, {"items": [{"product_id": "p", "title": title, "quantity": 1}]}).means == ()


def test_too_many_items_are_read_up_to_the_api_limit(catalogue: Catalogue) -> None:
    items = [{"product_id": f"p{i}", "title": "Bluetooth speaker", "quantity": 1} for i in range(5000)]
    items.append({"product_id": "late", "title": "百草枯", "quantity": 1})
    assert _order(catalogue, {"items": items}).means == ()


def test_reports_without_reporter_or_with_odd_reporter(make_obs: Observe, policy: Policy) -> None:
    for reporter in (None, {}, {"kind": None}, {"kind": "user", "id": 42}, "user"):
        obs = make_obs("report", 0, reporter=reporter, text="she wants to die")
        assert obs.is_report and obs.reporter_id.startswith(("anonymous:", "user:"))
        fuse(None, obs, now=T0, policy=policy)


def test_reports_by_the_subject_about_themself(make_obs: Observe) -> None:
    obs = make_obs("report", 0, subject="u-1", reporter={"kind": "user", "id": "u-1"}, text="I want to die tonight")
    assert not obs.is_report and obs.words_level >= Level.IDEATION


def test_unknown_kinds_and_missing_text(catalogue: Catalogue, policy: Policy) -> None:
    for kind, payload in (("telepathy", {"text": "I want to die"}), ("message", {}), ("search", {"query": None}),
                          ("", {}), ("post", {"text": 12345})):  # fmt: skip
        obs = observe(
            signal_id="x", kind=kind, occurred_at=T0, payload=payload, assessment=NO_RISK, catalogue=catalogue
        )
        assert fuse(None, obs, now=T0, policy=policy)[1].level == Level.NONE
    obs = observe(signal_id="x", kind="post", occurred_at=T0, payload=None, assessment=NO_RISK, catalogue=catalogue)
    assert obs.words_level == Level.NONE
    obs = observe(signal_id="x", kind=None, occurred_at=T0, payload={}, assessment=NO_RISK, catalogue=catalogue)  # type: ignore[arg-type]
    assert obs.reasons == ("observe:unknown_kind:",)


def test_an_odd_assessment_does_not_break_observe(catalogue: Catalogue) -> None:
    odd = Assessment(level="attempt", score="high", reasons=("means:charcoal", 7, None), detector="x")  # type: ignore[arg-type]
    obs = observe(signal_id="x", kind="message", occurred_at=T0, payload={"text": "hi"}, assessment=odd,
                  catalogue=catalogue)  # fmt: skip
    assert obs.words_level == Level.ATTEMPT and obs.words_score == 0.0
    assert [m.means for m in obs.means] == ["charcoal"]


def test_naive_times_are_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        observe(signal_id="x", kind="message", occurred_at=datetime(2026, 12, 5, 20, 0),  # noqa: DTZ001
                payload={"text": "hi"}, assessment=NO_RISK, catalogue=catalogue)  # fmt: skip


def test_utc_times_with_a_chinese_locale_use_china_time(make_obs: Observe, catalogue: Catalogue) -> None:
    # 13:00 UTC is 21:00 in China: "tonight" is now, not seven hours away.
    utc = datetime(2026, 12, 5, 13, 0, tzinfo=timezone.utc)  # noqa: UP017 - spelled out on purpose
    for locale, start in (("zh-CN", 0), (None, 7 * 60)):
        payload = {"text": "今晚", "speaker_role": "user", "locale": locale}
        obs = observe(signal_id="x", kind="message", occurred_at=utc, payload=payload, assessment=NO_RISK,
                      catalogue=catalogue)  # fmt: skip
        assert obs.time_cue is not None and obs.time_cue.start_min == start


def test_a_signal_from_the_future_does_not_break_decay(make_obs: Observe, policy: Policy) -> None:
    obs = make_obs("message", 60, text="I want to die")
    _, fused = fuse(None, obs, now=T0 - timedelta(hours=1), policy=policy)
    assert fused.level == Level.IDEATION
