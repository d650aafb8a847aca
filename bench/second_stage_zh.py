"""Cost of the optional Chinese second stage on one core; the last line printed is one JSON object.

    .venv/bin/python bench/second_stage_zh.py --zh-stage DIR [--texts 300]

DIR is a folder made by ``lifeguard model second-stage train-zh`` (default: $LIFEGUARD_ZH_STAGE_DIR). The texts
are SOS-4K's test-split comments (what the stage re-scores: Chinese texts the first stage flags), cut to the
first ``--texts``. Measured: load time (with the sha256 check), one text per call (median and p99), all texts
in one call (texts per second; the encoder sorts them by length and runs 32 at a time, as when the model
hands over a batch's flagged texts), and the process's peak RSS. Exits 2 with a message when DIR or the data is
missing.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core, before numpy loads

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--zh-stage", default=os.environ.get("LIFEGUARD_ZH_STAGE_DIR", ""))
    parser.add_argument("--data-dir", default=os.environ.get("LIFEGUARD_DATA_DIR", "../shared/data"))
    parser.add_argument("--texts", type=int, default=300)
    args = parser.parse_args()
    if not args.zh_stage:
        print("pass --zh-stage DIR (made by `lifeguard model second-stage train-zh`)", file=sys.stderr)
        return 2

    from lifeguard.detection.model.datasets import read_jsonl
    from lifeguard.detection.model.second_stage_minilm import SecondStageUnavailable
    from lifeguard.detection.model.second_stage_zh import build_zh_stage

    data = Path(args.data_dir) / "sos-4k-zh" / "data.jsonl.gz"
    if not data.is_file():
        print(f"no {data}: set --data-dir", file=sys.stderr)
        return 2
    texts = [r["text"] for r in read_jsonl(data) if r.get("split") == "test"][: args.texts]

    started = time.perf_counter()
    try:
        stage = build_zh_stage([0.5, 0.5, 0.5, 0.5], args.zh_stage)
    except SecondStageUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 2
    load_seconds = time.perf_counter() - started

    stage.class_probabilities(texts[:4])  # warm-up
    latencies = []
    for text in texts:
        begin = time.perf_counter()
        stage.class_probabilities([text])
        latencies.append((time.perf_counter() - begin) * 1000)
    begin = time.perf_counter()
    stage.class_probabilities(texts)  # as the model hands over a batch's flagged texts: sorted by length, 32 a go
    batched = len(texts) / (time.perf_counter() - begin)

    chars = [len(text) for text in texts]
    result = {
        "texts": len(texts),
        "mean_chars": round(float(np.mean(chars)), 1),
        "median_ms": round(float(np.median(latencies)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "batched_texts_per_second": round(batched, 1),
        "load_seconds": round(load_seconds, 2),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "stage": stage.version,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
