"""The fusion policy file: the shipped one loads; every malformed value is refused with the path of its key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from lifeguard.detection.fusion import PolicyError, load_policy
from lifeguard.detection.fusion.policy import default_policy_path, parse_policy
from lifeguard.detection.levels import Level
from lifeguard.detection.products.catalogue import Strength

RAW: dict[str, Any] = yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))


def test_shipped_policy_values() -> None:
    policy = load_policy()
    assert policy.version >= 1
    assert policy.priority_by_level[Level.ATTEMPT] == 0
    assert policy.priority_by_level[Level.NONE] == 3
    assert policy.means_level_alone[Strength.STRONG] == Level.INDICATOR  # a purchase alone is never a crisis
    # Two half-lives active, four of history.
    assert policy.active_seconds(Level.IDEATION) == pytest.approx(2 * 72 * 3600)
    assert policy.history_seconds(Level.IDEATION) == pytest.approx(4 * 72 * 3600)
    assert policy.weight(Level.IDEATION, 72 * 3600) == pytest.approx(0.5)
    assert policy.window("behavior_time") == 24 * 3600


def _with(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected_path", "words"),
    [
        ("decay.half_life_hours.ideation", -1, "decay.half_life_hours.ideation", "between"),
        ("decay.half_life_hours.ideation", "three days", "decay.half_life_hours.ideation", "number"),
        ("decay.half_life_hours.attempt", _DELETE, "decay.half_life_hours.attempt", "missing"),
        ("decay.history_weight", 0.5, "decay.history_weight", "active_weight"),
        ("windows_hours.reports", True, "windows_hours.reports", "number"),
        ("windows_hours.typo_window", 3, "windows_hours", "typo_window"),
        ("means.level_alone.strong", "catastrophic", "means.level_alone.strong", "unknown risk level"),
        ("means.level_alone.weak", "attempt", "means.level_alone", "stronger purchase"),
        ("means.min_strength_for_acquisition", "huge", "means.min_strength_for_acquisition", "expected one of"),
        ("means.repeat_orders_min", 1.5, "means.repeat_orders_min", "whole number"),
        ("reports.weights.family", 1.5, "reports.weights.family", "between"),
        ("reports.weights.police", _DELETE, "reports.weights.police", "missing"),
        ("priority.by_level.behavior", 3, "priority.by_level", "higher level"),
        ("priority.by_level.attempt", 4, "priority.by_level.attempt", "between"),
        ("priority.stale_after_hours", [1, 2], "priority.stale_after_hours", "mapping"),
        ("state", None, "state", "mapping"),
        ("extra_section", {}, "(top level)", "extra_section"),
    ],
)
def test_errors_name_the_key(path: str, value: Any, expected_path: str, words: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(_with(path, value))
    assert caught.value.path == expected_path
    assert words in str(caught.value)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("decay: [", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="must be a mapping"):
        parse_policy([1, 2])


def test_a_custom_policy_path_is_used(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(_with("priority.imminent_hours", 2)), encoding="utf-8")
    assert load_policy(path).imminent_hours == 2
