"""The Chinese second stage (``second_stage_zh``), its fine-tuning (``second_stage_zh_train``) and its wiring.

Always run (numpy only): the safetensors writer, the SOS-to-rung mapping, head validation, re-scoring with a
fake encoder, loading a stage folder, the settings, and the hybrid with a tiny random stage. With torch: the
torch BERT against the numpy one, and a whole fine-tuning run on a tiny base model and a tiny data folder,
loaded back and used by the hybrid. Without torch those skip, except with CI=true, where they fail
(``.ci/run`` installs torch).
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lifeguard.config import Settings
from lifeguard.detection.model import model_with_second_stage, parse_second_stage
from lifeguard.detection.model.datasets import sha256_of
from lifeguard.detection.model.minilm import MiniLMEncoder, read_safetensors, write_safetensors
from lifeguard.detection.model.second_stage import ChainedSecondStage
from lifeguard.detection.model.second_stage_minilm import SecondStageUnavailable
from lifeguard.detection.model.second_stage_zh import (
    BENIGN_CLASS,
    CLASSES,
    HEAD_FILE,
    HEAD_FORMAT,
    HEAD_VERSION,
    ChineseSecondStage,
    ZhHead,
    ZhHeadError,
    build_zh_stage,
    cumulative,
)
from tests.conftest import ON_CI
from tests.detection.model.conftest import runtime_second_stage
from tests.detection.model.test_minilm import TINY

THRESHOLDS = [0.4, 0.45, 0.5, 0.55]
CHARS = list("我不想活了今天晚上吃安眠药跳楼烧炭好累快递退款衣服很好看谢谢老板")
ZH_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *CHARS, "a", "b"]
ZH_CONFIG = {**TINY, "vocab_size": len(ZH_VOCAB), "type_vocab_size": 2, "num_hidden_layers": 2}


def torch_or_skip() -> Any:
    try:
        import torch
    except ImportError:
        if ON_CI:
            pytest.fail("CI=true but torch is not installed; .ci/run installs torch==2.13.0")
        pytest.skip("torch is not installed (pip install torch): the fine-tuning tests need it")
    return torch


def random_bert(seed: int = 0, config: dict[str, Any] = ZH_CONFIG) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, f = config["hidden_size"], config["intermediate_size"]
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (config["vocab_size"], h),
        "embeddings.position_embeddings.weight": (config["max_position_embeddings"], h),
        "embeddings.token_type_embeddings.weight": (2, h),
        "embeddings.LayerNorm.weight": (h,),
        "embeddings.LayerNorm.bias": (h,),
    }
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            shapes |= {f"{p}{name}.weight": (h, h), f"{p}{name}.bias": (h,)}
        shapes |= {f"{p}intermediate.dense.weight": (f, h), f"{p}intermediate.dense.bias": (f,)}
        shapes |= {f"{p}output.dense.weight": (h, f), f"{p}output.dense.bias": (h,)}
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes |= {f"{p}{norm}.weight": (h,), f"{p}{norm}.bias": (h,)}
    weights = {name: (0.3 * rng.standard_normal(shape)).astype(np.float32) for name, shape in shapes.items()}
    for name in weights:
        if name.endswith("LayerNorm.weight"):
            weights[name] = 1.0 + weights[name]
    return weights


def write_encoder(folder: Path, weights: dict[str, np.ndarray]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_safetensors(folder / "model.safetensors", weights)
    (folder / "config.json").write_text(json.dumps(ZH_CONFIG), encoding="utf-8")
    (folder / "vocab.txt").write_text("\n".join(ZH_VOCAB) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": False}), encoding="utf-8")


def head_json(weights: np.ndarray, bias: np.ndarray, sha: str, **extra: Any) -> dict[str, Any]:
    return {
        "format": HEAD_FORMAT,
        "version": HEAD_VERSION,
        "weights": weights.tolist(),
        "bias": bias.tolist(),
        "encoder": {"sha256": sha, "dim": weights.shape[1]},
        **extra,
    }


def write_stage(folder: Path, seed: int = 0, bias: np.ndarray | None = None) -> Path:
    write_encoder(folder, random_bert(seed))
    rng = np.random.default_rng(seed + 1)
    weights = rng.standard_normal((CLASSES, ZH_CONFIG["hidden_size"]))
    head = head_json(weights, np.zeros(CLASSES) if bias is None else bias, sha256_of(folder / "model.safetensors"))
    (folder / HEAD_FILE).write_text(json.dumps(head), encoding="utf-8")
    return folder


# -- numpy only ------------------------------------------------------------------------------------


def test_write_safetensors_round_trips(tmp_path: Path) -> None:
    tensors = {
        "b.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        "a.ids": np.arange(5, dtype=np.int64)[None],
        "c.empty": np.zeros((0, 3), dtype=np.float32),
    }
    write_safetensors(tmp_path / "t.safetensors", tensors)
    raw = (tmp_path / "t.safetensors").read_bytes()
    header_size = int.from_bytes(raw[:8], "little")
    assert header_size % 8 == 0  # the data starts 8-aligned
    read = read_safetensors(tmp_path / "t.safetensors")
    assert sorted(read) == sorted(tensors)
    for name, array in tensors.items():
        assert read[name].dtype == array.dtype and np.array_equal(read[name], array), name
    with pytest.raises(ValueError, match="cannot be written"):
        write_safetensors(tmp_path / "bad.safetensors", {"x": np.zeros(2, dtype=np.complex64)})


def test_cumulative_follows_the_sos_mapping() -> None:
    p = np.zeros((4, CLASSES))
    p[0, 0] = 1.0  # SOS 0: no rung
    p[1, 3] = 1.0  # SOS 3: indicator
    p[2, 7] = 1.0  # SOS 7: behavior
    p[3, [5, 10, BENIGN_CLASS]] = [0.2, 0.3, 0.5]
    expected = [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0], [0.5, 0.5, 0.3, 0.3]]
    assert np.allclose(cumulative(p), expected)


def test_head_validation_names_the_problem() -> None:
    good = head_json(np.zeros((CLASSES, 4)), np.zeros(CLASSES), "a" * 64)
    head = ZhHead.from_json(good)
    assert head.min_indicator == 0.5 and len(head.digest) == 64
    cases = [
        ({**good, "format": "x"}, "format"),
        ({**good, "weights": [[1, 2]]}, r"expected \(12, dim\)"),
        ({**good, "weights": [[float("nan")] * 4] * CLASSES}, "not a finite number"),
        ({**good, "weights": [["x"] * 4] * CLASSES}, "must be numbers"),
        ({key: value for key, value in good.items() if key != "bias"}, "missing field 'bias'"),
        ({**good, "encoder": {"sha256": "ABC"}}, "64 lowercase hex"),
        ({**good, "applies_to": {"min_indicator": 2}}, "min_indicator"),
        ([], "JSON object"),
    ]
    for data, message in cases:
        with pytest.raises(ZhHeadError, match=message):
            ZhHead.from_json(data)


class FakeEncoder:
    """Pooled vectors chosen per text: one-hot on the class the text names (by its first character)."""

    def __init__(self, classes: dict[str, int]) -> None:
        self.classes = classes
        self.calls = 0

    def encode(self, texts: list[str], batch_size: int = 32, normalize: bool = True) -> np.ndarray:
        assert normalize is False  # the head was trained on unnormalised means
        self.calls += 1
        out = np.zeros((len(texts), CLASSES))
        for row, text in enumerate(texts):
            out[row, self.classes[text[0]]] = 1.0
        return out


def fake_stage(cache: bool = False) -> tuple[ChineseSecondStage, FakeEncoder]:
    encoder = FakeEncoder({"我": 9, "好": BENIGN_CLASS, "累": 2})
    head = ZhHead.from_json(head_json(20.0 * np.eye(CLASSES), np.zeros(CLASSES), "b" * 64))
    return ChineseSecondStage(encoder, head, THRESHOLDS, cache=cache), encoder


def test_rescore_maps_chinese_flagged_texts_onto_the_model_thresholds() -> None:
    stage, _ = fake_stage()
    first = np.array([[0.9, 0.2, 0.1, 0.05]] * 5)
    first[4, 0] = 0.3  # below the stage's gate (P(indicator) >= 0.5): kept
    texts = ["我今天晚上跳楼", "好看谢谢老板", "累了", "我 english", "我不想活了"]
    langs = ["zh", "zh", "zh", "en", "zh"]
    out = stage.rescore(texts, first, langs=langs)
    assert np.array_equal(out[3], first[3]) and np.array_equal(out[4], first[4])
    passed = out[:3] >= np.array(THRESHOLDS)
    assert passed[0].tolist() == [True, True, True, False]  # SOS 9: behavior, not attempt
    assert passed[1].tolist() == [False, False, False, False]  # ordinary text: nothing
    assert passed[2].tolist() == [True, False, False, False]  # SOS 2: indicator only
    assert (np.diff(out, axis=1) <= 0).all()  # monotone


def test_a_probability_of_one_half_lands_on_each_threshold() -> None:
    head = ZhHead.from_json(head_json(np.zeros((CLASSES, 2)), np.zeros(CLASSES), "c" * 64))
    stage = ChineseSecondStage(FakeEncoder({}), head, THRESHOLDS)
    p = np.zeros((1, CLASSES))
    p[0, [0, 10]] = 0.5  # P(>= every rung) = 0.5
    stage.class_probabilities = lambda texts: p  # type: ignore[method-assign]
    out = stage.rescore(["我"], np.array([[1.0, 1.0, 1.0, 1.0]]), langs=["zh"])
    assert np.allclose(out[0], np.minimum.accumulate(np.array(THRESHOLDS)))


def test_the_cache_encodes_each_text_once() -> None:
    stage, encoder = fake_stage(cache=True)
    first = stage.class_probabilities(["我想", "好的"])
    again = stage.class_probabilities(["好的", "我想"])
    assert encoder.calls == 1 and stage.texts_encoded == 2
    assert np.array_equal(first[::-1], again)
    assert np.allclose(stage.sos_probabilities(["好的"]).sum(axis=1), 1.0)


def test_thresholds_are_checked() -> None:
    head = ZhHead.from_json(head_json(np.zeros((CLASSES, 2)), np.zeros(CLASSES), "d" * 64))
    with pytest.raises(ValueError, match="four thresholds"):
        ChineseSecondStage(FakeEncoder({}), head, [0.5, 0.5])
    with pytest.raises(ValueError, match="four thresholds"):
        ChineseSecondStage(FakeEncoder({}), head, [0.5, 0.5, 1.0, 0.5])


def test_build_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIFEGUARD_ZH_STAGE_DIR", raising=False)
    with pytest.raises(SecondStageUnavailable, match="LIFEGUARD_ZH_STAGE_DIR is unset"):
        build_zh_stage(THRESHOLDS)
    with pytest.raises(SecondStageUnavailable, match="no model.safetensors in .* or its sub-folders"):
        build_zh_stage(THRESHOLDS, tmp_path)
    folder = write_stage(tmp_path / "stage")
    stage = build_zh_stage(THRESHOLDS, folder)
    assert stage.version.startswith("zh.") and isinstance(stage.encoder, MiniLMEncoder)
    assert stage.encoder.tokenizer.lowercase is False
    write_encoder(folder, random_bert(seed=5))  # retrained encoder, old head
    with pytest.raises(SecondStageUnavailable, match="not the one the head was trained on"):
        build_zh_stage(THRESHOLDS, folder)
    (folder / HEAD_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(SecondStageUnavailable, match="not readable JSON"):
        build_zh_stage(THRESHOLDS, folder)


def test_an_ensemble_averages_its_members_class_probabilities() -> None:
    first = ZhHead.from_json(head_json(20.0 * np.eye(CLASSES), np.zeros(CLASSES), "b" * 64))
    second = ZhHead.from_json(head_json(20.0 * np.eye(CLASSES), np.zeros(CLASSES), "e" * 64))
    reads_high, reads_ordinary = FakeEncoder({"我": 9}), FakeEncoder({"我": BENIGN_CLASS})
    alone = ChineseSecondStage(reads_high, first, THRESHOLDS)
    pair = ChineseSecondStage(reads_high, first, THRESHOLDS, more=((reads_ordinary, second),))
    p = pair.class_probabilities(["我想走了"])
    assert np.allclose(p, (alone.class_probabilities(["我想走了"]) + np.eye(CLASSES)[BENIGN_CLASS]) / 2, atol=1e-6)
    assert abs(p[0, 9] - 0.5) < 1e-6 and abs(p[0, BENIGN_CLASS] - 0.5) < 1e-6
    assert pair.version.endswith("x2") and pair.version != alone.version
    assert reads_high.calls == 2 and reads_ordinary.calls == 1  # every member reads every text


def test_a_folder_of_stage_folders_is_an_ensemble(tmp_path: Path) -> None:
    single = build_zh_stage(THRESHOLDS, write_stage(tmp_path / "ensemble" / "seed-0", seed=0))
    write_stage(tmp_path / "ensemble" / "seed-1", seed=3)
    (tmp_path / "ensemble" / "notes").mkdir()  # a folder without an encoder is not a member
    stage = build_zh_stage(THRESHOLDS, tmp_path / "ensemble")
    assert len(stage.members) == 2 and stage.version.endswith("x2")
    other = build_zh_stage(THRESHOLDS, tmp_path / "ensemble" / "seed-1")
    texts = ["我不想活了", "好看"]
    expected = (single.class_probabilities(texts) + other.class_probabilities(texts)) / 2
    assert np.allclose(stage.class_probabilities(texts), expected)
    head = json.loads((tmp_path / "ensemble" / "seed-1" / HEAD_FILE).read_text(encoding="utf-8"))
    head["applies_to"] = {"min_indicator": 0.2}
    (tmp_path / "ensemble" / "seed-1" / HEAD_FILE).write_text(json.dumps(head), encoding="utf-8")
    with pytest.raises(SecondStageUnavailable, match="disagree on applies_to.min_indicator"):
        build_zh_stage(THRESHOLDS, tmp_path / "ensemble")


def test_second_stage_names_parse() -> None:
    assert parse_second_stage("zh+minilm") == "minilm+zh"
    assert parse_second_stage(" ZH ") == "zh"
    assert parse_second_stage("") == "none"
    with pytest.raises(ValueError, match="unknown second stage 'onnx'"):
        parse_second_stage("zh+onnx")
    assert Settings(second_stage="zh+minilm").second_stage == "minilm+zh"
    with pytest.raises(ValueError, match="none, or minilm, chat, zh joined by \\+"):
        Settings(second_stage="gpt")


def test_a_missing_stage_is_logged_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        model = model_with_second_stage("zh", zh_stage_dir=tmp_path / "nowhere")
    assert model.second_stage.name == "none"
    assert "second stage 'zh' needs a fine-tuned Chinese encoder" in caplog.text


def test_the_chain_runs_each_stage_with_the_languages() -> None:
    seen: list[tuple[str, list[str | None] | None]] = []

    class Stage:
        def __init__(self, name: str, bump: float) -> None:
            self.name, self.version, self.bump = name, f"{name}.1", bump

        def rescore(self, texts: list[str], at_or_above: np.ndarray, langs: list[str | None] | None = None) -> Any:
            seen.append((self.name, langs))
            return at_or_above + self.bump

    chain = ChainedSecondStage([Stage("minilm", 0.1), Stage("zh", 0.2)])
    out = chain.rescore(["a"], np.zeros((1, 4)), langs=["zh"])
    assert chain.name == "minilm+zh" and chain.version == "minilm.1+zh.1"
    assert np.allclose(out, 0.3) and seen == [("minilm", ["zh"]), ("zh", ["zh"])]


def test_the_hybrid_runs_with_a_stage_folder(tmp_path: Path) -> None:
    from lifeguard.detection.assessment import TextInput
    from lifeguard.detection.lexicon_detector import LexiconDetector
    from lifeguard.detection.model.hybrid import HybridDetector

    folder = write_stage(tmp_path / "stage", bias=np.array([0.0] * 10 + [30.0, 0.0]))  # always SOS 10
    model = model_with_second_stage("zh", zh_stage_dir=folder)
    assert model.second_stage.name == "zh" and "+zh." in model.info.version
    hybrid = HybridDetector(model, LexiconDetector())
    plain = HybridDetector(model_with_second_stage("none"), LexiconDetector())
    text = "好累，不想活了"
    assert model.score_texts([text]).at_or_above[0, 3] >= THRESHOLDS[3]  # the stage read it as SOS 10
    assert hybrid.assess(TextInput(text)).level >= plain.assess(TextInput(text)).level
    shop = TextInput("衣服很好看，谢谢老板")
    assert hybrid.assess(shop).level == plain.assess(shop).level  # not flagged: never re-scored
    assert "+zh." in hybrid.assess(TextInput(text)).detector


def test_the_runtime_passes_the_settings_to_the_detector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_stage(tmp_path / "stage")
    monkeypatch.delenv("LIFEGUARD_SECOND_STAGE", raising=False)
    monkeypatch.delenv("LIFEGUARD_ZH_STAGE_DIR", raising=False)
    assert isinstance(runtime_second_stage(tmp_path, second_stage="zh", zh_stage_dir=folder), ChineseSecondStage)


# -- with torch ------------------------------------------------------------------------------------


def test_torch_bert_equals_the_numpy_encoder(tmp_path: Path) -> None:
    torch = torch_or_skip()
    from lifeguard.detection.model.bert_torch import TorchBert, mean_pool

    weights = random_bert(seed=3)
    write_encoder(tmp_path, {f"bert.{k}": v for k, v in weights.items()})  # a "bert." prefix is read too
    numpy_encoder = MiniLMEncoder.load(tmp_path)
    model = TorchBert(ZH_CONFIG)
    model.load_weights(read_safetensors(tmp_path / "model.safetensors"))
    model.eval()
    texts = ["我不想活了", "今天晚上", "谢谢老板ab", "[UNK]累"]
    expected = numpy_encoder.encode(texts, normalize=False)
    encoded = [numpy_encoder.tokenizer.encode(text) for text in texts]
    width = max(map(len, encoded))
    ids = torch.tensor([row + [0] * (width - len(row)) for row in encoded])
    mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in encoded])
    with torch.no_grad():
        got = mean_pool(model(ids, mask), mask).numpy()
    assert np.abs(got - expected).max() < 1e-5
    with pytest.raises(KeyError, match="encoder.layer.2"):
        TorchBert({**ZH_CONFIG, "num_hidden_layers": 3}).load_weights(weights)
    with pytest.raises(ValueError, match="shape"):
        TorchBert({**ZH_CONFIG, "intermediate_size": 7}).load_weights(weights)


def _write_set(folder: Path, records: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True)
    with gzip.open(folder / "data.jsonl.gz", "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def tiny_data(root: Path) -> Path:
    high = ["我今天晚上吃安眠药", "我今天晚上跳楼", "今天晚上烧炭", "我吃安眠药跳楼"]
    low = ["好累", "我好累了", "不想上班好累", "今天好累"]
    sos = []
    for split, repeat in (("train", 6), ("test", 2)):
        for k in range(repeat):
            sos += [{"text": f"{t}{'了' * k}", "label": 9, "lang": "zh", "split": split} for t in high]
            sos += [{"text": f"{t}{'了' * k}", "label": 2, "lang": "zh", "split": split} for t in low]
    _write_set(root / "sos-4k-zh", sos)
    shop = [{"text": f"衣服很好看谢谢老板{'好' * k}", "label": "none", "lang": "zh"} for k in range(12)]
    _write_set(root / "benign-waimai-10k-zh", shop)
    return root


def test_fine_tuning_writes_a_stage_the_hybrid_loads(tmp_path: Path) -> None:
    torch_or_skip()
    from lifeguard.detection.model.second_stage_zh_train import train_zh_stage

    base = tmp_path / "base"
    write_encoder(base, random_bert(seed=7))
    data = tiny_data(tmp_path / "data")
    messages: list[str] = []
    out = tmp_path / "stage"
    head = train_zh_stage(data, base, out, epochs=12, learning_rate=3e-3, batch_size=8, progress=messages.append)
    assert len(messages) == 13 and messages[0].startswith("epoch 1/12")
    assert {"model.safetensors", "config.json", "vocab.txt", HEAD_FILE} <= {p.name for p in out.iterdir()}
    assert head["training"]["per_class"]["9"] == 24 and head["training"]["per_class"]["11"] > 0
    assert "sos-4k-zh/data.jsonl.gz" in head["training"]["data_files"]
    assert head["base"]["sha256"] == sha256_of(base / "model.safetensors")
    measured = head["measured"]["sos_test"]
    assert measured["high_low_f1"]["n"] == 16 and measured["high_low_f1"]["f1"] >= 0.8  # it learnt the toy task
    trained = read_safetensors(out / "model.safetensors")
    assert not np.array_equal(trained["encoder.layer.0.output.dense.weight"], random_bert(seed=7)[
        "encoder.layer.0.output.dense.weight"])  # fmt: skip

    stage = build_zh_stage(THRESHOLDS, out)  # numpy encoder over the fine-tuned weights
    p = stage.class_probabilities(["我今天晚上跳楼了了", "好累了了"])
    assert p[0, 6:BENIGN_CLASS].sum() > 0.5 > p[1, 6:BENIGN_CLASS].sum()

    again = train_zh_stage(data, base, tmp_path / "again", epochs=12, learning_rate=3e-3, batch_size=8,
                           progress=messages.append)  # fmt: skip
    assert again["encoder"]["sha256"] == head["encoder"]["sha256"]  # deterministic for a seed and thread count
    assert (tmp_path / "again" / HEAD_FILE).read_bytes() == (out / HEAD_FILE).read_bytes()  # so is the version


# -- the command line -------------------------------------------------------------------------------


def test_train_zh_and_dev_refuse_bad_arguments_clearly(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lifeguard.detection.model.cli import model_app

    runner = CliRunner()
    result = runner.invoke(model_app, ["dev", "--second-stage", "gpt"])
    assert result.exit_code == 2 and "unknown second stage 'gpt'" in result.output
    args = ["second-stage", "train-zh", "--base", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]
    result = runner.invoke(model_app, args)
    assert result.exit_code == 2
    assert "holds no config.json" in result.output or "needs PyTorch" in result.output
    assert not (tmp_path / "out").exists()


def test_train_zh_says_when_the_base_weights_are_damaged(tmp_path: Path) -> None:
    torch_or_skip()
    from typer.testing import CliRunner

    from lifeguard.detection.model.cli import model_app

    base = tmp_path / "base"
    write_encoder(base, random_bert(seed=7))
    (base / "model.safetensors").unlink()
    (base / "pytorch_model.bin").write_bytes(b"not a torch file")
    args = ["second-stage", "train-zh", "--base", str(base), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(model_app, [*args, "--data-dir", str(tiny_data(tmp_path / "data"))])
    assert result.exit_code == 2 and "cannot train from" in result.output
    assert not (tmp_path / "out").exists()


def test_train_zh_runs_from_the_command_line(tmp_path: Path) -> None:
    torch_or_skip()
    from typer.testing import CliRunner

    from lifeguard.detection.model.cli import model_app

    base = tmp_path / "base"
    write_encoder(base, random_bert(seed=7))
    data = tiny_data(tmp_path / "data")
    out = tmp_path / "stage"
    args = ["second-stage", "train-zh", "--base", str(base), "--out", str(out), "--data-dir", str(data)]
    result = CliRunner().invoke(model_app, [*args, "--epochs", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["version"] == f"zh.{ZhHead.load(out / HEAD_FILE).digest[:8]}"
    assert summary["measured"]["sos_test"]["high_low_f1"]["n"] == 16


def test_measure_zh_measures_a_stage_or_an_ensemble_alone(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lifeguard.detection.model.cli import model_app
    from lifeguard.detection.model.second_stage_zh_measure import held_out, measure_stage, stage_corpus

    data = tiny_data(tmp_path / "data")
    first = write_stage(tmp_path / "ensemble" / "seed-0", seed=0)
    second = write_stage(tmp_path / "ensemble" / "seed-1", seed=3)
    runner = CliRunner()
    result = runner.invoke(model_app, ["second-stage", "measure-zh", "--zh-stage", str(tmp_path / "ensemble"),
                                       "--data-dir", str(data)])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["version"].endswith("x2") and len(summary["member_seeds"]) == 2
    measured = summary["measured"]
    assert measured["sos_test"]["high_low_f1"]["n"] == 16  # SOS-4K's test split only
    test, benign = held_out(stage_corpus(data))
    assert measured["benign_zh_holdout"]["n"] == len(benign) > 0
    one, other = build_zh_stage(THRESHOLDS, first), build_zh_stage(THRESHOLDS, second)

    def mean(texts: list[str]) -> np.ndarray:
        return (one.class_probabilities(texts) + other.class_probabilities(texts)) / 2

    assert measured == json.loads(json.dumps(measure_stage(mean, test, benign)))  # the members' mean, measured
    result = runner.invoke(model_app, ["second-stage", "measure-zh", "--zh-stage", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no model.safetensors" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(model_app, ["second-stage", "measure-zh", "--zh-stage", str(tmp_path / "ensemble"),
                                       "--data-dir", str(tmp_path / "empty")])  # fmt: skip
    assert result.exit_code == 2 and "no sos-4k-zh under" in result.output
