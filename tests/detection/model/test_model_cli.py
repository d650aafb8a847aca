"""``model_app`` as an operator runs it: train, eval --json, cv --json on tiny synthetic files."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from lifeguard.detection.model.cli import model_app
from lifeguard.detection.model.pinned_numerics import PINNED_KERNELS, can_pin

runner = CliRunner()
EVAL_KEYS = {
    "accuracy", "macro_f1", "weighted_f1", "per_level", "at_or_above", "graded_precision", "graded_recall",
    "graded_fscore", "ordinal_error", "confusion", "ece", "false_alarm_rate", "by_lang",
}  # fmt: skip
PHRASES = {
    "Supportive": ["you are not alone, call the hotline", "we are here for you friend", "hang in there buddy"],
    "Indicator": ["i feel so empty and tired", "everything is hopeless", "nobody cares about me"],
    "Ideation": ["i want to die", "i wish i was dead", "i want to kill myself"],
    "Behavior": ["i bought a rope today", "i have been saving pills", "i cut myself again"],
    "Attempt": ["i took all the pills", "i tried to hang myself last year", "i jumped but survived"],
}
LABEL_MAP = {"Supportive": "none", "Indicator": "indicator", "Ideation": "ideation", "Behavior": "behavior",
             "Attempt": "attempt"}  # fmt: skip


def _user_level_file(path: Path, per_label: int = 12) -> Path:
    rng = random.Random(1)
    lines = []
    for label, phrases in PHRASES.items():
        for i in range(per_label):
            text = " . ".join(rng.choice(phrases) for _ in range(3)) + f" post {i}"
            lines.append(json.dumps({"text": text, "label": label, "lang": "en" if i % 3 else "en-US"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_writes_a_loadable_model(synthetic_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(model_app, ["train", "--data-dir", str(synthetic_data), "--out", str(out), "--seed", "0"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["version"].startswith("linear-1+")
    assert (out / "model.json").is_file() and (out / "heads_weight.npy").is_file()
    numerics = json.loads((out / "model.json").read_text(encoding="utf-8"))["training"]["numerics"]
    assert numerics["pinned"] is can_pin() and numerics["releases"]["scikit-learn"] != "absent"
    if can_pin():
        assert {str(library["architecture"]).lower() for library in numerics["blas"]} == {PINNED_KERNELS.lower()}


def test_train_refuses_a_missing_data_dir(tmp_path: Path) -> None:
    result = runner.invoke(model_app, ["train", "--data-dir", str(tmp_path / "nope"), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2


def test_eval_prints_exactly_one_json_object(tiny_model_dir: Path, tmp_path: Path) -> None:
    data = _user_level_file(tmp_path / "users.jsonl", per_label=4)
    label_map = tmp_path / "map.json"
    label_map.write_text(json.dumps(LABEL_MAP), encoding="utf-8")
    args = ["eval", "--data", str(data), "--label-map", str(label_map), "--model", str(tiny_model_dir), "--json"]
    result = runner.invoke(model_app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == EVAL_KEYS
    assert sum(level["support"] for level in report["per_level"].values()) == 20
    assert set(report["by_lang"]) == {"en"}
    assert set(report["at_or_above"]) == {"indicator", "ideation", "behavior", "attempt"}


def test_eval_accepts_level_names_without_a_map(tiny_model_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "levels.jsonl"
    data.write_text(
        "\n".join(json.dumps({"text": t, "label": lab}) for t, lab in [("我想死", "ideation"), ("hi", "none")]),
        encoding="utf-8",
    )
    result = runner.invoke(model_app, ["eval", "--data", str(data), "--model", str(tiny_model_dir), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["per_level"]["ideation"]["support"] == 1


def test_cv_runs_each_fold_and_averages(tmp_path: Path) -> None:
    data = _user_level_file(tmp_path / "users.jsonl")
    label_map = tmp_path / "map.json"
    label_map.write_text(json.dumps(LABEL_MAP), encoding="utf-8")
    args = ["cv", "--data", str(data), "--label-map", str(label_map), "--folds", "3", "--seed", "0", "--json"]
    result = runner.invoke(model_app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"mean", "folds"} and len(report["folds"]) == 3
    assert EVAL_KEYS <= set(report["mean"])
    assert all(set(fold) == EVAL_KEYS for fold in report["folds"])
    assert 0.0 <= report["mean"]["graded_fscore"] <= 1.0
    assert sum(sum(row.values()) for row in report["mean"]["confusion"].values()) == 60


def test_dev_remeasures_a_model_on_the_held_out_parts(synthetic_data: Path, tiny_model_dir: Path) -> None:
    args = ["dev", "--data-dir", str(synthetic_data), "--model", str(tiny_model_dir)]
    result = runner.invoke(model_app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["detector"].startswith("risk-model/")
    assert "sos_high_low_f1" in report and "benign-banking77-en" in report["false_alarm_rate"]
    hybrid = runner.invoke(model_app, [*args, "--hybrid"])
    assert hybrid.exit_code == 0, hybrid.output
    assert json.loads(hybrid.stdout)["detector"].startswith("hybrid/")
