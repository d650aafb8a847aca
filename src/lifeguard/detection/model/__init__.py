"""The trained multilingual risk model (hashed n-grams, ordinal logistic heads, calibrated) and the hybrid
detector that combines it with the rule-and-lexicon detector. Inference needs numpy only.

- ``load_model()``: the model shipped in ``shipped/`` (cached per process);
- ``hybrid_detector()``: the shipped model plus the lexicon rules, the production ``Detector``; with
  LIFEGUARD_SECOND_STAGE=minilm (and the encoder installed, or LIFEGUARD_MINILM_DIR set) the model re-scores
  the English texts it flags with the MiniLM second stage (``second_stage_minilm``); with ``zh`` (and
  LIFEGUARD_ZH_STAGE_DIR pointing at a fine-tuned Chinese encoder) the Chinese ones (``second_stage_zh``);
- ``RiskModel``, ``HybridDetector``, ``SecondStage`` for the rest.

See docs/model.md for data, training, measured figures and limits.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lifeguard.detection.model.second_stage import NoSecondStage, SecondStage

if TYPE_CHECKING:
    from lifeguard.detection.model.hybrid import HybridDetector
    from lifeguard.detection.model.model import RiskModel

__all__ = [
    "NoSecondStage",
    "SecondStage",
    "hybrid_detector",
    "load_model",
    "model_with_second_stage",
    "parse_second_stage",
]

log = logging.getLogger(__name__)

SECOND_STAGE_ENV = "LIFEGUARD_SECOND_STAGE"  # read as Settings.second_stage; see lifeguard/config.py
STAGE_PARTS = ("minilm", "chat", "zh")  # in the order they run when several are chosen
SECOND_STAGES = ("none", "minilm", "chat", "zh", "minilm+chat", "minilm+zh", "chat+zh", "minilm+chat+zh")


def parse_second_stage(value: str) -> str:
    """``none``, or any of ``minilm``, ``chat`` and ``zh`` joined by ``+`` in any order, canonical (in the order they
    run); ValueError otherwise."""
    parts = {part.strip() for part in value.strip().lower().split("+") if part.strip()} or {"none"}
    if parts == {"none"}:
        return "none"
    unknown = parts - set(STAGE_PARTS)
    if unknown:
        names = ", ".join(repr(part) for part in sorted(unknown))
        raise ValueError(f"unknown second stage {names}; choose one of {', '.join(SECOND_STAGES)}")
    return "+".join(part for part in STAGE_PARTS if part in parts)


def load_model(short_chat: bool = True) -> RiskModel:
    """The shipped model, loaded once per process (read-only, shared by threads); without its short-chat head when
    ``short_chat`` is False. ``load_model()`` and ``load_model(True)`` are the same object."""
    return _shipped_model(bool(short_chat))


@lru_cache(maxsize=2)
def _shipped_model(short_chat: bool) -> RiskModel:
    from lifeguard.detection.model.model import RiskModel

    return RiskModel.load(short_chat=short_chat)


def second_stage_setting() -> str:
    """LIFEGUARD_SECOND_STAGE: ``none`` (the default), or ``minilm``, ``chat``, ``zh`` joined by ``+``."""
    return os.environ.get(SECOND_STAGE_ENV, "").strip().lower() or "none"


def model_with_second_stage(
    name: str,
    minilm_dir: str | Path | None = None,
    directory: Path | None = None,
    head_path: Path | None = None,
    cache: bool = False,
    zh_stage_dir: str | Path | None = None,
    chat_head_path: Path | None = None,
    short_chat: bool = True,
) -> RiskModel:
    """The model (shipped, or in ``directory``; with its short-chat head unless ``short_chat`` is False) with the
    named second stage(s). When a stage cannot run here
    (encoder not installed, wrong encoder, bad head) an ERROR says what to install or set, and the model
    scores without it: detection never stops for want of an optional part. With a stage, the model's
    version (in its ``info`` and every ``model:`` reason) ends in ``+minilm.<head digest>`` / ``+zh.<digest>``."""
    from lifeguard.detection.model import artifact as artifact_io
    from lifeguard.detection.model.model import RiskModel, feature_config
    from lifeguard.detection.model.second_stage import ChainedSecondStage
    from lifeguard.detection.model.short_chat import ShortChatHead

    def plain() -> RiskModel:
        return load_model(short_chat) if directory is None else RiskModel.load(directory, short_chat=short_chat)

    try:
        parts = parse_second_stage(name)
    except ValueError as exc:
        log.error("%s; scoring without one", exc)
        return plain()
    if parts == "none":
        return plain()
    from lifeguard.detection.model.second_stage_minilm import SecondStageUnavailable, build_second_stage
    from lifeguard.detection.model.second_stage_zh import build_zh_stage

    folder = directory or artifact_io.shipped_dir()
    loaded = artifact_io.load(folder)
    thresholds = [float(t) for t in loaded.meta["thresholds"]]
    stages: list[SecondStage] = []
    for part in parts.split("+"):
        try:
            if part in ("minilm", "chat"):
                path = head_path if part == "minilm" else chat_head_path
                stages.append(build_second_stage(thresholds[1], minilm_dir, path, cache=cache, name=part))
            else:
                stages.append(build_zh_stage(thresholds, zh_stage_dir, cache=cache))
        except SecondStageUnavailable as exc:
            log.error("%s; scoring without the %r second stage", exc, part)
        except Exception:  # noqa: BLE001 - an optional part must never stop detection
            log.exception("second stage %r failed to load; scoring without it", part)
    if not stages:
        return plain()
    stage: SecondStage = stages[0] if len(stages) == 1 else ChainedSecondStage(stages)
    version = str(getattr(stage, "version", stage.name))
    meta = {**loaded.meta, "version": f"{loaded.meta['version']}+{version}"}
    head = ShortChatHead.load(folder, feature_config(loaded.meta)) if short_chat else None
    return RiskModel(artifact_io.Artifact(meta=meta, arrays=loaded.arrays), stage, head)


def hybrid_detector(
    second_stage: str | None = None,
    minilm_dir: str | Path | None = None,
    zh_stage_dir: str | Path | None = None,
    short_chat: bool = True,
) -> HybridDetector:
    """The shipped model combined with the rule-and-lexicon detector; the second stage(s) named by
    ``second_stage``, else by LIFEGUARD_SECOND_STAGE (the English encoder from ``minilm_dir``, else
    LIFEGUARD_MINILM_DIR, else the installed package; the Chinese stage from ``zh_stage_dir``, else
    LIFEGUARD_ZH_STAGE_DIR); the model's short-chat head unless ``short_chat`` is False (``Settings.short_chat``)."""
    from lifeguard.detection.lexicon_detector import LexiconDetector
    from lifeguard.detection.model.hybrid import HybridDetector

    name = second_stage if second_stage is not None else second_stage_setting()
    model = (
        load_model(short_chat)
        if name == "none"
        else model_with_second_stage(name, minilm_dir, zh_stage_dir=zh_stage_dir, short_chat=short_chat)
    )
    return HybridDetector(model, LexiconDetector())
