"""Fusion and priority for one new signal, with 100,000 subjects holding state.

What is timed per signal is what the worker will do after the text detector has run: read the signal for fusion
(``observe``: catalogue matching, time and place cues, method seeking), load the subject's stored state from its
JSON form, fold the observation in and evaluate level and priority (``fuse``), and serialise the state back.
The detector itself is timed by its own benchmark; its assessments are computed once up front here.

Run: .venv/bin/python bench/fusion.py [--subjects N] [--signals N]. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lifeguard.detection.assessment import Assessment, TextInput
from lifeguard.detection.fusion import SubjectRisk, fold, fuse, load_policy, observe
from lifeguard.detection.fusion.scenarios import text_of
from lifeguard.detection.products import load_catalogue
from lifeguard.detection.registry import default_detector

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# A mix like a shop platform's: mostly ordinary orders, searches and chat, some risk, a few reports.
POOL: list[tuple[str, dict[str, Any]]] = [
    ("message", {"text": "请问什么时候发货？", "speaker_role": "user"}),
    ("message", {"text": "这个尺码偏大吗", "speaker_role": "user"}),
    ("message", {"text": "Is this available in blue?", "speaker_role": "user"}),
    ("message", {"text": "活着太累了，真的没意思", "speaker_role": "user"}),
    ("message", {"text": "我不想活了", "speaker_role": "user"}),
    ("message", {"text": "等我爸妈睡了我就从楼顶跳下去", "speaker_role": "user"}),
    ("message", {"text": "I want to die, I can't take it anymore", "speaker_role": "user"}),
    ("message", {"text": "yaar ab jeene ka mann nahi hai", "speaker_role": "user"}),
    ("message", {"text": "您好，已经为您加急处理", "speaker_role": "agent"}),
    ("post", {"text": "今天天气真好，去公园散步了"}),
    ("post", {"text": "सबको अलविदा। आज रात सब खत्म कर दूंगा।"}),
    ("comment", {"text": "笑死我了哈哈哈"}),
    ("search", {"query": "连衣裙 夏季 新款"}),
    ("search", {"query": "吃多少安眠药会死"}),
    ("search", {"query": "how many pills to die"}),
    ("search", {"query": "灭鼠药 家用"}),
    ("search", {"query": "dead sea mud mask"}),
    ("search", {"query": "sulfas kahan milegi"}),
    ("order", {"order_id": "o", "items": [{"product_id": "a", "title": "纯棉T恤 男款", "quantity": 2}]}),
    (
        "order",
        {
            "order_id": "o",
            "items": [
                {"product_id": "b", "title": "Wireless earbuds", "quantity": 1},
                {"product_id": "c", "title": "USB-C cable 2m", "quantity": 3},
            ],
        },
    ),
    (
        "order",
        {
            "order_id": "o",
            "items": [
                {"product_id": "d", "title": "烧烤炭 3kg", "quantity": 1},
                {"product_id": "e", "title": "羊肉串 50串", "quantity": 2},
            ],
        },
    ),
    ("order", {"order_id": "o", "items": [{"product_id": "f", "title": "木炭 5斤", "quantity": 2}]}),
    ("order", {"order_id": "o", "items": [{"product_id": "g", "title": "门窗密封条", "quantity": 2}]}),
    ("order", {"order_id": "o", "items": [{"product_id": "h", "title": "艾司唑仑片 1mg*20片", "quantity": 3}]}),
    (
        "order",
        {"order_id": "o", "items": [{"product_id": "i", "title": "Paracetamol 500mg 16 tablets", "quantity": 6}]},
    ),
    ("order", {"order_id": "o", "items": [{"product_id": "j", "title": "百草枯 水剂 200ml", "quantity": 1}]}),
    ("report", {"text": "群里有个人说他今晚要从楼顶跳下去", "reporter": {"kind": "user", "id": "r1"}}),
    ("report", {"text": "My son says he wants to die", "reporter": {"kind": "family", "id": "r2"}}),
]
WEIGHTS = [8, 8, 8, 2, 1, 1, 1, 1, 4, 6, 1, 3, 10, 1, 1, 2, 2, 1, 10, 10, 3, 1, 1, 1, 1, 1, 1, 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--signals", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    catalogue = load_catalogue()
    policy = load_policy()
    detector = default_detector()
    assessments: list[Assessment] = [detector.assess(TextInput(text_of(kind, p), kind=kind)) for kind, p in POOL]

    # Populate: every subject has state from 1-4 earlier signals in the last week, stored as JSON.
    templates = [
        observe(
            signal_id="t", kind=kind, occurred_at=START, payload=payload, assessment=assessment, catalogue=catalogue
        )
        for (kind, payload), assessment in zip(POOL, assessments, strict=True)
    ]
    began = time.perf_counter()
    # States are kept as JSON text, as a database column would hold them (and as 100,000 small strings rather
    # than millions of small objects, which is also what a worker's memory looks like).
    store: dict[str, str] = {}
    for number in range(args.subjects):
        state = SubjectRisk()
        for step in range(rng.randint(1, 4)):
            template = rng.choices(templates, weights=WEIGHTS)[0]
            at = int(START.timestamp()) + rng.randint(0, 7 * 24 * 3600)
            fold(state, replace(template, signal_id=f"s{number}-{step}", at=at), policy)
        store[f"subject-{number}"] = json.dumps(state.to_json(), ensure_ascii=False, separators=(",", ":"))
    populated = time.perf_counter() - began
    sizes = sorted(len(data.encode()) for data in store.values())

    now = START + timedelta(days=8)
    total: list[float] = []
    fuse_only: list[float] = []
    subjects = list(store)
    for number in range(args.signals):
        index = rng.choices(range(len(POOL)), weights=WEIGHTS)[0]
        kind, payload = POOL[index]
        subject = rng.choice(subjects)
        occurred = now + timedelta(seconds=number)
        t0 = time.perf_counter_ns()
        obs = observe(signal_id=f"new-{number}", kind=kind, occurred_at=occurred, payload=payload,
                      assessment=assessments[index], catalogue=catalogue)  # fmt: skip
        state = SubjectRisk.from_json(json.loads(store[subject]))
        t1 = time.perf_counter_ns()
        state, result = fuse(state, obs, now=occurred, policy=policy)
        t2 = time.perf_counter_ns()
        store[subject] = json.dumps(state.to_json(), ensure_ascii=False, separators=(",", ":"))
        t3 = time.perf_counter_ns()
        total.append((t3 - t0) / 1e6)
        fuse_only.append((t2 - t1) / 1e6)
        assert 0 <= result.priority <= 3

    total.sort()
    fuse_only.sort()
    figures = {
        "subjects": args.subjects,
        "signals": args.signals,
        "median_ms": round(statistics.median(total), 4),
        "p99_ms": round(total[int(len(total) * 0.99) - 1], 4),
        "max_ms": round(total[-1], 4),
        "fuse_only_median_ms": round(statistics.median(fuse_only), 4),
        "fuse_only_p99_ms": round(fuse_only[int(len(fuse_only) * 0.99) - 1], 4),
        "state_json_bytes_median": sizes[len(sizes) // 2],
        "state_json_bytes_max": sizes[-1],
        "populate_seconds": round(populated, 1),
        "python": sys.version.split()[0],
    }
    print(f"fusion: {args.signals} signals over {args.subjects} subjects with state (detector excluded)")
    print(f"  observe + load state (JSON) + fuse + evaluate + store (JSON): median {figures['median_ms']} ms, "
          f"p99 {figures['p99_ms']} ms")  # fmt: skip
    print(f"  fuse + evaluate alone: median {figures['fuse_only_median_ms']} ms, p99 {figures['fuse_only_p99_ms']} ms")
    print(f"  state JSON: median {figures['state_json_bytes_median']} B, max {figures['state_json_bytes_max']} B")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
