"""The short-chat head (``short_chat.py``, ``short_chat_train.py``): a reader of chat lines inside the first stage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.language import guess_language
from lifeguard.detection.levels import Level
from lifeguard.detection.model import load_model
from lifeguard.detection.model.artifact import ArtifactError, shipped_dir
from lifeguard.detection.model.chat_lines import phrasebook_lines
from lifeguard.detection.model.features import extract
from lifeguard.detection.model.model import SHORT_ACT_HEAD, SHORT_BEHAVIOR_HEAD, SHORT_CHAT_HEAD, RiskModel
from lifeguard.detection.model.short_chat import (
    ACT_PREFIX,
    BEHAVIOR,
    BEHAVIOR_PREFIX,
    INDEX_FILE,
    META_FILE,
    WEIGHT_FILE,
    ShortChatHead,
    files,
    save,
)
from lifeguard.detection.model.short_chat_train import (
    MAX_CHARS,
    READ_EVERYDAY_FILES,
    READ_LOOKALIKE_FILES,
    READ_RISK_FILES,
    act_lines,
    act_threshold,
    behavior_lines,
    behavior_threshold,
    chat_lines_for_heads,
    sample_weights,
    train_act,
    train_short_chat,
    training_lines,
)
from lifeguard.detection.model.textnorm import fold
from lifeguard.detection.reasons import NGRAM, SHORT_CHAT_REASON
from tests.detection.model.conftest import write_chat_material

REPO = Path(__file__).resolve().parents[3]
THRESHOLDS = np.array([0.5, 0.425, 0.4, 0.35])  # the model's per-rung thresholds, for the unit tests
TESTS = REPO / "tests" / "detection"
PHRASEBOOK = TESTS / "phrasebook.yaml"

# Lines long enough to be posts, and chat lines with and without risk, in the four languages.
LONG = "i have been thinking about my exams and my parents and everything that went wrong this year, " * 2
LINES = [
    LONG,
    "where is my parcel, it was due monday",
    "我想吃火锅",
    "मैं खाना खा रहा हूं",
    "mujhe kal movie dekhni hai yaar",
    "i just want to be gone from this world",
    "活着没意思，不如消失",
    "अब जीने का मन नहीं करता",
    "ab jeene ka mann nahi karta",
]


@pytest.fixture(scope="module")
def without_head() -> RiskModel:
    return RiskModel.load(short_chat=False)


def test_the_shipped_model_reads_chat_lines_with_its_short_chat_head() -> None:
    model = load_model()
    head = model.short_chat
    assert head is not None and head.max_chars == MAX_CHARS
    assert model.version.endswith(f"+{head.version}") and head.version.startswith("short.")
    files = head.meta["training"]["files"]
    assert {f"written_apart/{name}" for name in READ_RISK_FILES + READ_LOOKALIKE_FILES + READ_EVERYDAY_FILES} <= set(
        files
    )
    assert not any("unread" in name or "hi_risk_5" in name or "fresh" in name for name in files)
    sets = {name.split("/", 1)[0] for name in files if not name.startswith(("phrasebook/", "written_apart/"))}
    assert "sos-4k-zh" in sets and set(head.meta["training"]["licences"]) == sets  # each set's licence as stated


def test_the_shipped_head_was_trained_on_the_lines_in_the_repository() -> None:
    """A phrasebook or written-apart edit changes what `train-short-chat` would write: retrain the head with it."""
    from lifeguard.detection.model.datasets import sha256_of

    head = load_model().short_chat
    assert head is not None
    files = head.meta["training"]["files"]
    recorded = {name: digest for name, digest in files.items() if name.startswith(("phrasebook/", "written_apart/"))}
    current = {name: sha256_of(TESTS / name.removeprefix("phrasebook/")) for name in recorded}
    assert recorded == current, (
        "retrain: OPENBLAS_NUM_THREADS=1 lifeguard model train-short-chat --data-dir ../shared/data "
        "--out src/lifeguard/detection/model/shipped"
    )


def test_it_only_raises_ideation_and_only_on_chat_lines(without_head: RiskModel) -> None:
    model = load_model()
    before, after = without_head.score_texts(LINES), model.score_texts(LINES)
    assert (after.at_or_above[:, :2] >= before.at_or_above[:, :2]).all()
    assert np.array_equal(after.at_or_above[:, 2:], before.at_or_above[:, 2:])
    assert np.array_equal(after.at_or_above[0], before.at_or_above[0])  # a post: untouched
    assert after.short_chat is not None and not after.short_chat[0]
    assert before.short_chat is None


def test_it_reads_chat_lines_in_the_four_languages_and_not_posts() -> None:
    """Hindi since session 24, when everyday Hindi chat to learn from kept it from reading "abhi uthi hu" ("I just
    woke up") as a wish to die."""
    model = load_model()
    assert model.short_chat is not None and model.short_chat.languages == ("en", "zh", "hi", "hi-Latn")
    scored = model.score_texts(LINES)
    read = model.short_chat.reads(scored.folded, scored.langs or [], np.ones(len(LINES), dtype=bool))
    assert read.tolist() == [False] + [True] * 8


def test_it_finds_risk_the_heads_miss_and_says_so(without_head: RiskModel) -> None:
    """Of the phrasebook's English and Chinese risk messages the four heads leave below ideation, it raises many."""
    texts, labels = phrasebook_lines(PHRASEBOOK, lambda text: guess_language(text) in ("en", "zh"))
    risk = [text for text, label in zip(texts, labels, strict=True) if label and len(text) <= MAX_CHARS]
    before = without_head.score_texts(risk)
    missed = [text for text, rank in zip(risk, before.ranks.tolist(), strict=True) if rank < Level.IDEATION.rank]
    after = load_model().score_texts(missed)
    found = [text for text, rank in zip(missed, after.ranks.tolist(), strict=True) if rank >= Level.IDEATION.rank]
    assert len(missed) > 50 and len(found) > len(missed) / 3, (len(found), len(missed))  # 180 of 376
    # the assessment names the head, and its spans are the head's own n-grams
    model = load_model()
    for text in found[:20]:
        assessment = model.assess(TextInput(text))
        assert SHORT_CHAT_REASON in assessment.reasons
        if assessment.level is Level.IDEATION:
            scored = model.score_texts([text])
            assert model.explaining_head(scored, 0, Level.IDEATION) == SHORT_CHAT_HEAD
            assert any(reason.startswith(NGRAM) for reason in assessment.reasons) and assessment.spans


def test_the_hybrid_keeps_ordinary_chat_ordinary() -> None:
    from lifeguard.detection.model import hybrid_detector

    hybrid = hybrid_detector("none")
    ordinary = [
        "where is my parcel, it was due monday",
        "我想吃火锅",
        "मैं खाना खा रहा हूं",
        "mujhe kal movie dekhni hai yaar",
        "this meeting is killing me lol",
        "笑死我了哈哈哈",
    ]
    assert all(result.level < Level.IDEATION for result in hybrid.assess_many([TextInput(t) for t in ordinary]))
    risky = hybrid.assess_many([TextInput("i just want to be gone from this world")])[0]
    assert risky.level >= Level.IDEATION


# -- the file -------------------------------------------------------------------------------------------------


def _copy_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(shipped_dir(), folder)
    return folder


def test_a_model_without_the_head_still_loads(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    for name in (META_FILE, INDEX_FILE, WEIGHT_FILE):
        (folder / name).unlink()
    model = RiskModel.load(folder)
    assert model.short_chat is None and "+short." not in model.version
    assert model.score_texts(["i want to die"]).short_chat is None


def test_the_behavior_head_is_optional_and_must_say_its_rung(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    meta_name, index_name, weight_name = files(BEHAVIOR_PREFIX)
    meta = json.loads((folder / meta_name).read_text(encoding="utf-8"))
    (folder / meta_name).write_text(json.dumps({**meta, "rung": "ideation"}), encoding="utf-8")
    with pytest.raises(ArtifactError, match="rung"):
        RiskModel.load(folder)
    # it reads the lines the short-chat head reads, or the model is refused
    unversioned = {key: value for key, value in meta.items() if key != "version"}
    (folder / meta_name).write_text(json.dumps({**unversioned, "max_chars": 40}), encoding="utf-8")
    with pytest.raises(ArtifactError, match="retrain them"):
        RiskModel.load(folder)
    for name in (meta_name, index_name, weight_name, *files(ACT_PREFIX)):  # the act head would read the line too
        (folder / name).unlink()
    model = RiskModel.load(folder)
    assert model.short_chat is not None and model.short_chat.behavior is None and "+shortb." not in model.version
    scored = model.score_texts(["got the pills and wrote the letter, tonight"])
    assert scored.short_behavior is None and scored.ranks[0] <= Level.IDEATION.rank


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "short-chat-0"}, "format"),
        ({"hash_scheme": "crc32"}, "hash scheme"),
        ({"features": {"bits": 18, "tf": "raw"}}, "retrain it"),
        ({"threshold": 1.5}, "threshold"),
        ({"max_chars": 0}, "max_chars"),
        ({"languages": ["fr"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"bias": "x"}, "bias"),
        ({"version": "short.0000000000"}, "its content is"),
    ],
)
def test_a_bad_head_file_is_refused_with_a_reason(tmp_path: Path, change: dict[str, object], message: str) -> None:
    folder = _copy_shipped(tmp_path)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    (folder / META_FILE).write_text(json.dumps({**meta, **change}), encoding="utf-8")
    with pytest.raises(ArtifactError, match=message):
        RiskModel.load(folder)


