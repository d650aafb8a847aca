"""The fusion policy: decay, windows, report weights and priority rules, as validated data.

Thresholds are clinical and operational choices that a safety team must be able to tune and review without a
code change, so they live in ``policy.yaml``. Loading refuses anything unexpected and names the key's path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lifeguard.detection.levels import LEVELS, Level
from lifeguard.detection.products.catalogue import Strength

_RISK_LEVELS: tuple[Level, ...] = (Level.INDICATOR, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT)
_WINDOWS = (
    "ideation_means", "order_after_words", "ideation_place", "behavior_time", "bare_time", "behavior_place",
    "means_active",
    "repeat_orders", "ordinary_context", "writing_context", "reports", "words_link",
)  # fmt: skip
REPORTER_KINDS: tuple[str, ...] = ("family", "police", "agent", "merchant", "user", "unknown")


class PolicyError(ValueError):
    """The policy file is malformed; ``path`` is the dotted key that is wrong."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"fusion policy: {path}: {message}" if path else f"fusion policy: {message}")


@dataclass(frozen=True, slots=True)
class Policy:
    version: int
    half_life_hours: dict[Level, float]
    active_weight: float
    history_weight: float
    windows_hours: dict[str, float]
    means_level_alone: dict[Strength, Level]
    min_strength_for_acquisition: Strength
    extreme_multiple: float
    repeat_orders_min: int
    report_weights: dict[str, float]
    report_confidence: float
    max_reporters: int
    flood_per_hour: int
    writing_context_max_level: Level
    joke_context_max_level: Level
    priority_by_level: dict[Level, int]
    imminent_hours: float
    far_time_steps: int
    plan_b_min_means: int
    independent_reporters_min: int
    strong_means_only_priority: int
    stale_after_hours: dict[Level, float]
    max_signal_ids: int
    max_reasons: int
    max_tokens: int
    max_token_sets: int

    def window(self, name: str) -> float:
        """A window in seconds."""
        return self.windows_hours[name] * 3600.0

    def active_seconds(self, level: Level) -> float:
        """How long evidence at ``level`` holds that level: half-life * log2(1 / active_weight)."""
        return self._span(level, self.active_weight)

    def history_seconds(self, level: Level) -> float:
        return self._span(level, self.history_weight)

    def _span(self, level: Level, weight: float) -> float:
        if level is Level.NONE:
            return 0.0
        return self.half_life_hours[level] * 3600.0 * math.log2(1.0 / weight)

    def weight(self, level: Level, age_seconds: float) -> float:
        if level is Level.NONE:
            return 0.0
        return float(0.5 ** (max(0.0, age_seconds) / (self.half_life_hours[level] * 3600.0)))

    @property
    def longest_memory_seconds(self) -> float:
        """Nothing older than this (relative to the newest observation) can change any result."""
        spans = [self.history_seconds(level) for level in _RISK_LEVELS]
        spans += [hours * 3600.0 for hours in self.windows_hours.values()]
        return max(spans)


def default_policy_path() -> Path:
    return Path(str(resources.files("lifeguard.detection.fusion").joinpath("policy.yaml")))


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and validate a policy (the shipped one when ``path`` is None)."""
    source = Path(path) if path is not None else default_policy_path()
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError("", f"cannot read {source}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError("", f"{source} is not valid YAML: {exc}") from exc
    return parse_policy(data)


class _Reader:
    """Reads one mapping, tracking the dotted path, and refuses keys nobody asked for."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise PolicyError(path, "must be a mapping")
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str) -> Any:
        self.used.add(key)
        if key not in self.data:
            raise PolicyError(self._key(key), "is missing")
        return self.data[key]

    def section(self, key: str) -> _Reader:
        return _Reader(self.raw(key), self._key(key))

    def number(self, key: str, *, low: float, high: float, integer: bool = False) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
            raise PolicyError(self._key(key), f"must be {'a whole number' if integer else 'a number'}, got {value!r}")
        if not low <= value <= high:
            raise PolicyError(self._key(key), f"must be between {low} and {high}, got {value}")
        return float(value)

    def integer(self, key: str, *, low: int, high: int) -> int:
        return int(self.number(key, low=low, high=high, integer=True))

    def level(self, key: str) -> Level:
        value = self.raw(key)
        try:
            return Level.parse(str(value))
        except ValueError as exc:
            raise PolicyError(self._key(key), str(exc)) from None

    def per_level(self, key: str, levels: tuple[Level, ...], *, low: float, high: float) -> dict[Level, float]:
        inner = self.section(key)
        out = {level: inner.number(level.value, low=low, high=high) for level in levels}
        inner.done()
        return out

    def done(self) -> None:
        extra = set(map(str, self.data)) - self.used
        if extra:
            raise PolicyError(self.path or "(top level)", f"unknown key(s): {', '.join(sorted(extra))}")


