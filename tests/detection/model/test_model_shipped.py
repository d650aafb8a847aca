"""The model shipped in the package: loads fast, with numpy only, and says what trained it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model import load_model
from lifeguard.detection.model.artifact import shipped_dir
from lifeguard.detection.model.model import RiskModel


def test_shipped_model_metadata() -> None:
    meta = json.loads((shipped_dir() / "model.json").read_text(encoding="utf-8"))
    training = meta["training"]
    assert "sos-4k-zh" in training["datasets"] and "sdcnl-train-en" in training["datasets"]
    assert all(name in training["licences"] for name in training["datasets"])
    assert len(training["files_sha256"]) >= 19
    for key in ("sos_high_low_f1", "sdcnl_f1", "false_alarm_rate", "sos_11_level_weighted_f1"):
        assert key in meta["metrics"]
    size = sum(path.stat().st_size for path in shipped_dir().iterdir())
    assert size < 9_000_000  # 8.6 MB since session 25's act head (2.3 MB); the heads and the SOS head 3.4 MB


def test_shipped_model_loads_quickly_and_scores() -> None:
    start = time.perf_counter()
    model = RiskModel.load()
    assert time.perf_counter() - start < 3.0
    assert model.info.label == f"risk-model/{model.version}"
    assert load_model() is load_model()
    assessments = model.assess_many([TextInput("我想死"), TextInput("where is my order")])
    assert assessments[0].level >= Level.IDEATION and assessments[1].level is Level.NONE


def test_inference_needs_numpy_only() -> None:
    code = (
        "import sys\n"
        "from lifeguard.detection.model import load_model\n"
        "from lifeguard.detection.assessment import TextInput\n"
        "load_model().assess_many([TextInput('i want to die')])\n"
        "bad = [m for m in ('sklearn', 'scipy', 'jieba', 'pickle_not_used') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert output.strip() == ""


DATA_DIR = Path(os.environ.get("LIFEGUARD_DATA_DIR", "../shared/data"))


@pytest.mark.skipif(
    os.environ.get("LIFEGUARD_DEV_TESTS") != "1" or not DATA_DIR.is_dir(),
    reason="dev test: reads shared/data; run with LIFEGUARD_DEV_TESTS=1",
)
def test_dev_shipped_model_was_trained_on_this_data() -> None:
    from lifeguard.detection.model.datasets import sha256_of

    meta = json.loads((shipped_dir() / "model.json").read_text(encoding="utf-8"))
    for relative, digest in meta["training"]["files_sha256"].items():
        if not relative.startswith("extra/"):
            assert sha256_of(DATA_DIR / relative) == digest, relative
