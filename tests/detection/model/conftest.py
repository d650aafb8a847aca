"""A tiny synthetic corpus laid out like ``shared/data`` and a model trained on it (seconds, not minutes).

Nothing here reads the real data: the texts are made from a few templates per level, in Chinese, English
and Hinglish, so the pipeline (label mapping, splits, training, calibration, export) runs end to end.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from lifeguard.detection.model.artifact import save
from lifeguard.detection.model.datasets import load_corpus
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.model.train import TrainConfig, train


def runtime_second_stage(tmp_path: Path, **settings: Any) -> Any:
    """The second stage of the detector that a runtime built from these settings uses (the registry's cache is
    cleared around it, so each call builds its own)."""
    from lifeguard.detection.registry import detector_named
    from lifeguard.runtime import build_runtime
    from tests.conftest import make_settings

    detector_named.cache_clear()
    try:
        rt = build_runtime(make_settings(f"sqlite:///{tmp_path / 'lifeguard.db'}", detector="hybrid", **settings))
        try:
            return rt.detector.model.second_stage  # type: ignore[attr-defined]
        finally:
            rt.close()
    finally:
        detector_named.cache_clear()


ZH_BY_SOS = {
    0: ["今天有点烦 工作好多", "下雨了心情一般", "又加班了 烦"],
    1: ["活着有点累", "最近总是很难过", "心里空空的"],
    2: ["感觉没有希望了", "我好绝望", "什么都没意思"],
    3: ["彻底绝望了 活着好痛苦", "每天都好痛苦 看不到希望", "我是个废物 没人在乎"],
    4: ["我想死", "好想死啊", "不想活了"],
    5: ["真的好想死 不想活了", "活着没意思 想死", "每天都想去死"],
    6: ["遗书写好了 想死", "我在安排后事", "东西都送人了 准备走了"],
    7: ["我决定跳楼了", "安眠药攒够了 想死", "想烧炭 准备好了"],
    8: ["下个月就去死 安眠药攒够了", "过几周就跳楼", "月底就走 遗书写好了"],
    9: ["这几天就跳楼", "明天就吃安眠药", "这周就烧炭"],
    10: ["再见了 我已经站在楼顶了", "药已经吃下去了 再见", "永别了 今晚就走"],
}
EN_SUICIDE = ["i want to die tonight", "i want to kill myself", "i wish i was dead", "i am going to end my life"]
EN_DEPRESSION = ["i feel so sad and empty", "depression is eating me", "i am so tired and down", "nothing feels good"]
EN_BENIGN = ["where is my order", "i want a refund", "my card was declined", "how do i change my address"]
HI_BENIGN = ["mera order kab aayega", "kal match hai bhai", "khana accha tha", "bahut garmi hai aaj"]


def _write(folder: Path, records: list[dict[str, object]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "README.md").write_text("- **Licence as stated:** synthetic test data\n", encoding="utf-8")


def build_data_dir(root: Path, seed: int = 0) -> Path:
    rng = random.Random(seed)
    sos = []
    for label, phrases in ZH_BY_SOS.items():
        for i in range(12):
            split = "test" if i % 6 == 0 else ("val" if i % 6 == 1 else "train")
            text = rng.choice(phrases) + rng.choice(["", " 唉", " 真的", "。"])
            sos.append({"id": f"s{label}-{i}", "text": text, "label": label, "lang": "zh", "split": split})
    _write(root / "sos-4k-zh", sos)
    sdcnl = [
        {"id": f"d{i}", "text": rng.choice(EN_SUICIDE if i % 2 else EN_DEPRESSION) + f" {i}",
         "label": "suicide" if i % 2 else "depression", "lang": "en"}
        for i in range(80)
    ]  # fmt: skip
    _write(root / "sdcnl-train-en", sdcnl)
    _write(
        root / "benign-banking77-en",
        [{"id": f"b{i}", "text": rng.choice(EN_BENIGN) + f" {i}", "label": "none", "lang": "en"} for i in range(80)],
    )
    _write(
        root / "hindi-hinglid-tweets",
        [{"id": f"h{i}", "text": rng.choice(HI_BENIGN), "label": "none", "lang": "hi-Latn"} for i in range(60)],
    )
    return root


# 65,536 buckets, not the shipped 2**20: the optimiser steps through every bucket, so the tiny model and the chat
# heads trained on it take a fifth of the time (the short-chat trainers' tests: 74 s -> 11 s).
TINY = TrainConfig(bits=16, max_iter=100, keep_per_head=5000, sos_keep=2000)


@pytest.fixture(scope="session")
def tiny_config() -> TrainConfig:
    return TINY


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data_dir(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def tiny_model_dir(synthetic_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = load_corpus(synthetic_data, seed=0)
    result = train(corpus, TINY, seed=0)
    out = tmp_path_factory.mktemp("model")
    save(out, result.artifact)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> RiskModel:
    return RiskModel.load(tiny_model_dir)


CHAT_PHRASEBOOK = (
    "- group: g\n  phrases:\n"
    '    - {text: "i just want to die", level: ideation}\n'
    '    - {text: "i dont want to die", level: none}\n'
    '    - {text: "my friend wants to die", third: ideation}\n'
    '    - {text: "she said she wants to die", third: ideation, kind: report}\n'
)


def write_chat_material(
    root: Path,
    risk: dict[str, list[str]],
    lookalikes: dict[str, list[str]],
    phrasebook: str = CHAT_PHRASEBOOK,
) -> tuple[Path, Path]:
    """A tiny phrasebook and written-apart folder for the chat trainers: ``risk`` maps a file name to its
    ``LEVEL<TAB>TEXT`` rows, ``lookalikes`` to its lines. Returns (phrasebook, folder)."""
    folder = root / "written_apart"
    folder.mkdir()
    for files in (risk, lookalikes):
        for name, rows in files.items():
            (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = root / "phrasebook.yaml"
    path.write_text(phrasebook, encoding="utf-8")
    return path, folder