def test_bad_head_arrays_are_refused(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    weight = np.load(folder / WEIGHT_FILE)
    np.save(folder / WEIGHT_FILE, weight[:-1])
    with pytest.raises(ArtifactError, match="same length"):
        RiskModel.load(folder)
    weight[0] = np.nan
    np.save(folder / WEIGHT_FILE, weight)
    with pytest.raises(ArtifactError, match="not finite"):
        RiskModel.load(folder)
    (folder / INDEX_FILE).write_bytes(b"not an array")
    with pytest.raises(ArtifactError, match="cannot read"):
        RiskModel.load(folder)


# -- training ---------------------------------------------------------------------------------------------------


def _write_chat_material(root: Path) -> tuple[Path, Path]:
    risk = [f"ideation\ti want to die {word}" for word in ("today", "now", "tonight", "so much", "already", "badly")]
    risk += [f"ideation\t我不想活了{word}" for word in ("今天", "现在", "真的", "算了", "真的累")]
    risk += ["attempt\t" + "i took all the pills and i am telling you everything about it " * 2]  # too long: left out
    risk += ["ideation\tab jeene ka mann nahi karta"]  # romanized Hindi
    looks = [f"this pizza is {word} good" for word in ("so", "really", "very", "too", "crazy", "insanely")]
    looks += ["मैं खाना खा रहा हूं", "我想吃火锅"]
    everyday = ["abhi uthi hu", "on my way", "到家了", "this pizza is so good"]
    return write_chat_material(
        root,
        {**dict.fromkeys(READ_RISK_FILES, risk), "en_risk_unread.tsv": ["ideation\tnever read"]},
        {**dict.fromkeys(READ_LOOKALIKE_FILES, looks), **dict.fromkeys(READ_EVERYDAY_FILES, everyday)},
    )


def test_the_trainer_reads_short_lines_of_every_language_once(tmp_path: Path) -> None:
    phrasebook, folder = _write_chat_material(tmp_path)
    benign = ["is the blue one in stock", "is the blue one in stock", "this pizza is so good", "我想死"]
    sos = (["活着好累啊", "我想死"], [0, 1])
    texts, labels, sources = training_lines(phrasebook, folder, benign, sos)
    table = dict(zip(texts, zip(labels.tolist(), sources, strict=True), strict=True))
    assert texts.count("is the blue one in stock") == 2  # ordinary lines weigh as often as they recur
    assert table["活着好累啊"] == (0, "sos") and texts.count("我想死") == 1 and table["我想死"] == (1, "risk")
    assert table["我不想活了今天"] == (1, "risk") and table["我想吃火锅"] == (0, "hard")
    assert table["i dont want to die"] == (0, "hard") and table["my friend wants to die"] == (0, "hard")
    assert table["is the blue one in stock"] == (0, "benign")
    assert table["this pizza is so good"] == (0, "hard")  # seen first as a lookalike
    assert "she said she wants to die" not in table  # a report, not a message
    assert table["ab jeene ka mann nahi karta"] == (1, "risk") and table["मैं खाना खा रहा हूं"] == (0, "hard")  # Hindi
    assert table["abhi uthi hu"] == (0, "everyday") and table["到家了"] == (0, "everyday")
    assert table["on my way"] == (0, "everyday") and texts.count("this pizza is so good") == 1  # a lookalike first
    assert not any(len(text) > MAX_CHARS for text in texts) and "never read" not in table
    weights = sample_weights(labels, sources)
    risk, kinds = labels == 1, np.asarray(sources)
    assert weights[risk].sum() == pytest.approx(weights[~risk].sum())  # by weight, not by count
    assert set(weights[kinds == "hard"].tolist()) == {3.0} and set(weights[kinds == "everyday"].tolist()) == {1.0}


def test_the_behavior_head_learns_the_risk_lines_by_their_level(tmp_path: Path) -> None:
    from lifeguard.detection.model.seeds import SEEDS

    phrasebook, folder = _write_chat_material(tmp_path)
    texts, labels = behavior_lines(phrasebook, folder)
    table = dict(zip(texts, labels.tolist(), strict=True))
    assert table["i want to die today"] == 0 and table["我不想活了今天"] == 0  # ideation
    assert all(table[phrase] == 1 for phrase in SEEDS["en"][Level.BEHAVIOR] if phrase in table)
    assert any(table.get(phrase) == 1 for phrase in SEEDS["hi-Latn"][Level.ATTEMPT])
    assert "this pizza is so good" not in table and "abhi uthi hu" not in table  # not risk: not its business
    assert not any(len(text) > MAX_CHARS for text in texts) and "never read" not in table


def test_the_behavior_threshold_is_the_lowest_that_spares_the_lines_at_ideation() -> None:
    probabilities = np.array([0.9, 0.7, 0.52, 0.3] + [0.1] * 46)
    labels = np.array([1, 1, 0, 0] + [0] * 46)
    assert behavior_threshold(probabilities, labels) == 0.55  # at 0.5, 1 of 48 lines at ideation (2.1%) is raised
    assert behavior_threshold(np.full(4, 0.99), np.zeros(4, dtype=np.int64)) == 0.95  # none spares them: the highest


def test_training_is_deterministic_and_writes_a_loadable_head(tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip("sklearn")
    phrasebook, folder = _write_chat_material(tmp_path)
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    config = RiskModel.load(model_dir).config
    first = train_short_chat(tmp_path / "no-data", phrasebook, folder, config, seed=0)
    again = train_short_chat(tmp_path / "no-data", phrasebook, folder, config, seed=0)
    assert json.dumps(first[0], sort_keys=True) == json.dumps(again[0], sort_keys=True)
    assert np.array_equal(first[1], again[1]) and np.array_equal(first[2], again[2])
    meta = save(model_dir, *first)
    model = RiskModel.load(model_dir)
    assert model.short_chat is not None and model.short_chat.version == meta["version"]
    assert meta["training"]["sources"]["benign"] == 0  # no benign sets under no-data
    rates = {
        "recall",
        "precision",
        "hard_negatives_raised",
        "everyday_raised",
        "sos_below_ideation_raised",
        "benign_raised",
    }
    assert set(meta["out_of_fold_at_threshold"]) == rates
    head = model.short_chat
    p = head.probabilities(extract([fold("i want to die now"), fold("this pizza is so good")], config), config)
    assert p[0] > 0.5 > p[1]


def test_the_command_writes_beside_a_model_and_says_what_is_missing(tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip("sklearn")
    from typer.testing import CliRunner

    from lifeguard.detection.model.cli import model_app

    runner = CliRunner()
    phrasebook, folder = _write_chat_material(tmp_path)
    missing = runner.invoke(model_app, ["train-short-chat", "--out", str(tmp_path), "--written-apart", "nowhere"])
    assert missing.exit_code == 2 and "nowhere does not exist" in missing.output
    args = ["--phrasebook", str(phrasebook), "--written-apart", str(folder), "--data-dir", str(tmp_path / "no")]
    not_a_model = runner.invoke(model_app, ["train-short-chat", "--out", str(tmp_path / "empty"), *args])
    assert not_a_model.exit_code == 2 and "must be a model directory" in not_a_model.output
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    done = runner.invoke(model_app, ["train-short-chat", "--out", str(model_dir), *args])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    head = RiskModel.load(model_dir).short_chat
    assert head is not None and head.behavior is not None and head.act is not None
    assert head.version == f"{summary['version']}+{summary['behavior']['version']}+{summary['act']['version']}"
    assert summary["act"]["version"].startswith("shorta.") and head.act.opens


def test_without_the_head_its_explanation_is_empty(without_head: RiskModel) -> None:
    assert without_head.explain("i just want to be gone from this world", SHORT_CHAT_HEAD) == []
    assert load_model().explain("i just want to be gone from this world", SHORT_CHAT_HEAD)


def test_it_acts_only_on_the_lines_it_reads_as_risk() -> None:
    head = ShortChatHead(np.zeros(8, np.float32), 0.0, 0.9, 80, ("en",), "short.test", {})
    at_or_above = np.array([[0.2, 0.1, 0.05, 0.01]] * 3)
    before = at_or_above.copy()
    raised = head.raise_rung(at_or_above, np.array([0.95, 0.85, 0.99]), np.array([True, True, False]), THRESHOLDS)
    assert raised.tolist() == [True, False, False]
    assert at_or_above[0, 1] >= 0.425 and at_or_above[0, 0] == at_or_above[0, 1]  # indicator follows
    assert np.array_equal(at_or_above[0, 2:], before[0, 2:])  # behavior and attempt untouched
    assert np.array_equal(at_or_above[1:], before[1:])  # below its threshold, or not a short line: untouched
    # its threshold lands on the model's: 0.9 becomes 0.425
    exactly = np.array([[0.0, 0.0, 0.0, 0.0]])
    head.raise_rung(exactly, np.array([0.9]), np.array([True]), THRESHOLDS)
    assert exactly[0, 1] == pytest.approx(0.425)


def test_the_behavior_head_raises_behavior_only_on_lines_at_ideation() -> None:
    head = ShortChatHead(np.zeros(8, np.float32), 0.0, 0.7, 80, ("en",), "shortb.test", {}, rung=BEHAVIOR)
    rows = [[0.6, 0.5, 0.1, 0.01], [0.6, 0.3, 0.1, 0.01], [0.6, 0.5, 0.1, 0.01], [0.6, 0.5, 0.41, 0.01]]
    at_or_above = np.array(rows)
    before = at_or_above.copy()
    raised = head.raise_rung(at_or_above, np.array([0.8, 0.99, 0.6, 0.99]), np.ones(4, dtype=bool), THRESHOLDS)
    # the second is below ideation, the third below its threshold, the fourth at behavior already
    assert raised.tolist() == [True, False, False, False]
    assert at_or_above[0, 2] >= THRESHOLDS[2] and at_or_above[0, 3] == before[0, 3]  # attempt untouched
    assert (np.diff(at_or_above[0]) <= 0).all()  # still monotone: ideation and indicator follow
    assert np.array_equal(at_or_above[1:], before[1:])


def test_the_shipped_behavior_head_reads_plans_and_acts_in_chat() -> None:
    model = load_model()
    assert model.short_chat is not None and model.short_chat.behavior is not None
    behavior = model.short_chat.behavior
    assert behavior.rung == BEHAVIOR and behavior.version.startswith("shortb.")
    assert f"+{behavior.version}+" in model.version  # the act head's comes last
    assert behavior.meta["training"]["files"] == {
        name: digest
        for name, digest in model.short_chat.meta["training"]["files"].items()
        if name.startswith("phrasebook/") or name.removeprefix("written_apart/") in READ_RISK_FILES
    }
    lines = ["got the pills and wrote the letter, tonight", "i want to die"]
    scored = model.score_texts(lines)
    assert scored.short_behavior is not None and scored.short_behavior.tolist()[0]
    assert scored.ranks[0] >= Level.BEHAVIOR.rank
    assessment = model.assess(TextInput(lines[0]))
    assert SHORT_CHAT_REASON in assessment.reasons and assessment.spans
    assert model.explaining_head(scored, 0, Level.BEHAVIOR) == SHORT_BEHAVIOR_HEAD


def test_an_operator_can_switch_the_head_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lifeguard.config import Settings
    from lifeguard.detection.registry import detector_named
    from lifeguard.runtime import build_runtime
    from tests.conftest import make_settings

    monkeypatch.setenv("LIFEGUARD_SHORT_CHAT", "false")
    assert Settings().short_chat is False
    monkeypatch.delenv("LIFEGUARD_SHORT_CHAT")
    assert Settings().short_chat is True
    detector_named.cache_clear()
    try:
        for on in (True, False):
            settings = make_settings(f"sqlite:///{tmp_path / f'{on}.db'}", detector="hybrid", short_chat=on)
            rt = build_runtime(settings)
            try:
                model = rt.detector.model  # type: ignore[attr-defined]
                assert (model.short_chat is not None) is on and ("+short." in rt.detector.info.version) is on
                found = rt.detector.assess(TextInput("i just want to be gone from this world"))
                assert (SHORT_CHAT_REASON in found.reasons) is on
            finally:
                rt.close()
    finally:
        detector_named.cache_clear()


def test_the_shipped_model_is_loaded_once_however_it_is_asked_for() -> None:
    from lifeguard.detection.model import hybrid_detector

    assert load_model() is load_model(True) is load_model(short_chat=True) is hybrid_detector("none").model
    assert load_model(False) is not load_model() and load_model(False).short_chat is None


# -- the act head --------------------------------------------------------------------------------------------------


def test_the_act_head_raises_behavior_on_a_line_at_any_level() -> None:
    head = ShortChatHead(np.zeros(8, np.float32), 0.0, 0.9, 80, ("en",), "shorta.test", {}, rung=BEHAVIOR, opens=True)
    rows = [[0.1, 0.05, 0.01, 0.001], [0.6, 0.5, 0.1, 0.01], [0.1, 0.05, 0.01, 0.001], [0.9, 0.8, 0.7, 0.2]]
    at_or_above = np.array(rows)
    before = at_or_above.copy()
    raised = head.raise_rung(at_or_above, np.array([0.95, 0.95, 0.8, 0.92]), np.ones(4, dtype=bool), THRESHOLDS)
    # below every rung and at ideation alike; not below its threshold, nor where the heads read more already
    assert raised.tolist() == [True, True, False, False]
    assert at_or_above[0, 2] >= THRESHOLDS[2] and (at_or_above[0, :3] >= THRESHOLDS[:3]).all()
    assert at_or_above[0, 3] == before[0, 3]  # attempt stays the heads' own
    assert (np.diff(at_or_above[:2], axis=1) <= 0).all()  # monotone
    assert np.array_equal(at_or_above[2:], before[2:])


def test_the_act_head_learns_acts_against_what_is_not_risk(tmp_path: Path) -> None:
    phrasebook, folder = _write_chat_material(tmp_path)
    (folder / READ_RISK_FILES[0]).write_text(
        "\n".join(
            [*(f"ideation\ti want to die {word}" for word in ("today", "now")), "attempt\tswallowed them all just now"]
        )
        + "\n",
        encoding="utf-8",
    )
    lines = chat_lines_for_heads(tmp_path / "no-data", phrasebook, folder, load_model().config)
    rows, labels, sources = act_lines(lines, phrasebook, folder)
    texts = [text for text, keep in zip(lines.texts, rows.tolist(), strict=True) if keep]
    kept = dict(zip(texts, zip(labels.tolist(), sources, strict=True), strict=True))
    assert kept["swallowed them all just now"] == (1, "risk")
    assert kept["i want to die today"] == (0, "ideation") and kept["我不想活了今天"] == (0, "ideation")  # a wish
    assert kept["this pizza is so good"] == (0, "hard") and kept["abhi uthi hu"] == (0, "everyday")


def test_the_act_threshold_is_the_lowest_that_spares_every_kind_of_ordinary_line() -> None:
    kinds = ["risk"] * 2 + ["hard"] * 40 + ["everyday"] * 200 + ["benign"] * 1000
    labels = np.array([1, 1] + [0] * 1240)
    probabilities = np.full(len(labels), 0.1)
    probabilities[:2] = 0.99
    probabilities[2] = 0.62  # one hard negative of 40 (2.5%) at 0.62: allowed
    probabilities[42] = 0.72  # one everyday line of 200 (0.5%) at 0.72: allowed
    probabilities[242:244] = 0.83  # two benign texts of 1000 (0.2%) at 0.83: too many below 0.85
    assert act_threshold(probabilities, labels, kinds) == 0.85
    assert act_threshold(np.full(4, 0.99), np.array([1, 0, 0, 0]), ["risk", "hard", "hard", "hard"]) == 0.95


def test_the_act_head_trains_deterministically_and_loads_beside_the_head(tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip("sklearn")
    phrasebook, folder = _write_chat_material(tmp_path)
    (folder / READ_RISK_FILES[0]).write_text(
        "\n".join(
            f"attempt\ti took all the pills {word}" for word in ("now", "just now", "already", "tonight", "ok", "bye")
        )
        + "\n",
        encoding="utf-8",
    )
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    config = RiskModel.load(model_dir).config
    first = train_act(tmp_path / "no-data", phrasebook, folder, config, seed=0)
    again = train_act(tmp_path / "no-data", phrasebook, folder, config, seed=0)
    assert json.dumps(first[0], sort_keys=True) == json.dumps(again[0], sort_keys=True)
    assert np.array_equal(first[1], again[1]) and np.array_equal(first[2], again[2])
    assert first[0]["rung"] == "act" and first[0]["threshold"] in (
        0.5,
        0.55,
        0.6,
        0.65,
        0.7,
        0.75,
        0.8,
        0.85,
        0.9,
        0.95,
    )
    save(model_dir, *train_short_chat(tmp_path / "no-data", phrasebook, folder, config, seed=0))
    meta = save(model_dir, *first, prefix=ACT_PREFIX)
    head = RiskModel.load(model_dir).short_chat
    assert head is not None and head.act is not None and head.behavior is None
    assert head.act.version == meta["version"] and meta["version"].startswith("shorta.") and head.act.opens
    assert head.version.endswith(f"+{meta['version']}")


def test_the_act_head_is_optional_and_reads_the_lines_the_head_reads(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    meta_name, index_name, weight_name = files(ACT_PREFIX)
    meta = json.loads((folder / meta_name).read_text(encoding="utf-8"))
    unversioned = {key: value for key, value in meta.items() if key != "version"}
    (folder / meta_name).write_text(json.dumps({**unversioned, "languages": ["en"]}), encoding="utf-8")
    with pytest.raises(ArtifactError, match="retrain them"):
        RiskModel.load(folder)
    (folder / meta_name).write_text(json.dumps({**meta, "rung": "behavior"}), encoding="utf-8")
    with pytest.raises(ArtifactError, match="rung"):
        RiskModel.load(folder)
    for name in (meta_name, index_name, weight_name):
        (folder / name).unlink()
    model = RiskModel.load(folder)
    assert model.short_chat is not None and model.short_chat.act is None and "+shorta." not in model.version
    assert model.score_texts(["standing on the ledge now, sorry mum"]).short_act is None


def test_the_shipped_act_head_reads_acts_in_chat_and_leaves_ordinary_acts() -> None:
    model = load_model()
    head = model.short_chat
    assert head is not None and head.act is not None and head.act.opens
    assert head.act.version.startswith("shorta.") and model.version.endswith(f"+{head.act.version}")
    assert head.act.meta["training"]["files"] == head.meta["training"]["files"]  # the head's lines
    acts = ["already took my whole prescription. getting sleepy", "sitting on the ledge and my legs are shaking"]
    ordinary = ["took my meds, going to sleep now", "sitting on the balcony with a coffee"]
    scored = model.score_texts(acts + ordinary)
    assert scored.short_act is not None and scored.short_act.tolist() == [True, True, False, False]
    assert (scored.ranks[:2] >= Level.BEHAVIOR.rank).all() and (scored.ranks[2:] < Level.IDEATION.rank).all()
    assert model.explaining_head(scored, 0, Level.BEHAVIOR) == SHORT_ACT_HEAD
    assessment = model.assess(TextInput(acts[0]))
    assert SHORT_CHAT_REASON in assessment.reasons and assessment.spans
