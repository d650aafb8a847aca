"""Training on a tiny synthetic corpus: deterministic, exported as plain arrays, loaded back exactly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.model.artifact import ArtifactError, load, save
from lifeguard.detection.model.calibrate import fit_platt
from lifeguard.detection.model.datasets import load_corpus
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.model.train import TrainConfig, train


def _digests(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(directory.iterdir())}


def test_same_seed_and_data_give_byte_identical_files(
    synthetic_data: Path, tmp_path: Path, tiny_config: TrainConfig
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    save(first, train(load_corpus(synthetic_data, seed=0), tiny_config, seed=0).artifact)
    save(second, train(load_corpus(synthetic_data, seed=0), tiny_config, seed=0).artifact)
    assert _digests(first) == _digests(second)
    assert {path.suffix for path in first.iterdir()} == {".npy", ".json"}


def test_metadata_records_provenance(tiny_model_dir: Path) -> None:
    meta = json.loads((tiny_model_dir / "model.json").read_text(encoding="utf-8"))
    training = meta["training"]
    assert "sos-4k-zh" in training["datasets"] and "lifeguard-seed-phrases" in training["datasets"]
    assert set(training["files_sha256"]) >= {"sos-4k-zh/data.jsonl", "sdcnl-train-en/data.jsonl"}
    assert all(len(digest) == 64 for digest in training["files_sha256"].values())
    assert training["licences"]["sos-4k-zh"] == "synthetic test data"
    assert meta["version"].startswith("linear-1+")
    assert "sos_high_low_f1" in meta["metrics"] and "false_alarm_rate" in meta["metrics"]


def test_round_trip_without_pickle(tiny_model_dir: Path, tmp_path: Path, tiny_model: RiskModel) -> None:
    loaded = load(tiny_model_dir)
    for path in tiny_model_dir.glob("*.npy"):
        np.load(path, allow_pickle=False)  # raises if anything needed pickle
    copy = tmp_path / "copy"
    save(copy, loaded)
    assert _digests(copy) == _digests(tiny_model_dir)
    texts = ["我想死", "where is my order", "i want to kill myself", ""]
    again = RiskModel.load(copy)
    assert np.array_equal(again.probabilities(texts), tiny_model.probabilities(texts))
    assert again.version == tiny_model.version


def test_bad_artifacts_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    save(broken, load(tiny_model_dir))
    meta = json.loads((broken / "model.json").read_text(encoding="utf-8"))
    meta["hash_scheme"] = "python-hash"
    (broken / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError):
        load(broken)
    with pytest.raises(ArtifactError):
        load(tmp_path / "nowhere")


def test_probabilities_are_ordinal_and_sum_to_one(tiny_model: RiskModel) -> None:
    texts = ["我想死", "再见了 我已经站在楼顶了", "今天有点烦", "where is my order", "i want to die tonight", ""]
    at_or_above = tiny_model.at_or_above(texts)
    assert np.all(np.diff(at_or_above, axis=1) <= 1e-12)
    probabilities = tiny_model.probabilities(texts)
    assert probabilities.shape == (len(texts), len(LEVELS))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities[-1, 0] == 1.0  # empty text: no risk


def test_tiny_model_learns_the_synthetic_ladder(tiny_model: RiskModel) -> None:
    levels = tiny_model.predict(["我想死", "where is my order", "mera order kab aayega"])
    assert levels[0] >= Level.IDEATION
    assert levels[1] is Level.NONE and levels[2] is Level.NONE
    assert tiny_model.has_sos_head
    sos = tiny_model.sos_level(["再见了 我已经站在楼顶了", "今天有点烦 工作好多"])
    assert sos.shape == (2,) and sos[0] > sos[1]


def test_platt_scaling() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=2000)
    labels = (rng.random(2000) < 1 / (1 + np.exp(-(2 * scores - 1)))).astype(int)
    platt = fit_platt(scores, labels)
    assert platt.a == pytest.approx(2.0, abs=0.3) and platt.b == pytest.approx(-1.0, abs=0.3)
    assert fit_platt(scores, np.zeros(2000, dtype=int)).a == 1.0  # one class: identity


def test_log_tf_variant_trains_and_scores(synthetic_data: Path, tiny_config: TrainConfig) -> None:
    from dataclasses import replace

    artifact = train(load_corpus(synthetic_data, seed=0), replace(tiny_config, tf="log"), seed=0).artifact
    assert artifact.meta["features"]["tf"] == "log"
    model = RiskModel(artifact)
    assert model.predict(["我想死", "where is my order"])[0] >= Level.IDEATION
    assert np.allclose(model.probabilities(["我想死", ""]).sum(axis=1), 1.0)
