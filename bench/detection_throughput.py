"""Throughput and latency of the risk model on one core; the last line printed is one JSON object.

    .venv/bin/python bench/detection_throughput.py [--messages 4000] [--seconds 3]

Messages: a few thousand short texts cut from the public sets (benign shop/service/social text and risk
posts, zh/en/hi, at most 160 characters), or synthetic ones when the data folder is missing. The scoring is
measured in a fresh child process (so its peak RSS is the scorer's alone): model load time, batched
``assess_many`` throughput, one-message ``assess`` latency (p50/p99), then the same for the hybrid detector
(model + lexicon rules) when the rules are importable. The parent then trains a plain scikit-learn
TfidfVectorizer + LogisticRegression on the same training data and measures its batched throughput.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core, before numpy loads

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

MAX_CHARS = 160
BATCH = 1000


def _data_dir() -> Path:
    return Path(os.environ.get("LIFEGUARD_DATA_DIR", "../shared/data"))


def build_messages(count: int, seed: int = 0, risk_share: float = 0.15) -> list[str]:
    from lifeguard.detection.model.datasets import SPECS, read_jsonl

    rng = random.Random(seed)
    benign: list[str] = []
    risk: list[str] = []
    directory = _data_dir()
    for spec in SPECS:
        for name in ("data.jsonl", "data.jsonl.gz"):
            path = directory / spec.folder / name
            if not path.is_file():
                continue
            texts = [str(record.get("text") or "") for record in read_jsonl(path)]
            texts = [text[:MAX_CHARS] for text in texts if text.strip()]
            rng.shuffle(texts)
            (benign if spec.folder.startswith(("benign-", "hindi-")) else risk).extend(texts[:600])
    if not benign:
        words = ["order", "refund", "delivery", "快递", "退货", "kab", "aayega", "hello", "thanks", "好评", "card"]
        sad = ["i feel so alone", "不想活了", "main thak gaya hu", "nothing matters", "好累"]
        benign = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 10))) for _ in range(count)]
        risk = [f"{rng.choice(sad)} {rng.choice(words)}" for _ in range(count)]
    n_risk = int(count * risk_share)
    messages = [rng.choice(benign) for _ in range(count - n_risk)] + [rng.choice(risk) for _ in range(n_risk)]
    rng.shuffle(messages)
    return messages


def _timed_batches(run: Any, messages: list[str], seconds: float) -> float:
    done = 0
    start = time.perf_counter()
    while True:
        for begin in range(0, len(messages), BATCH):
            run(messages[begin : begin + BATCH])
        done += len(messages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def _latencies(run_one: Any, messages: list[str]) -> tuple[float, float]:
    timings = []
    for message in messages:
        start = time.perf_counter()
        run_one(message)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return timings[len(timings) // 2] * 1000, timings[int(len(timings) * 0.99)] * 1000


def worker(path: Path, seconds: float) -> dict[str, Any]:
    """Runs in the child: everything a scoring process does, nothing else."""
    messages: list[str] = json.loads(path.read_text(encoding="utf-8"))
    from lifeguard.detection.assessment import TextInput

    start = time.perf_counter()
    from lifeguard.detection.model.model import RiskModel

    model = RiskModel.load()
    load_seconds = time.perf_counter() - start
    items = [TextInput(message) for message in messages]
    model.assess_many(items[:BATCH])  # warm caches (fold table, script classes, powers)
    result: dict[str, Any] = {"model_version": model.version, "load_seconds": round(load_seconds, 4)}
    result["messages_per_second"] = round(
        _timed_batches(lambda batch: model.assess_many([TextInput(text) for text in batch]), messages, seconds)
    )
    result["probabilities_messages_per_second"] = round(_timed_batches(model.probabilities, messages, seconds))
    p50, p99 = _latencies(lambda text: model.assess(TextInput(text)), messages[:3000])
    result["p50_latency_ms"] = round(p50, 4)
    result["p99_latency_ms"] = round(p99, 4)
    result["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    try:
        from lifeguard.detection.lexicon_detector import LexiconDetector
        from lifeguard.detection.model.hybrid import HybridDetector
    except ImportError:
        return result
    hybrid = HybridDetector(model, LexiconDetector())
    hybrid.assess_many(items[:BATCH])
    result["hybrid_messages_per_second"] = round(
        _timed_batches(lambda batch: hybrid.assess_many([TextInput(text) for text in batch]), messages, seconds)
    )
    p50, p99 = _latencies(lambda text: hybrid.assess(TextInput(text)), messages[:3000])
    result["hybrid_p50_latency_ms"] = round(p50, 4)
    result["hybrid_p99_latency_ms"] = round(p99, 4)
    result["hybrid_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def baseline(messages: list[str], seconds: float) -> dict[str, Any]:
    """A plain TfidfVectorizer + LogisticRegression on the same training texts (head "at or above ideation")."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from lifeguard.detection.model.datasets import load_corpus

    corpus = load_corpus(_data_dir(), seed=0)
    texts = [example.text for example in corpus.train if example.targets[1] >= 0]
    labels = [example.targets[1] for example in corpus.train if example.targets[1] >= 0]
    if len(set(labels)) < 2:  # no data folder: a synthetic task on the bench messages themselves
        texts = messages[:200] + [f"{message} i want to die" for message in messages[:200]]
        labels = [0] * 200 + [1] * 200
    start = time.perf_counter()
    pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=300))
    pipeline.fit(texts, labels)
    train_seconds = time.perf_counter() - start
    rate = _timed_batches(pipeline.predict_proba, messages, seconds)
    return {"baseline_messages_per_second": round(rate), "baseline_train_seconds": round(train_seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--risk-share", type=float, default=0.15, help="share of messages cut from risk sets")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.seconds)))
        return
    messages = build_messages(args.messages, risk_share=args.risk_share)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "messages.json"
        path.write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
        child = subprocess.run(
            [sys.executable, __file__, "--worker", str(path), "--seconds", str(args.seconds)],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = {
        "messages": len(messages),
        "risk_share": args.risk_share,
        "mean_chars": round(sum(map(len, messages)) / len(messages), 1),
    }
    result.update(json.loads(child.stdout.strip().splitlines()[-1]))
    result.update(baseline(messages, args.seconds))
    result["targets"] = {
        "messages_per_second": ">= 50000",
        "p99_latency_ms": "<= 1",
        "rss_mb": "<= 300",
        "load_seconds": "<= 1",
    }
    for key in ("messages_per_second", "p99_latency_ms", "rss_mb", "load_seconds", "baseline_messages_per_second"):
        print(f"{key:>30}: {result.get(key)}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
