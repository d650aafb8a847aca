"""The chat stage: the MiniLM reader with a head for short English lines (``second_stage_chat_train``).

Everything here runs without the real encoder (fake encoders) except the last test, which needs the real weights
(LIFEGUARD_MINILM_DIR or the installed package) and skips without them, or fails with CI=true.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lifeguard.config import Settings
from lifeguard.detection.model import model_with_second_stage, parse_second_stage
from lifeguard.detection.model import second_stage_minilm as ssm
from lifeguard.detection.model.second_stage_chat_train import (
    HELD_OUT_LOOKALIKES,
    HELD_OUT_RISK,
    MAX_WORDS,
    READ_LOOKALIKE_FILES,
    READ_RISK_FILES,
    phrasebook_phrases,
    threshold_rule,
    train_chat_head,
    written_apart_phrases,
)
from lifeguard.detection.model.second_stage_minilm import Head, HeadError, MiniLMSecondStage, build_second_stage
from tests.detection.model.conftest import CHAT_PHRASEBOOK, write_chat_material
from tests.detection.model.test_minilm import weights_dir_or_skip
from tests.detection.model.test_second_stage_minilm import head_json, logit

REPO = Path(__file__).resolve().parents[3]


class HashingEncoder:
    """A deterministic stand-in: each word adds a fixed random vector; the sum is normalised."""

    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.seen: list[str] = []

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:4], "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.seen.extend(texts)
        rows = [sum((self._word(w) for w in text.lower().split()), np.zeros(self.dim)) for text in texts]
        matrix = np.asarray(rows, dtype=np.float64)
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


def chat_head_json(**applies: Any) -> dict[str, Any]:
    head = head_json(dim=4, bias=logit(0.97), threshold=0.9)
    head["applies_to"] = {"lang": "en", "min_words": 0, "max_words": 6, "min_indicator": 0.3, "raise_only": True}
    head["applies_to"].update(applies)
    return head


# -- the head and the stage ----------------------------------------------------------------------------------


def test_the_head_reads_its_word_bounds_and_raise_only_and_refuses_bad_ones() -> None:
    head = Head.from_json(chat_head_json())
    assert head.max_words == 6 and head.raise_only and head.min_words == 0
    plain = Head.from_json(head_json())
    assert plain.max_words is None and not plain.raise_only  # the posts' head keeps its old meaning
    for bad, message in (
        ({"max_words": 0}, "max_words"),
        ({"max_words": "6"}, "max_words"),
        ({"max_words": True}, "max_words"),
        ({"min_words": 8, "max_words": 6}, "below"),
        ({"raise_only": "yes"}, "raise_only"),
    ):
        with pytest.raises(HeadError, match=message):
            Head.from_json(chat_head_json(**bad))


def test_the_chat_stage_reads_short_watched_english_lines_and_only_raises() -> None:
    encoder = HashingEncoder(dim=4)
    stage = MiniLMSecondStage(encoder, Head.from_json(chat_head_json()), 0.425, name="chat")
    assert stage.name == "chat" and stage.version.startswith("chat.")
    assert stage.handles("i want it all to stop", "en", 0.4)
    assert not stage.handles("i want it all to stop", "en", 0.2)  # the first stage does not watch it
    assert not stage.handles("i want it all to stop now and for ever and ever", "en", 0.9)  # too long: posts' head
    assert not stage.handles("我想消失", "zh", 0.9)
    texts = ["i want it all to stop", "where is my parcel", "i want to die", "a much longer line that the stage leaves"]
    at_or_above = np.array(
        [[0.6, 0.2, 0.1, 0.05], [0.1, 0.05, 0.01, 0.0], [0.95, 0.9, 0.3, 0.1], [0.9, 0.3, 0.1, 0.0]], dtype=np.float64
    )
    out = stage.rescore(texts, at_or_above, ["en", "en", "en", "en"])
    # the head (constant 0.97 at its threshold 0.9) raises the watched short line to ideation ...
    assert out[0, 1] >= 0.425 and out[0, 0] >= out[0, 1] >= out[0, 2] >= out[0, 3]
    # ... leaves the line the first stage does not watch, and the long one, as they were ...
    assert np.array_equal(out[1], at_or_above[1]) and np.array_equal(out[3], at_or_above[3])
    # ... and never lowers what the first stage found
    assert out[2, 1] >= at_or_above[2, 1]
    assert encoder.seen == ["i want it all to stop", "i want to die"]


def test_a_lower_head_reading_does_not_take_a_finding_away() -> None:
    low = chat_head_json()
    low["bias"] = logit(0.05)
    stage = MiniLMSecondStage(HashingEncoder(dim=4), Head.from_json(low), 0.425, name="chat")
    at_or_above = np.array([[0.95, 0.9, 0.3, 0.1]])
    assert stage.rescore(["i want to die"], at_or_above, ["en"])[0, 1] == pytest.approx(0.9)
    without = dict(low, applies_to={**low["applies_to"], "raise_only": False})
    replacing = MiniLMSecondStage(HashingEncoder(dim=4), Head.from_json(without), 0.425, name="chat")
    assert replacing.rescore(["i want to die"], at_or_above, ["en"])[0, 1] < 0.425


def test_the_stage_names_parse_in_any_order() -> None:
    assert parse_second_stage("chat") == "chat"
    assert parse_second_stage("zh+chat+minilm") == "minilm+chat+zh"
    assert Settings(second_stage="Chat+MiniLM").second_stage == "minilm+chat"
    with pytest.raises(ValueError, match=r"second_stage must be none, or minilm, chat, zh joined by \+"):
        Settings(second_stage="chat+bert")


def test_the_shipped_chat_head_is_valid_and_trained_on_read_lines_only() -> None:
    head = Head.load(shipped=ssm.CHAT_HEAD_FILE)
    assert head.max_words == MAX_WORDS < ssm.MIN_WORDS and head.raise_only and len(head.weights) == 384
    files = head.meta["training"]["files"]
    assert {f"written_apart/{name}" for name in READ_RISK_FILES + READ_LOOKALIKE_FILES} <= set(files)
    assert not any("unread" in name or "everyday" in name for name in files)
    assert head.meta["holdout"]["risk_file"] == HELD_OUT_RISK and head.meta["holdout"]["risk_lines"] == 150
    assert Head.load().max_words is None  # the posts' head is unchanged


def test_the_shipped_chat_head_was_trained_on_the_lines_in_the_repository() -> None:
    """A phrasebook or written-apart edit changes what `train-chat` would write: retrain the head with it."""
    from lifeguard.detection.model.datasets import sha256_of

    files = Head.load(shipped=ssm.CHAT_HEAD_FILE).meta["training"]["files"]
    tests = REPO / "tests" / "detection"
    recorded = {name: digest for name, digest in files.items() if name.startswith(("phrasebook/", "written_apart/"))}
    current = {name: sha256_of(tests / name.removeprefix("phrasebook/")) for name in recorded}
    assert recorded == current, (
        "retrain: OPENBLAS_NUM_THREADS=1 lifeguard model second-stage train-chat --data-dir ../shared/data "
        "--out src/lifeguard/detection/model/shipped/second_stage_chat.json"
    )


# -- training -------------------------------------------------------------------------------------------------


def _write_chat_material(root: Path) -> tuple[Path, Path]:
    risk = [f"ideation\ti want to die {word}" for word in ("today", "now", "tonight", "so much", "already", "badly")]
    risk += [f"attempt\ti took all the pills {word}" for word in ("now", "tonight", "just now", "already", "sorry")]
    looks = [f"this pizza is {word} good" for word in ("so", "really", "very", "too", "crazy", "insanely")]
    looks += ["मैं खाना खा रहा हूं", "我想吃火锅"]  # not English: left out
    return write_chat_material(
        root,
        {
            **dict.fromkeys(READ_RISK_FILES, risk),
            HELD_OUT_RISK: ["ideation\ti want to die so bad", "behavior\tpills are ready tonight"],
        },
        {
            **dict.fromkeys(READ_LOOKALIKE_FILES, looks),
            HELD_OUT_LOOKALIKES: ["this pizza is good", "the pizza is ready tonight"],
        },
        CHAT_PHRASEBOOK + '    - {text: "我想死", level: ideation}\n',
    )


def test_the_trainer_reads_english_lines_of_the_read_files_and_the_phrasebook(tmp_path: Path) -> None:
    phrasebook, folder = _write_chat_material(tmp_path)
    texts, labels = written_apart_phrases(folder, READ_RISK_FILES, READ_LOOKALIKE_FILES)
    assert len(texts) == 2 * 11 + 2 * 6 and sum(labels) == 2 * 11
    assert not any("खाना" in text or "火锅" in text for text in texts)
    texts, labels = phrasebook_phrases(phrasebook)
    assert dict(zip(texts, labels, strict=True)) == {
        "i just want to die": 1,
        "i dont want to die": 0,
        "my friend wants to die": 0,  # someone else's risk: the writer's own is none
    }


def test_the_threshold_rule_keeps_the_false_alarm_limits() -> None:
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    benign = np.array([False] * 8 + [True, True])
    oof = np.array([0.95, 0.9, 0.6, 0.3, 0.85, 0.2, 0.1, 0.1, 0.5, 0.05])
    pick = threshold_rule(benign, max_hard=0.0, max_benign=0.0)
    assert pick(oof, y) == pytest.approx(0.86)  # the lowest threshold above the hard negative at 0.85
    loose = threshold_rule(benign, max_hard=0.25, max_benign=0.5)
    assert loose(oof, y) <= 0.3  # with room for one hard negative and one benign text, all four risk lines
    assert threshold_rule(benign, max_hard=0.0, max_benign=0.0)(np.ones(10), y) == pytest.approx(0.95)


def test_training_is_deterministic_and_measures_the_unread_files(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    phrasebook, folder = _write_chat_material(tmp_path)
    identity = {"name": "hashing", "package": "none", "sha256": "b" * 64, "dim": 8}
    encoder = HashingEncoder()
    first = train_chat_head(tmp_path / "no-data", phrasebook, folder, encoder, identity, seed=0)
    again = train_chat_head(tmp_path / "no-data", phrasebook, folder, HashingEncoder(), dict(identity), seed=0)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    head = Head.from_json(first)
    assert head.max_words == MAX_WORDS and head.raise_only and len(head.weights) == 8
    assert first["training"]["sources"]["written_apart"] == {"risk": 11, "not_risk": 6}  # each line once
    assert first["training"]["sources"]["benign"] == {"risk": 0, "not_risk": 0}  # no benign sets under no-data
    assert first["holdout"] == {
        "risk_file": HELD_OUT_RISK,
        "risk_found": first["holdout"]["risk_found"],
        "risk_lines": 2,
        "lookalike_file": HELD_OUT_LOOKALIKES,
        "lookalikes_raised": first["holdout"]["lookalikes_raised"],
        "lookalike_lines": 2,
    }
    # the unread lines are read only after the head is fitted: the last texts encoded
    assert encoder.seen[-4:] == [
        "i want to die so bad",
        "pills are ready tonight",
        "this pizza is good",
        "the pizza is ready tonight",
    ]
    # the risk lines score above the lookalikes
    vectors = HashingEncoder().encode(["i want to die now", "this pizza is so good"])
    risk, look = head.probability(vectors)
    assert risk > look


# -- with the real weights -------------------------------------------------------------------------------------


def test_the_shipped_chat_head_with_the_real_encoder_reads_meaning_not_words() -> None:
    stage = build_second_stage(0.425, weights_dir_or_skip(), name="chat")
    assert stage.name == "chat" and stage.head.raise_only
    risk = ["i just want to be gone from this world", "i have been going to the cliff every day to get ready"]
    plain = ["where is my parcel, it was due monday", "can you change my delivery address please"]
    p_risk, p_plain = stage.head_probabilities(risk), stage.head_probabilities(plain)
    assert p_risk.min() > p_plain.max()
    model = model_with_second_stage("chat", weights_dir_or_skip())
    assert model.second_stage.name == "chat" and "+chat." in model.version


def test_the_train_chat_command_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from lifeguard.detection.model.cli import model_app

    runner = CliRunner()
    out = tmp_path / "head.json"
    missing = runner.invoke(
        model_app,
        ["second-stage", "train-chat", "--out", str(out), "--written-apart", str(tmp_path / "nowhere")],
    )
    assert missing.exit_code != 0 and "nowhere does not exist" in missing.output
    phrasebook, folder = _write_chat_material(tmp_path)
    monkeypatch.setenv("LIFEGUARD_MINILM_DIR", str(tmp_path / "no-encoder"))
    monkeypatch.setattr("lifeguard.detection.model.minilm.package_model_dir", lambda: None)
    no_encoder = runner.invoke(
        model_app,
        [
            "second-stage",
            "train-chat",
            "--out",
            str(out),
            "--phrasebook",
            str(phrasebook),
            "--written-apart",
            str(folder),
        ],
    )
    assert no_encoder.exit_code != 0 and "no MiniLM encoder" in no_encoder.output and not out.exists()