def parse_policy(data: Any) -> Policy:
    top = _Reader(data, "")
    version = top.integer("version", low=1, high=10**6)

    decay = top.section("decay")
    half_lives = decay.per_level("half_life_hours", _RISK_LEVELS, low=0.1, high=24 * 365)
    active = decay.number("active_weight", low=1e-6, high=1.0)
    history = decay.number("history_weight", low=1e-9, high=1.0)
    if history > active:
        raise PolicyError("decay.history_weight", "must not be above active_weight")
    decay.done()

    windows = top.section("windows_hours")
    window_hours = {name: windows.number(name, low=0.0, high=24 * 365) for name in _WINDOWS}
    windows.done()

    means = top.section("means")
    alone_section = means.section("level_alone")
    level_alone = {strength: alone_section.level(strength.name.lower()) for strength in Strength}
    alone_section.done()
    if any(level_alone[a] > level_alone[b] for a, b in zip(Strength, list(Strength)[1:], strict=False)):
        raise PolicyError("means.level_alone", "a stronger purchase cannot mean a lower level")
    min_strength_raw = means.raw("min_strength_for_acquisition")
    try:
        min_strength = Strength.parse(min_strength_raw)
    except ValueError as exc:
        raise PolicyError("means.min_strength_for_acquisition", str(exc)) from None
    extreme = means.number("extreme_multiple", low=1.0, high=1e6)
    repeat_min = means.integer("repeat_orders_min", low=2, high=1000)
    means.done()

    reports = top.section("reports")
    weights_section = reports.section("weights")
    weights = {kind: weights_section.number(kind, low=0.0, high=0.999) for kind in REPORTER_KINDS}
    weights_section.done()
    confidence = reports.number("confidence_for_level", low=0.01, high=0.999)
    max_reporters = reports.integer("max_reporters", low=1, high=64)
    flood = reports.integer("flood_per_hour", low=1, high=10_000)
    reports.done()

    search = top.section("search")
    writing_max = search.level("writing_context_max_level")
    search.done()

    words = top.section("words")
    joke_max = words.level("joke_context_max_level")
    words.done()

    priority = top.section("priority")
    by_level_section = priority.section("by_level")
    by_level = {level: by_level_section.integer(level.value, low=0, high=3) for level in LEVELS}
    by_level_section.done()
    if any(by_level[a] < by_level[b] for a, b in zip(LEVELS, LEVELS[1:], strict=False)):
        raise PolicyError("priority.by_level", "a higher level cannot have a lower priority (P0 is the most urgent)")
    imminent = priority.number("imminent_hours", low=0.0, high=24 * 30)
    far_steps = priority.integer("far_time_steps", low=0, high=3)
    plan_b = priority.integer("plan_b_min_means", low=2, high=100)
    reporters_min = priority.integer("independent_reporters_min", low=2, high=1000)
    strong_only = priority.integer("strong_means_only", low=0, high=3)
    stale = priority.per_level("stale_after_hours", _RISK_LEVELS, low=0.1, high=24 * 365)
    priority.done()

    state = top.section("state")
    max_ids = state.integer("max_signal_ids", low=1, high=64)
    max_reasons = state.integer("max_reasons", low=1, high=64)
    max_tokens = state.integer("max_tokens", low=0, high=500)
    max_sets = state.integer("max_token_sets", low=0, high=20)
    state.done()
    top.done()

    return Policy(
        version=version,
        half_life_hours=half_lives,
        active_weight=active,
        history_weight=history,
        windows_hours=window_hours,
        means_level_alone=level_alone,
        min_strength_for_acquisition=min_strength,
        extreme_multiple=extreme,
        repeat_orders_min=repeat_min,
        report_weights=weights,
        report_confidence=confidence,
        max_reporters=max_reporters,
        flood_per_hour=flood,
        writing_context_max_level=writing_max,
        joke_context_max_level=joke_max,
        priority_by_level=by_level,
        imminent_hours=imminent,
        far_time_steps=far_steps,
        plan_b_min_means=plan_b,
        independent_reporters_min=reporters_min,
        strong_means_only_priority=strong_only,
        stale_after_hours=stale,
        max_signal_ids=max_ids,
        max_reasons=max_reasons,
        max_tokens=max_tokens,
        max_token_sets=max_sets,
    )
