"""Throughput on short shop messages: the detector sits on every chat line, so it must be cheap."""

from __future__ import annotations

import time

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.registry import default_detector

MESSAGES = [
    "在吗？这件衣服有M码吗？",
    "亲，有的哦，现在下单今天发货",
    "快递怎么还没到，等得我累死了",
    "Can I change the delivery address for order 12345?",
    "This is a killer deal, I'm dying to get one!",
    "bhai mera order abhi tak nahi aaya, kab tak aayega?",
    "मेरा ऑर्डर कब तक आएगा?",
    "我真的不想活了",
    "how many sleeping pills to overdose",
    "yaar bahut pareshan hoon, sab khatam sa lagta hai",
]


def test_short_messages_per_second() -> None:
    detector = default_detector()
    items = [TextInput(text) for text in MESSAGES] * 300
    detector.assess_many(items[:50])  # warm up
    started = time.perf_counter()
    detector.assess_many(items)
    rate = len(items) / (time.perf_counter() - started)
    print(f"\n[speed] {rate:,.0f} short messages/second on one core")
    # The target is > 5,000/s; the bound here leaves room for slow, shared CI machines.
    assert rate > 1500
